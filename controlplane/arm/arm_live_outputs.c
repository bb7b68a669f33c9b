/*
 * arm_live_outputs.c — v3 liveOutputs over v2 Programs (see arm_live.h):
 *   GET    liveEvents/{le}/liveOutputs[/{name}]
 *   PUT    liveEvents/{le}/liveOutputs/{name}   201 + long-running operation: a Program of
 *          the channel archiving into the asset assetName, started at once when the live
 *          event runs, else when it starts (a live output runs while it exists, as in AMS)
 *   DELETE liveEvents/{le}/liveOutputs/{name}   202 + operation: the Program is stopped (its
 *          archive finalized) then deleted; the asset stays
 *   GET    liveOutputOperations/{id}, …/liveOutputs/{name}/operationLocations/{id}
 * hls.fragmentsPerTsSegment (1-10) and outputSnapTime are kept and echoed;
 * rewindWindowLength is refused (NotSupported).
 */
#include "arm/arm_error.h"
#include "arm/arm_live.h"
#include "arm/arm_lro.h"
#include "arm/arm_names.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define OUTPUTS_MAX 64          /* programs of one channel a walk collects */

typedef struct {
    const char *channel_id;
    const char *name;           /* NULL: every program of the channel */
    json_t *found;              /* array of records */
} walk_t;

static int visit_program(const char *id, json_t *rec, void *arg)
{
    walk_t *w = arg;
    const char *ch = entity_str(rec, "ChannelId"), *name = entity_str(rec, "Name");

    (void) id;
    if (ch != NULL && strcmp(ch, w->channel_id) == 0
        && (w->name == NULL || (name != NULL && strcasecmp(name, w->name) == 0))) {
        json_array_append(w->found, rec);
    }
    return json_array_size(w->found) >= OUTPUTS_MAX;
}

static json_t *programs_of(arm_req_t *r, const json_t *channel, const char *name)
{
    walk_t w = { entity_str(channel, "Id"), name, json_array() };
    catalog_each(&r->c.txn, entity_programs.name, visit_program, &w);
    return w.found;
}

int arm_live_outputs_count(arm_req_t *r, const json_t *channel)
{
    json_t *all = programs_of(r, channel, NULL);
    int n = (int) json_array_size(all);

    json_decref(all);
    return n;
}

static const char *resource_state(const json_t *p)
{
    const char *s = entity_state(p);
    return strcmp(s, "Starting") == 0 ? "Creating" : strcmp(s, "Stopping") == 0 ? "Deleting" : s;
}

static json_t *output_json(arm_req_t *r, const json_t *p)
{
    json_t *asset = NULL, *channel = NULL, *props, *v3 = json_object_get(p, "_v3"), *res;
    char asset_name[ARM_NAME_MAX + 64] = "", collection[2 * ARM_NAME_MAX];

    if (catalog_get(&r->c.txn, entity_assets.name, entity_str(p, "AssetId"), &asset) == 0) {
        arm_asset_name(asset, asset_name, sizeof(asset_name));
    }
    catalog_get(&r->c.txn, entity_channels.name, entity_str(p, "ChannelId"), &channel);
    snprintf(collection, sizeof(collection), "liveEvents/%s/liveOutputs",
             channel != NULL ? entity_str(channel, "Name") : "-");
    props = json_pack("{s:s?,s:s,s:s?,s:s?,s:n,s:s,s:s,s:s?,s:s?}", "description",
                      entity_str(p, "Description"), "assetName", asset_name,
                      "archiveWindowLength", entity_str(p, "ArchiveWindowLength"),
                      "manifestName", entity_str(p, "ManifestName"), "rewindWindowLength",
                      "provisioningState", "Succeeded", "resourceState", resource_state(p),
                      "created", entity_str(p, "Created"), "lastModified",
                      entity_str(p, "LastModified"));
    json_object_set_new(props, "hls", json_deep_copy(json_object_get(v3, "hls")));
    json_object_set_new(props, "outputSnapTime", json_object_get(v3, "outputSnapTime") != NULL
                        ? json_deep_copy(json_object_get(v3, "outputSnapTime")) : json_integer(0));
    res = arm_resource(r, collection, ARM_LIVE_OUTPUT_TYPE, entity_str(p, "Name"), props);
    json_decref(asset);
    json_decref(channel);
    return res;
}

static int run_v2_action(arm_req_t *r, json_t *p, const char *name)
{
    for (const entity_action_t *a = entity_programs.actions; a->name != NULL; a++) {
        if (strcmp(a->name, name) == 0) {
            json_t *result = NULL;
            int rc = a->run(&r->c, &entity_programs, p, NULL, &result);
            json_decref(result);
            return rc;
        }
    }
    return api_fail(&r->c, 500, "InternalError", "no v2 action %s", name);
}

/* Stop (then, on completion, delete) or delete at once a stopped one. */
static int remove_program(arm_req_t *r, json_t *p)
{
    if (entity_in_state(p, "Running") || entity_in_state(p, "Starting")) {
        json_object_set_new(p, "_deleteWhenStopped", json_true());
        return run_v2_action(r, p, "Stop");
    }
    return entity_delete(&r->c, &entity_programs, entity_str(p, "Id"));
}

int arm_live_outputs_remove_all(arm_req_t *r, const json_t *channel)
{
    json_t *all = programs_of(r, channel, NULL), *p;
    size_t i;
    int rc = 0;

    json_array_foreach(all, i, p) {
        if (rc == 0) {
            rc = remove_program(r, p);
        }
    }
    json_decref(all);
    return rc;
}

static http_response_t *bad(const char *message)
{
    return arm_error(400, "InvalidParameter", "%s", message);
}

/* The v2 Program body of a v3 PUT; *err when refused. */
static json_t *v2_body(arm_req_t *r, const json_t *channel, const char *name, json_t **v3,
                       http_response_t **err)
{
    json_t *props = json_object_get(r->body, "properties"), *asset, *v, *hls, *body;

    *err = NULL;
    if (!json_is_object(props) || entity_str(props, "assetName") == NULL
        || entity_str(props, "archiveWindowLength") == NULL) {
        *err = bad("the body is {\"properties\":{\"assetName\",\"archiveWindowLength\":\"PT30M\""
                   "[,\"manifestName\",\"hls\":{\"fragmentsPerTsSegment\"}]}}");
        return NULL;
    }
    v = json_object_get(props, "rewindWindowLength");
    if (v != NULL && !json_is_null(v)) {
        *err = arm_error(400, "NotSupported", "rewindWindowLength is not supported: the whole "
                         "archiveWindowLength is the live window");
        return NULL;
    }
    hls = json_object_get(props, "hls");
    v = json_object_get(hls, "fragmentsPerTsSegment");
    if ((hls != NULL && !json_is_null(hls) && !json_is_object(hls))
        || (v != NULL && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 1
                                              || json_integer_value(v) > 10))) {
        *err = bad("hls.fragmentsPerTsSegment must be 1-10");
        return NULL;
    }
    v = json_object_get(props, "outputSnapTime");
    if (v != NULL && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0)) {
        *err = bad("outputSnapTime must be a whole number >= 0");
        return NULL;
    }
    asset = arm_asset_find(r, entity_str(props, "assetName"));
    if (asset == NULL) {
        *err = arm_error(404, "ResourceNotFound", "the asset '%s' was not found",
                         entity_str(props, "assetName"));
        return NULL;
    }
    body = json_pack("{s:s,s:s,s:s,s:s}", "Name", name, "ChannelId", entity_str(channel, "Id"),
                     "AssetId", entity_str(asset, "Id"), "ArchiveWindowLength",
                     entity_str(props, "archiveWindowLength"));
    json_decref(asset);
    if ((v = json_object_get(props, "manifestName")) != NULL && !json_is_null(v)) {
        json_object_set(body, "ManifestName", v);
    }
    if ((v = json_object_get(props, "description")) != NULL) {
        json_object_set(body, "Description", v);
    }
    *v3 = json_pack("{s:O?,s:O?}", "hls", hls, "outputSnapTime",
                    json_object_get(props, "outputSnapTime"));
    return body;
}

static http_response_t *accepted(arm_req_t *r, int status, const json_t *channel, const char *name)
{
    char path[3 * ARM_NAME_MAX];

    snprintf(path, sizeof(path), "liveEvents/%s/liveOutputs/%s", entity_str(channel, "Name"), name);
    return arm_lro_accepted(r, status, "liveOutputOperations", path);
}

static http_response_t *put_output(arm_req_t *r, const json_t *channel, const char *name)
{
    http_response_t *err = NULL;
    json_t *v3 = NULL, *rec = NULL, *body = v2_body(r, channel, name, &v3, &err);
    int rc;

    if (body == NULL) {
        return err;
    }
    rc = entity_create(&r->c, &entity_programs, body, &rec);
    json_decref(body);
    if (rc == 0) {
        json_object_set(rec, "_v3", v3);
        json_object_set_new(rec, "_startWithChannel", json_true());
        rc = entity_save(&r->c, &entity_programs, rec);
    }
    json_decref(v3);
    if (rc == 0 && entity_in_state(channel, "Running")) {
        rc = run_v2_action(r, rec, "Start");
    }
    json_decref(rec);
    return rc == 0 ? accepted(r, 201, channel, name) : NULL;
}

static http_response_t *one_output(arm_req_t *r, const json_t *channel)
{
    json_t *found = programs_of(r, channel, r->path.seg[3]), *p = json_array_get(found, 0);
    http_response_t *out;

    if (r->path.nseg == 4 && strcmp(r->method, "PUT") == 0) {
        out = p != NULL ? arm_error(409, "Conflict", "the live output '%s' exists: a live output "
                                    "is not updated, delete it and create another", r->path.seg[3])
                        : put_output(r, channel, r->path.seg[3]);
    } else if (p == NULL) {
        out = r->path.nseg == 4 && strcmp(r->method, "DELETE") == 0
                  ? http_response_new(204, NULL)
                  : arm_error(404, "ResourceNotFound", "the live output '%s' was not found",
                              r->path.seg[3]);
    } else if (r->path.nseg == 4 && strcmp(r->method, "GET") == 0) {
        out = arm_json(200, output_json(r, p));
    } else if (r->path.nseg == 4 && strcmp(r->method, "DELETE") == 0) {
        out = remove_program(r, p) == 0 ? accepted(r, 202, channel, r->path.seg[3]) : NULL;
    } else if (r->path.nseg == 6 && arm_path_seg_is(&r->path, 4, "operationLocations")
               && strcmp(r->method, "GET") == 0) {
        /* the deleted program's operation: done, nothing to show */
        out = arm_lro_location(r, r->path.seg[5], p, output_json);
    } else {
        out = arm_error(404, "NotSupported", "the path is not served");
    }
    json_decref(found);
    return out;
}

http_response_t *arm_live_outputs_handle(arm_req_t *r, json_t *channel)
{
    json_t *all, *p, *value;
    size_t i;

    if (r->path.nseg >= 4) {
        return one_output(r, channel);
    }
    if (strcmp(r->method, "GET") != 0) {
        return arm_error(405, "MethodNotAllowed", "the collection is read with GET");
    }
    all = programs_of(r, channel, NULL);
    value = json_array();
    json_array_foreach(all, i, p) {
        json_array_append_new(value, output_json(r, p));
    }
    json_decref(all);
    return arm_json(200, json_pack("{s:o}", "value", value));
}
