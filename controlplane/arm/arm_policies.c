/*
 * arm_policies.c — v3 streaming policies (arm_policies.h):
 *   GET    streamingPolicies            the predefined ones, then the custom ones
 *   GET    streamingPolicies/{name}     one
 *   PUT    streamingPolicies/{name}     create a custom one (201; 409 when the name exists:
 *                                       policies are not updated, as in AMS)
 *   DELETE streamingPolicies/{name}     200, 204 when none; predefined ones are 400
 * A locator keeps a copy of its policy, so deleting a policy changes no
 * published locator.
 */
#include "arm/arm_error.h"
#include "arm/arm_names.h"
#include "arm/arm_policies.h"
#include "catalog/catalog_schema.h"
#include "util/time_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define POLICY_TYPE "Microsoft.Media/mediaservices/streamingPolicies"
#define KEY_PREFIX "arm:streamingPolicy:"
#define PREDEFINED_CREATED "2018-01-01T00:00:00Z"
#define TEMPLATE_MAX 1024
#define LABEL_MAX 256

#define STREAMING(dl, hls) "{\"download\":" dl ",\"dash\":true,\"hls\":" hls ",\"smoothStreaming\":true}"
#define CENC_DRM "\"drm\":{\"playReady\":{},\"widevine\":{}}"

static const struct {
    const char *name;
    const char *properties;
} predefined[] = {
    { "Predefined_ClearStreamingOnly",
      "{\"noEncryption\":{\"enabledProtocols\":" STREAMING("false", "true") "}}" },
    { "Predefined_DownloadAndClearStreaming",
      "{\"noEncryption\":{\"enabledProtocols\":" STREAMING("true", "true") "}}" },
    { "Predefined_DownloadOnly",
      "{\"noEncryption\":{\"enabledProtocols\":{\"download\":true,\"dash\":false,\"hls\":false,"
      "\"smoothStreaming\":false}}}" },
    { "Predefined_ClearKey",
      "{\"envelopeEncryption\":{\"enabledProtocols\":" STREAMING("false", "true") ","
      "\"contentKeys\":{\"defaultKey\":{\"label\":\"clearKeyDefault\"}}}}" },
    { "Predefined_MultiDrmCencStreaming",
      "{\"commonEncryptionCenc\":{\"enabledProtocols\":" STREAMING("false", "true") ","
      CENC_DRM ",\"contentKeys\":{\"defaultKey\":{\"label\":\"cencDefaultKey\"}}}}" },
    { "Predefined_MultiDrmStreaming",
      "{\"commonEncryptionCenc\":{\"enabledProtocols\":" STREAMING("false", "false") ","
      CENC_DRM ",\"contentKeys\":{\"defaultKey\":{\"label\":\"cencDefaultKey\"}}},"
      "\"commonEncryptionCbcs\":{\"enabledProtocols\":{\"download\":false,\"dash\":false,"
      "\"hls\":true,\"smoothStreaming\":false},\"drm\":{\"fairPlay\":{\"allowPersistentLicense\":"
      "false}},\"contentKeys\":{\"defaultKey\":{\"label\":\"cbcsDefaultKey\"}}}}" },
};
#define PREDEFINED (sizeof(predefined) / sizeof(predefined[0]))

static const char *const members[ARM_SCHEMES] = {
    "noEncryption", "envelopeEncryption", "commonEncryptionCenc", "commonEncryptionCbcs"
};
static const char *const names[ARM_SCHEMES] = {
    "NoEncryption", "EnvelopeEncryption", "CommonEncryptionCenc", "CommonEncryptionCbcs"
};
static const char *const labels[ARM_SCHEMES] = {
    "", "clearKeyDefault", "cencDefaultKey", "cbcsDefaultKey"
};
static const struct {
    const char *member;
    uint32_t flag;
} protocols[] = {
    { "download", ARM_PROTO_DOWNLOAD }, { "dash", ARM_PROTO_DASH }, { "hls", ARM_PROTO_HLS },
    { "smoothStreaming", ARM_PROTO_SMOOTH },
};

const char *arm_scheme_member(arm_scheme_t s) { return members[s]; }
const char *arm_scheme_name(arm_scheme_t s) { return names[s]; }

const char *arm_scheme_label(const arm_policy_plan_t *plan, arm_scheme_t s)
{
    const json_t *key = json_object_get(json_object_get(plan->scheme[s], "contentKeys"),
                                        "defaultKey");
    const char *label = json_string_value(json_object_get(key, "label"));
    return label != NULL && label[0] != '\0' ? label : labels[s];
}

void arm_policy_plan(const json_t *properties, arm_policy_plan_t *plan)
{
    memset(plan, 0, sizeof(*plan));
    for (int s = 0; s < ARM_SCHEMES; s++) {
        const json_t *scheme = json_object_get(properties, members[s]);
        const json_t *enabled = json_object_get(scheme, "enabledProtocols");
        if (!json_is_object(scheme)) {
            continue;
        }
        plan->scheme[s] = scheme;
        for (size_t p = 0; p < sizeof(protocols) / sizeof(protocols[0]); p++) {
            if (json_is_true(json_object_get(enabled, protocols[p].member))) {
                plan->protocols[s] |= protocols[p].flag;
            }
        }
    }
}

static size_t policy_key(const char *name, char *out, size_t cap)
{
    size_t n = (size_t) snprintf(out, cap, KEY_PREFIX "%s", name);

    for (size_t i = strlen(KEY_PREFIX); i < n && i < cap; i++) {
        out[i] = (char) tolower((unsigned char) out[i]);
    }
    return n < cap ? n : 0;
}

static json_t *predefined_policy(size_t i)
{
    return json_pack("{s:s,s:s,s:o}", "name", predefined[i].name, "created", PREDEFINED_CREATED,
                     "properties", json_loads(predefined[i].properties, 0, NULL));
}

static bool is_predefined(const char *name)
{
    for (size_t i = 0; name != NULL && i < PREDEFINED; i++) {
        if (strcasecmp(predefined[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

json_t *arm_policy_load(arm_req_t *r, const char *name)
{
    char key[ARM_NAME_MAX + 32];
    size_t klen;
    MDB_val v;

    for (size_t i = 0; name != NULL && i < PREDEFINED; i++) {
        if (strcasecmp(predefined[i].name, name) == 0) {
            return predefined_policy(i);
        }
    }
    klen = name != NULL ? policy_key(name, key, sizeof(key)) : 0;
    if (klen == 0 || catalog_raw_get(&r->c.txn, CATALOG_DB_META, key, klen, &v) != 0) {
        return NULL;
    }
    return json_loadb(v.mv_data, v.mv_size, 0, NULL);
}

static json_t *policy_json(arm_req_t *r, const json_t *p)
{
    json_t *props = json_deep_copy(json_object_get(p, "properties"));

    json_object_set(props, "created", json_object_get(p, "created"));
    return arm_resource(r, "streamingPolicies", POLICY_TYPE,
                        json_string_value(json_object_get(p, "name")), props);
}

/* ---- checking a custom policy: each 400 names the field */

/* Nothing that could break out of a manifest attribute: no quotes, angle
 * brackets, backslashes, white space or control characters. */
static bool url_chars_ok(const char *v)
{
    for (; *v != '\0'; v++) {
        if ((unsigned char) *v <= ' ' || strchr("\"'<>\\", *v) != NULL) {
            return false;
        }
    }
    return true;
}

static http_response_t *check_url_template(const json_t *obj, const char *key, const char *field)
{
    const json_t *t = json_object_get(obj, key);
    const char *v = json_string_value(t);

    if (t == NULL || json_is_null(t)) {
        return NULL;
    }
    if (v == NULL || strlen(v) > TEMPLATE_MAX
        || (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
        || !url_chars_ok(v)) {
        return arm_error(400, "InvalidResource", "properties.%s.%s must be an absolute http(s) URL "
                         "of at most %d bytes without quotes, angle brackets, backslashes or white "
                         "space ({ContentKeyId} and {AlternativeMediaId} are replaced)",
                         field, key, TEMPLATE_MAX);
    }
    return NULL;
}

static http_response_t *check_drm(const json_t *scheme, const char *member)
{
    static const char *const systems[] = { "playReady", "widevine", "fairPlay" };
    const json_t *drm = json_object_get(scheme, "drm");
    char field[96];
    http_response_t *bad;

    if (drm == NULL || json_is_null(drm)) {
        return NULL;
    }
    if (!json_is_object(drm)) {
        return arm_error(400, "InvalidResource", "properties.%s.drm must be an object", member);
    }
    for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++) {
        const json_t *sys = json_object_get(drm, systems[i]);
        if (sys == NULL || json_is_null(sys)) {
            continue;
        }
        snprintf(field, sizeof(field), "%s.drm.%s", member, systems[i]);
        if (!json_is_object(sys)) {
            return arm_error(400, "InvalidResource", "properties.%s must be an object", field);
        }
        if ((bad = check_url_template(sys, "customLicenseAcquisitionUrlTemplate", field)) != NULL) {
            return bad;
        }
    }
    return NULL;
}

static http_response_t *check_keys(const json_t *scheme, const char *member)
{
    const json_t *keys = json_object_get(scheme, "contentKeys");
    const json_t *def = json_object_get(keys, "defaultKey");
    const json_t *label = json_object_get(def, "label"), *policy = json_object_get(def, "policyName");
    const json_t *mappings = json_object_get(keys, "keyToTrackMappings");

    if (json_array_size(mappings) > 0) {
        return arm_error(400, "NotSupported", "properties.%s.contentKeys.keyToTrackMappings is not "
                         "served: one key encrypts every track here", member);
    }
    if ((label != NULL && !json_is_null(label)
         && (!json_is_string(label) || json_string_length(label) > LABEL_MAX))
        || (policy != NULL && !json_is_null(policy) && !json_is_string(policy))) {
        return arm_error(400, "InvalidResource", "properties.%s.contentKeys.defaultKey: label (at "
                         "most %d bytes) and policyName are strings", member, LABEL_MAX);
    }
    return NULL;
}

static http_response_t *check_scheme(const json_t *props, arm_scheme_t s)
{
    const json_t *scheme = json_object_get(props, members[s]);
    const json_t *enabled = json_object_get(scheme, "enabledProtocols");
    http_response_t *bad;

    if (!json_is_object(scheme)) {
        return arm_error(400, "InvalidResource", "properties.%s must be an object", members[s]);
    }
    for (size_t p = 0; p < sizeof(protocols) / sizeof(protocols[0]); p++) {
        if (!json_is_boolean(json_object_get(enabled, protocols[p].member))) {
            return arm_error(400, "InvalidResource", "properties.%s.enabledProtocols.%s is "
                             "required (true or false)", members[s], protocols[p].member);
        }
    }
    if (json_array_size(json_object_get(scheme, "clearTracks")) > 0) {
        return arm_error(400, "NotSupported", "properties.%s.clearTracks is not served: every "
                         "track of an encrypted protocol is encrypted here", members[s]);
    }
    if (s == ARM_SCHEME_CLEAR) {
        return NULL;
    }
    if ((bad = check_keys(scheme, members[s])) != NULL
        || (bad = check_drm(scheme, members[s])) != NULL) {
        return bad;
    }
    return s == ARM_SCHEME_ENVELOPE
               ? check_url_template(scheme, "customKeyAcquisitionUrlTemplate", members[s]) : NULL;
}

/* Every scheme well formed, at least one protocol, a protocol in one scheme
 * only (an asset's protocol has one encryption), labels apart. */
static http_response_t *check_policy(const json_t *props)
{
    arm_policy_plan_t plan;
    uint32_t seen = 0;
    int count = 0;
    http_response_t *bad;

    if (!json_is_object(props)) {
        return arm_error(400, "InvalidResource", "properties is required");
    }
    arm_policy_plan(props, &plan);
    for (int s = 0; s < ARM_SCHEMES; s++) {
        if (json_object_get(props, members[s]) == NULL) {
            continue;
        }
        if ((bad = check_scheme(props, (arm_scheme_t) s)) != NULL) {
            return bad;
        }
        if ((plan.protocols[s] & seen) != 0) {
            return arm_error(400, "InvalidResource", "properties.%s.enabledProtocols: a protocol "
                             "is enabled in two schemes; here an asset delivers each protocol "
                             "with one scheme", members[s]);
        }
        for (int t = 1; t < s; t++) {
            if (plan.scheme[t] != NULL && strcmp(arm_scheme_label(&plan, (arm_scheme_t) s),
                                                 arm_scheme_label(&plan, (arm_scheme_t) t)) == 0) {
                return arm_error(400, "InvalidResource", "properties.%s.contentKeys.defaultKey."
                                 "label: two schemes have the label '%s'", members[s],
                                 arm_scheme_label(&plan, (arm_scheme_t) s));
            }
        }
        seen |= plan.protocols[s];
        count++;
    }
    if (count == 0 || seen == 0) {
        return arm_error(400, "InvalidResource", "properties needs one of noEncryption, "
                         "envelopeEncryption, commonEncryptionCenc, commonEncryptionCbcs with an "
                         "enabled protocol");
    }
    if (json_object_get(props, "defaultContentKeyPolicyName") != NULL
        && !json_is_string(json_object_get(props, "defaultContentKeyPolicyName"))) {
        return arm_error(400, "InvalidResource", "properties.defaultContentKeyPolicyName is a string");
    }
    return NULL;
}

/* The stored properties: what the client sent of the known members. */
static json_t *kept_properties(const json_t *props)
{
    json_t *out = json_object();

    for (int s = 0; s < ARM_SCHEMES; s++) {
        if (json_object_get(props, members[s]) != NULL) {
            json_object_set(out, members[s], json_object_get(props, members[s]));
        }
    }
    if (json_is_string(json_object_get(props, "defaultContentKeyPolicyName"))) {
        json_object_set(out, "defaultContentKeyPolicyName",
                        json_object_get(props, "defaultContentKeyPolicyName"));
    }
    return out;
}

static http_response_t *create_policy(arm_req_t *r, const char *name)
{
    const json_t *props = json_object_get(r->body, "properties");
    http_response_t *bad = check_policy(props);
    char key[ARM_NAME_MAX + 32], now[TIME_ISO_LEN], *text;
    size_t klen = policy_key(name, key, sizeof(key));
    json_t *p;
    int rc;

    if (bad != NULL) {
        return bad;
    }
    if (!arm_name_ok(name) || klen == 0) {
        return arm_error(400, "InvalidResourceName", "'%.64s' is not a valid streaming policy name",
                         name);
    }
    time_format_iso(r->c.now_ms, now);
    p = json_pack("{s:s,s:s,s:o}", "name", name, "created", now, "properties",
                  kept_properties(props));
    text = json_dumps(p, JSON_COMPACT);
    rc = text != NULL ? catalog_raw_put(&r->c.txn, CATALOG_DB_META, key, klen, text, strlen(text))
                      : -1;
    free(text);
    bad = rc == 0 ? arm_json(201, policy_json(r, p))
                  : arm_error(500, "InternalError", "the policy could not be stored");
    json_decref(p);
    return bad;
}

static http_response_t *list_policies(arm_req_t *r)
{
    MDB_val k, v;
    char key[sizeof(KEY_PREFIX) + ARM_NAME_MAX + 2];
    size_t klen = strlen(KEY_PREFIX);
    arm_page_t page;
    http_response_t *bad = arm_page_init(r, &page);

    if (bad != NULL) {
        return bad;
    }
    for (size_t i = 0; i < PREDEFINED; i++) {
        if (arm_page_take(&page)) {
            json_t *p = predefined_policy(i);
            json_array_append_new(page.value, policy_json(r, p));
            json_decref(p);
        }
    }
    memcpy(key, KEY_PREFIX, klen);
    while (!arm_page_full(&page)
           && catalog_raw_seek(&r->c.txn, CATALOG_DB_META, key, klen, &k, &v) == 0
           && k.mv_size > strlen(KEY_PREFIX) && k.mv_size < sizeof(key) - 1
           && memcmp(k.mv_data, KEY_PREFIX, strlen(KEY_PREFIX)) == 0) {
        json_t *p = arm_page_take(&page) ? json_loadb(v.mv_data, v.mv_size, 0, NULL) : NULL;
        if (p != NULL) {
            json_array_append_new(page.value, policy_json(r, p));
            json_decref(p);
        }
        memcpy(key, k.mv_data, k.mv_size);      /* next: the key + "\0" */
        key[k.mv_size] = '\0';
        klen = k.mv_size + 1;
    }
    return arm_page_answer(r, &page);
}

static http_response_t *one_policy(arm_req_t *r)
{
    const char *name = r->path.seg[1];
    json_t *p = arm_policy_load(r, name);
    char key[ARM_NAME_MAX + 32];
    size_t klen;
    http_response_t *out;

    if (strcmp(r->method, "PUT") == 0) {
        out = p != NULL ? arm_error(409, "Conflict", "the streaming policy '%s' exists; streaming "
                                    "policies are not updated", name)
                        : create_policy(r, name);
    } else if (strcmp(r->method, "GET") == 0) {
        out = p != NULL ? arm_json(200, policy_json(r, p))
                        : arm_error(404, "ResourceNotFound", "the streaming policy '%s' was not "
                                    "found", name);
    } else if (strcmp(r->method, "DELETE") == 0) {
        klen = policy_key(name, key, sizeof(key));
        out = p == NULL ? http_response_new(204, NULL)
              : is_predefined(name) ? arm_error(400, "BadRequest", "predefined streaming policies "
                                                "cannot be deleted")
              : catalog_raw_del(&r->c.txn, CATALOG_DB_META, key, klen) == 0
                  ? http_response_new(200, NULL)
                  : arm_error(500, "InternalError", "the policy could not be deleted");
    } else {
        out = arm_error(405, "MethodNotAllowed", "streamingPolicies/{name} takes GET, PUT or DELETE");
    }
    json_decref(p);
    return out;
}

http_response_t *arm_policies_handle(arm_req_t *r)
{
    if (r->path.nseg == 1) {
        return strcmp(r->method, "GET") == 0
                   ? list_policies(r)
                   : arm_error(405, "MethodNotAllowed", "the collection is read with GET");
    }
    return r->path.nseg == 2 ? one_policy(r)
                             : arm_error(404, "NotSupported", "the path is too deep");
}
