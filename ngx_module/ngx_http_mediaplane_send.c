/*
 * ngx_http_mediaplane_send.c — turns a core response into HTTP: headers a CDN
 * needs (exact Content-Length, ETag/Last-Modified, Cache-Control, CORS,
 * ranges), then the body: a memory buffer (manifests, init segments), a
 * header plus file buffers (fMP4 segments: sendfile, or thread-pool reads
 * with `aio threads`), or a produced body (MPEG-TS, ciphers), which
 * ngx_http_mediaplane_stream.c streams.  Files of storage-encrypted assets
 * never go out with sendfile: their segments and progressive downloads are
 * produced (read + decrypted), a single Range of a download decrypting only
 * the bytes asked for.
 */
#include "ngx_http_mediaplane.h"

#include <netinet/tcp.h>

static ngx_int_t
ngx_http_mediaplane_add_header(ngx_http_request_t *r, const char *key, ngx_str_t *value)
{
    ngx_table_elt_t *h = ngx_list_push(&r->headers_out.headers);

    if (h == NULL) {
        return NGX_ERROR;
    }
    h->hash = 1;
    h->key.data = (u_char *) key;
    h->key.len = ngx_strlen(key);
    h->value = *value;
    return NGX_OK;
}

ngx_int_t
ngx_http_mediaplane_set_common_headers(ngx_http_request_t *r,
    ngx_http_mediaplane_loc_conf_t *conf, time_t max_age)
{
    ngx_str_t v;

    if (conf->cors_origin.len) {
        if (ngx_http_mediaplane_add_header(r, "Access-Control-Allow-Origin", &conf->cors_origin)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        ngx_str_set(&v, "Content-Length, Content-Range, ETag");
        ngx_http_mediaplane_add_header(r, "Access-Control-Expose-Headers", &v);
        if (r->method == NGX_HTTP_OPTIONS) {
            ngx_str_set(&v, "GET, HEAD, OPTIONS");
            ngx_http_mediaplane_add_header(r, "Access-Control-Allow-Methods", &v);
            ngx_str_set(&v, "Range, Origin, Accept, Authorization");
            ngx_http_mediaplane_add_header(r, "Access-Control-Allow-Headers", &v);
            ngx_str_set(&v, "86400");
            ngx_http_mediaplane_add_header(r, "Access-Control-Max-Age", &v);
        }
    }

    if (max_age >= 0 && r->method != NGX_HTTP_OPTIONS) {
        v.data = ngx_pnalloc(r->pool, sizeof("max-age=") + NGX_TIME_T_LEN);
        if (v.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        v.len = ngx_sprintf(v.data, "max-age=%T", max_age) - v.data;
        if (ngx_http_mediaplane_add_header(r, "Cache-Control", &v) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return NGX_OK;
}

/* With tcp_nopush, nginx on Linux clears TCP_NODELAY before it sets TCP_CORK
 * for a header followed by file data, and on keep-alive only uncorks.  The
 * uncork then leaves the response's last, short segment to Nagle: when a
 * short segment is already in flight (sendfile from an offset inside a page
 * makes some), the tail waits for the client's delayed ACK, ~40 ms.  Measured
 * here: 60-130 KB responses from mid-page offsets (audio segments) dropped
 * from ~20,000 to ~25 req/s per connection.  TCP_NODELAY set underneath
 * nginx (its own record of it left "unset", so it neither clears it nor
 * skips the cork) keeps full-segment coalescing while corked and sends the
 * tail as soon as nginx uncorks.  Honours `tcp_nodelay off`. */
static void
ngx_http_mediaplane_push_tail(ngx_http_request_t *r)
{
    ngx_connection_t *c = r->connection;
    ngx_http_core_loc_conf_t *clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);
    int on = 1;

    if (!clcf->tcp_nopush || !clcf->tcp_nodelay || c->tcp_nopush != NGX_TCP_NOPUSH_UNSET
        || c->tcp_nodelay == NGX_TCP_NODELAY_DISABLED || c->sockaddr->sa_family == AF_UNIX
#if (NGX_HTTP_V2)
        || r->stream
#endif
       )
    {
        return;
    }

    if (c->tcp_nodelay == NGX_TCP_NODELAY_SET
        || setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, (const void *) &on, sizeof(int)) == 0)
    {
        c->tcp_nodelay = NGX_TCP_NODELAY_UNSET;   /* already on: nginx need not clear it */
    }
}

/* A Range the module answers itself: 206 with its Content-Range. */
static ngx_int_t
ngx_http_mediaplane_partial(ngx_http_mediaplane_ctx_t *ctx, off_t length)
{
    ngx_http_request_t *r = ctx->r;
    ngx_table_elt_t *h = ngx_list_push(&r->headers_out.headers);

    if (h == NULL) {
        return NGX_ERROR;
    }
    h->value.data = ngx_pnalloc(r->pool, sizeof("bytes -/") + 3 * NGX_OFF_T_LEN);
    if (h->value.data == NULL) {
        return NGX_ERROR;
    }
    h->hash = 1;
    ngx_str_set(&h->key, "Content-Range");
    h->value.len = ngx_sprintf(h->value.data, "bytes %O-%O/%O", ctx->partial_start,
                               ctx->partial_start + length - 1, ctx->partial_total)
                   - h->value.data;
    r->headers_out.content_range = h;
    r->headers_out.status = NGX_HTTP_PARTIAL_CONTENT;
    return NGX_OK;
}

/* Status, type, length, validators; then the header goes out. */
ngx_int_t
ngx_http_mediaplane_send_headers(ngx_http_mediaplane_ctx_t *ctx, const char *type,
    off_t length, time_t max_age)
{
    ngx_http_request_t *r = ctx->r;
    ngx_uint_t i;
    ngx_int_t rc;
    time_t mtime = 0;

    for (i = 0; i < ctx->file_count; i++) {
        mtime = ngx_max(mtime, ctx->files[i].of.mtime);
    }

    r->headers_out.status = NGX_HTTP_OK;
    if (ctx->partial_total > 0 && ngx_http_mediaplane_partial(ctx, length) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_length_n = length;
    r->headers_out.last_modified_time = mtime;
    r->allow_ranges = ctx->partial_total == 0;

    if (ngx_http_set_etag(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_mediaplane_set_common_headers(r, ctx->conf, max_age);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_send_header(r);
}

ngx_int_t
ngx_http_mediaplane_header_done(ngx_http_request_t *r, ngx_int_t rc)
{
    return rc == NGX_ERROR || rc > NGX_OK || r->header_only;
}

static void
ngx_http_mediaplane_free_response(void *data)
{
    mp_response_free(data);
}

static ngx_buf_t *
ngx_http_mediaplane_memory_buf(ngx_http_request_t *r, u_char *p, size_t len)
{
    ngx_buf_t *b = ngx_calloc_buf(r->pool);

    if (b) {
        b->pos = p;
        b->last = p + len;
        b->start = p;
        b->end = b->last;
        b->memory = 1;
    }
    return b;
}

ngx_int_t
ngx_http_mediaplane_send_memory(ngx_http_mediaplane_ctx_t *ctx, const char *type, u_char *body,
    size_t len, int is_manifest)
{
    ngx_http_request_t *r = ctx->r;
    ngx_chain_t out;
    ngx_int_t rc;

    rc = ngx_http_mediaplane_send_headers(ctx, type, (off_t) len,
                                          is_manifest ? ctx->manifest_max_age
                                                      : ctx->segment_max_age);
    if (ngx_http_mediaplane_header_done(r, rc)) {
        return rc;
    }

    out.buf = ngx_http_mediaplane_memory_buf(r, body, len);
    if (out.buf == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    out.buf->last_buf = (r == r->main);
    out.buf->last_in_chain = 1;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}

/* Are all the sample ranges of an fMP4 response in the page cache? */
static ngx_uint_t
ngx_http_mediaplane_ranges_cached(ngx_http_mediaplane_ctx_t *ctx, ngx_http_mediaplane_file_t *f)
{
    mp_response_t *res = &ctx->res;
    ngx_uint_t i;

    for (i = 0; i < res->range_count; i++) {
        if (!ngx_http_mediaplane_cached(f->of.fd, res->ranges[i].offset,
                                        res->ranges[i].offset + res->ranges[i].length))
        {
            return 0;
        }
    }

    return 1;
}

static ngx_int_t
ngx_http_mediaplane_send_ranges(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    mp_response_t *res = &ctx->res;
    ngx_http_mediaplane_file_t *f;
    ngx_chain_t *out, **ll;
    ngx_buf_t *b;
    ngx_uint_t i;
    ngx_int_t rc;

    /* files[] holds the .ism first when there is one; ranges name media files */
    f = &ctx->files[res->range_file + (ctx->req.asset_is_ism ? 1 : 0)];

    rc = ngx_http_mediaplane_send_headers(ctx, res->content_type, (off_t) res->content_length,
                                          ctx->segment_max_age);
    if (ngx_http_mediaplane_header_done(r, rc)) {
        return rc;
    }

    ngx_http_mediaplane_push_tail(r);
    ctx->files_cached = ctx->conf->cached_inline && ngx_http_mediaplane_ranges_cached(ctx, f);

    out = ngx_alloc_chain_link(r->pool);
    if (out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    out->buf = ngx_http_mediaplane_memory_buf(r, res->head.p, res->head.pos);
    if (out->buf == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ll = &out->next;

    for (i = 0; i < res->range_count; i++) {
        b = ngx_calloc_buf(r->pool);
        *ll = ngx_alloc_chain_link(r->pool);
        if (b == NULL || *ll == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        b->in_file = 1;
        b->file = &f->file;
        b->file_pos = (off_t) res->ranges[i].offset;
        b->file_last = (off_t) (res->ranges[i].offset + res->ranges[i].length);
        (*ll)->buf = b;
        ll = &(*ll)->next;
    }
    *ll = NULL;

    for (b = NULL, ll = &out; *ll; ll = &(*ll)->next) {
        b = (*ll)->buf;
    }
    b->last_buf = (r == r->main);
    b->last_in_chain = 1;

    return ngx_http_output_filter(r, out);
}

ngx_int_t
ngx_http_mediaplane_send_response(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_pool_cleanup_t *cln = ngx_pool_cleanup_add(ctx->r->pool, 0);

    if (cln == NULL) {
        mp_response_free(&ctx->res);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    cln->handler = ngx_http_mediaplane_free_response;
    cln->data = &ctx->res;

    switch (ctx->res.kind) {
    case MP_BODY_BUFFER:
        return ngx_http_mediaplane_send_memory(ctx, ctx->res.content_type, ctx->res.head.p,
                                               ctx->res.head.pos, ctx->res.is_manifest);
    case MP_BODY_RANGES:
        if (ctx->files[ctx->res.range_file + (ctx->req.asset_is_ism ? 1 : 0)].storage == NULL) {
            return ngx_http_mediaplane_send_ranges(ctx);
        }
        if (mp_response_ranges_as_stream(&ctx->res) != MP_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        return ngx_http_mediaplane_send_stream(ctx);
    default:
        return ngx_http_mediaplane_send_stream(ctx);
    }
}

/* The one range of "Range: bytes=a-b" (or a-, or -n) within a file of
 * size bytes; NGX_DECLINED for anything else (no or several ranges,
 * If-Range, unsatisfiable: nginx's range filter answers those). */
static ngx_int_t
ngx_http_mediaplane_single_range(ngx_http_request_t *r, off_t size, off_t *start, off_t *len)
{
    u_char *p, *last;
    off_t v[2] = { -1, -1 };
    ngx_uint_t i, digits;

    if (r->headers_in.range == NULL || r->headers_in.if_range != NULL || size <= 0
        || r->headers_in.range->value.len < 6
        || ngx_strncasecmp(r->headers_in.range->value.data, (u_char *) "bytes=", 6) != 0)
    {
        return NGX_DECLINED;
    }
    p = r->headers_in.range->value.data + 6;
    last = r->headers_in.range->value.data + r->headers_in.range->value.len;
    for (i = 0; i < 2; i++) {
        while (p < last && *p == ' ') {
            p++;
        }
        for (digits = 0; p < last && *p >= '0' && *p <= '9' && digits < 18; p++, digits++) {
            v[i] = (v[i] < 0 ? 0 : v[i] * 10) + (*p - '0');
        }
        while (p < last && *p == ' ') {
            p++;
        }
        if (i == 0 && (p == last || *p++ != '-')) {
            return NGX_DECLINED;
        }
    }
    if (p != last || (v[0] < 0 && v[1] <= 0)) {
        return NGX_DECLINED;
    }
    if (v[0] < 0) {                                  /* the last n bytes */
        v[0] = v[1] < size ? size - v[1] : 0;
        v[1] = size - 1;
    }
    if (v[0] >= size || (v[1] >= 0 && v[1] < v[0])) {
        return NGX_DECLINED;
    }
    if (v[1] < 0 || v[1] >= size) {
        v[1] = size - 1;
    }
    *start = v[0];
    *len = v[1] - v[0] + 1;
    return NGX_OK;
}

/* Progressive download of a storage-encrypted file: its clear bytes (all,
 * or the one range asked for) produced through its decrypting source. */
static ngx_int_t
ngx_http_mediaplane_send_decrypted(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_mediaplane_file_t *f = &ctx->files[0];
    ngx_pool_cleanup_t *cln = ngx_pool_cleanup_add(ctx->r->pool, 0);
    off_t start = 0, len = f->of.size;

    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    cln->handler = ngx_http_mediaplane_free_response;
    cln->data = &ctx->res;
    if (ngx_http_mediaplane_single_range(ctx->r, f->of.size, &start, &len) == NGX_OK) {
        ctx->partial_start = start;
        ctx->partial_total = f->of.size;
    }
    if (mp_response_file_stream(&ctx->res, 0, (uint64_t) start, (uint64_t) len, "video/mp4")
        != MP_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    return ngx_http_mediaplane_send_stream(ctx);
}

/* Progressive download of an .mp4 of the asset, with ranges and HEAD. */
ngx_int_t
ngx_http_mediaplane_send_file(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    ngx_http_mediaplane_file_t *f = &ctx->files[0];
    ngx_chain_t out;
    ngx_buf_t *b;
    ngx_int_t rc;

    if (f->storage != NULL && f->of.size > 0) {
        return ngx_http_mediaplane_send_decrypted(ctx);
    }

    rc = ngx_http_mediaplane_send_headers(ctx, "video/mp4", f->of.size,
                                          ctx->segment_max_age);
    if (ngx_http_mediaplane_header_done(r, rc) || f->of.size == 0) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    b->in_file = 1;
    b->file = &f->file;
    b->file_pos = 0;
    b->file_last = f->of.size;
    ngx_http_mediaplane_push_tail(r);
    b->last_buf = (r == r->main);
    b->last_in_chain = 1;
    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}

/* ---- body filter: sendfile on the event loop for cached bytes ---- */

static ngx_http_output_body_filter_pt ngx_http_mediaplane_next_body_filter;

/* With `aio threads`, nginx runs every sendfile() of a file buffer in a
 * thread-pool task, a round trip per call even when the bytes are in memory
 * and sendfile cannot block.  The copy filter hands buffers their thread
 * handler; this filter runs after it (the module is ordered before
 * ngx_http_copy_filter_module) and takes it away again for responses whose
 * file bytes were all in the page cache when they were planned. */
static ngx_int_t
ngx_http_mediaplane_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_http_mediaplane_ctx_t *ctx = ngx_http_get_module_ctx(r, ngx_http_mediaplane_module);
    ngx_chain_t *cl;

    if (ctx != NULL && ctx->files_cached) {
        for (cl = in; cl; cl = cl->next) {
            if (cl->buf->in_file && cl->buf->file != NULL) {
                cl->buf->file->thread_handler = NULL;
            }
        }
    }

    return ngx_http_mediaplane_next_body_filter(r, in);
}

ngx_int_t
ngx_http_mediaplane_filter_init(ngx_conf_t *cf)
{
    ngx_http_mediaplane_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_mediaplane_body_filter;
    return NGX_OK;
}
