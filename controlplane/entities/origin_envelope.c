/*
 * origin_envelope.c — what the origin needs to serve an asset with AES-128
 * envelope encryption (DynamicEnvelopeEncryption delivery policies): the
 * protocols it applies to (HLS; the rest of such a policy is blocked, never
 * clear), the asset's EnvelopeEncryption ContentKey (its id in the origin
 * record, the key itself re-sealed under the origin key into the "okeys"
 * database with who may fetch it), the IV and the key URI of the policy's
 * AssetDeliveryConfiguration (or the key service's BaselineHttp URL).
 * Written in the publishing transaction, so the origin sees the record and
 * its key together.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/origin_keys.h"
#include "catalog/catalog_okey.h"
#include "catalog/catalog_origin.h"
#include "keys/key_guid.h"
#include "keys/master_key.h"
#include "util/text_codec.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTENT_KEY_ENVELOPE 4       /* ContentKeyType EnvelopeEncryption */
#define DELIVERY_BASELINE_HTTP 2     /* KeyDeliveryType of AES-128 keys */
#define CFG_KEY_URL 1                /* AssetDeliveryPolicyConfigurationKey */
#define CFG_BASE_KEY_URL 2
#define CFG_IV_BASE64 3

const char *origin_config_value(json_t *cfg, long long key)
{
    size_t i;
    json_t *item;

    json_array_foreach(cfg, i, item) {
        if (entity_int(item, "Key", -1) == key) {
            return json_string_value(json_object_get(item, "Value"));
        }
    }
    return NULL;
}

typedef struct {
    api_ctx_t *c;
    long long type;
    json_t *key;
} key_walk_t;

static int first_key_of_type(const char *key_id, void *arg)
{
    key_walk_t *w = arg;
    json_t *k = NULL;

    if (catalog_get(&w->c->txn, "ContentKeys", key_id, &k) == 0
        && entity_int(k, "ContentKeyType", -1) == w->type) {
        w->key = k;
        return 1;                    /* non-zero stops the walk */
    }
    json_decref(k);
    return 0;
}

json_t *origin_asset_key(api_ctx_t *c, const char *asset_id, long long content_key_type)
{
    key_walk_t w = { c, content_key_type, NULL };

    catalog_each_link(&c->txn, asset_id, "ContentKeys", first_key_of_type, &w);
    return w.key;
}

typedef struct {
    api_ctx_t *c;
    uint32_t auth;
    int any_delivery;                 /* common keys: every option counts */
    json_t *tokens;                   /* the token templates, for the key service */
} auth_walk_t;

/* Options of the key's policy: an Open option makes the key open; otherwise
 * TokenRestricted ones make it need a token.  Envelope keys count their
 * BaselineHttp options only; common-encryption keys every option (their
 * ClearKey license and raw key answer under the same restrictions). */
static int option_auth(const char *option_id, void *arg)
{
    auth_walk_t *w = arg;
    json_t *o = NULL, *r;
    size_t i;

    if (catalog_get(&w->c->txn, "ContentKeyAuthorizationPolicyOptions", option_id, &o) == 0
        && (w->any_delivery || entity_int(o, "KeyDeliveryType", -1) == DELIVERY_BASELINE_HTTP)) {
        json_array_foreach(json_object_get(o, "_Restrictions"), i, r) {
            long long type = entity_int(r, "type", -1);
            if (type == 0) {
                w->auth = CATALOG_OKEY_AUTH_OPEN;
            } else if (type == 1) {
                if (w->auth == CATALOG_OKEY_AUTH_NONE) {
                    w->auth = CATALOG_OKEY_AUTH_TOKEN;
                }
                json_array_append(w->tokens, json_object_get(r, "token"));
            }
        }
    }
    json_decref(o);
    return 0;
}

/* Who may fetch the key, and for TOKEN the templates as compact JSON (at
 * most CATALOG_OKEY_RESTRICTIONS_MAX bytes: 400 beyond). */
static int key_auth(api_ctx_t *c, const json_t *key, int any_delivery, catalog_okey_t *ok)
{
    const char *policy = entity_str(key, "AuthorizationPolicyId");
    auth_walk_t w = { c, CATALOG_OKEY_AUTH_NONE, any_delivery, json_array() };
    char *text = NULL;
    int rc = 0;

    if (policy != NULL && policy[0] != '\0') {
        catalog_each_link(&c->txn, policy, "Options", option_auth, &w);
    }
    ok->auth = w.auth;
    if (w.auth == CATALOG_OKEY_AUTH_TOKEN) {
        text = json_dumps(w.tokens, JSON_COMPACT);
        if (text == NULL || strlen(text) > CATALOG_OKEY_RESTRICTIONS_MAX) {
            rc = api_fail(c, 400, "InvalidOperation", "the key's token restrictions exceed %d "
                          "bytes, the most the origin takes", CATALOG_OKEY_RESTRICTIONS_MAX);
        } else {
            ok->restrictions_len = (uint32_t) strlen(text);
            memcpy(ok->restrictions, text, ok->restrictions_len);
        }
        free(text);
    }
    json_decref(w.tokens);
    return rc;
}

int origin_publish_key(api_ctx_t *c, const json_t *key, const char *guid, int any_delivery)
{
    static __thread catalog_okey_t ok;

    memset(&ok, 0, sizeof(ok));
    if (key_auth(c, key, any_delivery, &ok) != 0) {
        OPENSSL_cleanse(&ok, sizeof(ok));
        return -1;
    }
    return origin_seal_key(c, key, guid, &ok, 16);
}

int origin_seal_key(api_ctx_t *c, const json_t *key, const char *guid, catalog_okey_t *ok,
                    size_t want_len)
{
    static __thread uint8_t buf[CATALOG_OKEY_MAX_SIZE];
    size_t len = 0, key_len = 0;
    int rc;

    if (master_key_open_bound(c->app->master_key, entity_str(key, "Id"),
                              entity_str(key, "_Sealed"), ok->key, sizeof(ok->key), &key_len) != 0
        || key_len != want_len) {
        OPENSSL_cleanse(ok, sizeof(*ok));
        return api_fail(c, 500, "InternalError", "the content key cannot be opened");
    }
    ok->key_len = (uint32_t) key_len;
    len = catalog_okey_seal(c->app->origin_key, guid, ok, buf, sizeof(buf));
    OPENSSL_cleanse(ok, sizeof(*ok));
    if (len == 0) {
        return api_fail(c, 500, "InternalError", "the content key cannot be sealed");
    }
    rc = catalog_raw_put(&c->txn, CATALOG_DB_ORIGIN_KEYS, guid, strlen(guid), buf, len);
    return rc == 0 ? 0 : api_fail(c, 500, "InternalError", "okeys: %s", mdb_strerror(rc));
}

/* IV and key URI from the policy's configuration (cfg may be NULL). */
static int envelope_config(api_ctx_t *c, json_t *cfg, const char *guid, catalog_origin_t *o)
{
    const char *url = origin_config_value(cfg, CFG_KEY_URL), *base = origin_config_value(cfg, CFG_BASE_KEY_URL);
    const char *iv = origin_config_value(cfg, CFG_IV_BASE64);
    size_t iv_len = 0;
    int n;

    if (iv != NULL) {
        if (base64_decode_strict(iv, strlen(iv), o->envelope_iv, sizeof(o->envelope_iv), &iv_len)
            != BASE64_OK || iv_len != 16) {
            return api_fail(c, 400, "InvalidValue",
                            "EnvelopeEncryptionIVAsBase64 must be 16 bytes in base64");
        }
        o->envelope_has_iv = 1;
    }
    if (url != NULL) {
        n = snprintf(o->envelope_key_uri, sizeof(o->envelope_key_uri), "%s", url);
    } else {
        base = base ? base : c->app->cfg.key_delivery_url;
        n = snprintf(o->envelope_key_uri, sizeof(o->envelope_key_uri), "%s%sKID=%s", base,
                     strchr(base, '?') ? "&" : "?", guid);
    }
    return n > 0 && (size_t) n < sizeof(o->envelope_key_uri) ? 0
           : api_fail(c, 400, "InvalidValue", "the key acquisition URL is too long");
}

int origin_envelope(api_ctx_t *c, const char *asset_id, const char *config_text,
                    catalog_origin_t *o)
{
    json_t *key, *cfg = config_text ? json_loads(config_text, 0, NULL) : NULL;
    char guid[GUID_TEXT_LEN + 1];
    int rc;

    key = origin_asset_key(c, asset_id, CONTENT_KEY_ENVELOPE);
    if (key == NULL) {
        json_decref(cfg);
        return api_fail(c, 400, "InvalidOperation",
                        "the asset's delivery policy asks for envelope encryption but the asset "
                        "has no EnvelopeEncryption (4) ContentKey: link one first");
    }
    snprintf(guid, sizeof(guid), "%s", entity_guid(entity_str(key, "Id")));
    rc = guid_parse(guid, o->envelope_kid) != 0
         ? api_fail(c, 500, "InternalError", "content key id") : envelope_config(c, cfg, guid, o);
    if (rc == 0) {
        rc = origin_publish_key(c, key, guid, 0);
    }
    json_decref(key);
    json_decref(cfg);
    return rc;
}

int origin_forget_key(api_ctx_t *c, const char *key_id)
{
    const char *guid = entity_guid(key_id);
    int rc = catalog_raw_del(&c->txn, CATALOG_DB_ORIGIN_KEYS, guid, strlen(guid));

    return (rc == 0 || rc == MDB_NOTFOUND) ? 0
           : api_fail(c, 500, "InternalError", "okeys: %s", mdb_strerror(rc));
}
