/*
 * origin_common.c — what the origin needs to serve an asset with common
 * encryption (DynamicCommonEncryption 'cenc', DynamicCommonEncryptionCbcs
 * 'cbcs'): the asset's CommonEncryption (0) / CommonEncryptionCbcs (6)
 * ContentKey (its id in the origin record, the key re-sealed for the origin
 * with who may fetch it from the ClearKey license service or as a raw key),
 * the constant IV of 'cbcs' (CommonEncryptionIVForCbcs, else the origin
 * derives one from the key), and where players get licenses: our key
 * service (raw keys for HLS, ClearKey licenses) and the PlayReady, Widevine
 * and FairPlay servers the policy names.  Written in the publishing
 * transaction with the locator's record.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/origin_keys.h"
#include "catalog/catalog_origin.h"
#include "keys/key_guid.h"
#include "util/text_codec.h"

#include <stdio.h>
#include <string.h>

#define CONTENT_KEY_COMMON 0         /* ContentKeyType CommonEncryption */
#define CONTENT_KEY_COMMON_CBCS 6    /* ContentKeyType CommonEncryptionCbcs */
#define CFG_PLAYREADY_URL 4          /* AssetDeliveryPolicyConfigurationKey */
#define CFG_WIDEVINE_URL 7
#define CFG_WIDEVINE_BASE_URL 8
#define CFG_FAIRPLAY_URL 9
#define CFG_FAIRPLAY_BASE_URL 10
#define CFG_CBCS_IV 11

static int copy_url(api_ctx_t *c, char *dst, const char *url, const char *what)
{
    int n = snprintf(dst, CATALOG_ORIGIN_URI_MAX, "%s", url ? url : "");
    return n >= 0 && n < CATALOG_ORIGIN_URI_MAX ? 0
           : api_fail(c, 400, "InvalidValue", "the %s is too long", what);
}

/* A license URL given whole, or as a base to which ?KID=<guid> is added. */
static int license_url(api_ctx_t *c, json_t *cfg, long long whole, long long base,
                       const char *guid, char *dst, const char *what)
{
    const char *u = origin_config_value(cfg, whole), *b = origin_config_value(cfg, base);
    int n;

    if (u != NULL || b == NULL) {
        return copy_url(c, dst, u, what);
    }
    n = snprintf(dst, CATALOG_ORIGIN_URI_MAX, "%s%sKID=%s", b, strchr(b, '?') ? "&" : "?", guid);
    return n > 0 && n < CATALOG_ORIGIN_URI_MAX ? 0
           : api_fail(c, 400, "InvalidValue", "the %s is too long", what);
}

/* Our key service: its base URL (the origin adds ?KID=) and its ClearKey
 * license path. */
static int key_service_urls(api_ctx_t *c, catalog_origin_t *o)
{
    const char *base = c->app->cfg.key_delivery_url;
    size_t len = strcspn(base, "?");
    int n = snprintf(o->clearkey_url, sizeof(o->clearkey_url), "%.*s%sClearKey/", (int) len, base,
                     len > 0 && base[len - 1] == '/' ? "" : "/");

    if (n <= 0 || (size_t) n >= sizeof(o->clearkey_url)) {
        return api_fail(c, 500, "InternalError", "key_delivery_url is too long");
    }
    return copy_url(c, o->common_key_uri, base, "key delivery URL");
}

static int cbcs_iv(api_ctx_t *c, json_t *cfg, catalog_origin_t *o)
{
    const char *iv = origin_config_value(cfg, CFG_CBCS_IV);
    size_t len = 0;

    if (iv == NULL) {
        return 0;
    }
    if (base64_decode_strict(iv, strlen(iv), o->cbcs_iv, sizeof(o->cbcs_iv), &len) != BASE64_OK
        || len != 16) {
        return api_fail(c, 400, "InvalidValue", "CommonEncryptionIVForCbcs must be 16 bytes in base64");
    }
    o->cbcs_has_iv = 1;
    return 0;
}

/* The key of one scheme: its id into kid, sealed for the origin. */
static int scheme_key(api_ctx_t *c, const char *asset_id, int cbcs, uint8_t kid[16],
                      char guid[GUID_TEXT_LEN + 1])
{
    json_t *key = origin_asset_key(c, asset_id, cbcs ? CONTENT_KEY_COMMON_CBCS : CONTENT_KEY_COMMON);
    int rc;

    if (key == NULL) {
        return api_fail(c, 400, "InvalidOperation", "the asset's delivery policy asks for %s but "
                        "the asset has no %s ContentKey: link one first",
                        cbcs ? "DynamicCommonEncryptionCbcs" : "DynamicCommonEncryption",
                        cbcs ? "CommonEncryptionCbcs (6)" : "CommonEncryption (0)");
    }
    snprintf(guid, GUID_TEXT_LEN + 1, "%s", entity_guid(entity_str(key, "Id")));
    rc = guid_parse(guid, kid) != 0 ? api_fail(c, 500, "InternalError", "content key id")
         : origin_publish_key(c, key, guid, 1);
    json_decref(key);
    return rc;
}

int origin_common(api_ctx_t *c, const char *asset_id, const char *cenc_config,
                  const char *cbcs_config, catalog_origin_t *o)
{
    json_t *cenc = cenc_config ? json_loads(cenc_config, 0, NULL) : NULL;
    json_t *cbcs = cbcs_config ? json_loads(cbcs_config, 0, NULL) : NULL;
    json_t *urls = cenc ? cenc : cbcs;
    char guid[GUID_TEXT_LEN + 1] = "";
    int rc = key_service_urls(c, o);

    if (rc == 0 && o->protocols_cenc != 0) {
        rc = scheme_key(c, asset_id, 0, o->cenc_kid, guid);
    }
    if (rc == 0 && o->protocols_cbcs != 0) {
        rc = scheme_key(c, asset_id, 1, o->cbcs_kid, guid);
        rc = rc != 0 ? rc : cbcs_iv(c, cbcs, o);
        rc = rc != 0 ? rc : license_url(c, cbcs, CFG_FAIRPLAY_URL, CFG_FAIRPLAY_BASE_URL, guid,
                                        o->fairplay_url, "FairPlay license URL");
    }
    if (rc == 0) {
        rc = license_url(c, urls, CFG_WIDEVINE_URL, CFG_WIDEVINE_BASE_URL, guid, o->widevine_url,
                         "Widevine license URL");
    }
    if (rc == 0) {
        rc = copy_url(c, o->playready_url, origin_config_value(urls, CFG_PLAYREADY_URL),
                      "PlayReady license URL");
    }
    json_decref(cenc);
    json_decref(cbcs);
    return rc;
}
