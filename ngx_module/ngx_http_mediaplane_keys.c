/*
 * ngx_http_mediaplane_keys.c — AES-128 envelope encryption in the origin:
 * the origin key (`mediaplane_origin_key`, read by the master at start and
 * reload), the protection of a request whose locator's delivery policy asks
 * for envelope encryption (the content key opened from the catalog's okeys
 * record, the IV and key URI of the origin record), and the key service
 * (`mediaplane_key_delivery on`): GET ?KID=<guid> answers the 16 key bytes
 * when the key's authorization policy is Open or the request's token
 * satisfies one of its TokenRestricted templates (common/token/), 401 with
 * the reason otherwise, straight from the catalog, so keys keep being
 * delivered while mediaplaned is down.
 */
#include "ngx_http_mediaplane.h"

#include <openssl/crypto.h>

#include "catalog/catalog_okey.h"
#include "token/key_token.h"

/* The token of a key request: "Authorization: Bearer <token>", else the
 * URL-decoded `token` argument (players that cannot set headers on key
 * requests); an empty string when there is none. */
static ngx_str_t
ngx_http_mediaplane_request_token(ngx_http_request_t *r)
{
    ngx_table_elt_t *h = r->headers_in.authorization;
    ngx_str_t t = ngx_null_string, arg;
    u_char *dst, *src;

    if (h != NULL && h->value.len > 7
        && ngx_strncasecmp(h->value.data, (u_char *) "Bearer ", 7) == 0)
    {
        t.data = h->value.data + 7;
        t.len = h->value.len - 7;
        return t;
    }
    if (ngx_http_arg(r, (u_char *) "token", 5, &arg) == NGX_OK && arg.len > 0) {
        t.data = ngx_pnalloc(r->pool, arg.len);
        if (t.data != NULL) {
            dst = t.data;
            src = arg.data;
            ngx_unescape_uri(&dst, &src, arg.len, 0);
            t.len = dst - t.data;
        }
    }
    return t;
}

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
static ngx_int_t
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

static void
ngx_http_mediaplane_guid_text(const uint8_t kid[16], char out[CATALOG_GUID_LEN + 1])
{
    static const int dash[] = { 4, 6, 8, 10 };
    char *p = out;
    int i, d = 0;

    for (i = 0; i < 16; i++) {
        if (d < 4 && i == dash[d]) {
            *p++ = '-';
            d++;
        }
        p = (char *) ngx_hex_dump((u_char *) p, (u_char *) &kid[i], 1);
    }
    *p = '\0';
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

    ngx_http_mediaplane_guid_text(o->envelope_kid, guid);
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

/* ---- the key service ---- */

static ngx_int_t
ngx_http_mediaplane_key_reply(ngx_http_request_t *r, ngx_uint_t status, const char *type,
    u_char *body, size_t len)
{
    ngx_chain_t out;
    ngx_buf_t *b;
    ngx_int_t rc;
    ngx_table_elt_t *h;

    r->headers_out.status = status;
    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_length_n = (off_t) len;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    h->hash = 1;
    ngx_str_set(&h->key, "Cache-Control");
    ngx_str_set(&h->value, "no-store");

    rc = ngx_http_send_header(r);
    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only || len == 0) {
        return rc == NGX_OK && len == 0 ? ngx_http_send_special(r, NGX_HTTP_LAST) : rc;
    }
    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    b->pos = body;
    b->last = body + len;
    b->memory = 1;
    b->last_buf = 1;
    b->last_in_chain = 1;
    out.buf = b;
    out.next = NULL;
    return ngx_http_output_filter(r, &out);
}

static ngx_int_t
ngx_http_mediaplane_key_error(ngx_http_request_t *r, ngx_uint_t status, const char *reason)
{
    size_t len = ngx_strlen(reason);
    u_char *body = ngx_pnalloc(r->pool, len + 1);

    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ngx_memcpy(body, reason, len);
    body[len] = '\n';
    if (status == NGX_HTTP_UNAUTHORIZED) {
        ngx_table_elt_t *h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        h->hash = 1;
        ngx_str_set(&h->key, "WWW-Authenticate");
        ngx_str_set(&h->value, "Bearer");
    }
    return ngx_http_mediaplane_key_reply(r, status, "text/plain", body, len + 1);
}

/* Players fetch keys from pages of other origins: any origin may ask, and
 * send the Authorization header (token-restricted keys). */
static ngx_int_t
ngx_http_mediaplane_key_cors(ngx_http_request_t *r, ngx_http_mediaplane_loc_conf_t *conf)
{
    static const char *const names[] = { "Access-Control-Allow-Origin",
        "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
        "Access-Control-Max-Age" };
    const char *values[] = { conf->cors_origin.len ? (const char *) conf->cors_origin.data : "*",
        "GET, POST, OPTIONS", "Authorization, Content-Type", "86400" };
    ngx_uint_t i, n = r->method == NGX_HTTP_OPTIONS ? 4 : 1;
    ngx_table_elt_t *h;

    for (i = 0; i < n; i++) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_ERROR;
        }
        h->hash = 1;
        h->key.data = (u_char *) names[i];
        h->key.len = ngx_strlen(names[i]);
        h->value.data = (u_char *) values[i];
        h->value.len = i == 0 && conf->cors_origin.len ? conf->cors_origin.len
                                                        : ngx_strlen(values[i]);
    }
    return NGX_OK;
}

/* The license paths of the DRM systems whose licenses need vendor
 * certificates: their licenses come from the servers in the policy. */
static ngx_int_t
ngx_http_mediaplane_key_drm_path(ngx_http_request_t *r)
{
    static const char *const drm[] = { "/PlayReady/", "/Widevine/", "/FairPlay/" };
    ngx_uint_t i;

    for (i = 0; i < 3; i++) {
        if (ngx_strlcasestrn(r->uri.data, r->uri.data + r->uri.len, (u_char *) drm[i],
                             ngx_strlen(drm[i]) - 1) != NULL)
        {
            return ngx_http_mediaplane_key_error(r, NGX_HTTP_NOT_IMPLEMENTED,
                "mediaplane does not issue PlayReady, Widevine or FairPlay licenses (they need "
                "the DRM vendors' certificates): players get them from the license server URLs "
                "of the asset delivery policy");
        }
    }
    return NGX_DECLINED;
}

ngx_int_t
ngx_http_mediaplane_key_handler(ngx_http_request_t *r)
{
    static catalog_okey_t key;        /* 16 KB: not on the stack; one request at a time */
    ngx_http_mediaplane_loc_conf_t *conf;
    ngx_str_t kid;
    char guid[CATALOG_GUID_LEN + 1];
    u_char *body;
    ngx_int_t rc;

    conf = ngx_http_get_module_loc_conf(r, ngx_http_mediaplane_module);
    if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD | NGX_HTTP_POST | NGX_HTTP_OPTIONS))) {
        return NGX_HTTP_NOT_ALLOWED;
    }
    if (ngx_http_discard_request_body(r) != NGX_OK
        || ngx_http_mediaplane_key_cors(r, conf) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    if (r->method == NGX_HTTP_OPTIONS) {
        return ngx_http_mediaplane_key_reply(r, NGX_HTTP_NO_CONTENT, "text/plain", NULL, 0);
    }
    rc = ngx_http_mediaplane_key_drm_path(r);
    if (rc != NGX_DECLINED) {
        return rc;
    }
    if (ngx_http_arg(r, (u_char *) "KID", 3, &kid) != NGX_OK) {
        return ngx_http_mediaplane_key_error(r, NGX_HTTP_BAD_REQUEST,
                                             "the key id is missing: ?KID=<guid>");
    }
    if (kid.len > 12 && ngx_strncasecmp(kid.data, (u_char *) "nb:kid:UUID:", 12) == 0) {
        kid.data += 12;
        kid.len -= 12;
    }
    if (catalog_guid_normalize((const char *) kid.data, kid.len, guid) != 0) {
        return ngx_http_mediaplane_key_error(r, NGX_HTTP_BAD_REQUEST,
                                             "KID must be a GUID (xxxxxxxx-xxxx-...)");
    }

    rc = ngx_http_mediaplane_open_key(r, conf, guid, &key);
    if (rc == NGX_HTTP_NOT_FOUND) {
        return ngx_http_mediaplane_key_error(r, NGX_HTTP_NOT_FOUND,
                                             "no published asset is encrypted with this key");
    }
    if (rc != NGX_OK) {
        return rc;
    }
    if (key.auth == CATALOG_OKEY_AUTH_TOKEN) {
        ngx_str_t token = ngx_http_mediaplane_request_token(r);
        char reason[160];
        if (key_token_verify(key.restrictions, (const char *) token.data, token.len, guid,
                             (int64_t) ngx_time(), reason, sizeof(reason)) != 0)
        {
            catalog_okey_wipe(&key);
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "mediaplane: key %s refused: %s", guid, reason);
            return ngx_http_mediaplane_key_error(r, NGX_HTTP_UNAUTHORIZED, reason);
        }
    } else if (key.auth != CATALOG_OKEY_AUTH_OPEN) {
        catalog_okey_wipe(&key);
        return ngx_http_mediaplane_key_error(r, NGX_HTTP_UNAUTHORIZED,
            "the key has no authorization policy with an Open or TokenRestricted "
            "BaselineHttp option");
    }
    body = ngx_pnalloc(r->pool, key.key_len);
    if (body == NULL) {
        catalog_okey_wipe(&key);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ngx_memcpy(body, key.key, key.key_len);
    rc = key.key_len;
    catalog_okey_wipe(&key);
    return ngx_http_mediaplane_key_reply(r, NGX_HTTP_OK, "application/octet-stream", body,
                                         (size_t) rc);
}
