/*
 * arm_locators.c — v3 streaming locators over v2 OnDemandOrigin locators
 * (the same records: a v3 locator publishes on the origin exactly as a v2
 * one, and v3 lists v2 origin locators).  The v3 name is the v2 Name, the
 * streamingLocatorId the locator's GUID, the policy a private member.
 *   GET    streamingLocators                    list
 *   GET    streamingLocators/{name}             one
 *   PUT    streamingLocators/{name}             create (201 only; 409 when it exists)
 *   DELETE streamingLocators/{name}             200, 204 when none
 *   POST   streamingLocators/{name}/listPaths   origin paths per protocol, downloads
 *   POST   streamingLocators/{name}/listContentKeys   its keys (id, type, label, value, policy)
 *   POST   assets/{name}/listStreamingLocators
 * Creating one registers the asset's blobs as Files (v3 has no
 * CreateFileInfos) and makes a Read access policy for the window
 * (startTime..endTime, default now..now + 100 years).
 */
#include "arm/arm_error.h"
#include "arm/arm_key_policies.h"
#include "arm/arm_locator_keys.h"
#include "arm/arm_names.h"
#include "arm/arm_policies.h"
#include "arm/arm_router.h"
#include "entities/entity_service.h"
#include "keys/key_guid.h"
#include "entities/entity_sets.h"
#include "upload/sas_token.h"
#include "util/text_codec.h"
#include "util/time_parse.h"
#include "util/time_text.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LOCATOR_TYPE "Microsoft.Media/mediaservices/streamingLocators"
#define LOCATOR_ORIGIN 2
#define DEFAULT_YEARS 100
#define DEFAULT_POLICY "Predefined_ClearStreamingOnly"

static const char *policy_of(const json_t *loc)
{
    const char *p = entity_str(loc, "_StreamingPolicy");
    return p != NULL ? p : DEFAULT_POLICY;
}

static json_t *asset_name_of(arm_req_t *r, const json_t *loc)
{
    json_t *asset = NULL;
    char name[ARM_NAME_MAX + 64] = "";

    if (catalog_get(&r->c.txn, entity_assets.name, entity_str(loc, "AssetId"), &asset) == 0) {
        arm_asset_name(asset, name, sizeof(name));
        json_decref(asset);
    }
    return json_string(name);
}

/* The locator's content keys as v3 lists them (values only for
 * listContentKeys).  Locators made before _ArmKeys had one envelope key. */
static json_t *content_keys(arm_req_t *r, const json_t *loc, bool with_values)
{
    const json_t *stored = json_object_get(loc, "_ArmKeys"), *k;
    const char *kid = entity_str(loc, "_ArmKeyId");
    json_t *out = json_array(), *legacy = NULL;
    size_t i;

    if (stored == NULL && kid != NULL) {
        legacy = json_pack("[{s:s,s:s,s:s,s:s?}]", "kid", kid, "type", "EnvelopeEncryption",
                           "label", "clearKeyDefault", "policyName",
                           entity_str(loc, "_ArmKeyPolicy"));
        stored = legacy;
    }
    json_array_foreach(stored, i, k) {
        json_array_append_new(out, arm_locator_key_json(r, k, with_values));
    }
    json_decref(legacy);
    return out;
}

static json_t *locator_props(arm_req_t *r, const json_t *loc)
{
    json_t *props = json_pack("{s:o,s:s?,s:s?,s:s?,s:s?,s:s,s:o}", "assetName",
                              asset_name_of(r, loc), "created", entity_str(loc, "Created"),
                              "startTime", entity_str(loc, "StartTime"), "endTime",
                              entity_str(loc, "ExpirationDateTime"), "streamingLocatorId",
                              entity_guid(entity_str(loc, "Id")), "streamingPolicyName",
                              policy_of(loc), "contentKeys", content_keys(r, loc, false));

    if (entity_str(loc, "_ArmKeyPolicy") != NULL) {
        json_object_set_new(props, "defaultContentKeyPolicyName",
                            json_string(entity_str(loc, "_ArmKeyPolicy")));
    }
    if (entity_str(loc, "_ArmAlternativeMediaId") != NULL) {
        json_object_set_new(props, "alternativeMediaId",
                            json_string(entity_str(loc, "_ArmAlternativeMediaId")));
    }
    return props;
}

static json_t *locator_json(arm_req_t *r, const json_t *loc)
{
    char name[ARM_NAME_MAX + 64];

    arm_locator_name(loc, name, sizeof(name));
    return arm_resource(r, "streamingLocators", LOCATOR_TYPE, name, locator_props(r, loc));
}

typedef struct {
    arm_req_t *r;
    const char *asset_id;              /* NULL: all */
    arm_page_t page;                   /* the list; listStreamingLocators takes one page */
    bool summary;                      /* listStreamingLocators' flat form */
} list_walk_t;

static int add_locator(const char *id, json_t *rec, void *arg)
{
    list_walk_t *w = arg;
    char name[ARM_NAME_MAX + 64];
    json_t *item;

    (void) id;
    if (entity_int(rec, "Type", 0) != LOCATOR_ORIGIN
        || (w->asset_id != NULL && strcmp(entity_str(rec, "AssetId"), w->asset_id) != 0)
        || !arm_page_take(&w->page)) {
        return arm_page_full(&w->page);
    }
    if (w->summary) {
        arm_locator_name(rec, name, sizeof(name));
        item = locator_props(w->r, rec);
        json_object_set_new(item, "name", json_string(name));
        json_object_del(item, "created");
        json_object_del(item, "contentKeys");
    } else {
        item = locator_json(w->r, rec);
    }
    json_array_append_new(w->page.value, item);
    return 0;
}

http_response_t *arm_asset_locators(arm_req_t *r, const json_t *asset)
{
    list_walk_t w = { r, entity_str(asset, "Id"), { .value = json_array() }, true };

    catalog_each(&r->c.txn, entity_locators.name, add_locator, &w);   /* at most 5 */
    return arm_json(200, json_pack("{s:o}", "streamingLocators", w.page.value));
}

/* The window of a PUT body: [start, end] in ms. */
static int window_of(arm_req_t *r, const json_t *props, int64_t *start, int64_t *end)
{
    const char *s = json_string_value(json_object_get(props, "startTime"));
    const char *e = json_string_value(json_object_get(props, "endTime"));

    *start = r->c.now_ms;
    *end = r->c.now_ms + (int64_t) DEFAULT_YEARS * 365 * 86400 * 1000;
    if ((s != NULL && time_parse(s, start) != 0) || (e != NULL && time_parse(e, end) != 0)
        || *end <= *start) {
        return -1;
    }
    return 0;
}

static json_t *create_v2_locator(arm_req_t *r, const char *name, const char *asset_id,
                                 const char *guid, int64_t start, int64_t end)
{
    char start_iso[TIME_ISO_LEN], id[ENTITY_ID_MAX];
    json_t *body, *policy = NULL, *loc = NULL;

    body = json_pack("{s:s,s:f,s:i}", "Name", "arm:streamingLocator", "DurationInMinutes",
                     (double) (end - start) / 60000.0, "Permissions", SAS_READ);
    if (entity_create(&r->c, &entity_access_policies, body, &policy) == 0) {
        json_decref(body);
        time_format_iso(start, start_iso);
        body = json_pack("{s:s,s:i,s:s,s:s,s:s}", "Name", name, "Type", LOCATOR_ORIGIN, "AssetId",
                         asset_id, "AccessPolicyId", entity_str(policy, "Id"), "StartTime",
                         start_iso);
        snprintf(id, sizeof(id), "nb:lid:UUID:%s", guid);
        json_object_set_new(body, "Id", json_string(id));
        if (entity_create(&r->c, &entity_locators, body, &loc) != 0) {
            loc = NULL;
        }
    }
    json_decref(body);
    json_decref(policy);
    return loc;
}

/* The locator's GUID: streamingLocatorId as given (a GUID), or a new one. */
static int locator_guid(const json_t *props, char guid[GUID_TEXT_LEN + 1])
{
    const char *given = json_string_value(json_object_get(props, "streamingLocatorId"));
    uint8_t rfc[16];

    if (given == NULL) {
        return uuid_v4_text(guid);
    }
    if (guid_parse(given, rfc) != 0) {
        return -1;
    }
    guid_format(rfc, guid);
    return 0;
}

/* The stored locator: its policy (name and a copy, so deleting a custom
 * policy changes no locator), keys and the names v3 answers. */
static void keep_v3_fields(json_t *loc, const json_t *policy, const json_t *props, json_t *keys)
{
    const char *key_policy = json_string_value(json_object_get(props, "defaultContentKeyPolicyName"));
    const json_t *media = json_object_get(props, "alternativeMediaId");

    json_object_set(loc, "_StreamingPolicy", json_object_get(policy, "name"));
    json_object_set(loc, "_ArmPolicy", json_object_get(policy, "properties"));
    json_object_set(loc, "_ArmKeys", keys);
    if (key_policy != NULL) {
        json_object_set_new(loc, "_ArmKeyPolicy", json_string(key_policy));
    }
    if (json_is_string(media)) {
        json_object_set_new(loc, "_ArmAlternativeMediaId", json_string(json_string_value(media)));
    }
}

static http_response_t *check_request(arm_req_t *r, const json_t *props, json_t **policy,
                                      char guid[GUID_TEXT_LEN + 1], int64_t *start, int64_t *end)
{
    const char *policy_name = json_string_value(json_object_get(props, "streamingPolicyName"));
    const json_t *media = json_object_get(props, "alternativeMediaId");

    if (locator_guid(props, guid) != 0) {
        return arm_error(400, "InvalidResource", "properties.streamingLocatorId must be a GUID");
    }
    if (media != NULL && !json_is_null(media)
        && (!json_is_string(media) || json_string_length(media) > ARM_NAME_MAX)) {
        return arm_error(400, "InvalidResource", "properties.alternativeMediaId is a string of at "
                         "most %d bytes", ARM_NAME_MAX);
    }
    if (window_of(r, props, start, end) != 0) {
        return arm_error(400, "InvalidResource", "startTime/endTime must be ISO 8601 times, "
                         "endTime after startTime");
    }
    *policy = arm_policy_load(r, policy_name);
    if (*policy == NULL) {
        return arm_error(400, "InvalidResource", "properties.streamingPolicyName '%.64s' names no "
                         "streaming policy (predefined or created with PUT streamingPolicies/{name})",
                         policy_name ? policy_name : "");
    }
    return NULL;
}

static http_response_t *create_locator(arm_req_t *r, const char *name)
{
    json_t *props = json_object_get(r->body, "properties"), *asset, *loc = NULL, *policy = NULL;
    const char *asset_name = json_string_value(json_object_get(props, "assetName"));
    json_t *keys;
    http_response_t *out;
    char guid[GUID_TEXT_LEN + 1];
    int64_t start, end;

    if ((out = check_request(r, props, &policy, guid, &start, &end)) != NULL) {
        return out;
    }
    asset = asset_name != NULL ? arm_asset_find(r, asset_name) : NULL;
    if (asset == NULL) {
        json_decref(policy);
        return arm_error(404, "ResourceNotFound", "the asset '%s' was not found",
                         asset_name ? asset_name : "");
    }
    keys = json_array();
    if (asset_register_files(&r->c, entity_str(asset, "Id")) == 0
        && arm_locator_protect(r, asset, policy, props, guid, keys) == 0
        && (loc = create_v2_locator(r, name, entity_str(asset, "Id"), guid, start, end)) != NULL) {
        keep_v3_fields(loc, policy, props, keys);
        if (entity_save(&r->c, &entity_locators, loc) == 0) {
            out = arm_json(201, locator_json(r, loc));
        }
    }
    json_decref(loc);
    json_decref(keys);
    json_decref(asset);
    json_decref(policy);
    return out;
}

/* The asset's primary file (the .ism of an encoded asset), or NULL. */
typedef struct {
    api_ctx_t *c;
    json_t *files;
} files_walk_t;

static int add_file(const char *to, void *arg)
{
    files_walk_t *w = arg;
    json_t *f = NULL;

    if (catalog_get(&w->c->txn, entity_files.name, to, &f) == 0) {
        json_array_append_new(w->files, f);
    }
    return json_array_size(w->files) >= 1000;
}

/* "/{guid}/{primary}/manifest{suffix}" for each suffix (NULL-terminated). */
static json_t *path_list(const char *guid, const char *primary, const char *const *suffixes)
{
    char path[ARM_NAME_MAX + 600];
    json_t *out = json_array();

    for (; *suffixes != NULL; suffixes++) {
        snprintf(path, sizeof(path), "/%s/%s/manifest%s", guid, primary, *suffixes);
        json_array_append_new(out, json_string(path));
    }
    return out;
}

/* What the origin serves of each scheme (the rest of an encrypting
 * scheme's protocols is refused, never clear, so it is not listed). */
static const uint32_t served[ARM_SCHEMES] = {
    ARM_PROTO_HLS | ARM_PROTO_DASH | ARM_PROTO_SMOOTH,
    ARM_PROTO_HLS,
    ARM_PROTO_HLS | ARM_PROTO_DASH | ARM_PROTO_SMOOTH,
    ARM_PROTO_HLS | ARM_PROTO_DASH,
};

/* As AMS listed them: per protocol (HLS v4+ then CMAF, DASH CSF then CMAF,
 * Smooth) the scheme that delivers it. */
static json_t *streaming_paths(const arm_policy_plan_t *plan, const char *guid, const char *primary)
{
    static const char *const hls[] = { "(format=m3u8-aapl)", "(format=m3u8-cmaf)", NULL };
    static const char *const dash[] = { "(format=mpd-time-csf)", "(format=mpd-time-cmaf)", NULL };
    static const char *const smooth[] = { "", NULL };
    static const struct {
        const char *name;
        uint32_t flag;
        const char *const *suffixes;
    } protocols[] = {
        { "Hls", ARM_PROTO_HLS, hls }, { "Dash", ARM_PROTO_DASH, dash },
        { "SmoothStreaming", ARM_PROTO_SMOOTH, smooth },
    };
    json_t *out = json_array();

    for (size_t p = 0; p < sizeof(protocols) / sizeof(protocols[0]); p++) {
        for (int s = 0; s < ARM_SCHEMES; s++) {
            if ((plan->protocols[s] & served[s] & protocols[p].flag) != 0) {
                json_array_append_new(out, json_pack("{s:s,s:s,s:o}", "streamingProtocol",
                                                     protocols[p].name, "encryptionScheme",
                                                     arm_scheme_name((arm_scheme_t) s), "paths",
                                                     path_list(guid, primary, protocols[p].suffixes)));
            }
        }
    }
    return out;
}

/* The locator's policy: its stored copy, or (older locators) the predefined one. */
static json_t *policy_properties(arm_req_t *r, const json_t *loc)
{
    json_t *p, *props;

    if (json_is_object(json_object_get(loc, "_ArmPolicy"))) {
        return json_incref(json_object_get(loc, "_ArmPolicy"));
    }
    p = arm_policy_load(r, policy_of(loc));
    props = p != NULL ? json_incref(json_object_get(p, "properties")) : NULL;
    json_decref(p);
    return props != NULL ? props : json_object();
}

static http_response_t *list_paths(arm_req_t *r, const json_t *loc)
{
    json_t *policy = policy_properties(r, loc);
    const char *guid = entity_guid(entity_str(loc, "Id")), *primary = NULL;
    files_walk_t w = { &r->c, json_array() };
    json_t *downloads = json_array(), *streaming, *f;
    char path[ARM_NAME_MAX + 600];
    arm_policy_plan_t plan;
    size_t i;

    arm_policy_plan(policy, &plan);
    catalog_each_link(&r->c.txn, entity_str(loc, "AssetId"), "Files", add_file, &w);
    json_array_foreach(w.files, i, f) {
        const char *name = entity_str(f, "Name");
        size_t n = name != NULL ? strlen(name) : 0;
        if (n > 4 && strcasecmp(name + n - 4, ".ism") == 0) {
            primary = name;
        } else if ((plan.protocols[ARM_SCHEME_CLEAR] & ARM_PROTO_DOWNLOAD) != 0 && n > 0) {
            snprintf(path, sizeof(path), "/%s/%s", guid, name);
            json_array_append_new(downloads, json_string(path));
        }
    }
    streaming = primary != NULL ? streaming_paths(&plan, guid, primary) : json_array();
    json_decref(w.files);
    json_decref(policy);
    return arm_json(200, json_pack("{s:o,s:o}", "streamingPaths", streaming, "downloadPaths",
                                   downloads));
}

static http_response_t *locator_action(arm_req_t *r, json_t *loc)
{
    if (strcmp(r->method, "POST") != 0) {
        return arm_error(405, "MethodNotAllowed", "locator actions are POSTed");
    }
    if (loc == NULL) {
        return arm_error(404, "ResourceNotFound", "the streaming locator '%s' was not found",
                         r->path.seg[1]);
    }
    if (arm_path_seg_is(&r->path, 2, "listPaths")) {
        return list_paths(r, loc);
    }
    if (arm_path_seg_is(&r->path, 2, "listContentKeys")) {
        return arm_json(200, json_pack("{s:o}", "contentKeys", content_keys(r, loc, true)));
    }
    return arm_error(404, "NotSupported", "locator action '%s' is not served", r->path.seg[2]);
}

static http_response_t *one_locator(arm_req_t *r, json_t *loc)
{
    const char *name = r->path.seg[1];

    if (strcmp(r->method, "PUT") == 0) {
        return loc != NULL ? arm_error(409, "Conflict", "the streaming locator '%s' exists; "
                                       "locators are not updated", name)
               : !arm_name_ok(name) ? arm_error(400, "InvalidResourceName", "'%.64s' is not a "
                                                "valid streaming locator name", name)
               : create_locator(r, name);
    }
    if (loc == NULL) {
        return strcmp(r->method, "DELETE") == 0
                   ? http_response_new(204, NULL)
                   : arm_error(404, "ResourceNotFound", "the streaming locator '%s' was not found",
                               name);
    }
    if (strcmp(r->method, "GET") == 0) {
        return arm_json(200, locator_json(r, loc));
    }
    if (strcmp(r->method, "DELETE") == 0) {
        return entity_delete(&r->c, &entity_locators, entity_str(loc, "Id")) == 0
                   ? http_response_new(200, NULL) : NULL;
    }
    return arm_error(405, "MethodNotAllowed", "streamingLocators/{name} takes GET, PUT or DELETE");
}

http_response_t *arm_locators_handle(arm_req_t *r)
{
    json_t *loc;
    http_response_t *out;

    if (r->path.nseg == 1) {
        list_walk_t w = { r, NULL, { 0 }, false };
        if (strcmp(r->method, "GET") != 0) {
            return arm_error(405, "MethodNotAllowed", "the collection is read with GET");
        }
        if ((out = arm_page_init(r, &w.page)) != NULL) {
            return out;
        }
        catalog_each(&r->c.txn, entity_locators.name, add_locator, &w);
        return arm_page_answer(r, &w.page);
    }
    loc = arm_locator_find(r, r->path.seg[1]);
    out = r->path.nseg == 2 ? one_locator(r, loc)
          : r->path.nseg == 3 ? locator_action(r, loc)
          : arm_error(404, "NotSupported", "the path is too deep");
    json_decref(loc);
    return out;
}
