/*
 * entity_streaming_endpoints.c — StreamingEndpoints: the streaming origin as
 * an entity.  A default endpoint always exists (created Running at start:
 * the origin runs whenever nginx does); more can be created, each with its
 * own host names.  Start/Stop/Scale, create and delete are long-running
 * operations (202 + operation-id, entity_operations.c).  The settings the
 * origin honours — state, IP allow list, CacheControl.MaxAge, cross-site
 * policies — go into the catalog's endpoint records (endpoint_publish.c).
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/access_checks.h"
#include "catalog/catalog_endpoint.h"
#include "catalog/catalog_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EP_DEFAULT_NAME   "default"
#define EP_MAX_SCALE      10
#define EP_MAX_HOSTS      20
#define EP_MAX_AGE_MAX    31536000LL   /* one year */

static const entity_prop_t ep_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_REQUIRED | P_ONCE, CATALOG_EP_NAME_MAX, NULL, NULL },
    { "Description", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "State", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "HostName", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "CustomHostNames", EDM_COLLECTION, 0, 0, "[]", "Collection(Edm.String)" },
    { "ScaleUnits", EDM_INT32, 0, 0, "0", NULL },
    { "CdnEnabled", EDM_BOOL, 0, 0, "false", NULL },
    { "CdnProvider", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { "CdnProfile", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { "FreeTrialEndTime", EDM_DATETIME, P_SERVER | P_NULLABLE, 0, NULL, NULL },
    { "StreamingEndpointVersion", EDM_STRING, P_NULLABLE, 8, "\"2.0\"", NULL },
    { "AccessControl", EDM_COMPLEX, P_NULLABLE, 0, NULL,
      AMS_TYPE("StreamingEndpointAccessControl") },
    { "CacheControl", EDM_COMPLEX, P_NULLABLE, 0, NULL, AMS_TYPE("StreamingEndpointCacheControl") },
    { "CrossSiteAccessPolicies", EDM_COMPLEX, P_NULLABLE, 0, NULL,
      AMS_TYPE("CrossSiteAccessPolicies") },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t ep_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};


/* ------------------------------------------------------------ checks */

/* AMS: at most 24 characters, letters and digits, hyphens inside. */
static int check_name(api_ctx_t *c, const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;

    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && !(ch == '-' && i > 0 && i + 1 < n)) {
            n = 0;
            break;
        }
    }
    if (n == 0 || n > CATALOG_EP_NAME_MAX) {
        return api_fail(c, 400, "InvalidValue",
                        "Name must be 1-%d letters, digits or inner hyphens", CATALOG_EP_NAME_MAX);
    }
    return 0;
}

static int check_host_names(api_ctx_t *c, const json_t *rec)
{
    json_t *names = json_object_get(rec, "CustomHostNames"), *v;
    char key[CATALOG_HOST_KEY_MAX + 1];
    size_t i;

    if (json_array_size(names) > EP_MAX_HOSTS) {
        return api_fail(c, 400, "InvalidValue", "at most %d CustomHostNames", EP_MAX_HOSTS);
    }
    json_array_foreach(names, i, v) {
        const char *h = json_string_value(v);
        if (h == NULL || strchr(h, ':') != NULL
            || catalog_host_key(h, strlen(h), key, sizeof(key)) == 0) {
            return api_fail(c, 400, "InvalidValue", "CustomHostNames[%zu] is not a host name", i);
        }
    }
    return 0;
}

static int check_access_control(api_ctx_t *c, json_t *rec)
{
    json_t *ac = json_object_get(rec, "AccessControl"), *akamai, *keys;

    if (ac == NULL || json_is_null(ac)) {
        return 0;
    }
    akamai = json_object_get(ac, "Akamai");
    keys = json_object_get(akamai, "AkamaiSignatureHeaderAuthenticationKeyList");
    if (json_array_size(keys) > 0 || (json_is_object(keys) && json_array_size(json_object_get(keys, "results")) > 0)) {
        return api_fail(c, 400, "NotSupported",
                        "Akamai signature header authentication is not supported by mediaplane's "
                        "origin; use the IP allow list");
    }
    return ip_allow_check(c, ac, "AccessControl");
}

/* CacheControl.MaxAge (Edm.Int64, seconds): stored as text like AMS sends it. */
static int check_cache_control(api_ctx_t *c, json_t *rec)
{
    json_t *cc = json_object_get(rec, "CacheControl"), *v;
    long long age = -1;
    char *end = NULL, text[32];

    if (cc == NULL || json_is_null(cc) || (v = json_object_get(cc, "MaxAge")) == NULL
        || json_is_null(v)) {
        return 0;
    }
    if (json_is_integer(v)) {
        age = json_integer_value(v);
    } else if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) < 20) {
        age = strtoll(json_string_value(v), &end, 10);
        if (*end != '\0') {
            age = -1;
        }
    }
    if (age < 0 || age > EP_MAX_AGE_MAX) {
        return api_fail(c, 400, "InvalidValue", "CacheControl.MaxAge must be 0-%lld seconds",
                        EP_MAX_AGE_MAX);
    }
    snprintf(text, sizeof(text), "%lld", age);
    json_object_set_new(cc, "MaxAge", json_string(text));
    return 0;
}

static int check_scale(api_ctx_t *c, long long units)
{
    if (units < 0 || units > EP_MAX_SCALE) {
        return api_fail(c, 400, "InvalidValue", "scale units must be 0-%d", EP_MAX_SCALE);
    }
    return 0;
}

typedef struct {
    const json_t *self;
    json_t       *keys;       /* our host keys */
    const char   *clash;      /* what clashed */
} clash_walk_t;

static int find_clash(const char *id, json_t *other, void *arg)
{
    clash_walk_t *w = arg;
    json_t *theirs, *k, *m;
    size_t i, j;

    if (strcmp(id, entity_str(w->self, "Id")) == 0) {
        return 0;
    }
    if (strcasecmp(entity_str(other, "Name") ? entity_str(other, "Name") : "",
                   entity_str(w->self, "Name")) == 0) {
        w->clash = "Name";
        return 1;
    }
    theirs = endpoint_host_keys(other);
    json_array_foreach(w->keys, i, k) {
        json_array_foreach(theirs, j, m) {
            if (json_equal(k, m)) {
                w->clash = "host name";
            }
        }
    }
    json_decref(theirs);
    return w->clash != NULL;
}

/* Names and host names are unique across endpoints (409). */
static int check_unique(api_ctx_t *c, const json_t *rec)
{
    clash_walk_t w = { rec, endpoint_host_keys(rec), NULL };

    catalog_each(&c->txn, entity_streaming_endpoints.name, find_clash, &w);
    json_decref(w.keys);
    if (w.clash != NULL) {
        return api_fail(c, 409, "Conflict", "another streaming endpoint has this %s", w.clash);
    }
    return 0;
}

static int check_all(api_ctx_t *c, json_t *rec)
{
    if (check_name(c, entity_str(rec, "Name")) != 0 || check_host_names(c, rec) != 0
        || check_access_control(c, rec) != 0 || check_cache_control(c, rec) != 0
        || cross_site_policies_check(c, json_object_get(rec, "CrossSiteAccessPolicies")) != 0 || check_unique(c, rec) != 0) {
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ host names */

/* host[:port] of streaming_url. */
static void streaming_authority(const api_ctx_t *c, char *out, size_t cap)
{
    const char *url = c->app->cfg.streaming_url, *p = strstr(url, "://");
    size_t n;

    p = p != NULL ? p + 3 : url;
    n = strcspn(p, "/?#");
    snprintf(out, cap, "%.*s", (int) n, p);
}

/* The default endpoint answers at streaming_url's host; another one at
 * "<name>.<that host>" (a wildcard DNS record serves them all). */
static void set_host_name(api_ctx_t *c, json_t *rec)
{
    char authority[CONFIG_URL_MAX], host[CONFIG_URL_MAX + CATALOG_EP_NAME_MAX + 2];

    streaming_authority(c, authority, sizeof(authority));
    if (json_is_true(json_object_get(rec, "_default"))) {
        snprintf(host, sizeof(host), "%s", authority);
    } else {
        snprintf(host, sizeof(host), "%s.%s", entity_str(rec, "Name"), authority);
        for (char *p = host; *p != '\0'; p++) {
            *p = (char) ((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
        }
    }
    json_object_set_new(rec, "HostName", json_string(host));
}

/* ------------------------------------------------------------ hooks */

static int ep_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    if (entity_str(rec, "State") == NULL) {
        json_object_set_new(rec, "State", json_string("Stopped"));   /* AMS: created stopped */
    }
    set_host_name(c, rec);
    return check_scale(c, entity_int(rec, "ScaleUnits", 0)) == 0 ? check_all(c, rec) : -1;
}

static int ep_after_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    if (endpoint_publish(c, rec, NULL) != 0) {
        return -1;
    }
    /* the default one is seeded at start, not created by a client */
    return json_is_true(json_object_get(rec, "_default")) ? 0
           : operation_begin(c, entity_str(rec, "Id"));
}

static int ep_on_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    if (entity_int(rec, "ScaleUnits", 0) != entity_int(old, "ScaleUnits", 0)) {
        return api_fail(c, 400, "InvalidOperation",
                        "ScaleUnits changes through the Scale action: POST StreamingEndpoints('id')/Scale");
    }
    if (json_is_null(json_object_get(rec, "CustomHostNames"))) {
        json_object_set_new(rec, "CustomHostNames", json_array());
    }
    return check_all(c, rec);
}

static int ep_after_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    return endpoint_publish(c, rec, old);
}

static int ep_on_delete(api_ctx_t *c, const json_t *rec)
{
    if (json_is_true(json_object_get(rec, "_default"))) {
        return api_fail(c, 400, "InvalidOperation", "the default streaming endpoint cannot be deleted");
    }
    if (!entity_in_state(rec, "Stopped")) {
        return api_fail(c, 400, "InvalidOperation",
                        "a streaming endpoint must be Stopped to be deleted (it is %s)", entity_state(rec));
    }
    if (endpoint_unpublish(c, rec) != 0) {
        return -1;
    }
    return operation_begin(c, entity_str(rec, "Id"));
}

/* ------------------------------------------------------------ actions */

/* state change + operation; the completion finishes the transition. */
static int transition(api_ctx_t *c, json_t *rec, const char *from, const char *to)
{
    if (entity_move_state(c, &entity_streaming_endpoints, rec, "the streaming endpoint", from, to) != 0
        || endpoint_publish(c, rec, NULL) != 0) {
        return -1;
    }
    return operation_begin(c, entity_str(rec, "Id"));
}

static int ep_start(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                    json_t **result)
{
    (void) set;
    (void) body;
    (void) result;
    return transition(c, rec, "Stopped", "Starting");
}

static int ep_stop(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                   json_t **result)
{
    (void) set;
    (void) body;
    (void) result;
    return transition(c, rec, "Running", "Stopping");
}

static int ep_scale(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                    json_t **result)
{
    json_t *v = json_object_get(body, "scaleUnit");
    long long units;

    (void) set;
    (void) result;
    if (v == NULL) {
        v = json_object_get(body, "ScaleUnit");
    }
    if (!json_is_integer(v)) {
        return api_fail(c, 400, "InvalidValue", "Scale needs {\"scaleUnit\": N}");
    }
    units = json_integer_value(v);
    if (check_scale(c, units) != 0) {
        return -1;
    }
    json_object_set_new(rec, "_pendingScaleUnits", json_integer(units));
    if (entity_in_state(rec, "Stopped")) {           /* stored now, no origin change */
        if (entity_save(c, &entity_streaming_endpoints, rec) != 0) {
            return -1;
        }
        return operation_begin(c, entity_str(rec, "Id"));
    }
    return transition(c, rec, "Running", "Scaling");
}

static const entity_action_t ep_actions[] = {
    { "Start", ep_start },
    { "Stop", ep_stop },
    { "Scale", ep_scale },
    { NULL, NULL },
};

/* Second half of Start/Stop/Scale: the state the origin's record then
 * carries.  A deleted endpoint (delete operation) has nothing left to do. */
static int ep_complete(api_ctx_t *c, const char *id)
{
    json_t *rec = NULL, *pending;
    const char *state;
    int rc;

    if (catalog_get(&c->txn, entity_streaming_endpoints.name, id, &rec) != 0) {
        return 0;
    }
    state = entity_state(rec);
    if (strcmp(state, "Starting") == 0 || strcmp(state, "Scaling") == 0) {
        json_object_set_new(rec, "State", json_string("Running"));
    } else if (strcmp(state, "Stopping") == 0) {
        json_object_set_new(rec, "State", json_string("Stopped"));
    }
    pending = json_object_get(rec, "_pendingScaleUnits");
    if (json_is_integer(pending)) {
        json_object_set_new(rec, "ScaleUnits", json_incref(pending));
        json_object_del(rec, "_pendingScaleUnits");
    }
    rc = entity_save(c, &entity_streaming_endpoints, rec) == 0 && endpoint_publish(c, rec, NULL) == 0
         ? 0 : -1;
    json_decref(rec);
    return rc;
}

/* ------------------------------------------------------------ seed */

typedef struct {
    api_ctx_t *c;
    json_t    *all;
    bool       have_default;
} seed_walk_t;

static int collect_endpoint(const char *id, json_t *rec, void *arg)
{
    seed_walk_t *w = arg;

    (void) id;
    if (json_is_true(json_object_get(rec, "_default"))) {
        w->have_default = true;
    }
    json_array_append(w->all, rec);
    return 0;
}

static int republish(api_ctx_t *c, json_t *rec)
{
    json_t *old = json_deep_copy(rec);
    int rc;

    set_host_name(c, rec);
    rc = json_equal(old, rec) ? 0 : entity_save(c, &entity_streaming_endpoints, rec);
    if (rc == 0) {
        rc = endpoint_publish(c, rec, old);
    }
    json_decref(old);
    return rc;
}

int streaming_endpoints_seed(api_ctx_t *c)
{
    seed_walk_t w = { c, json_array(), false };
    json_t *rec;
    size_t i;
    int rc = 0;

    catalog_each(&c->txn, entity_streaming_endpoints.name, collect_endpoint, &w);
    if (!w.have_default) {
        rec = json_pack("{s:s,s:s,s:b,s:s}", "Name", EP_DEFAULT_NAME, "State", "Running",
                        "_default", 1, "Description", "default streaming endpoint (mediaplane's origin)");
        rc = entity_insert(c, &entity_streaming_endpoints, rec);
        json_decref(rec);
    }
    json_array_foreach(w.all, i, rec) {
        if (rc == 0) {
            rc = republish(c, rec);
        }
    }
    json_decref(w.all);
    return rc;
}

const entity_set_t entity_streaming_endpoints = {
    .name = "StreamingEndpoints",
    .type_name = AMS_TYPE("StreamingEndpoint"),
    .id_prefix = "nb:oid:UUID:",
    .props = ep_props,
    .navs = ep_navs,
    .actions = ep_actions,
    .on_create = ep_on_create,
    .after_create = ep_after_create,
    .on_update = ep_on_update,
    .after_update = ep_after_update,
    .on_delete = ep_on_delete,
    .complete_operation = ep_complete,
};
