/*
 * entity_service.c — generic create/read/update/delete of entity records
 * (see entity_service.h).  Every navigation is stored as links in both
 * directions: "<owner>\0<Nav>\0<target>" and "<target>\0~<Set>.<Nav>\0<owner>",
 * so deleting either end can remove the other's entries without scans.
 */
#define _GNU_SOURCE
#include "entities/entity_service.h"
#include "odata/odata_resource.h"
#include "util/text_codec.h"
#include "util/time_text.h"
#include "catalog/catalog_reader.h"
#include "catalog/catalog_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ ids */

void entity_new_id(const entity_set_t *set, char out[ENTITY_ID_MAX])
{
    char guid[UUID_TEXT_LEN + 1];

    if (uuid_v4_text(guid) != 0) {
        abort();                       /* no randomness: nothing safe to do */
    }
    snprintf(out, ENTITY_ID_MAX, "%s%s", set->id_prefix, guid);
}

const char *entity_guid(const char *id)
{
    const char *colon = strrchr(id, ':');
    return colon != NULL ? colon + 1 : NULL;
}

/* A name key as it is: 1..ENTITY_ID_MAX-1 of [A-Za-z0-9._~:#$-] (':#$' for
 * AssetFilters ids, "<asset id>__#$#__<name>" as AMS made them). */
static int normalize_name_key(const char *in, char out[ENTITY_ID_MAX])
{
    size_t len = strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~:#$-");

    if (len == 0 || in[len] != '\0' || len >= ENTITY_ID_MAX) {
        return -1;
    }
    memcpy(out, in, len + 1);
    return 0;
}

int entity_normalize_id(const entity_set_t *set, const char *in, char out[ENTITY_ID_MAX])
{
    size_t plen = strlen(set->id_prefix), len = strlen(in);

    if (set->flags & ES_NAME_KEY) {
        return normalize_name_key(in, out);
    }
    if (len != plen + CATALOG_GUID_LEN || strncasecmp(in, set->id_prefix, plen) != 0) {
        return -1;
    }
    memcpy(out, set->id_prefix, plen);
    return catalog_guid_normalize(in + plen, CATALOG_GUID_LEN, out + plen);
}

const char *entity_str(const json_t *rec, const char *name)
{
    return json_string_value(json_object_get(rec, name));
}

const char *entity_state(const json_t *rec)
{
    const char *s = entity_str(rec, "State");
    return s != NULL ? s : "Stopped";
}

bool entity_in_state(const json_t *rec, const char *state)
{
    return strcmp(entity_state(rec), state) == 0;
}

int entity_move_state(api_ctx_t *c, const entity_set_t *set, json_t *rec, const char *noun,
                      const char *from, const char *to)
{
    if (!entity_in_state(rec, from)) {
        return api_fail(c, 400, "InvalidOperation", "%s is %s, not %s", noun, entity_state(rec),
                        from);
    }
    json_object_set_new(rec, "State", json_string(to));
    return entity_save(c, set, rec);
}

int64_t entity_time(const json_t *rec, const char *name, int64_t dflt)
{
    int64_t ms;
    return time_parse(entity_str(rec, name), &ms) == 0 ? ms : dflt;
}

long long entity_int(const json_t *rec, const char *name, long long dflt)
{
    json_t *v = json_object_get(rec, name);
    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

int entity_load(api_ctx_t *c, const entity_set_t *set, const char *id, json_t **rec)
{
    char norm[ENTITY_ID_MAX];
    int rc;

    if (entity_normalize_id(set, id, norm) != 0) {
        return api_fail(c, 404, "ResourceNotFound", "%s '%s' was not found (malformed id)",
                        set->name, id);
    }
    rc = catalog_get(&c->txn, set->name, norm, rec);
    if (rc == MDB_NOTFOUND) {
        return api_fail(c, 404, "ResourceNotFound", "%s '%s' was not found", set->name, id);
    }
    if (rc != 0) {
        return api_fail(c, 500, "InternalError", "catalog read failed: %s", mdb_strerror(rc));
    }
    return 0;
}

/* ------------------------------------------------------------ values */

static json_t *convert_string(api_ctx_t *c, const entity_prop_t *p, json_t *v)
{
    if (!json_is_string(v)) {
        api_fail(c, 400, "InvalidValue", "property '%s' must be a string", p->name);
        return NULL;
    }
    if (p->max_len > 0 && json_string_length(v) > (size_t) p->max_len) {
        api_fail(c, 400, "InvalidValue", "property '%s' is longer than %d characters", p->name,
                 p->max_len);
        return NULL;
    }
    return json_incref(v);
}

/* A real that is an integer inside the int64 range (casting anything else
 * to long long would be undefined). */
static bool is_whole_int64(double d)
{
    return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double) (long long) d;
}

static json_t *convert_int(api_ctx_t *c, const entity_prop_t *p, json_t *v, bool as_text)
{
    long long n;
    char *end;
    char text[32];

    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) < 24) {
        n = strtoll(json_string_value(v), &end, 10);
        if (*end != '\0') {
            goto bad;
        }
    } else if (json_is_real(v) && is_whole_int64(json_real_value(v))) {
        n = (long long) json_real_value(v);
    } else {
        goto bad;
    }
    if (!as_text && (n < INT32_MIN || n > INT32_MAX)) {
        goto bad;
    }
    if (as_text) {
        snprintf(text, sizeof(text), "%lld", n);
        return json_string(text);
    }
    return json_integer(n);
bad:
    api_fail(c, 400, "InvalidValue", "property '%s' must be an integer%s", p->name,
             as_text ? " (Edm.Int64)" : " (Edm.Int32)");
    return NULL;
}

static json_t *convert_datetime(api_ctx_t *c, const entity_prop_t *p, json_t *v)
{
    char iso[TIME_ISO_LEN];
    int64_t ms;

    if (!json_is_string(v) || time_parse(json_string_value(v), &ms) != 0) {
        api_fail(c, 400, "InvalidValue", "property '%s' must be a date-time: " TIME_PARSE_FORMS
                 "; got '%.64s'", p->name, json_is_string(v) ? json_string_value(v) : "a non-string");
        return NULL;
    }
    time_format_iso(ms, iso);
    return json_string(iso);
}

static json_t *strip_metadata(json_t *v)
{
    json_t *copy = json_deep_copy(v);
    if (json_is_object(copy)) {
        json_object_del(copy, "__metadata");
    }
    return copy;
}

static json_t *convert_value(api_ctx_t *c, const entity_prop_t *p, json_t *v)
{
    if (json_is_null(v)) {
        if (p->flags & (P_NULLABLE)) {
            return json_null();
        }
        if (p->type == EDM_STRING && !(p->flags & P_REQUIRED)) {
            return json_null();
        }
        api_fail(c, 400, "InvalidValue", "property '%s' cannot be null", p->name);
        return NULL;
    }
    switch (p->type) {
    case EDM_STRING:
        return convert_string(c, p, v);
    case EDM_INT32:
        return convert_int(c, p, v, false);
    case EDM_INT64:
        return convert_int(c, p, v, true);
    case EDM_DOUBLE:
        if (json_is_number(v)) {
            return json_real(json_number_value(v));
        }
        break;
    case EDM_BOOL:
        if (json_is_boolean(v)) {
            return json_incref(v);
        }
        if (json_is_string(v) && (strcmp(json_string_value(v), "true") == 0
                                  || strcmp(json_string_value(v), "false") == 0)) {
            return json_boolean(strcmp(json_string_value(v), "true") == 0);   /* AMS samples */
        }
        break;
    case EDM_DATETIME:
        return convert_datetime(c, p, v);
    case EDM_COMPLEX:
        if (json_is_object(v)) {
            return strip_metadata(v);
        }
        break;
    case EDM_COLLECTION:
        if (json_is_object(v) && json_is_array(json_object_get(v, "results"))) {
            v = json_object_get(v, "results");      /* verbose form */
        }
        if (json_is_array(v)) {
            return json_deep_copy(v);
        }
        break;
    }
    api_fail(c, 400, "InvalidValue", "property '%s' has the wrong type", p->name);
    return NULL;
}

static bool ignorable_member(const char *key)
{
    return strcmp(key, "__metadata") == 0 || strncmp(key, "odata.", 6) == 0
           || strchr(key, '@') != NULL;
}

static int apply_member(api_ctx_t *c, const entity_set_t *set, json_t *rec, const char *key,
                        json_t *v, bool creating, json_t *navs)
{
    const entity_prop_t *p = entity_prop_find(set, key);
    json_t *conv;

    if (p == NULL) {
        if (entity_nav_find(set, key) != NULL && navs != NULL) {
            json_object_set(navs, key, v);
            return 0;
        }
        if (entity_nav_find(set, key) != NULL) {
            return 0;
        }
        return api_fail(c, 400, "InvalidProperty", "'%s' is not a property of %s", key,
                        set->type_name);
    }
    if (p->flags & P_SERVER) {
        return 0;                        /* clients send these back; ignore */
    }
    conv = convert_value(c, p, v);
    if (conv == NULL) {
        return -1;
    }
    if (!creating && (p->flags & P_ONCE)) {
        json_t *old = json_object_get(rec, key);
        bool same = old != NULL && json_equal(old, conv);
        json_decref(conv);
        if (!same && !(old == NULL && json_is_null(v))) {
            return api_fail(c, 400, "InvalidOperation",
                            "property '%s' of %s cannot be changed once set", key, set->name);
        }
        return 0;
    }
    json_object_set_new(rec, key, conv);
    return 0;
}

int entity_apply_body(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                      bool creating, json_t *navs)
{
    const char *key;
    json_t *v;

    if (!json_is_object(body)) {
        return api_fail(c, 400, "InvalidBody", "the request body must be a JSON object");
    }
    if (json_is_object(json_object_get(body, "d")) && json_object_size(body) == 1) {
        body = json_object_get(body, "d");
    }
    json_object_foreach(body, key, v) {
        if (ignorable_member(key) || (creating && strcmp(key, "Id") == 0)) {
            continue;
        }
        if (apply_member(c, set, rec, key, v, creating, navs) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Defaults and required checks of a new record. */
static int complete_new(api_ctx_t *c, const entity_set_t *set, json_t *rec)
{
    for (const entity_prop_t *p = set->props; p->name != NULL; p++) {
        json_t *v = json_object_get(rec, p->name);
        if ((p->flags & P_REQUIRED) && (v == NULL || json_is_null(v))) {
            return api_fail(c, 400, "MissingProperty", "property '%s' is required for %s",
                            p->name, set->name);
        }
        if (v == NULL) {
            json_t *d = p->dflt ? json_loads(p->dflt, JSON_DECODE_ANY, NULL) : json_null();
            json_object_set_new(rec, p->name, d != NULL ? d : json_null());
        }
    }
    return 0;
}

static void stamp_times(api_ctx_t *c, json_t *rec, bool creating)
{
    char iso[TIME_ISO_LEN];

    time_format_iso(c->now_ms, iso);
    if (creating) {
        json_object_set_new(rec, "Created", json_string(iso));
    }
    json_object_set_new(rec, "LastModified", json_string(iso));
}

/* ------------------------------------------------------------ links */

static void inverse_nav(const entity_set_t *set, const entity_nav_t *nav, char *out, size_t cap)
{
    snprintf(out, cap, "~%s.%s", set->name, nav->name);
}

static int link_both(api_ctx_t *c, const entity_set_t *set, const char *id,
                     const entity_nav_t *nav, const char *target, bool add)
{
    char inv[ODATA_NAME_MAX * 2 + 2];
    int rc;

    inverse_nav(set, nav, inv, sizeof(inv));
    if (add) {
        rc = catalog_link(&c->txn, id, nav->name, target);
        if (rc == 0) {
            rc = catalog_link(&c->txn, target, inv, id);
        }
    } else {
        rc = catalog_unlink(&c->txn, id, nav->name, target);
        if (rc == 0 || rc == MDB_NOTFOUND) {
            rc = catalog_unlink(&c->txn, target, inv, id);
        }
        if (rc == MDB_NOTFOUND) {
            rc = 0;
        }
    }
    return rc == 0 ? 0 : api_fail(c, 500, "InternalError", "catalog link: %s", mdb_strerror(rc));
}

/* A new record of `set` becomes a child of every owner that has a
 * NAV_CHILDREN navigation onto `set` through a foreign key we carry. */
static int link_to_owners(api_ctx_t *c, const entity_set_t *set, const json_t *rec)
{
    const char *id = entity_str(rec, "Id");

    for (const entity_set_t *const *o = entity_sets_all(); *o != NULL; o++) {
        for (const entity_nav_t *n = (*o)->navs; n != NULL && n->name != NULL; n++) {
            const char *owner;
            if (n->kind != NAV_CHILDREN || strcmp(n->target, set->name) != 0) {
                continue;
            }
            owner = entity_str(rec, n->fk);
            if (owner != NULL && link_both(c, *o, owner, n, id, true) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

int entity_link(api_ctx_t *c, const entity_set_t *set, const char *id, const entity_nav_t *nav,
                const char *target_id, bool add)
{
    return link_both(c, set, id, nav, target_id, add);
}

static int collect_id(const char *to, void *arg)
{
    json_array_append_new(arg, json_string(to));
    return 0;
}

json_t *entity_nav_ids(api_ctx_t *c, const char *owner_id, const entity_nav_t *nav)
{
    json_t *ids = json_array();
    catalog_each_link(&c->txn, owner_id, nav->name, collect_id, ids);
    return ids;
}

/* ------------------------------------------------------------ writes */

static int put_record(api_ctx_t *c, const entity_set_t *set, const char *id, json_t *rec)
{
    int rc = catalog_put(&c->txn, set->name, id, rec);

    if (rc == MDB_MAP_FULL) {
        return api_fail(c, 507, "InsufficientStorage",
                        "the catalog is full (raise catalog_map_size)");
    }
    return rc == 0 ? 0 : api_fail(c, 500, "InternalError", "catalog write: %s", mdb_strerror(rc));
}

static int choose_id(api_ctx_t *c, const entity_set_t *set, json_t *body, char id[ENTITY_ID_MAX])
{
    const char *given = entity_str(body, "Id");

    if (given != NULL && (set->flags & ES_CLIENT_ID)) {
        if (entity_normalize_id(set, given, id) != 0) {
            return api_fail(c, 400, "InvalidId", "Id '%s' must look like %s<guid>", given,
                            set->id_prefix);
        }
        if (catalog_exists(&c->txn, set->name, id)) {
            return api_fail(c, 409, "Conflict", "%s '%s' already exists", set->name, id);
        }
        return 0;
    }
    if (set->flags & ES_ID_REQUIRED) {
        return api_fail(c, 400, "MissingProperty", "%s need a client-supplied Id (%s<guid>)",
                        set->name, set->id_prefix);
    }
    entity_new_id(set, id);
    return 0;
}

int entity_insert(api_ctx_t *c, const entity_set_t *set, json_t *rec)
{
    char id[ENTITY_ID_MAX];
    const char *given = entity_str(rec, "Id");

    if (given != NULL) {
        snprintf(id, sizeof(id), "%s", given);
    } else {
        entity_new_id(set, id);
        json_object_set_new(rec, "Id", json_string(id));
    }
    stamp_times(c, rec, true);
    if (complete_new(c, set, rec) != 0) {
        return -1;
    }
    if (set->on_create != NULL && set->on_create(c, rec, NULL) != 0) {
        return -1;
    }
    if (put_record(c, set, id, rec) != 0 || link_to_owners(c, set, rec) != 0) {
        return -1;
    }
    return set->after_create != NULL ? set->after_create(c, rec, NULL) : 0;
}

int entity_create(api_ctx_t *c, const entity_set_t *set, json_t *body, json_t **out)
{
    char id[ENTITY_ID_MAX];
    json_t *rec = json_object(), *navs = json_object();
    int rc = -1;

    if (set->flags & ES_READ_ONLY) {
        api_fail(c, 405, "MethodNotAllowed", "%s are read-only", set->name);
        goto done;
    }
    if (entity_apply_body(c, set, rec, body, true, navs) != 0
        || (set->make_id != NULL ? set->make_id(c, rec, id)
            : choose_id(c, set, json_object_get(body, "d") ? json_object_get(body, "d") : body, id)) != 0) {
        goto done;
    }
    json_object_set_new(rec, "Id", json_string(id));
    stamp_times(c, rec, true);
    if (complete_new(c, set, rec) != 0) {
        goto done;
    }
    if (set->on_create != NULL && set->on_create(c, rec, navs) != 0) {
        goto done;
    }
    if (put_record(c, set, id, rec) != 0 || link_to_owners(c, set, rec) != 0) {
        goto done;
    }
    if (set->after_create != NULL && set->after_create(c, rec, navs) != 0) {
        goto done;
    }
    *out = rec;
    rec = NULL;
    rc = 0;
done:
    json_decref(rec);
    json_decref(navs);
    return rc;
}

int entity_save(api_ctx_t *c, const entity_set_t *set, json_t *rec)
{
    const char *id = entity_str(rec, "Id");

    stamp_times(c, rec, false);
    return id != NULL ? put_record(c, set, id, rec)
                      : api_fail(c, 500, "InternalError", "record without Id");
}

/* PUT semantics: properties absent from the body return to defaults. */
static void reset_settable(const entity_set_t *set, json_t *rec, json_t *body)
{
    for (const entity_prop_t *p = set->props; p->name != NULL; p++) {
        if (!(p->flags & (P_SERVER | P_ONCE)) && json_object_get(body, p->name) == NULL) {
            json_t *d = p->dflt ? json_loads(p->dflt, JSON_DECODE_ANY, NULL) : json_null();
            json_object_set_new(rec, p->name, d != NULL ? d : json_null());
        }
    }
}

int entity_update(api_ctx_t *c, const entity_set_t *set, const char *id, json_t *body,
                  bool replace)
{
    json_t *old = NULL, *rec = NULL;
    int rc = -1;

    if (set->flags & (ES_READ_ONLY | ES_NO_UPDATE)) {
        return api_fail(c, 400, "InvalidOperation", "%s cannot be updated", set->name);
    }
    if (entity_load(c, set, id, &old) != 0) {
        return -1;
    }
    rec = json_deep_copy(old);
    if (replace && json_is_object(body)) {
        reset_settable(set, rec, body);
    }
    if (entity_apply_body(c, set, rec, body, false, NULL) == 0
        && (set->on_update == NULL || set->on_update(c, rec, old) == 0)
        && entity_save(c, set, rec) == 0
        && (set->after_update == NULL || set->after_update(c, rec, old) == 0)) {
        rc = 0;
    }
    json_decref(old);
    json_decref(rec);
    return rc;
}

typedef struct {
    json_t *pairs;     /* [[nav, to], …] */
} link_list_t;

static int collect_pair(const char *nav, const char *to, void *arg)
{
    json_array_append_new(((link_list_t *) arg)->pairs, json_pack("[ss]", nav, to));
    return 0;
}

/* Removes every link of id in both directions. */
static int unlink_everything(api_ctx_t *c, const entity_set_t *set, const char *id)
{
    link_list_t l = { json_array() };
    size_t i;
    json_t *pair;
    int rc = 0;

    catalog_each_link_any(&c->txn, id, collect_pair, &l);
    json_array_foreach(l.pairs, i, pair) {
        const char *nav = json_string_value(json_array_get(pair, 0));
        const char *to = json_string_value(json_array_get(pair, 1));
        char inv[ODATA_NAME_MAX * 2 + 2];
        if (nav[0] == '~') {
            /* "~Owner.Nav": remove the owner's forward link to us */
            const char *dot = strchr(nav, '.');
            rc = dot ? catalog_unlink(&c->txn, to, dot + 1, id) : 0;
        } else {
            snprintf(inv, sizeof(inv), "~%s.%s", set->name, nav);
            rc = catalog_unlink(&c->txn, to, inv, id);
        }
        if (rc == MDB_NOTFOUND) {
            rc = 0;
        }
        if (rc != 0) {
            break;
        }
    }
    json_decref(l.pairs);
    if (rc == 0) {
        rc = catalog_unlink_all(&c->txn, id);
    }
    return rc == 0 ? 0 : api_fail(c, 500, "InternalError", "catalog unlink: %s", mdb_strerror(rc));
}

int entity_delete(api_ctx_t *c, const entity_set_t *set, const char *id)
{
    json_t *rec = NULL;
    const char *rid;
    int rc = -1;

    if (set->flags & ES_READ_ONLY) {
        return api_fail(c, 405, "MethodNotAllowed", "%s are read-only", set->name);
    }
    if (entity_load(c, set, id, &rec) != 0) {
        return -1;
    }
    rid = entity_str(rec, "Id");
    if ((set->on_delete == NULL || set->on_delete(c, rec) == 0)
        && unlink_everything(c, set, rid) == 0) {
        int drc = catalog_del(&c->txn, set->name, rid);
        rc = (drc == 0 || drc == MDB_NOTFOUND) ? 0
             : api_fail(c, 500, "InternalError", "catalog delete: %s", mdb_strerror(drc));
    }
    json_decref(rec);
    return rc;
}

/* ------------------------------------------------------------ listing */

typedef struct {
    api_ctx_t            *c;
    const entity_query_t *q;
    json_t               *out;
    const entity_set_t   *set;
} list_walk_t;

static int keep_if_match(const char *id, json_t *rec, void *arg)
{
    list_walk_t *w = arg;
    (void) id;
    if (w->q->filter == NULL || odata_filter_match(w->q->filter, rec)) {
        json_array_append(w->out, rec);
    }
    return 0;
}

static int keep_target(const char *to, void *arg)
{
    list_walk_t *w = arg;
    json_t *rec = NULL;

    if (catalog_get(&w->c->txn, w->set->name, to, &rec) == 0) {
        keep_if_match(to, rec, w);
        json_decref(rec);
    }
    return 0;
}

static int compare_records(const void *a, const void *b, void *arg)
{
    const odata_orderby_t *o = arg;
    return odata_orderby_compare(o, *(json_t *const *) a, *(json_t *const *) b);
}

/* Sorts (stable on ties: key order) and pages; returns a new array. */
static json_t *sort_and_page(json_t *all, const entity_query_t *q)
{
    size_t n = json_array_size(all), skip, top, i;
    json_t **v = malloc((n ? n : 1) * sizeof(*v)), *page = json_array();

    if (v == NULL || page == NULL) {
        free(v);
        return page;
    }
    for (i = 0; i < n; i++) {
        v[i] = json_array_get(all, i);
    }
    if (q->orderby != NULL && n > 1) {
        qsort_r(v, n, sizeof(*v), compare_records, q->orderby);
    }
    skip = q->skip > 0 ? (size_t) q->skip : 0;
    top = (q->top >= 0 && q->top < ENTITY_PAGE_MAX) ? (size_t) q->top : ENTITY_PAGE_MAX;
    for (i = skip; i < n && i - skip < top; i++) {
        json_array_append(page, v[i]);
    }
    free(v);
    return page;
}

/* A navigation with a defined order: the targets the owner's order member
 * lists (and still links), in that order.  0 or an LMDB error. */
static int each_ordered_target(list_walk_t *w, const char *owner_id, const entity_nav_t *nav)
{
    const entity_set_t *owner_set = entity_set_by_prefix(owner_id);
    json_t *owner = NULL, *id;
    size_t i;
    int rc;

    if (owner_set == NULL) {
        return 0;
    }
    rc = catalog_get(&w->c->txn, owner_set->name, owner_id, &owner);
    if (rc != 0) {
        return rc == MDB_NOTFOUND ? 0 : rc;
    }
    json_array_foreach(json_object_get(owner, nav->order), i, id) {
        const char *to = json_string_value(id);
        if (to != NULL && catalog_linked(&w->c->txn, owner_id, nav->name, to)) {
            keep_target(to, w);
        }
    }
    json_decref(owner);
    return 0;
}

int entity_list(api_ctx_t *c, const entity_set_t *set, const char *owner_id,
                const entity_nav_t *nav, const entity_query_t *q, json_t **records,
                size_t *total)
{
    list_walk_t w = { c, q, json_array(), set };
    int rc;

    if (nav != NULL && nav->order != NULL) {
        rc = each_ordered_target(&w, owner_id, nav);
    } else if (nav != NULL) {
        rc = catalog_each_link(&c->txn, owner_id, nav->name, keep_target, &w);
    } else {
        rc = catalog_each(&c->txn, set->name, keep_if_match, &w);
    }
    if (rc != 0) {
        json_decref(w.out);
        return api_fail(c, 500, "InternalError", "catalog scan: %s", mdb_strerror(rc));
    }
    *total = json_array_size(w.out);
    *records = sort_and_page(w.out, q);
    json_decref(w.out);
    return 0;
}
