/*
 * arm_endpoints.c — v3 streaming endpoints over v2 StreamingEndpoints
 * (read-only here: GET streamingEndpoints and streamingEndpoints/{name};
 * start/stop/scale as long-running operations come with the endpoint slice).
 * hostName is the v2 HostName (host[:port] of streaming_url for "default"),
 * resourceState the v2 State.
 */
#include "arm/arm_error.h"
#include "arm/arm_router.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

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
    json_t *value;
} walk_t;

static int add_endpoint(const char *id, json_t *rec, void *arg)
{
    walk_t *w = arg;

    (void) id;
    if (w->name == NULL || strcasecmp(entity_str(rec, "Name") ? entity_str(rec, "Name") : "",
                                      w->name) == 0) {
        json_array_append_new(w->value, endpoint_json(w->r, rec));
    }
    return 0;
}

http_response_t *arm_endpoints_handle(arm_req_t *r)
{
    walk_t w = { r, r->path.nseg >= 2 ? r->path.seg[1] : NULL, json_array() };
    http_response_t *out;

    if (strcmp(r->method, "GET") != 0 || r->path.nseg > 2) {
        json_decref(w.value);
        return arm_error(400, "NotSupported", "streaming endpoints are read-only through v3 for "
                         "now (start, stop and scale them through the v2 API)");
    }
    catalog_each(&r->c.txn, entity_streaming_endpoints.name, add_endpoint, &w);
    if (r->path.nseg == 1) {
        return arm_json(200, json_pack("{s:o}", "value", w.value));
    }
    out = json_array_size(w.value) == 1
              ? arm_json(200, json_incref(json_array_get(w.value, 0)))
              : arm_error(404, "ResourceNotFound", "the streaming endpoint '%s' was not found",
                          w.name);
    json_decref(w.value);
    return out;
}
