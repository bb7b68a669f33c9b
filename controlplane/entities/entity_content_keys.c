/*
 * entity_content_keys.c — ContentKeys: keys the client generates, wraps with
 * our protection certificate (RSA-OAEP, GetProtectionKey) and posts with an
 * Id of its choosing (nb:kid:UUID:<KID>).  The daemon unwraps the key, checks
 * its length and Checksum, and keeps it sealed under the master key (bound
 * to the key's Id); the wrapped form the client sent is what GETs return.
 * AuthorizationPolicyId names a ContentKeyAuthorizationPolicy; the action
 * GetKeyDeliveryUrl gives the key service URL (key delivery itself comes with
 * dynamic encryption).
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "keys/key_checksum.h"
#include "keys/key_status.h"
#include "keys/master_key.h"
#include "keys/protection_key.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

static const entity_prop_t key_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "ContentKeyType", EDM_INT32, P_REQUIRED | P_ONCE, 0, NULL, NULL },
    { "EncryptedContentKey", EDM_STRING, P_REQUIRED | P_ONCE, 4096, NULL, NULL },
    { "Name", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { "ProtectionKeyId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { "ProtectionKeyType", EDM_INT32, P_ONCE, 0, "0", NULL },
    { "Checksum", EDM_STRING, P_ONCE | P_NULLABLE, 64, NULL, NULL },
    { "AuthorizationPolicyId", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t key_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

/* Key length each ContentKeyType needs (0: any length up to CONTENT_KEY_MAX). */
static int key_length_for(long long type, size_t *len)
{
    switch (type) {
    case 0: case 3: case 4: case 6: case 7:
        *len = 16;
        return 0;
    case 1: case 2:
        *len = 32;
        return 0;
    case 8:
        *len = 0;
        return 0;
    default:
        return -1;
    }
}

static int check_checksum(api_ctx_t *c, json_t *rec, const uint8_t *key, size_t len)
{
    const char *given = entity_str(rec, "Checksum");
    char computed[CONTENT_KEY_CHECKSUM_LEN + 1];
    int match;

    if (entity_int(rec, "ContentKeyType", 0) == 8) {
        return 0;                              /* FairPlay pfx password: none */
    }
    if (given == NULL) {
        if (content_key_checksum(key, len, entity_str(rec, "Id"), computed) != KEY_OK) {
            return api_fail(c, 400, "InvalidValue", "cannot compute the key's checksum");
        }
        json_object_set_new(rec, "Checksum", json_string(computed));
        return 0;
    }
    match = content_key_checksum_check(key, len, entity_str(rec, "Id"), given);
    if (match != CHECKSUM_MATCHES_DOTNET && match != CHECKSUM_MATCHES_JAVA_SDK) {
        return api_fail(c, 400, "InvalidValue",
                        "Checksum does not match the key: wrong key, wrong Id, or the key "
                        "was not encrypted with this installation's protection key");
    }
    return 0;
}

static int unwrap_and_seal(api_ctx_t *c, json_t *rec)
{
    uint8_t key[CONTENT_KEY_MAX];
    size_t len = 0, want;
    char *sealed = NULL;
    int rc, result = -1;

    if (key_length_for(entity_int(rec, "ContentKeyType", -1), &want) != 0) {
        return api_fail(c, 400, "InvalidValue", "unknown ContentKeyType");
    }
    rc = protection_key_unwrap(c->app->protection_key, entity_str(rec, "EncryptedContentKey"),
                               key, sizeof(key), &len);
    if (rc != KEY_OK) {
        return api_fail(c, 400, "InvalidValue",
                        "EncryptedContentKey cannot be decrypted with the protection key (%s): "
                        "encrypt it with RSA-OAEP and the certificate of GetProtectionKey",
                        key_status_str(rc));
    }
    if (want != 0 && len != want) {
        api_fail(c, 400, "InvalidValue", "a key of this ContentKeyType has %zu bytes, not %zu",
                 want, len);
    } else if (check_checksum(c, rec, key, len) == 0) {
        rc = master_key_seal_bound(c->app->master_key, entity_str(rec, "Id"), key, len, &sealed);
        if (rc != KEY_OK) {
            api_fail(c, 500, "InternalError", "cannot seal the key (%s)", key_status_str(rc));
        } else {
            json_object_set_new(rec, "_Sealed", json_string(sealed));
            free(sealed);
            result = 0;
        }
    }
    OPENSSL_cleanse(key, sizeof(key));
    return result;
}

int content_key_open(api_ctx_t *c, const json_t *rec, uint8_t *key, size_t cap, size_t *len)
{
    int rc = master_key_open_bound(c->app->master_key, entity_str(rec, "Id"),
                                   entity_str(rec, "_Sealed"), key, cap, len);
    if (rc != KEY_OK) {
        OPENSSL_cleanse(key, cap);
        return api_fail(c, 500, "InternalError", "the content key cannot be opened (%s)",
                        key_status_str(rc));
    }
    return 0;
}

/* AuthorizationPolicyId, when set, names an existing policy (stored normalised). */
static int check_policy(api_ctx_t *c, json_t *rec)
{
    const char *given = entity_str(rec, "AuthorizationPolicyId");
    char id[ENTITY_ID_MAX];

    if (given == NULL || given[0] == '\0') {
        json_object_set_new(rec, "AuthorizationPolicyId", json_null());
        return 0;
    }
    if (entity_normalize_id(&entity_key_policies, given, id) != 0
        || !catalog_exists(&c->txn, entity_key_policies.name, id)) {
        return api_fail(c, 400, "InvalidValue",
                        "AuthorizationPolicyId names no ContentKeyAuthorizationPolicy");
    }
    json_object_set_new(rec, "AuthorizationPolicyId", json_string(id));
    return 0;
}

static int key_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    if (!protection_key_id_matches(c->app->protection_key, entity_str(rec, "ProtectionKeyId"))) {
        return api_fail(c, 400, "InvalidValue",
                        "ProtectionKeyId is not this installation's (see GetProtectionKeyId)");
    }
    if (entity_int(rec, "ProtectionKeyType", 0) != 0) {
        return api_fail(c, 400, "InvalidValue", "ProtectionKeyType must be 0 (X509CertificateThumbprint)");
    }
    if (check_policy(c, rec) != 0) {
        return -1;
    }
    return unwrap_and_seal(c, rec);
}

static int key_on_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    (void) old;
    return check_policy(c, rec);
}

static int key_on_delete(api_ctx_t *c, const json_t *rec)
{
    return origin_forget_key(c, entity_str(rec, "Id"));
}

/* POST ContentKeys('…')/GetKeyDeliveryUrl {"keyDeliveryType":n}: where
 * players get this key (key_delivery_url + the AMS path of the type). */
static int key_delivery_url(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                            json_t **result)
{
    static const char *const paths[] = { NULL, "PlayReady/", "", "Widevine/", "FairPlay/" };
    json_t *t = json_object_get(body, "keyDeliveryType");
    char url[CONFIG_URL_MAX + 128];
    long long type;

    (void) set;
    if (t == NULL) {
        t = json_object_get(body, "KeyDeliveryType");
    }
    type = json_is_integer(t) ? json_integer_value(t) : -1;
    if (type < 1 || type > 4) {
        return api_fail(c, 400, "InvalidValue", "keyDeliveryType must be PlayReadyLicense 1, "
                        "BaselineHttp 2, Widevine 3 or FairPlay 4");
    }
    snprintf(url, sizeof(url), "%s%s", c->app->cfg.key_delivery_url, paths[type]);
    if (type != 1) {
        snprintf(url + strlen(url), sizeof(url) - strlen(url), "?KID=%s",
                 entity_guid(entity_str(rec, "Id")));
    }
    if (c->fmt == ODATA_VERBOSE) {
        *result = json_pack("{s:{s:s}}", "d", "GetKeyDeliveryUrl", url);
    } else {
        *result = json_pack("{s:s+, s:s}", "odata.metadata", c->app->cfg.api_url,
                            "$metadata#Edm.String", "value", url);
    }
    return *result != NULL ? 0 : api_fail(c, 500, "InternalError", "out of memory");
}

static const entity_action_t key_actions[] = {
    { "GetKeyDeliveryUrl", key_delivery_url },
    { NULL, NULL },
};

const entity_set_t entity_content_keys = {
    .name = "ContentKeys",
    .type_name = AMS_TYPE("ContentKey"),
    .id_prefix = "nb:kid:UUID:",
    .flags = ES_CLIENT_ID | ES_ID_REQUIRED,
    .props = key_props,
    .navs = key_navs,
    .actions = key_actions,
    .on_create = key_on_create,
    .on_update = key_on_update,
    .on_delete = key_on_delete,
};
