/*
 * ngx_http_mediaplane_send.c — turns a core response into HTTP: headers a CDN
 * needs (exact Content-Length, ETag/Last-Modified, Cache-Control, CORS,
 * ranges), then the body: a memory buffer (manifests, init segments), a
 * header plus file buffers (fMP4 segments: sendfile, or thread-pool reads
 * with `aio threads`), or a produced body (MPEG-TS, ciphers), which
 * ngx_http_mediaplane_stream.c streams.
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
    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_length_n = length;
    r->headers_out.last_modified_time = mtime;
    r->allow_ranges = 1;

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
        return ngx_http_mediaplane_send_ranges(ctx);
    default:
        return ngx_http_mediaplane_send_stream(ctx);
    }
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
