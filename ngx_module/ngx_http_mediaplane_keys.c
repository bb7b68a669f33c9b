/*
 * ngx_http_mediaplane_keys.c — content keys in the origin: the origin key
 * (`mediaplane_origin_key`, read by the master at start and reload), opening
 * a content key from the catalog's okeys record with it, and the protection
 * of a request whose locator's delivery policy asks for encryption: AES-128
 * envelope (key, IV, key URI of the origin record) or common encryption
 * 'cenc'/'cbcs' (key and KID, the cbcs constant IV, the key service and
 * license URLs players are pointed at).
 */
#include "ngx_http_mediaplane.h"

#include <openssl/crypto.h>

#include "catalog/catalog_okey.h"
#include "crypto/mp_cenc.h"
#include "crypto/mp_drm.h"

char *
ngx_http_mediaplane_origin_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mediaplane_loc_conf_t *lcf = conf;
    ngx_str_t *value = cf->args->elts, path = value[1];
    u_char *key, extra;
    ngx_fd_t fd;
    ssize_t n;

    if (lcf->origin_key != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }
    if (ngx_conf_full_name(cf->cycle, &path, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }
    key = ngx_pcalloc(cf->pool, CATALOG_ORIGIN_KEY_LEN);
    if (key == NULL) {
        return NGX_CONF_ERROR;
    }
    fd = ngx_open_file(path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno, "cannot open origin key \"%V\"", &path);
        return NGX_CONF_ERROR;
    }
    n = pread(fd, key, CATALOG_ORIGIN_KEY_LEN, 0);
    if (n == CATALOG_ORIGIN_KEY_LEN && pread(fd, &extra, 1, CATALOG_ORIGIN_KEY_LEN) != 0) {
        n = -1;                           /* longer than a key: not an origin key file */
    }
    ngx_close_file(fd);
    if (n != CATALOG_ORIGIN_KEY_LEN) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "origin key \"%V\" must hold exactly %d bytes "
                           "(mediaplaned's <data_dir>/origin.key)", &path,
                           CATALOG_ORIGIN_KEY_LEN);
        return NGX_CONF_ERROR;
    }
    lcf->origin_key = key;
    return NGX_CONF_OK;
}

/* The sealed key "<guid>" from the catalog, opened with the origin key. */
ngx_int_t
ngx_http_mediaplane_open_key(ngx_http_request_t *r, ngx_http_mediaplane_loc_conf_t *conf,
    const char *guid, catalog_okey_t *key)
{
    static uint8_t rec[CATALOG_OKEY_MAX_SIZE];    /* 16 KB: not on the stack */
    catalog_reader_t *reader = ngx_http_mediaplane_catalog_reader(r, conf);
    char err[256] = "";
    size_t len = 0;

    if (reader == NULL) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }
    switch (catalog_reader_okey(reader, guid, CATALOG_GUID_LEN, rec, sizeof(rec), &len, err,
                                sizeof(err))) {
    case CATALOG_FOUND:
        break;
    case CATALOG_NOT_FOUND:
        return NGX_HTTP_NOT_FOUND;
    default:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0, "mediaplane: %s", err);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    if (conf->origin_key == NULL || catalog_okey_open(conf->origin_key, guid, rec, len, key) != 0)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mediaplane: key %s cannot be opened: mediaplane_origin_key is not "
                      "mediaplaned's origin.key, or the record was tampered with", guid);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    return NGX_OK;
}

/* Encrypted delivery: never the clear bytes.  Without the key (removed,
 * unreadable) the request is refused. */
ngx_int_t
ngx_http_mediaplane_envelope(ngx_http_mediaplane_ctx_t *ctx, const catalog_origin_t *o)
{
    mp_protection_t *pr = &ctx->protection;
    char guid[CATALOG_GUID_LEN + 1];
    catalog_okey_t key;
    ngx_int_t rc;

    mp_drm_guid_text(o->envelope_kid, guid);
    rc = ngx_http_mediaplane_open_key(ctx->r, ctx->conf, guid, &key);
    if (rc != NGX_OK || key.key_len != 16) {
        catalog_okey_wipe(&key);
        ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0,
                      "mediaplane: \"%V\": the asset is delivered with envelope encryption but "
                      "its key %s is not available: refused", &ctx->r->uri, guid);
        return NGX_HTTP_FORBIDDEN;
    }
    pr->method = MP_PROTECT_AES128;
    ngx_memcpy(pr->key, key.key, 16);
    catalog_okey_wipe(&key);
    pr->has_iv = o->envelope_has_iv != 0;
    ngx_memcpy(pr->iv, o->envelope_iv, 16);
    ngx_cpystrn((u_char *) pr->key_uri, (u_char *) o->envelope_key_uri, sizeof(pr->key_uri));
    ctx->req.protection = pr;
    return NGX_OK;
}


/* The cbcs constant IV when the policy gives none: AES-128-ECB of the KID
 * under the content key (stable for the key, so caches stay valid). */
static ngx_int_t
ngx_http_mediaplane_derive_iv(const uint8_t key[16], const uint8_t kid[16], uint8_t iv[16])
{
    return mp_cenc_derive_iv(key, kid, iv) == MP_OK ? NGX_OK : NGX_ERROR;
}

/* Common encryption ('cenc' or 'cbcs'): never the clear bytes; without the
 * key the request is refused. */
ngx_int_t
ngx_http_mediaplane_common(ngx_http_mediaplane_ctx_t *ctx, const catalog_origin_t *o,
    ngx_uint_t cbcs)
{
    mp_protection_t *pr = &ctx->protection;
    const uint8_t *kid = cbcs ? o->cbcs_kid : o->cenc_kid;
    char guid[CATALOG_GUID_LEN + 1];
    catalog_okey_t key;
    ngx_int_t rc;
    size_t n;

    mp_drm_guid_text(kid, guid);
    rc = ngx_http_mediaplane_open_key(ctx->r, ctx->conf, guid, &key);
    if (rc != NGX_OK || key.key_len != 16) {
        catalog_okey_wipe(&key);
        ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0,
                      "mediaplane: \"%V\": the asset is delivered with common encryption but "
                      "its key %s is not available: refused", &ctx->r->uri, guid);
        return NGX_HTTP_FORBIDDEN;
    }
    ngx_memzero(pr, sizeof(*pr));
    pr->method = cbcs ? MP_PROTECT_CBCS : MP_PROTECT_CENC;
    ngx_memcpy(pr->key, key.key, 16);
    catalog_okey_wipe(&key);
    ngx_memcpy(pr->kid, kid, 16);
    if (cbcs && o->cbcs_has_iv) {
        ngx_memcpy(pr->iv, o->cbcs_iv, 16);
    } else if (cbcs && ngx_http_mediaplane_derive_iv(pr->key, kid, pr->iv) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    n = ngx_strlen(o->common_key_uri);
    if (n > 0 && n + sizeof("&KID=") + CATALOG_GUID_LEN < sizeof(pr->key_uri)) {
        ngx_sprintf((u_char *) pr->key_uri, "%s%sKID=%s%Z", o->common_key_uri,
                    ngx_strlchr((u_char *) o->common_key_uri, (u_char *) o->common_key_uri + n, '?')
                    ? "&" : "?", guid);
    }
    ngx_cpystrn((u_char *) pr->clearkey_url, (u_char *) o->clearkey_url, sizeof(pr->clearkey_url));
    ngx_cpystrn((u_char *) pr->widevine_url, (u_char *) o->widevine_url, sizeof(pr->widevine_url));
    ngx_cpystrn((u_char *) pr->playready_url, (u_char *) o->playready_url,
                sizeof(pr->playready_url));
    ngx_cpystrn((u_char *) pr->fairplay_url, (u_char *) o->fairplay_url,
                sizeof(pr->fairplay_url));
    ctx->req.protection = pr;
    return NGX_OK;
}

/* ---- storage encryption: the key and IV of a file ---- */

static void
ngx_http_mediaplane_storage_wipe(void *data)
{
    OPENSSL_cleanse(data, sizeof(mp_storage_key_t));
}

/* The ofiles record of "<asset folder>/<name>": NGX_OK (found), NGX_DECLINED
 * (a clear file) or an HTTP error. */
static ngx_int_t
ngx_http_mediaplane_storage_record(ngx_http_mediaplane_ctx_t *ctx, ngx_http_mediaplane_file_t *f,
    catalog_ofile_t *rec)
{
    catalog_reader_t *reader = ngx_http_mediaplane_catalog_reader(ctx->r, ctx->conf);
    const char *name = (const char *) f->path.data + ctx->asset_dir.len;
    size_t name_len = f->path.len - ctx->asset_dir.len, klen;
    char dir[CATALOG_ORIGIN_DIR_MAX], key[CATALOG_OFILE_KEY_MAX + 1], err[256] = "";

    if (reader == NULL) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }
    ngx_cpystrn((u_char *) dir, ctx->storage_dir.data,
                ngx_min(ctx->storage_dir.len + 1, sizeof(dir)));
    klen = catalog_ofile_key(dir, name, name_len, key, sizeof(key));
    if (klen == 0 || f->path.len <= ctx->asset_dir.len) {
        return NGX_HTTP_NOT_FOUND;
    }
    switch (catalog_reader_ofile(reader, key, klen, rec, err, sizeof(err))) {
    case CATALOG_FOUND:
        return NGX_OK;
    case CATALOG_NOT_FOUND:
        return NGX_DECLINED;
    default:
        ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0, "mediaplane: %s", err);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
}

ngx_int_t
ngx_http_mediaplane_storage_file(ngx_http_mediaplane_ctx_t *ctx, ngx_http_mediaplane_file_t *f)
{
    char guid[CATALOG_GUID_LEN + 1];
    ngx_pool_cleanup_t *cln;
    catalog_ofile_t rec;
    catalog_okey_t key;
    ngx_int_t rc;

    rc = ngx_http_mediaplane_storage_record(ctx, f, &rec);
    if (rc != NGX_OK) {
        return rc == NGX_DECLINED ? NGX_OK : rc;
    }
    mp_drm_guid_text(rec.kid, guid);
    rc = ngx_http_mediaplane_open_key(ctx->r, ctx->conf, guid, &key);
    if (rc != NGX_OK || key.key_len != MP_STORAGE_KEY_LEN) {
        catalog_okey_wipe(&key);
        ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0,
                      "mediaplane: \"%s\" is storage-encrypted but its key %s is not "
                      "available: refused", f->path.data, guid);
        return NGX_HTTP_FORBIDDEN;
    }
    cln = ngx_pool_cleanup_add(ctx->r->pool, sizeof(mp_storage_key_t));
    if (cln == NULL) {
        catalog_okey_wipe(&key);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    f->storage = cln->data;
    ngx_memcpy(f->storage->key, key.key, MP_STORAGE_KEY_LEN);
    f->storage->iv = rec.iv;
    catalog_okey_wipe(&key);
    cln->handler = ngx_http_mediaplane_storage_wipe;
    return NGX_OK;
}
