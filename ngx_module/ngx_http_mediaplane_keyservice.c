/*
 * ngx_http_mediaplane_keyservice.c — the key service
 * (`mediaplane_key_delivery on`), straight from the catalog so keys keep
 * being delivered while mediaplaned is down: GET ?KID=<guid> answers the 16
 * key bytes when the key's authorization policy is Open or the request's
 * token satisfies one of its TokenRestricted templates (common/token/), 401
 * with the reason otherwise; POST .../ClearKey/ is the W3C ClearKey license
 * (ngx_http_mediaplane_clearkey.c); PlayReady, Widevine and FairPlay paths
 * answer 501 (their licenses need vendor certificates).  CORS for players
 * on other origins.
 */
#include "ngx_http_mediaplane.h"

#include "catalog/catalog_okey.h"
#include "token/key_token.h"

/* The token of a key request: "Authorization: Bearer <token>", else the
 * URL-decoded `token` argument (players that cannot set headers on key
 * requests); an empty string when there is none. */
ngx_str_t
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


ngx_int_t
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

ngx_int_t
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

/* May this request have key (opened, id guid)?  NGX_OK, or the 401 text in
 * reason. */
ngx_int_t
ngx_http_mediaplane_key_authorize(ngx_http_request_t *r, const catalog_okey_t *key,
    const char *guid, char *reason, size_t reason_len)
{
    ngx_str_t token;

    if (key->auth == CATALOG_OKEY_AUTH_OPEN) {
        return NGX_OK;
    }
    if (key->auth != CATALOG_OKEY_AUTH_TOKEN) {
        ngx_cpystrn((u_char *) reason, (u_char *) "the key has no authorization policy with an "
                    "Open or TokenRestricted option", reason_len);
        return NGX_DECLINED;
    }
    token = ngx_http_mediaplane_request_token(r);
    if (key_token_verify(key->restrictions, (const char *) token.data, token.len, guid,
                         (int64_t) ngx_time(), reason, reason_len) != 0)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "mediaplane: key %s refused: %s", guid, reason);
        return NGX_DECLINED;
    }
    return NGX_OK;
}

/* The key id of ?KID= (a GUID, optionally nb:kid:UUID:-prefixed). */
static ngx_int_t
ngx_http_mediaplane_key_id(ngx_http_request_t *r, char guid[CATALOG_GUID_LEN + 1])
{
    ngx_str_t kid;

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
    return NGX_OK;
}

/* GET ?KID=<guid>: the raw key (AES-128 envelope, HLS SAMPLE-AES identity). */
static ngx_int_t
ngx_http_mediaplane_raw_key(ngx_http_request_t *r, ngx_http_mediaplane_loc_conf_t *conf)
{
    static catalog_okey_t key;        /* 16 KB: not on the stack; one request at a time */
    char guid[CATALOG_GUID_LEN + 1], reason[160];
    u_char *body;
    ngx_int_t rc;

    rc = ngx_http_mediaplane_key_id(r, guid);
    if (rc != NGX_OK) {
        return rc;
    }
    rc = ngx_http_mediaplane_open_key(r, conf, guid, &key);
    if (rc == NGX_HTTP_NOT_FOUND) {
        return ngx_http_mediaplane_key_error(r, NGX_HTTP_NOT_FOUND,
                                             "no published asset is encrypted with this key");
    }
    if (rc != NGX_OK) {
        return rc;
    }
    if (ngx_http_mediaplane_key_authorize(r, &key, guid, reason, sizeof(reason)) != NGX_OK) {
        catalog_okey_wipe(&key);
        return ngx_http_mediaplane_key_error(r, NGX_HTTP_UNAUTHORIZED, reason);
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

ngx_int_t
ngx_http_mediaplane_key_handler(ngx_http_request_t *r)
{
    ngx_http_mediaplane_loc_conf_t *conf;
    ngx_int_t rc;

    conf = ngx_http_get_module_loc_conf(r, ngx_http_mediaplane_module);
    if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD | NGX_HTTP_POST | NGX_HTTP_OPTIONS))) {
        return NGX_HTTP_NOT_ALLOWED;
    }
    if (ngx_http_mediaplane_key_cors(r, conf) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    if (ngx_http_mediaplane_is_clearkey_path(r)) {
        return ngx_http_mediaplane_clearkey_handler(r);
    }
    if (ngx_http_discard_request_body(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    if (r->method == NGX_HTTP_OPTIONS) {
        return ngx_http_mediaplane_key_reply(r, NGX_HTTP_NO_CONTENT, "text/plain", NULL, 0);
    }
    rc = ngx_http_mediaplane_key_drm_path(r);
    if (rc != NGX_DECLINED) {
        return rc;
    }
    return ngx_http_mediaplane_raw_key(r, conf);
}
