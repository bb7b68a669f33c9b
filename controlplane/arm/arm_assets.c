/*
 * arm_assets.c — v3 assets over v2 Assets (the same records, so v2 sees
 * every v3 asset and v3 every v2 one):
 *   GET    assets                      list ($filter, $orderby, $top: arm_list_query.h)
 *   GET    assets/{name}               one (404 ResourceNotFound)
 *   PUT    assets/{name}               create (201) or update (200): alternateId, description
 *   PATCH  assets/{name}               update (200; 404 when there is none)
 *   DELETE assets/{name}               200, or 204 when there was none
 *   POST   assets/{name}/getEncryptionKey       (arm_asset_key.c)
 *   POST   assets/{name}/listContainerSas       (arm_container_sas.c)
 *   POST   assets/{name}/listStreamingLocators  (arm_locators.c)
 *   …      assets/{name}/assetFilters…           (arm_filters.c)
 */
#include "arm/arm_asset_key.h"
#include "arm/arm_error.h"
#include "arm/arm_list_query.h"
#include "arm/arm_names.h"
#include "arm/arm_router.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include <stdio.h>
#include <string.h>

#define ASSET_TYPE "Microsoft.Media/mediaservices/assets"

static json_t *asset_json(arm_req_t *r, const json_t *rec)
{
    char name[ARM_NAME_MAX + 64], container[64] = "";
    const char *alt = entity_str(rec, "AlternateId"), *desc = entity_str(rec, "_Description");
    json_t *props;

    arm_asset_name(rec, name, sizeof(name));
    asset_container_name(entity_str(rec, "Id"), container, sizeof(container));
    props = json_pack("{s:s?,s:s?,s:s?,s:s,s:s?,s:s}", "assetId", entity_guid(entity_str(rec, "Id")),
                      "created", entity_str(rec, "Created"), "lastModified",
                      entity_str(rec, "LastModified"), "container", container,
                      "storageAccountName", entity_str(rec, "StorageAccountName"),
                      "storageEncryptionFormat",
                      entity_int(rec, "Options", 0) == 1 ? "MediaStorageClientEncryption" : "None");
    if (alt != NULL) json_object_set_new(props, "alternateId", json_string(alt));
    if (desc != NULL) json_object_set_new(props, "description", json_string(desc));
    return arm_resource(r, "assets", ASSET_TYPE, name, props);
}

typedef struct {
    arm_req_t *r;
    arm_page_t page;
    const arm_query_t *query;           /* or matches: */
    json_t *matches;
} list_walk_t;

static int add_asset(const char *id, json_t *rec, void *arg)
{
    list_walk_t *w = arg;
    json_t *a;

    (void) id;
    if (w->query != NULL) {
        a = asset_json(w->r, rec);
        if (a != NULL && arm_query_match(w->query, a)) {
            json_array_append(w->matches, a);
        }
        json_decref(a);
        return json_array_size(w->matches) > ARM_QUERY_MATCHES;
    }
    if (arm_page_take(&w->page)) {
        json_array_append_new(w->page.value, asset_json(w->r, rec));
    }
    return arm_page_full(&w->page);
}

static http_response_t *list_assets(arm_req_t *r)
{
    static const char *const filter[] = { "name", "properties/created", "properties/lastModified",
                                          "properties/alternateId", "properties/assetId", NULL };
    static const char *const order[] = { "name", "properties/created", "properties/lastModified",
                                         NULL };
    list_walk_t w = { r, { 0 }, NULL, NULL };
    arm_query_t q;
    http_response_t *bad = arm_query_parse(r, filter, order, &q);

    if (bad == NULL && arm_query_active(&q)) {
        w.query = &q;
        w.matches = json_array();
        catalog_each(&r->c.txn, entity_assets.name, add_asset, &w);
        if (json_array_size(w.matches) > ARM_QUERY_MATCHES) {
            json_decref(w.matches);
            return arm_error(400, "InvalidParameter", "more than %d assets match: narrow the "
                             "$filter", ARM_QUERY_MATCHES);
        }
        return arm_query_answer(r, &q, w.matches);
    }
    if (bad != NULL || (bad = arm_page_init(r, &w.page)) != NULL) {
        return bad;
    }
    catalog_each(&r->c.txn, entity_assets.name, add_asset, &w);
    return arm_page_answer(r, &w.page);
}

/* alternateId / description of a PUT body into a v2 record. */
static int apply_properties(arm_req_t *r, json_t *rec)
{
    json_t *props = json_object_get(r->body, "properties");
    json_t *alt = json_object_get(props, "alternateId"), *desc = json_object_get(props, "description");

    if ((alt != NULL && !json_is_string(alt) && !json_is_null(alt))
        || (desc != NULL && !json_is_string(desc) && !json_is_null(desc))) {
        return api_fail(&r->c, 400, "InvalidResource", "alternateId and description are strings");
    }
    if ((alt != NULL && json_string_length(alt) > 4000)
        || (desc != NULL && json_string_length(desc) > 4000)) {
        return api_fail(&r->c, 400, "InvalidResource",
                        "alternateId and description are at most 4000 bytes");
    }
    if (json_is_string(alt)) json_object_set(rec, "AlternateId", alt);
    if (json_is_string(desc)) json_object_set(rec, "_Description", desc);
    if (json_is_null(desc)) json_object_del(rec, "_Description");
    return 0;
}

static http_response_t *put_asset(arm_req_t *r, const char *name, json_t *existing)
{
    json_t *rec = NULL, *body;
    http_response_t *out = NULL;
    int status = existing != NULL ? 200 : 201;

    if (existing != NULL) {
        rec = json_incref(existing);
    } else {
        body = json_pack("{s:s}", "Name", name);
        if (entity_create(&r->c, &entity_assets, body, &rec) != 0) {
            json_decref(body);
            return NULL;
        }
        json_decref(body);
    }
    if (apply_properties(r, rec) == 0 && entity_save(&r->c, &entity_assets, rec) == 0) {
        out = arm_json(status, asset_json(r, rec));
    }
    json_decref(rec);
    return out;
}

static http_response_t *one_asset(arm_req_t *r)
{
    const char *name = r->path.seg[1];
    json_t *rec = arm_asset_find(r, name);
    http_response_t *out = NULL;

    if (strcmp(r->method, "PUT") == 0) {
        if (!arm_name_ok(name)) {
            json_decref(rec);
            return arm_error(400, "InvalidResourceName", "'%.64s' is not a valid asset name "
                             "(letters, digits, '-', '_', '.', '~'; at most %d bytes)", name,
                             ARM_NAME_MAX);
        }
        out = put_asset(r, name, rec);
    } else if (rec == NULL) {
        out = strcmp(r->method, "DELETE") == 0
                  ? http_response_new(204, NULL)
                  : arm_error(404, "ResourceNotFound", "the asset '%s' was not found", name);
    } else if (strcmp(r->method, "GET") == 0) {
        out = arm_json(200, asset_json(r, rec));
    } else if (strcmp(r->method, "PATCH") == 0) {
        out = put_asset(r, name, rec);          /* only the properties given change */
    } else if (strcmp(r->method, "DELETE") == 0) {
        out = entity_delete(&r->c, &entity_assets, entity_str(rec, "Id")) == 0
                  ? http_response_new(200, NULL) : NULL;
    } else {
        out = arm_error(405, "MethodNotAllowed", "assets/{name} takes GET, PUT, PATCH or DELETE");
    }
    json_decref(rec);
    return out;
}

static http_response_t *asset_action(arm_req_t *r)
{
    json_t *rec;
    http_response_t *out;

    if (strcmp(r->method, "POST") != 0) {
        return arm_error(405, "MethodNotAllowed", "asset actions are POSTed");
    }
    rec = arm_asset_find(r, r->path.seg[1]);
    if (rec == NULL) {
        return arm_error(404, "ResourceNotFound", "the asset '%s' was not found", r->path.seg[1]);
    }
    if (arm_path_seg_is(&r->path, 2, "listContainerSas")) {
        out = arm_container_sas(r, rec);
    } else if (arm_path_seg_is(&r->path, 2, "listStreamingLocators")) {
        out = arm_asset_locators(r, rec);
    } else if (arm_path_seg_is(&r->path, 2, "getEncryptionKey")) {
        out = arm_asset_encryption_key(r, rec);
    } else {
        out = arm_error(404, "NotSupported", "asset action '%s' is not served", r->path.seg[2]);
    }
    json_decref(rec);
    return out;
}

/* assets/{name}/assetFilters[/{filter}] (arm_filters.c). */
static http_response_t *asset_filters(arm_req_t *r)
{
    json_t *rec = arm_asset_find(r, r->path.seg[1]);
    http_response_t *out;

    if (rec == NULL) {
        return arm_error(404, "ResourceNotFound", "the asset '%s' was not found", r->path.seg[1]);
    }
    out = arm_asset_filters(r, rec);
    json_decref(rec);
    return out;
}

bool arm_assets_writes(const arm_req_t *r)
{
    return strcmp(r->method, "GET") != 0 && !arm_path_seg_is(&r->path, 2, "listStreamingLocators")
           && !arm_path_seg_is(&r->path, 2, "getEncryptionKey");
}

http_response_t *arm_assets_handle(arm_req_t *r)
{
    if (r->path.nseg == 1) {
        return strcmp(r->method, "GET") == 0
                   ? list_assets(r)
                   : arm_error(405, "MethodNotAllowed", "the assets collection is read with GET");
    }
    if (r->path.nseg == 2) {
        return one_asset(r);
    }
    if (arm_path_seg_is(&r->path, 2, "assetFilters")) {
        return asset_filters(r);
    }
    if (r->path.nseg == 3) {
        return asset_action(r);
    }
    return arm_error(404, "NotSupported", "'%s' under an asset is not served (tracks are not "
                     "implemented yet)", r->path.seg[2]);
}
