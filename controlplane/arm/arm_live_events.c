/*
 * arm_live_events.c — v3 liveEvents over v2 Channels (see arm_live.h):
 *   GET    liveEvents[/{name}]
 *   PUT    liveEvents/{name}[?autoStart=true]   create (201 + long-running operation) or
 *                                               update (200, no operation)
 *   DELETE liveEvents/{name}                    202 + operation (v2 rule: Stopped, no outputs)
 *   POST   liveEvents/{name}/start|stop|reset   202 + operation (the v2 actions); stop with
 *          {"removeOutputsOnStop":true} first stops and deletes the live outputs
 *   POST   liveEvents/{name}/allocate|standby   400 NotSupported: the RTMP ingest is always
 *          up, there is nothing to allocate; start goes from Stopped to Running
 *   GET    liveEventOperations/{id}, liveEvents/{name}/operationLocations/{id}  (arm_lro.c)
 * encodingType None, PassthroughBasic and PassthroughStandard are the v2
 * pass-through (EncodingType None); Standard and Premium1080p are v2
 * Standard, refused as v2 refuses it.
 */
#include "arm/arm_error.h"
#include "arm/arm_live.h"
#include "arm/arm_lro.h"
#include "arm/arm_recase.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HOSTNAME_PREFIX_MAX 63
#define STREAM_OPTIONS_MAX  4
#define ACCESS_TOKEN_MAX    64

/* ------------------------------------------------------------ lookup */

typedef struct {
    const char *name;
    json_t *found;
    arm_req_t *r;
    arm_page_t *page;
} walk_t;

static json_t *event_json(arm_req_t *r, const json_t *ch);

static int visit_channel(const char *id, json_t *rec, void *arg)
{
    walk_t *w = arg;
    const char *name = entity_str(rec, "Name");

    (void) id;
    if (w->page != NULL) {
        if (arm_page_take(w->page)) {
            json_array_append_new(w->page->value, event_json(w->r, rec));
        }
        return arm_page_full(w->page);
    }
    if (name != NULL && strcasecmp(name, w->name) == 0) {
        w->found = json_incref(rec);
        return 1;
    }
    return 0;
}

static json_t *find_channel(arm_req_t *r, const char *name)
{
    walk_t w = { name, NULL, r, NULL };
    catalog_each(&r->c.txn, entity_channels.name, visit_channel, &w);
    return w.found;
}

/* ------------------------------------------------------------ v2 → v3 */

static json_t *v3_input(const json_t *ch)
{
    json_t *in = json_object_get(ch, "Input");
    json_t *out = json_pack("{s:s?,s:s?,s:s?}", "streamingProtocol",
                            entity_str(in, "StreamingProtocol"), "keyFrameIntervalDuration",
                            entity_str(in, "KeyFrameInterval"), "accessToken",
                            entity_str(ch, "_token"));

    json_object_set_new(out, "accessControl", arm_recase(json_object_get(in, "AccessControl"), false));
    json_object_set_new(out, "endpoints", arm_recase(json_object_get(in, "Endpoints"), false));
    return out;
}

static json_t *v3_value(const json_t *ch, const char *name, json_t *dflt)
{
    json_t *v = json_object_get(json_object_get(ch, "_v3"), name);

    if (v == NULL) {
        return dflt;
    }
    json_decref(dflt);
    return json_deep_copy(v);
}

static json_t *event_json(arm_req_t *r, const json_t *ch)
{
    json_t *preview = json_object_get(ch, "Preview"), *props, *res;
    const char *enc = entity_str(ch, "EncodingType");

    props = json_pack("{s:s?,s:o,s:s,s:s,s:s?,s:s?}", "description", entity_str(ch, "Description"),
                      "input", v3_input(ch), "resourceState", entity_state(ch),
                      "provisioningState", "Succeeded", "created", entity_str(ch, "Created"),
                      "lastModified", entity_str(ch, "LastModified"));
    json_object_set_new(props, "preview", json_pack("{s:[],s:o}", "endpoints", "accessControl",
                        arm_recase(json_object_get(preview, "AccessControl"), false)));
    json_object_set_new(props, "encoding", v3_value(ch, "encoding", json_pack("{s:s}",
                        "encodingType", enc != NULL && strcmp(enc, "Standard") == 0 ? "Standard"
                                                                                   : "None")));
    json_object_set_new(props, "crossSiteAccessPolicies",
                        arm_recase(json_object_get(ch, "CrossSiteAccessPolicies"), false));
    json_object_set_new(props, "useStaticHostname", v3_value(ch, "useStaticHostname", json_false()));
    json_object_set_new(props, "hostnamePrefix", v3_value(ch, "hostnamePrefix", json_null()));
    json_object_set_new(props, "streamOptions", v3_value(ch, "streamOptions",
                                                         json_pack("[s]", "Default")));
    res = arm_resource(r, "liveEvents", ARM_LIVE_EVENT_TYPE, entity_str(ch, "Name"), props);
    if (res != NULL) {
        json_object_set_new(res, "location", v3_value(ch, "location", json_string("local")));
        json_object_set_new(res, "tags", v3_value(ch, "tags", json_object()));
    }
    return res;
}

/* ------------------------------------------------------------ v3 → v2 */

static const char *v2_encoding(const char *t)
{
    if (t == NULL || strcmp(t, "None") == 0 || strcmp(t, "PassthroughBasic") == 0
        || strcmp(t, "PassthroughStandard") == 0) {
        return "None";
    }
    if (strcmp(t, "Standard") == 0 || strcmp(t, "Premium1080p") == 0) {
        return "Standard";
    }
    return NULL;
}

static http_response_t *bad(const char *message)
{
    return arm_error(400, "InvalidParameter", "%s", message);
}

/* Checks the v3-only members and keeps them in *v3 (new object). */
static http_response_t *v3_extras(arm_req_t *r, const json_t *props, json_t **v3)
{
    json_t *enc = json_object_get(props, "encoding"), *opts = json_object_get(props, "streamOptions");
    json_t *prefix = json_object_get(props, "hostnamePrefix"), *v;
    size_t i;

    *v3 = json_object();
    if (enc != NULL && !json_is_null(enc)) {
        if (!json_is_object(enc) || v2_encoding(entity_str(enc, "encodingType")) == NULL) {
            return bad("encoding.encodingType must be None, PassthroughBasic, "
                       "PassthroughStandard, Standard or Premium1080p");
        }
        json_object_set_new(*v3, "encoding", json_deep_copy(enc));
    }
    if (prefix != NULL && !json_is_null(prefix)) {
        if (!json_is_string(prefix) || json_string_length(prefix) > HOSTNAME_PREFIX_MAX) {
            return bad("hostnamePrefix must be a string of at most 63 characters");
        }
        json_object_set(*v3, "hostnamePrefix", prefix);
    }
    if (opts != NULL && !json_is_null(opts)) {
        if (!json_is_array(opts) || json_array_size(opts) > STREAM_OPTIONS_MAX) {
            return bad("streamOptions must be a list of at most 4 values");
        }
        json_array_foreach(opts, i, v) {
            if (!json_is_string(v) || json_string_length(v) > 32) {
                return bad("streamOptions[] are names such as Default or LowLatency");
            }
        }
        json_object_set(*v3, "streamOptions", opts);
    }
    if ((v = json_object_get(props, "useStaticHostname")) != NULL && json_is_boolean(v)) {
        json_object_set(*v3, "useStaticHostname", v);
    }
    if ((v = json_object_get(r->body, "location")) != NULL && !json_is_null(v)) {
        if (!json_is_string(v) || json_string_length(v) > 64) {
            return bad("location must be a string of at most 64 characters");
        }
        json_object_set(*v3, "location", v);
    }
    if ((v = json_object_get(r->body, "tags")) != NULL && !json_is_null(v)) {
        if (!json_is_object(v) || json_object_size(v) > 50) {
            return bad("tags must be an object of at most 50 members");
        }
        json_object_set(*v3, "tags", v);
    }
    return NULL;
}

/* The v2 Channel body of a v3 PUT (NULL with *err set when refused). */
static json_t *v2_body(arm_req_t *r, const char *name, bool creating, http_response_t **err)
{
    json_t *props = json_object_get(r->body, "properties");
    json_t *input = json_object_get(props, "input"), *body, *v2in, *v;
    json_t *enc = json_object_get(props, "encoding");
    const char *t = json_is_object(enc) ? entity_str(enc, "encodingType") : NULL;

    *err = NULL;
    if (!json_is_object(props) || !json_is_object(input)) {
        *err = bad("properties.input is missing: the body is {\"location\",\"properties\":"
                   "{\"input\":{\"streamingProtocol\":\"RTMP\"},…}}");
        return NULL;
    }
    v2in = json_pack("{s:O?}", "StreamingProtocol", json_object_get(input, "streamingProtocol"));
    if ((v = json_object_get(input, "keyFrameIntervalDuration")) != NULL) {
        json_object_set(v2in, "KeyFrameInterval", v);
    }
    if ((v = json_object_get(input, "accessControl")) != NULL && !json_is_null(v)) {
        json_object_set_new(v2in, "AccessControl", arm_recase(v, true));
    }
    body = json_pack("{s:o,s:s}", "Input", v2in, "EncodingType",
                     v2_encoding(t) != NULL ? v2_encoding(t) : "None");
    if (creating) {
        json_object_set_new(body, "Name", json_string(name));
    }
    if ((v = json_object_get(props, "description")) != NULL) {
        json_object_set(body, "Description", v);
    }
    if ((v = json_object_get(json_object_get(props, "preview"), "accessControl")) != NULL
        && !json_is_null(v)) {
        json_object_set_new(body, "Preview", json_pack("{s:o}", "AccessControl",
                                                       arm_recase(v, true)));
    }
    if ((v = json_object_get(props, "crossSiteAccessPolicies")) != NULL) {
        json_object_set_new(body, "CrossSiteAccessPolicies", arm_recase(v, true));
    }
    return body;
}

typedef struct {
    const char *token, *self;
    bool clash;
} token_walk_t;

static int token_clash(const char *id, json_t *rec, void *arg)
{
    token_walk_t *w = arg;
    const char *t = entity_str(rec, "_token");

    if (strcmp(id, w->self) != 0 && t != NULL && strcasecmp(t, w->token) == 0) {
        w->clash = true;
    }
    return w->clash;
}

/* input.accessToken: the ingest URL's secret part, given at create. */
static int set_access_token(arm_req_t *r, json_t *rec, const json_t *input)
{
    const char *t = entity_str(input, "accessToken");
    token_walk_t w = { t, entity_str(rec, "Id"), false };

    if (t == NULL) {
        return 0;
    }
    if (*t == '\0' || strlen(t) > ACCESS_TOKEN_MAX || strspn(t, "abcdefghijklmnopqrstuvwxyz"
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != strlen(t)) {
        return api_fail(&r->c, 400, "InvalidParameter", "input.accessToken must be 1-%d "
                        "letters, digits or hyphens", ACCESS_TOKEN_MAX);
    }
    catalog_each(&r->c.txn, entity_channels.name, token_clash, &w);
    if (w.clash) {
        return api_fail(&r->c, 409, "Conflict", "another live event has this accessToken");
    }
    json_object_set_new(rec, "_token", json_string(t));
    return 0;
}

static int run_v2_action(arm_req_t *r, json_t *ch, const char *name)
{
    for (const entity_action_t *a = entity_channels.actions; a->name != NULL; a++) {
        if (strcmp(a->name, name) == 0) {
            json_t *result = NULL;
            int rc = a->run(&r->c, &entity_channels, ch, NULL, &result);
            json_decref(result);
            return rc;
        }
    }
    return api_fail(&r->c, 500, "InternalError", "no v2 action %s", name);
}

static http_response_t *accepted(arm_req_t *r, int status, const json_t *ch)
{
    char path[2 * ARM_NAME_MAX];

    snprintf(path, sizeof(path), "liveEvents/%s", entity_str(ch, "Name"));
    return arm_lro_accepted(r, status, "liveEventOperations", path);
}

static http_response_t *put_event(arm_req_t *r, const char *name, json_t *existing)
{
    http_response_t *err = NULL;
    json_t *v3 = NULL, *body = v2_body(r, name, existing == NULL, &err), *rec = NULL;
    const char *auto_start = http_arg(r->c.req, "autoStart");
    int rc;

    if (body == NULL || (err = v3_extras(r, json_object_get(r->body, "properties"), &v3)) != NULL) {
        json_decref(body);
        json_decref(v3);
        return err;
    }
    rc = existing != NULL ? entity_update(&r->c, &entity_channels, entity_str(existing, "Id"), body, false)
                          : entity_create(&r->c, &entity_channels, body, &rec);
    json_decref(body);
    if (rc == 0 && existing != NULL) {
        rc = entity_load(&r->c, &entity_channels, entity_str(existing, "Id"), &rec);
    }
    if (rc == 0) {
        json_t *old = json_object_get(rec, "_v3");
        if (old != NULL) {              /* an update keeps what it does not restate */
            json_object_update_missing(v3, old);
        }
        json_object_set(rec, "_v3", v3);
        rc = existing == NULL ? set_access_token(r, rec, json_object_get(json_object_get(
                                    r->body, "properties"), "input")) : 0;
    }
    json_decref(v3);
    if (rc == 0) {
        rc = entity_save(&r->c, &entity_channels, rec);
    }
    if (rc == 0 && existing == NULL && auto_start != NULL && strcasecmp(auto_start, "true") == 0) {
        rc = run_v2_action(r, rec, "Start");
    }
    if (rc != 0) {
        json_decref(rec);
        return NULL;
    }
    err = existing != NULL ? arm_json(200, event_json(r, rec)) : accepted(r, 201, rec);
    json_decref(rec);
    return err;
}

static http_response_t *delete_event(arm_req_t *r, json_t *ch)
{
    int outputs = arm_live_outputs_count(r, ch);

    if (outputs > 0) {
        return arm_error(400, "InvalidOperation", "the live event has %d live output(s): delete "
                         "them (or stop it with removeOutputsOnStop) first", outputs);
    }
    if (entity_delete(&r->c, &entity_channels, entity_str(ch, "Id")) != 0) {
        return NULL;
    }
    return accepted(r, 202, ch);
}

static http_response_t *stop_event(arm_req_t *r, json_t *ch)
{
    json_t *remove = json_object_get(r->body, "removeOutputsOnStop");
    int outputs = arm_live_outputs_count(r, ch);

    if (remove != NULL && !json_is_boolean(remove)) {
        return bad("removeOutputsOnStop must be true or false");
    }
    if (outputs > 0 && !json_is_true(remove)) {
        return arm_error(400, "InvalidOperation", "the live event has %d live output(s): "
                         "delete them first or stop with removeOutputsOnStop", outputs);
    }
    if (outputs == 0) {
        return run_v2_action(r, ch, "Stop") == 0 ? accepted(r, 202, ch) : NULL;
    }
    /* The outputs' stops run (in this order) before the channel's own
     * completion: v2's "no running program" check is met by then. */
    if (!entity_in_state(ch, "Running")) {
        return arm_error(400, "InvalidOperation", "the live event is %s, not Running",
                         entity_state(ch));
    }
    if (arm_live_outputs_remove_all(r, ch) != 0
        || entity_move_state(&r->c, &entity_channels, ch, "the live event", "Running", "Stopping") != 0
        || operation_begin(&r->c, entity_str(ch, "Id")) != 0) {
        return NULL;
    }
    return accepted(r, 202, ch);
}

static http_response_t *event_action(arm_req_t *r, json_t *ch)
{
    const char *a = r->path.seg[2];

    if (strcmp(r->method, "POST") != 0) {
        return arm_error(405, "MethodNotAllowed", "live event actions are POSTed");
    }
    if (strcasecmp(a, "start") == 0 || strcasecmp(a, "reset") == 0) {
        return run_v2_action(r, ch, strcasecmp(a, "start") == 0 ? "Start" : "Reset") == 0
                   ? accepted(r, 202, ch) : NULL;
    }
    if (strcasecmp(a, "stop") == 0) {
        return stop_event(r, ch);
    }
    if (strcasecmp(a, "allocate") == 0 || strcasecmp(a, "standby") == 0) {
        return arm_error(400, "NotSupported", "'%s' has no equivalent here: the RTMP ingest is "
                         "always up, so there is nothing to allocate; start takes a live event "
                         "from Stopped to Running", a);
    }
    return arm_error(404, "NotSupported", "live event action '%s' is not served (start, stop, "
                     "reset are)", a);
}

static http_response_t *one_event(arm_req_t *r)
{
    json_t *ch = find_channel(r, r->path.seg[1]);
    http_response_t *out;

    if (r->path.nseg == 2 && strcmp(r->method, "PUT") == 0) {
        out = put_event(r, r->path.seg[1], ch);
        json_decref(ch);
        return out;
    }
    if (ch == NULL) {
        return r->path.nseg == 2 && strcmp(r->method, "DELETE") == 0
                   ? http_response_new(204, NULL)
                   : arm_error(404, "ResourceNotFound", "the live event '%s' was not found",
                               r->path.seg[1]);
    }
    if (r->path.nseg == 2) {
        out = strcmp(r->method, "GET") == 0 ? arm_json(200, event_json(r, ch))
              : strcmp(r->method, "DELETE") == 0 ? delete_event(r, ch)
              : arm_error(405, "MethodNotAllowed", "a live event is read with GET, created and "
                          "updated with PUT, deleted with DELETE");
    } else if (arm_path_seg_is(&r->path, 2, "liveOutputs")) {
        out = arm_live_outputs_handle(r, ch);
    } else if (r->path.nseg == 3) {
        out = event_action(r, ch);
    } else if (r->path.nseg == 4 && arm_path_seg_is(&r->path, 2, "operationLocations")
               && strcmp(r->method, "GET") == 0) {
        out = arm_lro_location(r, r->path.seg[3], ch, event_json);
    } else {
        out = arm_error(404, "NotSupported", "the path is not served");
    }
    json_decref(ch);
    return out;
}

bool arm_live_events_writes(const arm_req_t *r)
{
    return strcmp(r->method, "GET") != 0;
}

http_response_t *arm_live_events_handle(arm_req_t *r)
{
    arm_page_t page;
    http_response_t *bad_skip;
    walk_t w = { NULL, NULL, r, &page };

    if (r->path.nseg >= 2) {
        return one_event(r);
    }
    if (strcmp(r->method, "GET") != 0) {
        return arm_error(405, "MethodNotAllowed", "the collection is read with GET");
    }
    if ((bad_skip = arm_page_init(r, &page)) != NULL) {
        return bad_skip;
    }
    catalog_each(&r->c.txn, entity_channels.name, visit_channel, &w);
    return arm_page_answer(r, &page);
}
