/*
 * entity_delivery_policies.c — AssetDeliveryPolicies: which streaming
 * protocols an asset is delivered over, and how (in the clear, blocked, or
 * with dynamic encryption).  Linked to assets through
 * Assets('…')/$links/DeliveryPolicies; the rules of linking live in
 * entity_assets.c, the effect on the origin in origin_publish.c.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "util/text_codec.h"

#include <string.h>

#define PROTOCOL_FLAGS 0x1F       /* Smooth | Dash | HLS | Hds | ProgressiveDownload */
#define PROTOCOL_ALL   0xFFFF

static const entity_prop_t policy_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { "AssetDeliveryProtocol", EDM_INT32, P_REQUIRED, 0, NULL, NULL },
    { "AssetDeliveryPolicyType", EDM_INT32, P_REQUIRED, 0, NULL, NULL },
    { "AssetDeliveryConfiguration", EDM_STRING, P_NULLABLE, 16384, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t policy_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

/* AssetDeliveryPolicyConfigurationKey values whose Value is a URL, and the
 * one that is an IV. */
static bool config_key_is_url(long long key)
{
    return key == 1 || key == 2 || key == 4 || key == 7 || key == 8 || key == 9 || key == 10;
}

#define CONFIG_ENVELOPE_IV_BASE64 3
#define CONFIG_CBCS_IV_BASE64 11

/* A value the origin will use must be usable: URLs absolute http(s) (they go
 * into playlists and PSSH boxes as they are), the envelope IV 16 bytes. */
static int check_configuration_value(api_ctx_t *c, size_t i, long long key, const char *v)
{
    uint8_t iv[16];
    size_t len = 0;

    if (config_key_is_url(key) && strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) {
        return api_fail(c, 400, "InvalidValue", "AssetDeliveryConfiguration entry %zu (Key %lld): "
                        "the value must be an absolute http(s) URL", i, key);
    }
    if ((key == CONFIG_ENVELOPE_IV_BASE64 || key == CONFIG_CBCS_IV_BASE64)
        && (base64_decode_strict(v, strlen(v), iv, sizeof(iv), &len) != BASE64_OK || len != 16)) {
        return api_fail(c, 400, "InvalidValue", "AssetDeliveryConfiguration entry %zu (%s): "
                        "16 bytes in base64", i, key == CONFIG_CBCS_IV_BASE64
                        ? "CommonEncryptionIVForCbcs" : "EnvelopeEncryptionIVAsBase64");
    }
    return 0;
}

/* AssetDeliveryConfiguration: a JSON string of [{"Key":1..13,"Value":"…"}]. */
static int check_configuration(api_ctx_t *c, const char *text)
{
    json_t *arr, *item;
    size_t i;
    int rc = 0;

    if (text == NULL || text[0] == '\0') {
        return 0;
    }
    arr = json_loads(text, 0, NULL);
    if (!json_is_array(arr)) {
        json_decref(arr);
        return api_fail(c, 400, "InvalidValue",
                        "AssetDeliveryConfiguration must be a JSON array of {\"Key\":n,\"Value\":\"…\"}");
    }
    json_array_foreach(arr, i, item) {
        long long key = entity_int(item, "Key", -1);
        if (key < 1 || key > 13 || !json_is_string(json_object_get(item, "Value"))) {
            rc = api_fail(c, 400, "InvalidValue",
                          "AssetDeliveryConfiguration entry %zu: Key must be 1..13 and Value a string", i);
            break;
        }
        if (check_configuration_value(c, i, key, entity_str(item, "Value")) != 0) {
            rc = -1;
            break;
        }
    }
    json_decref(arr);
    return rc;
}

static int check_policy(api_ctx_t *c, json_t *rec)
{
    long long protocols = entity_int(rec, "AssetDeliveryProtocol", 0);
    long long type = entity_int(rec, "AssetDeliveryPolicyType", -1);

    if (protocols != PROTOCOL_ALL && (protocols <= 0 || (protocols & ~PROTOCOL_FLAGS) != 0)) {
        return api_fail(c, 400, "InvalidValue",
                        "AssetDeliveryProtocol is a combination of SmoothStreaming 1, Dash 2, HLS 4, "
                        "Hds 8, ProgressiveDownload 16, or All 65535");
    }
    if (type < 0 || type > 5) {
        return api_fail(c, 400, "InvalidValue",
                        "AssetDeliveryPolicyType must be None 0, Blocked 1, NoDynamicEncryption 2, "
                        "DynamicEnvelopeEncryption 3, DynamicCommonEncryption 4 or "
                        "DynamicCommonEncryptionCbcs 5");
    }
    return check_configuration(c, entity_str(rec, "AssetDeliveryConfiguration"));
}

static int policy_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    return check_policy(c, rec);
}

typedef struct {
    api_ctx_t *c;
    int        published;
} usage_t;

static int count_published(const char *asset_id, void *arg)
{
    usage_t *u = arg;
    if (asset_has_origin_locator(u->c, asset_id)) {
        u->published++;
    }
    return 0;
}

static int policy_on_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    usage_t u = { c, 0 };

    catalog_each_link(&c->txn, entity_str(old, "Id"), "~Assets.DeliveryPolicies",
                      count_published, &u);
    if (u.published > 0 && !json_equal(rec, old)) {
        return api_fail(c, 400, "InvalidOperation",
                        "the policy is linked to a published asset: delete its origin locators first");
    }
    return check_policy(c, rec);
}

static int policy_on_delete(api_ctx_t *c, const json_t *rec)
{
    if (catalog_count_links(&c->txn, entity_str(rec, "Id"), "~Assets.DeliveryPolicies") > 0) {
        return api_fail(c, 400, "InvalidOperation",
                        "the policy is linked to assets: remove the links first");
    }
    return 0;
}

const entity_set_t entity_delivery_policies = {
    .name = "AssetDeliveryPolicies",
    .type_name = AMS_TYPE("AssetDeliveryPolicy"),
    .id_prefix = "nb:adpid:UUID:",
    .props = policy_props,
    .navs = policy_navs,
    .on_create = policy_on_create,
    .on_update = policy_on_update,
    .on_delete = policy_on_delete,
};
