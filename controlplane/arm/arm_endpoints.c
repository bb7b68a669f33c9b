/*
 * arm_endpoints.c — v3 streaming endpoints over v2 StreamingEndpoints:
 *   GET  streamingEndpoints[/{name}]                  hostName, resourceState, scaleUnits
 *   POST streamingEndpoints/{name}/start|stop|scale    long-running: 202 + Azure-AsyncOperation
 *        ({account}/streamingEndpointOperations/{id}) + Location
 *        ({endpoint}/operationLocations/{id}), the v2 action and Operation behind them
 *   GET  streamingEndpointOperations/{id}             {"name","status":InProgress|Succeeded|Failed,"error"}
 *   GET  streamingEndpoints/{name}/operationLocations/{id}   202 while running, then 200 + the endpoint
 *   PUT  streamingEndpoints/{name}[?autoStart=true]  create: 201 + operation (started too
 *        with autoStart); update: 200.  PATCH: update.  DELETE: 202 + operation (v2 rules:
 *        Stopped, not the default one), 204 when absent
 * hostName is the v2 HostName (host[:port] of streaming_url for "default"),
 * resourceState the v2 State; description, customHostNames, accessControl,
 * maxCacheAge (v2 CacheControl.MaxAge), crossSiteAccessPolicies, cdn* map
 * onto their v2 properties.
 */
#include "arm/arm_error.h"
#include "arm/arm_lro.h"
#include "arm/arm_recase.h"
#include "arm/arm_router.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ENDPOINT_TYPE "Microsoft.Media/mediaservices/streamingEndpoints"

static json_t *endpoint_json(arm_req_t *r, const json_t *ep)
{
    json_t *props = json_pack("{s:s?,s:s?,s:s?,s:I,s:s,s:s?,s:O?}", "hostName",
                              entity_str(ep, "HostName"), "resourceState", entity_str(ep, "State"),
                              "description", entity_str(ep, "Description"), "scaleUnits",
                              (json_int_t) entity_int(ep, "ScaleUnits", 0), "provisioningState",
                              "Succeeded", "created", entity_str(ep, "Created"),
                              "customHostNames", json_object_get(ep, "CustomHostNames"));
    json_t *res, *cc = json_object_get(ep, "CacheControl");
    const char *age = entity_str(cc, "MaxAge");

    json_object_set_new(props, "accessControl", arm_recase(json_object_get(ep, "AccessControl"), false));
    json_object_set_new(props, "crossSiteAccessPolicies",
                        arm_recase(json_object_get(ep, "CrossSiteAccessPolicies"), false));
    json_object_set_new(props, "cdnEnabled", json_boolean(json_is_true(json_object_get(ep, "CdnEnabled"))));
    json_object_set_new(props, "cdnProvider", json_deep_copy(json_object_get(ep, "CdnProvider")));
    json_object_set_new(props, "cdnProfile", json_deep_copy(json_object_get(ep, "CdnProfile")));
    json_object_set_new(props, "lastModified", json_deep_copy(json_object_get(ep, "LastModified")));
    if (age != NULL) {
        json_object_set_new(props, "maxCacheAge", json_integer(strtoll(age, NULL, 10)));
    } else if (json_is_integer(json_object_get(cc, "MaxAge"))) {
        json_object_set(props, "maxCacheAge", json_object_get(cc, "MaxAge"));
    }
    res = arm_resource(r, "streamingEndpoints", ENDPOINT_TYPE, entity_str(ep, "Name"), props);

    if (res != NULL) {
        json_object_set_new(res, "location", json_string("local"));
    }
    return res;
}

typedef struct {
    arm_req_t *r;
    const char *name;
    json_t *value;                    /* rendered, for lists */
    json_t *found;                    /* the record named name */
} walk_t;

static int add_endpoint(const char *id, json_t *rec, void *arg)
{
    walk_t *w = arg;
    const char *name = entity_str(rec, "Name");

    (void) id;
    if (w->name == NULL) {
        json_array_append_new(w->value, endpoint_json(w->r, rec));
    } else if (name != NULL && strcasecmp(name, w->name) == 0) {
        w->found = json_incref(rec);
        return 1;
    }
    return 0;
}

static json_t *find_endpoint(arm_req_t *r, const char *name)
{
    walk_t w = { r, name, NULL, NULL };
    catalog_each(&r->c.txn, entity_streaming_endpoints.name, add_endpoint, &w);
    return w.found;
}

bool arm_endpoints_writes(const arm_req_t *r)
{
    return strcmp(r->method, "GET") != 0;
}

static const entity_action_t *v2_action(const char *v3_name)
{
    for (const entity_action_t *a = entity_streaming_endpoints.actions; a != NULL && a->name != NULL; a++) {
        if (strcasecmp(a->name, v3_name) == 0) {
            return a;
        }
    }
    return NULL;
}

static http_response_t *run_action(arm_req_t *r, json_t *ep)
{
    const entity_action_t *a = v2_action(r->path.seg[2]);
    json_t *result = NULL, *body = r->body != NULL ? r->body : json_object();
    char path[2 * ARM_NAME_MAX];
    int rc;

    if (a == NULL || strcmp(r->method, "POST") != 0) {
        if (body != r->body) json_decref(body);
        return arm_error(404, "NotSupported", "streaming endpoint action '%s' is not served "
                         "(start, stop and scale are)", r->path.seg[2]);
    }
    rc = a->run(&r->c, &entity_streaming_endpoints, ep, body, &result);
    if (body != r->body) json_decref(body);
    json_decref(result);
    if (rc != 0) {
        return NULL;
    }
    snprintf(path, sizeof(path), "streamingEndpoints/%s", entity_str(ep, "Name"));
    return arm_lro_accepted(r, 202, "streamingEndpointOperations", path);
}

http_response_t *arm_endpoint_operation_handle(arm_req_t *r)
{
    return arm_lro_status_handle(r);
}

/* ------------------------------------------------------------ writes */

/* v3 member → v2 member, as given (recased for objects). */
static const struct {
    const char *v3, *v2;
} copied[] = {
    { "description", "Description" }, { "customHostNames", "CustomHostNames" },
    { "cdnEnabled", "CdnEnabled" }, { "cdnProvider", "CdnProvider" },
    { "cdnProfile", "CdnProfile" }, { "accessControl", "AccessControl" },
    { "crossSiteAccessPolicies", "CrossSiteAccessPolicies" },
};

/* The v2 body of a v3 PUT/PATCH (existing: the record it changes); NULL
 * with *err when refused. */
static json_t *v2_body(arm_req_t *r, const char *name, const json_t *existing,
                       http_response_t **err)
{
    json_t *props = json_object_get(r->body, "properties"), *body, *v;

    *err = NULL;
    if (props != NULL && !json_is_object(props)) {
        *err = arm_error(400, "InvalidParameter", "properties must be an object");
        return NULL;
    }
    body = existing == NULL ? json_pack("{s:s}", "Name", name) : json_object();
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
        if ((v = json_object_get(props, copied[i].v3)) != NULL) {
            json_object_set_new(body, copied[i].v2, arm_recase(v, true));
        }
    }
    if ((v = json_object_get(props, "maxCacheAge")) != NULL) {
        char text[32];
        if (!json_is_integer(v) && !json_is_null(v)) {
            json_decref(body);
            *err = arm_error(400, "InvalidParameter", "maxCacheAge is a number of seconds");
            return NULL;
        }
        snprintf(text, sizeof(text), "%lld", (long long) json_integer_value(v));
        json_object_set_new(body, "CacheControl", json_is_null(v) ? json_null()
                            : json_pack("{s:s}", "MaxAge", text));
    }
    if ((v = json_object_get(props, "scaleUnits")) != NULL) {
        if (existing != NULL && json_integer_value(v) != entity_int(existing, "ScaleUnits", 0)) {
            json_decref(body);
            *err = arm_error(400, "InvalidOperation", "scaleUnits changes through POST "
                             "streamingEndpoints/{name}/scale");
            return NULL;
        }
        json_object_set(body, "ScaleUnits", v);
    }
    return body;
}

static int start_endpoint(arm_req_t *r, json_t *ep)
{
    const entity_action_t *a = v2_action("start");
    json_t *result = NULL, *body = json_object();
    int rc = a->run(&r->c, &entity_streaming_endpoints, ep, body, &result);

    json_decref(body);
    json_decref(result);
    return rc;
}

static http_response_t *accepted(arm_req_t *r, int status, const char *name)
{
    char path[2 * ARM_NAME_MAX];

    snprintf(path, sizeof(path), "streamingEndpoints/%s", name);
    return arm_lro_accepted(r, status, "streamingEndpointOperations", path);
}

/* PUT (create or update) and PATCH (update). */
static http_response_t *write_endpoint(arm_req_t *r, const char *name, json_t *existing)
{
    http_response_t *err = NULL;
    json_t *body = v2_body(r, name, existing, &err), *rec = NULL;
    const char *auto_start = http_arg(r->c.req, "autoStart");
    int rc;

    if (body == NULL) {
        return err;
    }
    if (existing != NULL) {
        rc = entity_update(&r->c, &entity_streaming_endpoints, entity_str(existing, "Id"), body,
                           false);
        json_decref(body);
        if (rc != 0 || entity_load(&r->c, &entity_streaming_endpoints,
                                   entity_str(existing, "Id"), &rec) != 0) {
            return NULL;
        }
        err = arm_json(200, endpoint_json(r, rec));
        json_decref(rec);
        return err;
    }
    rc = entity_create(&r->c, &entity_streaming_endpoints, body, &rec);
    json_decref(body);
    if (rc == 0 && auto_start != NULL && strcasecmp(auto_start, "true") == 0) {
        rc = start_endpoint(r, rec);
    }
    json_decref(rec);
    return rc == 0 ? accepted(r, 201, name) : NULL;
}

static http_response_t *missing_endpoint(arm_req_t *r)
{
    if (r->path.nseg == 2 && strcmp(r->method, "PUT") == 0) {
        return write_endpoint(r, r->path.seg[1], NULL);
    }
    if (r->path.nseg == 2 && strcmp(r->method, "DELETE") == 0) {
        return http_response_new(204, NULL);
    }
    return arm_error(404, "ResourceNotFound", "the streaming endpoint '%s' was not found",
                     r->path.seg[1]);
}

static http_response_t *endpoint_itself(arm_req_t *r, json_t *ep)
{
    if (strcmp(r->method, "GET") == 0) {
        return arm_json(200, endpoint_json(r, ep));
    }
    if (strcmp(r->method, "PUT") == 0 || strcmp(r->method, "PATCH") == 0) {
        return write_endpoint(r, r->path.seg[1], ep);
    }
    if (strcmp(r->method, "DELETE") == 0) {
        return entity_delete(&r->c, &entity_streaming_endpoints, entity_str(ep, "Id")) == 0
                   ? accepted(r, 202, entity_str(ep, "Name")) : NULL;
    }
    return arm_error(405, "MethodNotAllowed", "a streaming endpoint is read with GET, written "
                     "with PUT or PATCH, deleted with DELETE");
}

static http_response_t *one_endpoint(arm_req_t *r)
{
    json_t *ep = find_endpoint(r, r->path.seg[1]);
    http_response_t *out;

    if (ep == NULL) {
        return missing_endpoint(r);
    }
    if (r->path.nseg == 2) {
        out = endpoint_itself(r, ep);
    } else if (r->path.nseg == 3) {
        out = run_action(r, ep);
    } else if (r->path.nseg == 4 && arm_path_seg_is(&r->path, 2, "operationLocations")
               && strcmp(r->method, "GET") == 0) {
        out = arm_lro_location(r, r->path.seg[3], ep, endpoint_json);
    } else {
        out = arm_error(404, "NotSupported", "the path is not served");
    }
    json_decref(ep);
    return out;
}

http_response_t *arm_endpoints_handle(arm_req_t *r)
{
    walk_t w = { r, NULL, json_array(), NULL };

    if (r->path.nseg >= 2) {
        json_decref(w.value);
        return one_endpoint(r);
    }
    if (strcmp(r->method, "GET") != 0) {
        json_decref(w.value);
        return arm_error(405, "MethodNotAllowed", "the collection is read with GET");
    }
    catalog_each(&r->c.txn, entity_streaming_endpoints.name, add_endpoint, &w);
    return arm_json(200, json_pack("{s:o}", "value", w.value));
}
