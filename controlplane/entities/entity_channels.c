/*
 * entity_channels.c — Channels: a live ingest point (AMS v2 Channel).  A
 * channel is created Stopped with a random 32-hex ingest token; Start makes
 * it Running, which is what the RTMP server's publish callbacks check
 * (live/live_hooks.c: the token in the URL, the channel's state and its
 * Input IP allow list), and fills Input.Endpoints with the ingest URL
 * `<rtmp_url>live/<token>` (FragmentedMP4: `<streaming_url><token>/ingest.isml`,
 * live/live_smooth_ingest.c).  Nothing runs per channel: the RTMP engine is
 * nginx-rtmp, always up (see live/live_hooks.c for the design), so a
 * channel survives a daemon restart by construction.  Start/Stop/Reset,
 * create and delete are long-running operations (202 + operation-id).
 * Stop is refused while a program of the channel runs.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/access_checks.h"
#include "util/duration_parse.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CHANNEL_NAME_MAX 32

static const entity_prop_t channel_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_REQUIRED | P_ONCE, CHANNEL_NAME_MAX, NULL, NULL },
    { "Description", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "State", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Input", EDM_COMPLEX, P_REQUIRED, 0, NULL, AMS_TYPE("ChannelInput") },
    { "Preview", EDM_COMPLEX, P_NULLABLE, 0, NULL, AMS_TYPE("ChannelPreview") },
    { "Output", EDM_COMPLEX, P_NULLABLE, 0, NULL, AMS_TYPE("ChannelOutput") },
    { "EncodingType", EDM_STRING, 0, 16, "\"None\"", NULL },
    { "CrossSiteAccessPolicies", EDM_COMPLEX, P_NULLABLE, 0, NULL,
      AMS_TYPE("CrossSiteAccessPolicies") },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t channel_navs[] = {
    { "Programs", "Programs", NAV_CHILDREN, "ChannelId", false, NULL },
    { NULL, NULL, 0, NULL, false, NULL },
};


/* ------------------------------------------------------------ checks */

/* AMS: 1-32 letters, digits and hyphens, starting with a letter or digit. */
static int check_name(api_ctx_t *c, const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;

    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && !(ch == '-' && i > 0)) {
            n = 0;
            break;
        }
    }
    if (n == 0 || n > CHANNEL_NAME_MAX) {
        return api_fail(c, 400, "InvalidValue",
                        "Name must be 1-%d letters, digits or hyphens, starting with a letter "
                        "or digit", CHANNEL_NAME_MAX);
    }
    return 0;
}

/* KeyFrameInterval: null or an xs:duration of 0-6 s ("PT2S"). */
static int check_key_frame_interval(api_ctx_t *c, const json_t *input)
{
    json_t *v = json_object_get(input, "KeyFrameInterval");
    double seconds = -1;

    if (v == NULL || json_is_null(v)) {
        return 0;
    }
    if (json_is_string(v) && duration_parse(json_string_value(v), &seconds) == 0
        && seconds >= 0 && seconds <= 6) {
        return 0;
    }
    return api_fail(c, 400, "InvalidValue",
                    "Input.KeyFrameInterval must be a duration of at most 6 seconds (PT2S)");
}

static int check_input(api_ctx_t *c, json_t *rec, const json_t *old)
{
    json_t *input = json_object_get(rec, "Input");
    const char *proto = entity_str(input, "StreamingProtocol");
    json_t *old_endpoints = old != NULL ? json_object_get(json_object_get(old, "Input"), "Endpoints")
                                        : NULL;

    if (!json_is_object(input)) {
        return api_fail(c, 400, "InvalidValue", "Input must be an object with a StreamingProtocol");
    }
    if (proto == NULL || (strcmp(proto, "RTMP") != 0 && strcmp(proto, "FragmentedMP4") != 0)) {
        return api_fail(c, 400, "InvalidValue",
                        "Input.StreamingProtocol must be RTMP or FragmentedMP4");
    }
    if (old != NULL && strcmp(proto, entity_str(json_object_get(old, "Input"),
                                                "StreamingProtocol")) != 0) {
        return api_fail(c, 400, "InvalidOperation", "Input.StreamingProtocol cannot change");
    }
    if (check_key_frame_interval(c, input) != 0
        || ip_allow_check(c, json_object_get(input, "AccessControl"), "Input.AccessControl") != 0) {
        return -1;
    }
    /* server-made: the ingest URLs are ours, whatever the body says */
    json_object_set(input, "Endpoints", old_endpoints != NULL ? old_endpoints : json_array());
    return 0;
}

static int check_preview(api_ctx_t *c, json_t *rec)
{
    json_t *preview = json_object_get(rec, "Preview");

    if (preview == NULL || json_is_null(preview)) {
        return 0;
    }
    if (!json_is_object(preview)) {
        return api_fail(c, 400, "InvalidValue", "Preview must be an object");
    }
    json_object_set_new(preview, "Endpoints", json_array());   /* no preview yet */
    return ip_allow_check(c, json_object_get(preview, "AccessControl"), "Preview.AccessControl");
}

/* Output.Hls.FragmentsPerSegment: 1-10 (AMS's bound), null for the default. */
static int check_output(api_ctx_t *c, const json_t *rec)
{
    json_t *output = json_object_get(rec, "Output"), *v;

    if (output == NULL || json_is_null(output)) {
        return 0;
    }
    v = json_object_get(json_object_get(output, "Hls"), "FragmentsPerSegment");
    if (!json_is_object(output) || (v != NULL && !json_is_null(v)
                                    && (!json_is_integer(v) || json_integer_value(v) < 1
                                        || json_integer_value(v) > 10))) {
        return api_fail(c, 400, "InvalidValue", "Output.Hls.FragmentsPerSegment must be 1-10");
    }
    return 0;
}

static int check_encoding_type(api_ctx_t *c, const json_t *rec)
{
    const char *t = entity_str(rec, "EncodingType");

    if (t == NULL || (strcmp(t, "None") != 0 && strcmp(t, "Standard") != 0)) {
        return api_fail(c, 400, "InvalidValue", "EncodingType must be None or Standard");
    }
    if (strcmp(t, "Standard") == 0) {
        return api_fail(c, 400, "NotSupported",
                        "live encoding (EncodingType Standard) is not supported yet; use None "
                        "(pass-through)");
    }
    return 0;
}

typedef struct {
    const json_t *self;
    bool          clash;
} name_walk_t;

static int find_name(const char *id, json_t *other, void *arg)
{
    name_walk_t *w = arg;
    const char *name = entity_str(other, "Name");

    if (strcmp(id, entity_str(w->self, "Id")) != 0 && name != NULL
        && strcasecmp(name, entity_str(w->self, "Name")) == 0) {
        w->clash = true;
    }
    return w->clash;
}

static int check_unique(api_ctx_t *c, const json_t *rec)
{
    name_walk_t w = { rec, false };

    catalog_each(&c->txn, entity_channels.name, find_name, &w);
    return w.clash ? api_fail(c, 409, "Conflict", "another channel is named '%s'",
                              entity_str(rec, "Name"))
                   : 0;
}

static int check_all(api_ctx_t *c, json_t *rec, const json_t *old)
{
    if (check_name(c, entity_str(rec, "Name")) != 0 || check_input(c, rec, old) != 0
        || check_preview(c, rec) != 0 || check_output(c, rec) != 0
        || check_encoding_type(c, rec) != 0
        || cross_site_policies_check(c, json_object_get(rec, "CrossSiteAccessPolicies")) != 0
        || check_unique(c, rec) != 0) {
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ hooks */

static int new_token(api_ctx_t *c, json_t *rec)
{
    uint8_t bytes[16];
    char hex[33];

    if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
        return api_fail(c, 500, "InternalError", "no random bytes for the ingest token");
    }
    for (size_t i = 0; i < sizeof(bytes); i++) {
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    }
    json_object_set_new(rec, "_token", json_string(hex));
    return 0;
}

static int channel_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    json_object_set_new(rec, "State", json_string("Stopped"));
    return check_all(c, rec, NULL) == 0 ? new_token(c, rec) : -1;
}

static int channel_after_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    return operation_begin(c, entity_str(rec, "Id"));
}

static int channel_on_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    return check_all(c, rec, old);
}

typedef struct {
    const char *channel_id;
    int         programs;     /* of the channel */
    int         running;      /* of them not Stopped */
} program_count_t;

static int count_program(const char *id, json_t *rec, void *arg)
{
    program_count_t *n = arg;
    const char *state = entity_str(rec, "State");

    (void) id;
    if (strcmp(entity_str(rec, "ChannelId") ? entity_str(rec, "ChannelId") : "", n->channel_id) == 0) {
        n->programs++;
        n->running += state != NULL && strcmp(state, "Stopped") != 0;
    }
    return 0;
}

/* Programs of a channel, and how many of them are not Stopped. */
void channel_count_programs(api_ctx_t *c, const char *channel_id, int *programs, int *running)
{
    program_count_t n = { channel_id, 0, 0 };

    catalog_each(&c->txn, "Programs", count_program, &n);
    *programs = n.programs;
    *running = n.running;
}

static int channel_on_delete(api_ctx_t *c, const json_t *rec)
{
    int programs, running;

    if (!entity_in_state(rec, "Stopped")) {
        return api_fail(c, 400, "InvalidOperation",
                        "a channel must be Stopped to be deleted (it is %s)", entity_state(rec));
    }
    channel_count_programs(c, entity_str(rec, "Id"), &programs, &running);
    if (programs > 0) {
        return api_fail(c, 400, "InvalidOperation",
                        "the channel has %d program(s): delete them first", programs);
    }
    return operation_begin(c, entity_str(rec, "Id"));
}

/* ------------------------------------------------------------ actions */

static int transition(api_ctx_t *c, json_t *rec, const char *from, const char *to)
{
    if (entity_move_state(c, &entity_channels, rec, "the channel", from, to) != 0) {
        return -1;
    }
    return operation_begin(c, entity_str(rec, "Id"));
}

static int channel_start(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                         json_t **result)
{
    (void) set;
    (void) body;
    (void) result;
    return transition(c, rec, "Stopped", "Starting");
}

static int channel_stop(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                        json_t **result)
{
    int programs, running;

    (void) set;
    (void) body;
    (void) result;
    channel_count_programs(c, entity_str(rec, "Id"), &programs, &running);
    if (running > 0) {
        return api_fail(c, 400, "InvalidOperation",
                        "%d program(s) of the channel are running: stop them first", running);
    }
    return transition(c, rec, "Running", "Stopping");
}

/* AMS Reset cleared the channel's buffered input; here the running ingest
 * keeps going, the operation only records that it happened. */
static int channel_reset(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                         json_t **result)
{
    (void) set;
    (void) body;
    (void) result;
    if (!entity_in_state(rec, "Running")) {
        return api_fail(c, 400, "InvalidOperation", "the channel is %s, not Running",
                        entity_state(rec));
    }
    json_object_set_new(rec, "_lastReset", json_integer(c->now_ms));
    if (entity_save(c, &entity_channels, rec) != 0) {
        return -1;
    }
    return operation_begin(c, entity_str(rec, "Id"));
}

static const entity_action_t channel_actions[] = {
    { "Start", channel_start },
    { "Stop", channel_stop },
    { "Reset", channel_reset },
    { NULL, NULL },
};

/* Input.Endpoints of a running channel: its RTMP ingest URL, or for
 * FragmentedMP4 its Smooth ingest URL <streaming_url><token>/ingest.isml
 * (live/live_smooth_ingest.c), as AMS gave them. */
static void set_endpoints(api_ctx_t *c, json_t *rec, bool running)
{
    json_t *input = json_object_get(rec, "Input"), *list = json_array();
    const char *proto = entity_str(input, "StreamingProtocol");
    char url[CONFIG_URL_MAX + 64];

    if (running && proto != NULL && strcmp(proto, "FragmentedMP4") == 0) {
        const char *base = c->app->cfg.streaming_url;
        int n = (int) strlen(base);
        while (n > 0 && base[n - 1] == '/') {
            n--;                      /* one '/' before the key, however the base ends */
        }
        snprintf(url, sizeof(url), "%.*s/%s/ingest.isml", n, base, entity_str(rec, "_token"));
        json_array_append_new(list, json_pack("{s:s,s:s}", "Protocol", "FragmentedMP4",
                                              "Url", url));
    } else if (running) {
        snprintf(url, sizeof(url), "%slive/%s", c->app->cfg.rtmp_url, entity_str(rec, "_token"));
        json_array_append_new(list, json_pack("{s:s,s:s}", "Protocol", "RTMP", "Url", url));
    }
    json_object_set_new(input, "Endpoints", list);
}

/* Second half of Start/Stop (and nothing for Reset, create, delete). */
static int channel_complete(api_ctx_t *c, const char *id)
{
    json_t *rec = NULL;
    int rc = 0;

    if (catalog_get(&c->txn, entity_channels.name, id, &rec) != 0) {
        return 0;
    }
    if (entity_in_state(rec, "Starting")) {
        json_object_set_new(rec, "State", json_string("Running"));
        set_endpoints(c, rec, true);
        rc = entity_save(c, &entity_channels, rec);
        if (rc == 0) {
            rc = programs_start_with_channel(c, id);
        }
    } else if (entity_in_state(rec, "Stopping")) {
        json_object_set_new(rec, "State", json_string("Stopped"));
        set_endpoints(c, rec, false);
        rc = entity_save(c, &entity_channels, rec);
    }
    json_decref(rec);
    return rc;
}

const entity_set_t entity_channels = {
    .name = "Channels",
    .type_name = AMS_TYPE("Channel"),
    .id_prefix = "nb:chid:UUID:",
    .props = channel_props,
    .navs = channel_navs,
    .actions = channel_actions,
    .on_create = channel_on_create,
    .after_create = channel_after_create,
    .on_update = channel_on_update,
    .on_delete = channel_on_delete,
    .complete_operation = channel_complete,
};
