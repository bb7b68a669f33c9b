/*
 * arm_endpoints.c — v3 streaming endpoints over v2 StreamingEndpoints:
 *   GET  streamingEndpoints[/{name}]                  hostName, resourceState, scaleUnits
 *   POST streamingEndpoints/{name}/start|stop|scale    long-running: 202 + Azure-AsyncOperation
 *        ({account}/streamingEndpointOperations/{id}) + Location
 *        ({endpoint}/operationLocations/{id}), the v2 action and Operation behind them
 *   GET  streamingEndpointOperations/{id}             {"name","status":InProgress|Succeeded|Failed,"error"}
 *   GET  streamingEndpoints/{name}/operationLocations/{id}   202 while running, then 200 + the endpoint
 * hostName is the v2 HostName (host[:port] of streaming_url for "default"),
 * resourceState the v2 State.  Create, update and delete are not served yet.
 */
#include "arm/arm_error.h"
#include "arm/arm_lro.h"
#include "arm/arm_router.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include <stdio.h>
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
    json_t *res = arm_resource(r, "streamingEndpoints", ENDPOINT_TYPE, entity_str(ep, "Name"), props);

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

static http_response_t *one_endpoint(arm_req_t *r)
{
    json_t *ep = find_endpoint(r, r->path.seg[1]);
    http_response_t *out;

    if (ep == NULL) {
        return arm_error(404, "ResourceNotFound", "the streaming endpoint '%s' was not found",
                         r->path.seg[1]);
    }
    if (r->path.nseg == 2) {
        out = strcmp(r->method, "GET") == 0
                  ? arm_json(200, endpoint_json(r, ep))
                  : arm_error(400, "NotSupported", "streaming endpoints are created, updated and "
                              "deleted through the v2 API for now");
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
