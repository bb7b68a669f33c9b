/*
 * origin_keys.h — what the origin-record writers share (origin_envelope.c,
 * origin_common.c, origin_storage.c): finding an asset's content key of a type, re-sealing a
 * key for the origin with who may fetch it, and reading a delivery
 * policy's configuration.
 */
#ifndef ORIGIN_KEYS_H
#define ORIGIN_KEYS_H

#include "api/api_context.h"
#include "catalog/catalog_okey.h"

/* The asset's first linked ContentKey of ContentKeyType type (new
 * reference), or NULL. */
json_t *origin_asset_key(api_ctx_t *c, const char *asset_id, long long content_key_type);

/* The key re-sealed under the origin key into okeys["<guid>"] with its
 * authorization (Open / token templates of its policy's options: only the
 * BaselineHttp ones unless any_delivery).  0, or -1 after api_fail(). */
int origin_publish_key(api_ctx_t *c, const json_t *key, const char *guid, int any_delivery);

/* The key (want_len bytes) opened with the master key and sealed under the
 * origin key into okeys["<guid>"] with ok's authorization (ok->key is
 * filled in and ok wiped).  0, or -1 after api_fail(). */
int origin_seal_key(api_ctx_t *c, const json_t *key, const char *guid, catalog_okey_t *ok,
                    size_t want_len);

/* An asset's storage-encrypted files (origin_storage.c): each one's key
 * sealed for the origin (never delivered) and its ofiles record; sets
 * CATALOG_ORIGIN_FLAG_STORAGE in *flags when the asset is storage-encrypted.
 * 0, or -1 after api_fail(). */
int origin_storage(api_ctx_t *c, const char *asset_id, const char *asset_dir, uint32_t *flags);

/* The Value of configuration key `key` in a parsed AssetDeliveryConfiguration
 * (cfg may be NULL), or NULL. */
const char *origin_config_value(json_t *cfg, long long key);

#endif
