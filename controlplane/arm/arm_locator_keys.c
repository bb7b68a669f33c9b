/*
 * arm_locator_keys.c — a v3 locator's encryption in v2 terms (see
 * arm_locator_keys.h).  Per scheme of the streaming policy:
 *   envelopeEncryption    EnvelopeEncryption (4) key, DynamicEnvelopeEncryption (3) policy
 *   commonEncryptionCenc  CommonEncryption (0) key, DynamicCommonEncryption (4) policy
 *   commonEncryptionCbcs  CommonEncryptionCbcs (6) key, DynamicCommonEncryptionCbcs (5) policy
 *   noEncryption (beside one of those)  NoDynamicEncryption (2) policy
 * over the scheme's enabled protocols.  Keys are 16 random bytes (or the
 * request's value), wrapped with the daemon's protection key as a v2 client
 * would, under the scheme's content key policy.  The delivery policy names
 * the license servers: the drm custom URL templates with {ContentKeyId} and
 * {AlternativeMediaId} (percent-encoded) replaced, else the key service's PlayReady/,
 * Widevine/ and FairPlay/ URLs (which answer 501: those licenses need the
 * vendors' certificates).
 *
 * v2 encryption belongs to the asset, not the locator: an encrypting
 * locator needs an asset without origin locators, a clear one an asset
 * without encryption (409 otherwise).  When the asset has no origin locator
 * left, what earlier v3 locators set up ("arm:" names) is removed first, so
 * a new locator starts from the asset's own v2 settings.
 */
#include "arm/arm_key_policies.h"
#include "arm/arm_locator_keys.h"
#include "entities/entity_sets.h"
#include "keys/key_guid.h"
#include "keys/protection_key.h"
#include "util/text_codec.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARM_PREFIX "arm:"
#define POLICY_CLEAR 2
#define URL_MAX 1024
#define CFG_ENVELOPE_KEY_URL 1
#define CFG_PLAYREADY_URL 4
#define CFG_WIDEVINE_URL 7
#define CFG_WIDEVINE_BASE_URL 8
#define CFG_FAIRPLAY_URL 9
#define CFG_FAIRPLAY_BASE_URL 10

static const struct {
    int key_type;          /* v2 ContentKeyType */
    int delivery_type;     /* v2 AssetDeliveryPolicyType */
} v2_of[ARM_SCHEMES] = {
    { -1, POLICY_CLEAR }, { 4, 3 }, { 0, 4 }, { 6, 5 },
};

typedef struct {
    arm_req_t *r;
    const json_t *policy_props, *props;
    const char *locator_guid, *asset_id;
    arm_policy_plan_t plan;
} setup_t;

static bool made_here(api_ctx_t *c, const char *set, const char *id)
{
    json_t *rec = NULL;
    bool ours = catalog_get(&c->txn, set, id, &rec) == 0 && entity_str(rec, "Name") != NULL
                && strncmp(entity_str(rec, "Name"), ARM_PREFIX, strlen(ARM_PREFIX)) == 0;
    json_decref(rec);
    return ours;
}

/* Unlinks (and deletes when no other asset has it) what earlier v3
 * locators made: nav_name "DeliveryPolicies" or "ContentKeys" of the asset. */
static int drop_earlier(setup_t *s, const char *nav_name, const entity_set_t *set)
{
    const entity_nav_t *nav = entity_nav_find(&entity_assets, nav_name);
    json_t *ids = entity_nav_ids(&s->r->c, s->asset_id, nav), *id;
    char back[64];
    size_t i;
    int rc = 0;

    snprintf(back, sizeof(back), "~Assets.%s", nav_name);
    json_array_foreach(ids, i, id) {
        const char *target = json_string_value(id);
        if (!made_here(&s->r->c, set->name, target)) {
            continue;
        }
        rc = entity_link(&s->r->c, &entity_assets, s->asset_id, nav, target, false);
        if (rc == 0 && catalog_count_links(&s->r->c.txn, target, back) == 0) {
            rc = entity_delete(&s->r->c, set, target);
        }
        if (rc != 0) {
            break;
        }
    }
    json_decref(ids);
    return rc;
}

static bool encrypting(const arm_policy_plan_t *plan)
{
    return plan->scheme[ARM_SCHEME_ENVELOPE] != NULL || plan->scheme[ARM_SCHEME_CENC] != NULL
           || plan->scheme[ARM_SCHEME_CBCS] != NULL;
}

/* The 409s of "encryption belongs to the asset", and the clean slate. */
static int check_asset(setup_t *s)
{
    api_ctx_t *c = &s->r->c;

    if (asset_has_origin_locator(c, s->asset_id)) {
        if (encrypting(&s->plan)) {
            return api_fail(c, 409, "Conflict", "the asset already has a streaming locator: "
                            "encryption belongs to the asset here, so a locator with an "
                            "encrypting streaming policy needs an asset without other locators");
        }
        if (catalog_count_links(&c->txn, s->asset_id, "DeliveryPolicies") > 0) {
            return api_fail(c, 409, "Conflict", "the asset is encrypted (it has a delivery "
                            "policy, e.g. from a Predefined_ClearKey locator): a clear streaming "
                            "policy would not be clear");
        }
        return 0;
    }
    if (drop_earlier(s, "DeliveryPolicies", &entity_delivery_policies) != 0
        || drop_earlier(s, "ContentKeys", &entity_content_keys) != 0) {
        return -1;
    }
    if (!encrypting(&s->plan) && catalog_count_links(&c->txn, s->asset_id, "DeliveryPolicies") > 0) {
        return api_fail(c, 409, "Conflict", "the asset is encrypted (it has v2 delivery policies): "
                        "a clear streaming policy would not be clear");
    }
    return 0;
}

/* "{ContentKeyId}" and "{AlternativeMediaId}" replaced; 0 or -1 (too long). */
static int expand_template(const char *tmpl, const char *kid_guid, const char *media_id,
                           char out[URL_MAX + 1])
{
    static const char key_word[] = "{ContentKeyId}", media_word[] = "{AlternativeMediaId}";
    size_t n = 0;

    while (*tmpl != '\0') {
        const char *with = NULL;
        size_t skip = 1, len;
        if (strncmp(tmpl, key_word, sizeof(key_word) - 1) == 0) {
            with = kid_guid;
            skip = sizeof(key_word) - 1;
        } else if (strncmp(tmpl, media_word, sizeof(media_word) - 1) == 0) {
            with = media_id;
            skip = sizeof(media_word) - 1;
        }
        len = with != NULL ? strlen(with) : 1;
        if (n + len > URL_MAX) {
            return -1;
        }
        memcpy(out + n, with != NULL ? with : tmpl, len);
        n += len;
        tmpl += skip;
    }
    out[n] = '\0';
    return 0;
}

static int add_config(setup_t *s, json_t *cfg, int key, const char *tmpl, const char *kid_guid,
                      const char *fallback)
{
    const char *media = json_string_value(json_object_get(s->props, "alternativeMediaId"));
    char url[URL_MAX + 1], media_enc[3 * 300 + 1];

    if (tmpl == NULL) {
        if (fallback == NULL) {
            return 0;
        }
        snprintf(url, sizeof(url), "%s%s", s->r->c.app->cfg.key_delivery_url, fallback);
    } else if (url_encode(media != NULL ? media : s->locator_guid,
                          strlen(media != NULL ? media : s->locator_guid), media_enc,
                          sizeof(media_enc)) < 0
               || expand_template(tmpl, kid_guid, media_enc, url) != 0) {
        return api_fail(&s->r->c, 400, "InvalidResource", "a license or key URL template of the "
                        "streaming policy is longer than %d bytes once expanded", URL_MAX);
    }
    json_array_append_new(cfg, json_pack("{s:i,s:s}", "Key", key, "Value", url));
    return 0;
}

static const char *drm_template(const json_t *scheme, const char *system, bool *present)
{
    const json_t *sys = json_object_get(json_object_get(scheme, "drm"), system);

    *present = json_is_object(sys);
    return json_string_value(json_object_get(sys, "customLicenseAcquisitionUrlTemplate"));
}

/* The delivery policy's AssetDeliveryConfiguration for scheme sc. */
static int scheme_config(setup_t *s, arm_scheme_t sc, const char *kid_guid, json_t *cfg)
{
    const json_t *scheme = s->plan.scheme[sc];
    const char *t;
    bool on;
    int rc = 0;

    if (sc == ARM_SCHEME_ENVELOPE) {
        t = json_string_value(json_object_get(scheme, "customKeyAcquisitionUrlTemplate"));
        return add_config(s, cfg, CFG_ENVELOPE_KEY_URL, t, kid_guid, NULL);
    }
    t = drm_template(scheme, "playReady", &on);
    if (on) {
        rc = add_config(s, cfg, CFG_PLAYREADY_URL, t, kid_guid, "PlayReady/");
    }
    t = drm_template(scheme, "widevine", &on);
    if (rc == 0 && on) {
        rc = t != NULL ? add_config(s, cfg, CFG_WIDEVINE_URL, t, kid_guid, NULL)
                       : add_config(s, cfg, CFG_WIDEVINE_BASE_URL, NULL, kid_guid, "Widevine/");
    }
    t = drm_template(scheme, "fairPlay", &on);
    if (rc == 0 && on && sc == ARM_SCHEME_CBCS) {
        rc = t != NULL ? add_config(s, cfg, CFG_FAIRPLAY_URL, t, kid_guid, NULL)
                       : add_config(s, cfg, CFG_FAIRPLAY_BASE_URL, NULL, kid_guid, "FairPlay/");
    }
    return rc;
}

static int link_asset(setup_t *s, const char *nav_name, const char *target)
{
    return entity_link(&s->r->c, &entity_assets, s->asset_id,
                       entity_nav_find(&entity_assets, nav_name), target, true);
}

static int add_delivery_policy(setup_t *s, arm_scheme_t sc, const char *kid_guid)
{
    json_t *cfg = json_array(), *body, *rec = NULL;
    char name[64], *text = NULL;
    int rc = sc == ARM_SCHEME_CLEAR ? 0 : scheme_config(s, sc, kid_guid, cfg);

    snprintf(name, sizeof(name), ARM_PREFIX "%s", arm_scheme_member(sc));
    if (rc == 0 && json_array_size(cfg) > 0) {
        text = json_dumps(cfg, JSON_COMPACT);
    }
    body = json_pack("{s:s,s:i,s:i,s:s?}", "Name", name, "AssetDeliveryProtocol",
                     (int) s->plan.protocols[sc], "AssetDeliveryPolicyType",
                     v2_of[sc].delivery_type, "AssetDeliveryConfiguration", text);
    if (rc == 0 && (rc = entity_create(&s->r->c, &entity_delivery_policies, body, &rec)) == 0) {
        rc = link_asset(s, "DeliveryPolicies", entity_str(rec, "Id"));
    }
    free(text);
    json_decref(cfg);
    json_decref(body);
    json_decref(rec);
    return rc;
}

/* The request's contentKeys entry for label (only: alone_ok), or NULL. */
static const json_t *given_key(setup_t *s, const char *label, bool alone_ok)
{
    const json_t *keys = json_object_get(s->props, "contentKeys"), *k;
    size_t i;

    json_array_foreach(keys, i, k) {
        const char *l = json_string_value(json_object_get(k, "labelReferenceInStreamingPolicy"));
        if ((l != NULL && strcmp(l, label) == 0) || (l == NULL && alone_ok)) {
            return k;
        }
    }
    return NULL;
}

/* Id and value of the key: the request's, else new; 0 or -1 after api_fail. */
static int key_material(setup_t *s, const json_t *given, char guid[GUID_TEXT_LEN + 1],
                        uint8_t key[16])
{
    const char *id = json_string_value(json_object_get(given, "id"));
    const char *value = json_string_value(json_object_get(given, "value"));
    uint8_t rfc[16];
    size_t len = 0;

    if (id != NULL) {
        if (guid_parse(id, rfc) != 0) {
            return api_fail(&s->r->c, 400, "InvalidResource", "properties.contentKeys[].id '%.64s' "
                            "is not a GUID", id);
        }
        guid_format(rfc, guid);
    } else if (uuid_v4_text(guid) != 0) {
        return api_fail(&s->r->c, 500, "InternalError", "no random key id");
    }
    if (value != NULL) {
        if (base64_decode_strict(value, strlen(value), key, 16, &len) != BASE64_OK || len != 16) {
            return api_fail(&s->r->c, 400, "InvalidResource", "properties.contentKeys[].value "
                            "must be 16 bytes in base64");
        }
        return 0;
    }
    return RAND_bytes(key, 16) == 1 ? 0
           : api_fail(&s->r->c, 500, "InternalError", "no random key");
}

static int create_key(setup_t *s, arm_scheme_t sc, const json_t *given, const json_t *key_policy,
                      char kid[ENTITY_ID_MAX])
{
    uint8_t key[16];
    char guid[GUID_TEXT_LEN + 1], *wrapped = NULL, name[64];
    json_t *body, *rec = NULL;
    int rc = key_material(s, given, guid, key);

    if (rc == 0 && protection_key_wrap(s->r->c.app->protection_key, key, sizeof(key), &wrapped) != 0) {
        rc = api_fail(&s->r->c, 500, "InternalError", "cannot wrap a content key");
    }
    OPENSSL_cleanse(key, sizeof(key));
    if (rc != 0) {
        return rc;
    }
    snprintf(kid, ENTITY_ID_MAX, CONTENT_KEY_ID_PREFIX "%s", guid);
    snprintf(name, sizeof(name), ARM_PREFIX "%s", arm_scheme_member(sc));
    body = json_pack("{s:s,s:i,s:s,s:s,s:i,s:s,s:s}", "Id", kid, "ContentKeyType",
                     v2_of[sc].key_type, "EncryptedContentKey", wrapped, "ProtectionKeyId",
                     protection_key_id(s->r->c.app->protection_key), "ProtectionKeyType", 0,
                     "Name", name, "AuthorizationPolicyId", entity_str(key_policy, "Id"));
    rc = entity_create(&s->r->c, &entity_content_keys, body, &rec);
    if (rc == 0) {
        rc = link_asset(s, "ContentKeys", kid);
    }
    OPENSSL_cleanse(wrapped, strlen(wrapped));
    free(wrapped);
    json_decref(body);
    json_decref(rec);
    return rc;
}

/* The content key policy of scheme sc: its defaultKey.policyName, else the
 * locator's defaultContentKeyPolicyName, else the policy's. */
static json_t *key_policy_of(setup_t *s, arm_scheme_t sc, const char **name)
{
    const json_t *def = json_object_get(json_object_get(s->plan.scheme[sc], "contentKeys"),
                                        "defaultKey");
    *name = json_string_value(json_object_get(def, "policyName"));
    if (*name == NULL) {
        *name = json_string_value(json_object_get(s->props, "defaultContentKeyPolicyName"));
    }
    if (*name == NULL) {
        *name = json_string_value(json_object_get(s->policy_props, "defaultContentKeyPolicyName"));
    }
    return *name != NULL ? arm_key_policy_find(s->r, *name) : NULL;
}

static int protect_scheme(setup_t *s, arm_scheme_t sc, int schemes, json_t *keys)
{
    const char *label = arm_scheme_label(&s->plan, sc), *policy_name = NULL;
    json_t *key_policy = key_policy_of(s, sc, &policy_name);
    char kid[ENTITY_ID_MAX];
    int rc;

    if (key_policy == NULL) {
        return api_fail(&s->r->c, 400, "InvalidResource", "properties.defaultContentKeyPolicyName: "
                        "the %s keys of the streaming policy need an existing content key policy "
                        "('%.64s' is none)", arm_scheme_member(sc), policy_name ? policy_name : "");
    }
    rc = create_key(s, sc, given_key(s, label, schemes == 1), key_policy, kid);
    if (rc == 0) {
        rc = add_delivery_policy(s, sc, entity_guid(kid));
    }
    if (rc == 0) {
        json_array_append_new(keys, json_pack("{s:s,s:s,s:s,s:s}", "kid", kid, "type",
                                              arm_scheme_name(sc), "label", label, "policyName",
                                              entity_str(key_policy, "Name")));
    }
    json_decref(key_policy);
    return rc;
}

/* Every contentKeys entry of the request must name a key of the policy. */
static int check_given_keys(setup_t *s, int schemes)
{
    const json_t *keys = json_object_get(s->props, "contentKeys"), *k;
    size_t i;

    if (keys == NULL || json_is_null(keys)) {
        return 0;
    }
    if (!json_is_array(keys) || json_array_size(keys) > ARM_SCHEMES) {
        return api_fail(&s->r->c, 400, "InvalidResource", "properties.contentKeys is a list of at "
                        "most %d keys", ARM_SCHEMES);
    }
    json_array_foreach(keys, i, k) {
        const char *l = json_string_value(json_object_get(k, "labelReferenceInStreamingPolicy"));
        bool found = l == NULL && schemes == 1;
        for (int sc = ARM_SCHEME_ENVELOPE; !found && l != NULL && sc < ARM_SCHEMES; sc++) {
            found = s->plan.scheme[sc] != NULL && strcmp(arm_scheme_label(&s->plan, sc), l) == 0;
        }
        if (!json_is_object(k) || !found) {
            return api_fail(&s->r->c, 400, "InvalidResource", "properties.contentKeys[%zu]."
                            "labelReferenceInStreamingPolicy '%.64s' names no key of the "
                            "streaming policy", i, l ? l : "");
        }
    }
    return 0;
}

int arm_locator_protect(arm_req_t *r, const json_t *asset, const json_t *policy,
                        const json_t *props, const char *locator_guid, json_t *keys)
{
    setup_t s = { r, json_object_get(policy, "properties"), props, locator_guid,
                  entity_str(asset, "Id"), { { 0 }, { 0 } } };
    int schemes = 0, rc;

    arm_policy_plan(s.policy_props, &s.plan);
    for (int sc = ARM_SCHEME_ENVELOPE; sc < ARM_SCHEMES; sc++) {
        schemes += s.plan.scheme[sc] != NULL;
    }
    rc = check_given_keys(&s, schemes);
    rc = rc != 0 ? rc : check_asset(&s);
    for (int sc = ARM_SCHEME_ENVELOPE; rc == 0 && sc < ARM_SCHEMES; sc++) {
        if (s.plan.scheme[sc] != NULL && s.plan.protocols[sc] != 0) {
            rc = protect_scheme(&s, (arm_scheme_t) sc, schemes, keys);
        }
    }
    if (rc == 0 && schemes > 0 && s.plan.protocols[ARM_SCHEME_CLEAR] != 0) {
        rc = add_delivery_policy(&s, ARM_SCHEME_CLEAR, NULL);
    }
    return rc;
}

json_t *arm_locator_key_json(arm_req_t *r, const json_t *stored, bool with_value)
{
    const char *kid = entity_str(stored, "kid");
    json_t *out = json_pack("{s:s,s:s?,s:s?,s:s?,s:[]}", "id", entity_guid(kid), "type",
                            entity_str(stored, "type"), "labelReferenceInStreamingPolicy",
                            entity_str(stored, "label"), "policyName",
                            entity_str(stored, "policyName"), "tracks");
    json_t *rec = NULL;
    uint8_t key[CONTENT_KEY_MAX];
    size_t len = 0;

    if (with_value && catalog_get(&r->c.txn, entity_content_keys.name, kid, &rec) == 0
        && content_key_open(&r->c, rec, key, sizeof(key), &len) == 0) {
        char *b64 = base64_encode_alloc(key, len);
        json_object_set_new(out, "value", json_string(b64 ? b64 : ""));
        if (b64 != NULL) {
            OPENSSL_cleanse(b64, strlen(b64));
        }
        free(b64);
        OPENSSL_cleanse(key, sizeof(key));
    }
    json_decref(rec);
    return out;
}
