/*
 * entity_programs.c — Programs: the archive of a channel's ingest into an
 * asset the client created (AMS v2 Program).  Start needs a Running channel
 * and at most LIVE_MAX_RUNNING_PROGRAMS programs of a channel run at once;
 * while a program is Running the archiver supervisor (live/live_archiver.c)
 * keeps an archiver writing the channel's stream into the asset's folder as
 * per-track fragmented MP4 + `<ManifestName>.ism`; Stop finalizes it and
 * registers the files as the asset's Files, so an origin locator plays it
 * as any asset.  ArchiveWindowLength (5 min - 25 h) is stored for the live
 * manifests of a later slice.  Start/Stop, create and delete answer 202 +
 * operation-id.  v3 liveOutputs (arm/arm_live_outputs.c) mark a program
 * _startWithChannel (started when its channel starts) and, when deleted
 * while running, _deleteWhenStopped (deleted once its Stop completes).
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "live/live_archiver.h"
#include "util/duration_parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PROGRAM_NAME_MAX      256
#define MANIFEST_NAME_MAX     128
#define ARCHIVE_WINDOW_MIN    (5 * 60)
#define ARCHIVE_WINDOW_MAX    (25 * 3600)

static const entity_prop_t program_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_REQUIRED | P_ONCE, PROGRAM_NAME_MAX, NULL, NULL },
    { "Description", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "ChannelId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { "AssetId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { "ArchiveWindowLength", EDM_STRING, P_REQUIRED, 64, NULL, NULL },
    { "ManifestName", EDM_STRING, P_NULLABLE | P_ONCE, MANIFEST_NAME_MAX, NULL, NULL },
    { "State", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t program_navs[] = {
    { "Channel", "Channels", NAV_REFERENCE, "ChannelId", false, NULL },
    { "Asset", "Assets", NAV_REFERENCE, "AssetId", false, NULL },
    { NULL, NULL, 0, NULL, false, NULL },
};


/* ------------------------------------------------------------ checks */

static bool name_char(char ch, bool dots)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
           || ch == '-' || ch == '_' || (dots && ch == '.');
}

static int check_name(api_ctx_t *c, const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;

    for (size_t i = 0; i < n; i++) {
        if (!name_char(name[i], false)) {
            n = 0;
            break;
        }
    }
    if (n == 0 || n > PROGRAM_NAME_MAX) {
        return api_fail(c, 400, "InvalidValue",
                        "Name must be 1-%d letters, digits, hyphens or underscores",
                        PROGRAM_NAME_MAX);
    }
    return 0;
}

/* ManifestName names the archive's files: safe as a file name, no leading
 * dot; defaults to the program's Name. */
static int check_manifest_name(api_ctx_t *c, json_t *rec)
{
    const char *m = entity_str(rec, "ManifestName");
    size_t n;

    if (m == NULL) {
        json_object_set_new(rec, "ManifestName", json_string(entity_str(rec, "Name")));
        m = entity_str(rec, "ManifestName");
    }
    n = strlen(m);
    for (size_t i = 0; i < n; i++) {
        if (!name_char(m[i], i > 0)) {
            n = 0;
            break;
        }
    }
    if (n == 0 || n > MANIFEST_NAME_MAX) {
        return api_fail(c, 400, "InvalidValue",
                        "ManifestName must be 1-%d letters, digits, hyphens, underscores or "
                        "inner dots", MANIFEST_NAME_MAX);
    }
    return 0;
}

static int check_window(api_ctx_t *c, const json_t *rec)
{
    double seconds = -1;

    if (duration_parse(entity_str(rec, "ArchiveWindowLength"), &seconds) != 0
        || seconds < ARCHIVE_WINDOW_MIN || seconds > ARCHIVE_WINDOW_MAX) {
        return api_fail(c, 400, "InvalidValue",
                        "ArchiveWindowLength must be a duration from 5 minutes to 25 hours "
                        "(PT5M .. PT25H)");
    }
    return 0;
}

static int normalize_ref(api_ctx_t *c, json_t *rec, const char *prop, const entity_set_t *set)
{
    char norm[ENTITY_ID_MAX];
    const char *given = entity_str(rec, prop);
    json_t *target = NULL;

    if (given == NULL || entity_normalize_id(set, given, norm) != 0
        || catalog_get(&c->txn, set->name, norm, &target) != 0) {
        return api_fail(c, 400, "InvalidValue", "%s '%s' is not an existing %s", prop,
                        given ? given : "", set->name);
    }
    json_decref(target);
    json_object_set_new(rec, prop, json_string(norm));
    return 0;
}

typedef struct {
    const json_t *self;
    const char   *clash;
} sibling_walk_t;

static int find_sibling_clash(const char *id, json_t *other, void *arg)
{
    sibling_walk_t *w = arg;
    const char *ch = entity_str(other, "ChannelId");

    if (strcmp(id, entity_str(w->self, "Id")) == 0) {
        return 0;
    }
    if (strcmp(entity_str(other, "AssetId"), entity_str(w->self, "AssetId")) == 0) {
        w->clash = "the asset is already the archive of another program";
    } else if (ch != NULL && strcmp(ch, entity_str(w->self, "ChannelId")) == 0
               && strcasecmp(entity_str(other, "Name"), entity_str(w->self, "Name")) == 0) {
        w->clash = "the channel already has a program of this Name";
    } else if (ch != NULL && strcmp(ch, entity_str(w->self, "ChannelId")) == 0
               && strcasecmp(entity_str(other, "ManifestName"),
                             entity_str(w->self, "ManifestName")) == 0) {
        w->clash = "the channel already has a program of this ManifestName";
    }
    return w->clash != NULL;
}

static int check_unique(api_ctx_t *c, const json_t *rec)
{
    sibling_walk_t w = { rec, NULL };

    catalog_each(&c->txn, entity_programs.name, find_sibling_clash, &w);
    return w.clash != NULL ? api_fail(c, 409, "Conflict", "%s", w.clash) : 0;
}

/* ------------------------------------------------------------ hooks */

static int program_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    json_object_set_new(rec, "State", json_string("Stopped"));
    if (check_name(c, entity_str(rec, "Name")) != 0 || check_window(c, rec) != 0
        || check_manifest_name(c, rec) != 0
        || normalize_ref(c, rec, "ChannelId", &entity_channels) != 0
        || normalize_ref(c, rec, "AssetId", &entity_assets) != 0 || check_unique(c, rec) != 0) {
        return -1;
    }
    return 0;
}

static int program_after_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    return operation_begin(c, entity_str(rec, "Id"));
}

static int program_on_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    const char *was = entity_str(old, "ArchiveWindowLength");

    if (check_window(c, rec) != 0) {
        return -1;
    }
    if (!entity_in_state(old, "Stopped") && strcmp(was, entity_str(rec, "ArchiveWindowLength")) != 0) {
        return api_fail(c, 400, "InvalidOperation",
                        "ArchiveWindowLength can change only while the program is Stopped");
    }
    return 0;
}

static int program_on_delete(api_ctx_t *c, const json_t *rec)
{
    if (!entity_in_state(rec, "Stopped")) {
        return api_fail(c, 400, "InvalidOperation",
                        "a program must be Stopped to be deleted (it is %s)", entity_state(rec));
    }
    return operation_begin(c, entity_str(rec, "Id"));
}

/* ------------------------------------------------------------ actions */

static int count_running(const char *id, json_t *rec, void *arg)
{
    const char *state = entity_str(rec, "State");

    (void) id;
    *(unsigned *) arg += state != NULL && strcmp(state, "Stopped") != 0;
    return 0;
}

/* live_max_programs: programs not Stopped in the whole installation. */
static int check_installation_bound(api_ctx_t *c)
{
    unsigned running = 0, max = c->app->cfg.live_max_programs;

    catalog_each(&c->txn, entity_programs.name, count_running, &running);
    if (running >= max) {
        return api_fail(c, 403, "QuotaExceeded",
                        "at most %u programs may run at once in this installation "
                        "(live_max_programs)", max);
    }
    return 0;
}

static int program_start(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                         json_t **result)
{
    json_t *channel = NULL;
    int programs, running;
    bool channel_running;

    (void) set;
    (void) body;
    (void) result;
    if (!entity_in_state(rec, "Stopped")) {
        return api_fail(c, 400, "InvalidOperation", "the program is %s, not Stopped",
                        entity_state(rec));
    }
    if (entity_load(c, &entity_channels, entity_str(rec, "ChannelId"), &channel) != 0) {
        return -1;
    }
    channel_running = entity_in_state(channel, "Running");
    json_decref(channel);
    if (!channel_running) {
        return api_fail(c, 400, "InvalidOperation",
                        "the program's channel must be Running to start the program");
    }
    channel_count_programs(c, entity_str(rec, "ChannelId"), &programs, &running);
    if (running >= LIVE_MAX_RUNNING_PROGRAMS) {
        return api_fail(c, 400, "InvalidOperation",
                        "at most %d programs of a channel may run at once",
                        LIVE_MAX_RUNNING_PROGRAMS);
    }
    if (check_installation_bound(c) != 0) {
        return -1;
    }
    json_object_set_new(rec, "State", json_string("Starting"));
    if (entity_save(c, &entity_programs, rec) != 0) {
        return -1;
    }
    return operation_begin(c, entity_str(rec, "Id"));
}

static int program_stop(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                        json_t **result)
{
    (void) set;
    (void) body;
    (void) result;
    /* Starting too: a Start whose completion failed must not leave it stuck */
    if (!entity_in_state(rec, "Running") && !entity_in_state(rec, "Starting")) {
        return api_fail(c, 400, "InvalidOperation", "the program is %s, not Running",
                        entity_state(rec));
    }
    json_object_set_new(rec, "State", json_string("Stopping"));
    if (entity_save(c, &entity_programs, rec) != 0) {
        return -1;
    }
    return operation_begin(c, entity_str(rec, "Id"));
}

static const entity_action_t program_actions[] = {
    { "Start", program_start },
    { "Stop", program_stop },
    { NULL, NULL },
};

/* Second half of Start (the archive's manifest written, the archiver
 * started) and Stop (the archiver finalized, the files registered). */
static int program_complete(api_ctx_t *c, const char *id)
{
    json_t *rec = NULL;
    int rc = 0;

    if (catalog_get(&c->txn, entity_programs.name, id, &rec) != 0) {
        return 0;
    }
    if (entity_in_state(rec, "Starting")) {
        rc = live_archive_begin(c, rec);
        json_object_set_new(rec, "State", json_string("Running"));
    } else if (entity_in_state(rec, "Stopping")) {
        rc = live_archive_end(c, rec);
        json_object_set_new(rec, "State", json_string("Stopped"));
    }
    if (rc == 0) {
        rc = entity_save(c, &entity_programs, rec);
    }
    if (rc == 0) {      /* the asset's origin locators: live while Running */
        rc = origin_republish_asset(c, entity_str(rec, "AssetId"));
    }
    if (rc == 0 && entity_in_state(rec, "Stopped")
        && json_is_true(json_object_get(rec, "_deleteWhenStopped"))) {
        rc = entity_delete(c, &entity_programs, id);     /* a v3 liveOutput DELETE */
    }
    json_decref(rec);
    return rc;
}

static int collect_waiting(const char *id, json_t *rec, void *arg)
{
    json_t *w = arg;
    const char *ch = entity_str(rec, "ChannelId");

    if (ch != NULL && strcmp(ch, entity_str(w, "channel")) == 0 && entity_in_state(rec, "Stopped")
        && json_is_true(json_object_get(rec, "_startWithChannel"))) {
        json_array_append_new(json_object_get(w, "ids"), json_string(id));
    }
    return 0;
}

int programs_start_with_channel(api_ctx_t *c, const char *channel_id)
{
    json_t *w = json_pack("{s:s,s:[]}", "channel", channel_id, "ids"), *id, *rec;
    size_t i;
    int rc = 0;

    catalog_each(&c->txn, entity_programs.name, collect_waiting, w);
    json_array_foreach(json_object_get(w, "ids"), i, id) {
        rec = NULL;
        if (rc == 0 && catalog_get(&c->txn, entity_programs.name, json_string_value(id), &rec) == 0) {
            rc = program_start(c, &entity_programs, rec, NULL, NULL);
        }
        json_decref(rec);
    }
    json_decref(w);
    return rc;
}

const entity_set_t entity_programs = {
    .name = "Programs",
    .type_name = AMS_TYPE("Program"),
    .id_prefix = "nb:pgid:UUID:",
    .props = program_props,
    .navs = program_navs,
    .actions = program_actions,
    .on_create = program_on_create,
    .after_create = program_after_create,
    .on_update = program_on_update,
    .on_delete = program_on_delete,
    .complete_operation = program_complete,
};
