/*
 * ngx_http_mediaplane_memo.c — what is worth remembering between requests,
 * kept in the same shared-memory cache as the indexes: generated manifests
 * and playlists (small, hot, and identical for every viewer) and segment
 * timelines (so a segment request of a long asset does not re-derive every
 * boundary), and segments found malformed only after their headers went out
 * (so the next request for them is refused before its first byte).  Keys name the request plus the identity (path, inode, mtime,
 * size) of every file involved, so any change to the asset is a new key.
 */
#include "ngx_http_mediaplane.h"

/* "<kind>|<what>|<file key>|<file key>..." in the request pool. */
static ngx_int_t
ngx_http_mediaplane_memo_key(ngx_http_mediaplane_ctx_t *ctx, u_char kind, ngx_str_t *what,
    ngx_str_t *key)
{
    ngx_uint_t i;
    size_t len = 2 + what->len;
    u_char *p;

    for (i = 0; i < ctx->file_count; i++) {
        len += 1 + ctx->files[i].key.len;
    }
    key->data = ngx_pnalloc(ctx->r->pool, len);
    if (key->data == NULL) {
        return NGX_ERROR;
    }
    p = key->data;
    *p++ = kind;
    *p++ = '|';
    p = ngx_cpymem(p, what->data, what->len);
    for (i = 0; i < ctx->file_count; i++) {
        *p++ = '|';
        p = ngx_cpymem(p, ctx->files[i].key.data, ctx->files[i].key.len);
    }
    key->len = p - key->data;
    return NGX_OK;
}

static ngx_int_t
ngx_http_mediaplane_manifest_key(ngx_http_mediaplane_ctx_t *ctx, ngx_str_t *key)
{
    u_char buf[2 * NGX_INT_T_LEN + 2 + 2 + 33 + 33], *p;
    const mp_protection_t *pr = ctx->req.protection;
    const char *urls[5] = { "", "", "", "", "" };
    size_t len[5] = { 0, 0, 0, 0, 0 }, total = 0;
    ngx_str_t what;
    int i;

    /* the durations, the protection (key tags, ContentProtection) and the
     * filters' rules shape the body; everything else comes from the URI */
    p = ngx_sprintf(buf, "%M|%M|", ctx->conf->segment_duration, ctx->conf->fragment_duration);
    if (pr != NULL) {
        p = ngx_sprintf(p, "%d%d", (int) pr->method, pr->has_iv);
        p = ngx_hex_dump(p, (u_char *) pr->iv, pr->has_iv ? 16 : 0);
        p = ngx_hex_dump(p, (u_char *) pr->kid, mp_protection_is_common(pr) ? 16 : 0);
        *p++ = '|';
        urls[0] = pr->key_uri;
        urls[1] = pr->clearkey_url;
        urls[2] = pr->widevine_url;
        urls[3] = pr->playready_url;
        urls[4] = pr->fairplay_url;
    }
    for (i = 0; i < 5; i++) {
        len[i] = ngx_strlen(urls[i]);
        total += len[i] + 1;
    }
    what.len = (p - buf) + total + ctx->r->uri.len + 1 + ctx->filter_key.len;
    what.data = ngx_pnalloc(ctx->r->pool, what.len);
    if (what.data == NULL) {
        return NGX_ERROR;
    }
    p = ngx_cpymem(what.data, buf, p - buf);
    for (i = 0; i < 5; i++) {
        p = ngx_cpymem(p, urls[i], len[i]);
        *p++ = '|';
    }
    p = ngx_cpymem(p, ctx->r->uri.data, ctx->r->uri.len);
    *p++ = '|';
    if (ctx->filter_key.len > 0) {                  /* the filters' rules */
        ngx_memcpy(p, ctx->filter_key.data, ctx->filter_key.len);
    }
    return ngx_http_mediaplane_memo_key(ctx, 'M', &what, key);
}

/* A manifest worth remembering: not a live one (it moves with the clock). */
static int
ngx_http_mediaplane_is_manifest(ngx_http_mediaplane_ctx_t *ctx)
{
    return (ctx->req.kind == MP_REQ_MANIFEST || ctx->req.kind == MP_REQ_PLAYLIST)
           && !ctx->is_live;
}

ngx_int_t
ngx_http_mediaplane_manifest_lookup(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_mediaplane_main_conf_t *mcf;
    ngx_http_mediaplane_cache_node_t *node;
    ngx_str_t key;
    size_t size, type_len;
    u_char *blob;

    if (!ngx_http_mediaplane_is_manifest(ctx)) {
        return NGX_DECLINED;
    }
    if (ngx_http_mediaplane_manifest_key(ctx, &key) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    mcf = ngx_http_get_module_main_conf(ctx->r, ngx_http_mediaplane_module);
    node = ngx_http_mediaplane_cache_acquire(mcf->cache_zone, &key, (void **) &blob, &size);
    if (node == NULL) {
        return NGX_DECLINED;
    }
    if (ngx_http_mediaplane_cache_pin(ctx->r, node) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* blob: content type, NUL, body */
    type_len = ngx_strlen(blob);
    return ngx_http_mediaplane_send_memory(ctx, (const char *) blob, blob + type_len + 1,
                                           size - type_len - 1, 1);
}

void
ngx_http_mediaplane_manifest_store(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_mediaplane_main_conf_t *mcf;
    ngx_http_mediaplane_cache_node_t *node;
    mp_response_t *res = &ctx->res;
    size_t type_len, size;
    ngx_str_t key;
    u_char *blob;
    void *stored;

    if (!ngx_http_mediaplane_is_manifest(ctx) || res->kind != MP_BODY_BUFFER
        || ngx_http_mediaplane_manifest_key(ctx, &key) != NGX_OK)
    {
        return;
    }
    type_len = ngx_strlen(res->content_type);
    size = type_len + 1 + res->head.pos;
    blob = ngx_pnalloc(ctx->r->pool, size);
    if (blob == NULL) {
        return;
    }
    ngx_memcpy(blob, res->content_type, type_len + 1);
    ngx_memcpy(blob + type_len + 1, res->head.p, res->head.pos);

    mcf = ngx_http_get_module_main_conf(ctx->r, ngx_http_mediaplane_module);
    node = ngx_http_mediaplane_cache_insert(mcf->cache_zone, &key, blob, size, &stored);
    if (node) {
        ngx_http_mediaplane_cache_release(node);   /* stored for the next request */
    }
}

/* Timeline blob: end_10m, count, bounds[count] (all uint64_t). */
ngx_int_t
ngx_http_mediaplane_timeline(ngx_http_mediaplane_ctx_t *ctx, mp_timeline_t *tl)
{
    ngx_http_mediaplane_main_conf_t *mcf;
    ngx_http_mediaplane_cache_node_t *node;
    mp_package_conf_t pc;
    u_char buf[NGX_INT64_LEN];
    uint64_t target, *blob;
    ngx_str_t key, what;
    size_t size;
    void *stored;
    int rc;

    pc.hls_segment_10m = (uint64_t) ctx->conf->segment_duration * 10000;
    pc.fragment_10m = (uint64_t) ctx->conf->fragment_duration * 10000;
    target = mp_package_target(&ctx->req, &pc);

    what.data = buf;
    what.len = ngx_sprintf(buf, "%uL", target) - buf;
    if (ngx_http_mediaplane_memo_key(ctx, 'T', &what, &key) != NGX_OK) {
        return MP_ERR_NO_MEMORY;
    }

    mcf = ngx_http_get_module_main_conf(ctx->r, ngx_http_mediaplane_module);
    node = ngx_http_mediaplane_cache_acquire(mcf->cache_zone, &key, (void **) &blob, &size);
    if (node && ngx_http_mediaplane_cache_pin(ctx->r, node) == NGX_OK) {
        tl->end_10m = blob[0];
        tl->count = (uint32_t) blob[1];
        tl->bounds_10m = blob + 2;
        return MP_OK;
    }

    rc = mp_timeline_build(&ctx->pres, target, tl);
    if (rc != MP_OK) {
        return rc;
    }

    /* keep this request's copy in the pool; the cache gets its own */
    size = (2 + (size_t) tl->count) * sizeof(uint64_t);
    blob = ngx_palloc(ctx->r->pool, size);
    if (blob == NULL) {
        mp_timeline_free(tl);
        return MP_ERR_NO_MEMORY;
    }
    blob[0] = tl->end_10m;
    blob[1] = tl->count;
    ngx_memcpy(blob + 2, tl->bounds_10m, tl->count * sizeof(uint64_t));
    mp_timeline_free(tl);
    tl->bounds_10m = blob + 2;
    tl->count = (uint32_t) blob[1];

    node = ngx_http_mediaplane_cache_insert(mcf->cache_zone, &key, blob, size, &stored);
    if (node) {
        ngx_http_mediaplane_cache_release(node);
    }
    return MP_OK;
}

static ngx_int_t
ngx_http_mediaplane_bad_segment_key(ngx_http_mediaplane_ctx_t *ctx, ngx_str_t *key)
{
    return ngx_http_mediaplane_memo_key(ctx, 'B', &ctx->r->uri, key);
}

/* NGX_OK when this segment of these files failed mid-stream before (its
 * samples are malformed: the muxer found out only while streaming, after
 * Content-Length went out), else NGX_DECLINED. */
ngx_int_t
ngx_http_mediaplane_bad_segment(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_mediaplane_main_conf_t *mcf;
    ngx_http_mediaplane_cache_node_t *node;
    ngx_str_t key;
    size_t size;
    void *blob;

    mcf = ngx_http_get_module_main_conf(ctx->r, ngx_http_mediaplane_module);
    if (!ngx_http_mediaplane_cache_any_marked(mcf->cache_zone)
        || ngx_http_mediaplane_bad_segment_key(ctx, &key) != NGX_OK)
    {
        return NGX_DECLINED;
    }
    node = ngx_http_mediaplane_cache_acquire(mcf->cache_zone, &key, &blob, &size);
    if (node == NULL) {
        return NGX_DECLINED;
    }
    ngx_http_mediaplane_cache_release(node);
    return NGX_OK;
}

void
ngx_http_mediaplane_bad_segment_mark(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_mediaplane_main_conf_t *mcf;
    ngx_http_mediaplane_cache_node_t *node;
    ngx_str_t key;
    void *stored;
    u_char one = 1;

    if (ngx_http_mediaplane_bad_segment_key(ctx, &key) != NGX_OK) {
        return;
    }
    mcf = ngx_http_get_module_main_conf(ctx->r, ngx_http_mediaplane_module);
    ngx_http_mediaplane_cache_mark(mcf->cache_zone);
    node = ngx_http_mediaplane_cache_insert(mcf->cache_zone, &key, &one, 1, &stored);
    if (node) {
        ngx_http_mediaplane_cache_release(node);
    }
}
