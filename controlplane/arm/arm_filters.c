/*
 * arm_filters.c — v3 account and asset filters over the v2 Filters and
 * AssetFilters records (the same rows, so a filter made through either API
 * is seen, changed and applied through the other):
 *   GET    accountFilters                      list
 *   GET    accountFilters/{name}               one (404 ResourceNotFound)
 *   PUT    accountFilters/{name}               create (201) or replace (200)
 *   PATCH  accountFilters/{name}               change the members given (200)
 *   DELETE accountFilters/{name}               200, or 204 when there was none
 * and the same under assets/{asset}/assetFilters.  v3 members
 * (presentationTimeRange, firstQuality, tracks[].trackSelections[]
 * {property, operation, value}) map one to one onto v2 ones; the rules are
 * checked by entities/filter_rules.c.
 */
#include "arm/arm_error.h"
#include "arm/arm_names.h"
#include "arm/arm_router.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/filter_rules.h"

#include <stdio.h>
#include <string.h>

#define ACCOUNT_FILTER_TYPE "Microsoft.Media/mediaservices/accountFilters"
#define ASSET_FILTER_TYPE   "Microsoft.Media/mediaservices/assets/assetFilters"

static const char *const time_v2[] = { "StartTimestamp", "EndTimestamp",
                                       "PresentationWindowDuration", "LiveBackoffDuration",
                                       "Timescale", NULL };
static const char *const time_v3[] = { "startTimestamp", "endTimestamp",
                                       "presentationWindowDuration", "liveBackoffDuration",
                                       "timescale", NULL };

/* Where one filter lives: the account's, or an asset's. */
typedef struct {
    const json_t *asset;             /* NULL: account filters */
    const entity_set_t *set;
    char collection[ARM_NAME_MAX + 64];
    const char *type;
} scope_t;

/* ---- v2 record -> v3 resource -------------------------------------------- */

static json_t *time_range_v3(const json_t *r)
{
    json_t *out = json_object();
    long long v;

    for (int i = 0; time_v2[i] != NULL; i++) {
        if (filter_int64(r, time_v2[i], &v) == 1) {
            json_object_set_new(out, time_v3[i], json_integer(v));
        }
    }
    json_object_set_new(out, "forceEndTimestamp", json_false());
    return out;
}

static json_t *tracks_v3(const json_t *tracks)
{
    json_t *out = json_array(), *sel, *cond;
    size_t i, j;

    json_array_foreach(tracks, i, sel) {
        json_t *conds = json_array();
        json_array_foreach(json_object_get(sel, "PropertyConditions"), j, cond) {
            json_array_append_new(conds, json_pack("{s:O,s:O,s:O}", "property",
                                                   json_object_get(cond, "Property"), "operation",
                                                   json_object_get(cond, "Operator"), "value",
                                                   json_object_get(cond, "Value")));
        }
        json_array_append_new(out, json_pack("{s:o}", "trackSelections", conds));
    }
    return out;
}

static json_t *filter_json(arm_req_t *r, const scope_t *s, const json_t *rec)
{
    json_t *props = json_object(), *range = json_object_get(rec, "PresentationTimeRange");
    long long bitrate;

    if (json_is_object(range)) {
        json_object_set_new(props, "presentationTimeRange", time_range_v3(range));
    }
    if (filter_int64(json_object_get(rec, "FirstQuality"), "Bitrate", &bitrate) == 1) {
        json_object_set_new(props, "firstQuality", json_pack("{s:I}", "bitrate",
                                                             (json_int_t) bitrate));
    }
    json_object_set_new(props, "tracks", tracks_v3(json_object_get(rec, "Tracks")));
    return arm_resource(r, s->collection, s->type, entity_str(rec, "Name"), props);
}

/* ---- v3 body -> v2 body ---------------------------------------------------- */

static json_t *time_range_v2(const json_t *r)
{
    json_t *out = json_object();

    for (int i = 0; time_v3[i] != NULL; i++) {
        json_t *v = json_object_get(r, time_v3[i]);
        if (v != NULL && !json_is_null(v)) {
            json_object_set(out, time_v2[i], v);
        }
    }
    return out;
}

/* tracks[].trackSelections[] -> Tracks[].PropertyConditions[]; NULL (after
 * api_fail) when the shape is wrong. */
static json_t *tracks_v2(arm_req_t *r, const json_t *tracks)
{
    json_t *out = json_array(), *sel, *cond;
    size_t i, j;

    json_array_foreach(tracks, i, sel) {
        json_t *list = json_object_get(sel, "trackSelections"), *conds = json_array();
        if (!json_is_array(list)) {
            json_decref(conds);
            json_decref(out);
            api_fail(&r->c, 400, "InvalidResource", "tracks[%zu].trackSelections must be a list", i);
            return NULL;
        }
        json_array_foreach(list, j, cond) {
            json_array_append_new(conds, json_pack("{s:O?,s:O?,s:O?}", "Property",
                                                   json_object_get(cond, "property"), "Operator",
                                                   json_object_get(cond, "operation"), "Value",
                                                   json_object_get(cond, "value")));
        }
        json_array_append_new(out, json_pack("{s:o}", "PropertyConditions", conds));
    }
    return out;
}

/* The v2 body of a PUT/PATCH (only the members given when patching). */
static json_t *body_v2(arm_req_t *r, const scope_t *s, const char *name, bool patch)
{
    json_t *props = json_object_get(r->body, "properties"), *out = json_object(), *v;

    if (props != NULL && !json_is_object(props)) {
        json_decref(out);
        api_fail(&r->c, 400, "InvalidResource", "properties must be an object");
        return NULL;
    }
    json_object_set_new(out, "Name", json_string(name));
    if (s->asset != NULL) {
        json_object_set_new(out, "ParentAssetId", json_string(entity_str(s->asset, "Id")));
    }
    v = json_object_get(props, "presentationTimeRange");
    if (v != NULL || !patch) {
        json_object_set_new(out, "PresentationTimeRange", json_is_object(v) ? time_range_v2(v)
                                                                            : json_null());
    }
    v = json_object_get(props, "firstQuality");
    if (v != NULL || !patch) {
        json_object_set_new(out, "FirstQuality", json_is_object(v)
                            ? json_pack("{s:O?}", "Bitrate", json_object_get(v, "bitrate"))
                            : json_null());
    }
    v = json_object_get(props, "tracks");
    if (v != NULL && !json_is_null(v) && !json_is_array(v)) {
        json_decref(out);
        api_fail(&r->c, 400, "InvalidResource", "tracks must be a list");
        return NULL;
    }
    if (v != NULL || !patch) {
        json_t *tracks = tracks_v2(r, v);
        if (tracks == NULL) {
            json_decref(out);
            return NULL;
        }
        json_object_set_new(out, "Tracks", tracks);
    }
    return out;
}

/* ---- handlers -------------------------------------------------------------- */

static void record_id(const scope_t *s, const char *name, char *out)
{
    if (s->asset != NULL) {
        snprintf(out, ENTITY_ID_MAX, "%.64s__#$#__%.64s", entity_str(s->asset, "Id"), name);
    } else {
        snprintf(out, ENTITY_ID_MAX, "%.64s", name);
    }
}

/* The record of a name in the scope (new reference) or NULL. */
static json_t *find_filter(arm_req_t *r, const scope_t *s, const char *name)
{
    char id[ENTITY_ID_MAX];
    json_t *rec = NULL;

    record_id(s, name, id);
    return catalog_get(&r->c.txn, s->set->name, id, &rec) == 0 ? rec : NULL;
}

static http_response_t *put_filter(arm_req_t *r, const scope_t *s, const char *name,
                                   json_t *existing, bool patch)
{
    json_t *body = body_v2(r, s, name, patch), *rec = NULL;
    char id[ENTITY_ID_MAX];
    http_response_t *out = NULL;
    int rc;

    if (body == NULL) {
        return NULL;
    }
    record_id(s, name, id);
    rc = existing != NULL ? entity_update(&r->c, s->set, id, body, !patch)
                          : entity_create(&r->c, s->set, body, &rec);
    if (rc == 0 && existing != NULL) {
        rc = entity_load(&r->c, s->set, id, &rec);
    }
    if (rc == 0) {
        out = arm_json(existing != NULL ? 200 : 201, filter_json(r, s, rec));
    }
    json_decref(rec);
    json_decref(body);
    return out;
}

static http_response_t *one_filter(arm_req_t *r, const scope_t *s, const char *name)
{
    json_t *rec = find_filter(r, s, name);
    bool patch = strcmp(r->method, "PATCH") == 0;
    http_response_t *out;

    if (strcmp(r->method, "PUT") == 0 || (patch && rec != NULL)) {
        out = filter_name_ok(name)
                  ? put_filter(r, s, name, rec, patch)
                  : arm_error(400, "InvalidResourceName", "'%.64s' is not a valid filter name "
                              "(1..%d of letters, digits, '.', '_', '~', '-')", name,
                              FILTER_NAME_MAX);
    } else if (rec == NULL) {
        out = strcmp(r->method, "DELETE") == 0
                  ? http_response_new(204, NULL)
                  : arm_error(404, "ResourceNotFound", "the filter '%s' was not found", name);
    } else if (strcmp(r->method, "GET") == 0) {
        out = arm_json(200, filter_json(r, s, rec));
    } else if (strcmp(r->method, "DELETE") == 0) {
        out = entity_delete(&r->c, s->set, entity_str(rec, "Id")) == 0
                  ? http_response_new(200, NULL) : NULL;
    } else {
        out = arm_error(405, "MethodNotAllowed", "a filter takes GET, PUT, PATCH or DELETE");
    }
    json_decref(rec);
    return out;
}

typedef struct {
    arm_req_t *r;
    const scope_t *s;
    arm_page_t page;
} list_walk_t;

static int add_account_filter(const char *id, json_t *rec, void *arg)
{
    list_walk_t *w = arg;

    (void) id;
    if (arm_page_take(&w->page)) {
        json_array_append_new(w->page.value, filter_json(w->r, w->s, rec));
    }
    return arm_page_full(&w->page);
}

static int add_asset_filter(const char *to, void *arg)
{
    list_walk_t *w = arg;
    json_t *rec = NULL;
    int stop = 0;

    if (catalog_get(&w->r->c.txn, entity_asset_filters.name, to, &rec) == 0) {
        stop = add_account_filter(to, rec, arg);
    }
    json_decref(rec);
    return stop;
}

static http_response_t *list_filters(arm_req_t *r, const scope_t *s)
{
    list_walk_t w = { r, s, { 0 } };
    http_response_t *bad;

    if (strcmp(r->method, "GET") != 0) {
        return arm_error(405, "MethodNotAllowed", "a filter collection is read with GET");
    }
    bad = arm_page_init(r, &w.page);
    if (bad != NULL) {
        return bad;
    }
    if (s->asset != NULL) {
        catalog_each_link(&r->c.txn, entity_str(s->asset, "Id"), "AssetFilters",
                          add_asset_filter, &w);
    } else {
        catalog_each(&r->c.txn, entity_filters.name, add_account_filter, &w);
    }
    return arm_page_answer(r, &w.page);
}

http_response_t *arm_account_filters_handle(arm_req_t *r)
{
    scope_t s = { NULL, &entity_filters, "accountFilters", ACCOUNT_FILTER_TYPE };

    if (r->path.nseg == 1) {
        return list_filters(r, &s);
    }
    if (r->path.nseg == 2) {
        return one_filter(r, &s, r->path.seg[1]);
    }
    return arm_error(404, "NotSupported", "nothing is served under an account filter");
}

http_response_t *arm_asset_filters(arm_req_t *r, const json_t *asset)
{
    scope_t s = { asset, &entity_asset_filters, "", ASSET_FILTER_TYPE };

    snprintf(s.collection, sizeof(s.collection), "assets/%s/assetFilters", r->path.seg[1]);
    if (r->path.nseg == 3) {
        return list_filters(r, &s);
    }
    if (r->path.nseg == 4) {
        return one_filter(r, &s, r->path.seg[3]);
    }
    return arm_error(404, "NotSupported", "nothing is served under an asset filter");
}
