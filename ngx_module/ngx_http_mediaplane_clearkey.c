/*
 * ngx_http_mediaplane_clearkey.c — the W3C ClearKey license service at
 * <key delivery>/ClearKey/: the EME license request a browser's ClearKey
 * CDM sends, {"kids":["<base64url KID>",...],"type":"temporary"}, POSTed by
 * hls.js, shaka-player and dash.js, answered with the JWK set
 * {"keys":[{"kty":"oct","kid":…,"k":…}],"type":"temporary"} of the keys the
 * request may have (each key's authorization: Open, or a token in
 * Authorization: Bearer / ?token=).  Bounded: at most
 * MEDIAPLANE_CLEARKEY_MAX_BODY bytes of request and MEDIAPLANE_CLEARKEY_MAX_KIDS
 * key ids.
 */
#include "ngx_http_mediaplane.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "codec/b64_lenient.h"
#include "crypto/mp_drm.h"

#define MEDIAPLANE_CLEARKEY_MAX_BODY 4096
#define MEDIAPLANE_CLEARKEY_MAX_KIDS 16

ngx_uint_t
ngx_http_mediaplane_is_clearkey_path(ngx_http_request_t *r)
{
    return ngx_strlcasestrn(r->uri.data, r->uri.data + r->uri.len, (u_char *) "/ClearKey/",
                            sizeof("/ClearKey/") - 2) != NULL;
}

/* base64url without padding, as JWK wants it. */
static void
ngx_http_mediaplane_b64url(const uint8_t *in, size_t len, char *out)
{
    int n = EVP_EncodeBlock((u_char *) out, in, (int) len);

    while (n > 0 && out[n - 1] == '=') {
        n--;
    }
    out[n] = '\0';
    for (char *p = out; *p; p++) {
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    }
}

/* The request body in one piece (it is small and in memory by then). */
static ngx_int_t
ngx_http_mediaplane_clearkey_body_bytes(ngx_http_request_t *r, u_char *out, size_t *len)
{
    ngx_chain_t *cl;
    size_t n = 0, k;

    if (r->request_body == NULL) {
        *len = 0;
        return NGX_OK;
    }
    for (cl = r->request_body->bufs; cl != NULL; cl = cl->next) {
        if (cl->buf->in_file) {
            return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
        k = cl->buf->last - cl->buf->pos;
        if (n + k > MEDIAPLANE_CLEARKEY_MAX_BODY) {
            return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
        ngx_memcpy(out + n, cl->buf->pos, k);
        n += k;
    }
    *len = n;
    return NGX_OK;
}

/* One requested key id: append its JWK to keys if the request may have it.
 * NGX_OK, NGX_DECLINED (not published: skipped) or an error status with
 * reason set. */
static ngx_int_t
ngx_http_mediaplane_clearkey_one(ngx_http_request_t *r, json_t *kid_text, json_t *keys,
    char *reason, size_t reason_len)
{
    static catalog_okey_t key;        /* 16 KB: not on the stack; one request at a time */
    ngx_http_mediaplane_loc_conf_t *conf = ngx_http_get_module_loc_conf(r, ngx_http_mediaplane_module);
    const char *text = json_string_value(kid_text);
    char guid[CATALOG_GUID_LEN + 1], k64[32];
    uint8_t kid[16];
    ngx_int_t rc;

    if (text == NULL || b64_decode_lenient(text, strlen(text), kid, sizeof(kid)) != 16) {
        ngx_cpystrn((u_char *) reason, (u_char *) "every entry of \"kids\" must be a base64url "
                    "key id of 16 bytes", reason_len);
        return NGX_HTTP_BAD_REQUEST;
    }
    mp_drm_guid_text(kid, guid);
    rc = ngx_http_mediaplane_open_key(r, conf, guid, &key);
    if (rc != NGX_OK) {
        return rc == NGX_HTTP_NOT_FOUND ? NGX_DECLINED : rc;
    }
    if (key.key_len != 16
        || ngx_http_mediaplane_key_authorize(r, &key, guid, reason, reason_len) != NGX_OK)
    {
        catalog_okey_wipe(&key);
        return NGX_HTTP_UNAUTHORIZED;
    }
    ngx_http_mediaplane_b64url(key.key, 16, k64);
    catalog_okey_wipe(&key);
    json_array_append_new(keys, json_pack("{s:s, s:s, s:s}", "kty", "oct", "kid", text, "k", k64));
    OPENSSL_cleanse(k64, sizeof(k64));
    return NGX_OK;
}

/* The JWK set for the request in body; sends the answer. */
static ngx_int_t
ngx_http_mediaplane_clearkey_answer(ngx_http_request_t *r, const u_char *body, size_t len)
{
    char reason[160] = "";
    json_t *req = json_loadb((const char *) body, len, 0, NULL), *kids, *kid, *keys, *res;
    const char *type = json_string_value(json_object_get(req, "type"));
    ngx_int_t rc = NGX_OK;
    size_t i;
    char *text;
    u_char *out;

    kids = json_object_get(req, "kids");
    if (!json_is_array(kids) || json_array_size(kids) == 0
        || json_array_size(kids) > MEDIAPLANE_CLEARKEY_MAX_KIDS)
    {
        json_decref(req);
        return ngx_http_mediaplane_key_error(r, NGX_HTTP_BAD_REQUEST,
            "a ClearKey license request is JSON {\"kids\":[\"<base64url key id>\", ... at most 16],"
            "\"type\":\"temporary\"}");
    }
    keys = json_array();
    json_array_foreach(kids, i, kid) {
        rc = ngx_http_mediaplane_clearkey_one(r, kid, keys, reason, sizeof(reason));
        if (rc != NGX_OK && rc != NGX_DECLINED) {
            break;
        }
        rc = NGX_OK;
    }
    if (rc == NGX_OK && json_array_size(keys) == 0) {
        rc = NGX_HTTP_NOT_FOUND;
        ngx_cpystrn((u_char *) reason, (u_char *) "no published asset is encrypted with these "
                    "keys", sizeof(reason));
    }
    res = rc == NGX_OK ? json_pack("{s:o, s:s}", "keys", keys, "type", type ? type : "temporary")
                       : NULL;
    if (res == NULL) {
        json_decref(keys);
    }
    json_decref(req);
    if (rc != NGX_OK) {
        return rc >= NGX_HTTP_INTERNAL_SERVER_ERROR && reason[0] == '\0'
               ? rc : ngx_http_mediaplane_key_error(r, rc, reason);
    }
    text = res ? json_dumps(res, JSON_COMPACT) : NULL;
    len = text ? ngx_strlen(text) : 0;
    out = text ? ngx_pnalloc(r->pool, len) : NULL;
    if (out != NULL) {
        ngx_memcpy(out, text, len);
    }
    if (text != NULL) {
        OPENSSL_cleanse(text, len);
        free(text);
    }
    json_decref(res);
    return out ? ngx_http_mediaplane_key_reply(r, NGX_HTTP_OK, "application/json", out, len)
               : NGX_HTTP_INTERNAL_SERVER_ERROR;
}

static void
ngx_http_mediaplane_clearkey_body(ngx_http_request_t *r)
{
    u_char body[MEDIAPLANE_CLEARKEY_MAX_BODY];
    size_t len = 0;
    ngx_int_t rc = ngx_http_mediaplane_clearkey_body_bytes(r, body, &len);

    if (rc == NGX_OK) {
        rc = ngx_http_mediaplane_clearkey_answer(r, body, len);
    } else {
        rc = ngx_http_mediaplane_key_error(r, rc, "a ClearKey license request is at most 4096 "
                                           "bytes");
    }
    ngx_http_finalize_request(r, rc);
}

ngx_int_t
ngx_http_mediaplane_clearkey_handler(ngx_http_request_t *r)
{
    ngx_int_t rc;

    if (r->method == NGX_HTTP_OPTIONS) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        return ngx_http_mediaplane_key_reply(r, NGX_HTTP_NO_CONTENT, "text/plain", NULL, 0);
    }
    if (r->method != NGX_HTTP_POST) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        return ngx_http_mediaplane_key_error(r, NGX_HTTP_NOT_ALLOWED,
                                             "POST the EME ClearKey license request here");
    }
    if (r->headers_in.content_length_n > MEDIAPLANE_CLEARKEY_MAX_BODY) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        return ngx_http_mediaplane_key_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                             "a ClearKey license request is at most 4096 bytes");
    }
    rc = ngx_http_read_client_request_body(r, ngx_http_mediaplane_clearkey_body);
    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }
    return NGX_DONE;
}
