/*
 * ngx_http_mediaplane_send.c — turns a core response into HTTP: headers a CDN
 * needs (exact Content-Length, ETag/Last-Modified, Cache-Control, CORS,
 * ranges), then the body: a memory buffer (manifests, init segments), a
 * header plus file buffers (fMP4 segments: sendfile, or thread-pool reads
 * with `aio threads`), or MPEG-TS produced chunk by chunk in thread tasks
 * into one reused buffer (memory per request independent of segment size),
 * the muxer copying sample payload from the media files mapped in those
 * tasks (under the SIGBUS guard of ngx_http_mediaplane_load.c).
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
static ngx_int_t
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

static ngx_int_t
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

/* ---- MPEG-TS: produced chunk by chunk (on the event loop when cached, else
 * in thread tasks) into one reused buffer ---- */

/* Output buffers of finished TS requests are kept for the next ones (per
 * process; taken and given back on the event loop only): allocating them
 * afresh let glibc return the memory between requests, and refilling a
 * buffer then page-faulted it in again. */
#define NGX_HTTP_MEDIAPLANE_TS_SPARE 8

typedef struct {
    u_char *p;
    size_t size;
} ngx_http_mediaplane_spare_t;

static ngx_http_mediaplane_spare_t ngx_http_mediaplane_ts_spare[NGX_HTTP_MEDIAPLANE_TS_SPARE];

static void
ngx_http_mediaplane_ts_buf_free(void *data)
{
    ngx_buf_t *b = data;
    ngx_uint_t i;

    for (i = 0; i < NGX_HTTP_MEDIAPLANE_TS_SPARE; i++) {
        if (ngx_http_mediaplane_ts_spare[i].p == NULL) {
            ngx_http_mediaplane_ts_spare[i].p = b->start;
            ngx_http_mediaplane_ts_spare[i].size = (size_t) (b->end - b->start);
            return;
        }
    }
    ngx_free(b->start);
}

static ngx_buf_t *
ngx_http_mediaplane_ts_buf(ngx_http_request_t *r, size_t size)
{
    ngx_pool_cleanup_t *cln;
    ngx_buf_t *b;
    ngx_uint_t i;
    u_char *p = NULL;

    b = ngx_calloc_buf(r->pool);
    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (b == NULL || cln == NULL) {
        return NULL;
    }

    for (i = 0; i < NGX_HTTP_MEDIAPLANE_TS_SPARE; i++) {
        if (ngx_http_mediaplane_ts_spare[i].p != NULL
            && ngx_http_mediaplane_ts_spare[i].size == size)
        {
            p = ngx_http_mediaplane_ts_spare[i].p;
            ngx_http_mediaplane_ts_spare[i].p = NULL;
            break;
        }
    }
    if (p == NULL) {
        p = ngx_alloc(size, r->connection->log);
        if (p == NULL) {
            return NULL;
        }
    }

    b->start = p;
    b->pos = p;
    b->last = p;
    b->end = p + size;
    b->temporary = 1;
    cln->handler = ngx_http_mediaplane_ts_buf_free;
    cln->data = b;
    return b;
}

static ngx_int_t ngx_http_mediaplane_ts_produced(ngx_http_mediaplane_ctx_t *ctx);

static void
ngx_http_mediaplane_ts_close(void *data)
{
    ts_mux_close(data);
}

static void ngx_http_mediaplane_ts_read_guarded(void *data);

/* Open the muxer and, unless nothing but headers will be sent, produce the
 * first chunk in the same task: one thread-pool hop fewer per segment, and
 * a segment that fails at once still gets an error status. */
static void
ngx_http_mediaplane_ts_open_guarded(void *data)
{
    ngx_http_mediaplane_ctx_t *ctx = data;
    mp_response_t *res = &ctx->res;
    ts_segment_params_t tp;

    ngx_memzero(&tp, sizeof(tp));
    tp.video = res->ts_video;
    tp.video_seg = &res->ts_video_seg;
    tp.video_reader = &ctx->ts_readers[0].reader;
    tp.audio = res->ts_audio;
    tp.audio_seg = &res->ts_audio_seg;
    tp.audio_reader = &ctx->ts_readers[1].reader;
    tp.segment_number = res->ts_segment_number;

    ctx->ts_rc = ts_mux_open(&ctx->ts, &tp, &ctx->ts_size);
    if (ctx->ts_rc == MP_OK) {
        ts_mux_set_mappers(ctx->ts, res->ts_video ? &ctx->ts_readers[0].mapper : NULL,
                           res->ts_audio ? &ctx->ts_readers[1].mapper : NULL);
        if (ctx->ts_buf != NULL) {
            ngx_http_mediaplane_ts_read_guarded(ctx);
        }
    }
}

static void
ngx_http_mediaplane_ts_read_guarded(void *data)
{
    ngx_http_mediaplane_ctx_t *ctx = data;
    ngx_buf_t *b = ctx->ts_buf;
    size_t n = 0;
    int done = 0;

    ctx->ts_rc = ts_mux_read(ctx->ts, b->start, (size_t) (b->end - b->start), &n, &done);
    b->pos = b->start;
    b->last = b->start + n;
    ctx->ts_done = done;
}

/* The muxer touches the files' mappings: a file truncated meanwhile fails
 * the segment instead of killing the worker. */
static void
ngx_http_mediaplane_ts_open_work(ngx_http_mediaplane_ctx_t *ctx)
{
    if (ngx_http_mediaplane_guard(ngx_http_mediaplane_ts_open_guarded, ctx)) {
        ctx->ts_rc = MP_ERR_IO;
    }
}

static void
ngx_http_mediaplane_ts_read_work(ngx_http_mediaplane_ctx_t *ctx)
{
    if (ngx_http_mediaplane_guard(ngx_http_mediaplane_ts_read_guarded, ctx)) {
        ctx->ts_rc = MP_ERR_IO;
    }
}

static ngx_int_t
ngx_http_mediaplane_ts_opened(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    ngx_pool_cleanup_t *cln;
    ngx_int_t rc;

    if (ctx->ts_rc != MP_OK) {
        ts_mux_close(ctx->ts);        /* first chunk failed, or a SIGBUS cut the open short */
        ctx->ts = NULL;
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mediaplane: \"%V\": cannot build MPEG-TS segment: %s", &r->uri,
                      ctx->ts_rc == MP_ERR_BAD_MEDIA
                      ? "HLS v3 carries H.264 and AAC only (use an fMP4 format for HEVC, "
                        "AC-3, E-AC-3), or the samples are malformed"
                      : "read error or out of memory");
        return ngx_http_mediaplane_status(ctx->ts_rc);
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        ts_mux_close(ctx->ts);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    cln->handler = ngx_http_mediaplane_ts_close;
    cln->data = ctx->ts;

    rc = ngx_http_mediaplane_send_headers(ctx, ctx->res.content_type, (off_t) ctx->ts_size,
                                          ctx->segment_max_age);
    if (ngx_http_mediaplane_header_done(r, rc) || ctx->ts_buf == NULL) {
        return rc;
    }

    return ngx_http_mediaplane_ts_produced(ctx);
}

static ngx_int_t
ngx_http_mediaplane_ts_idle(ngx_http_request_t *r)
{
    return r->out == NULL && !(r->connection->buffered);
}

static void ngx_http_mediaplane_ts_write_handler(ngx_http_request_t *r);

/* Chunks produced on the event loop in one go before other connections get
 * their turn (about 1 MB with the default buffer). */
#define NGX_HTTP_MEDIAPLANE_TS_INLINE_CHUNKS 4

static ngx_int_t ngx_http_mediaplane_ts_send_chunk(ngx_http_mediaplane_ctx_t *ctx);

/* NGX_OK once everything handed to nginx has left; else NGX_DONE (the write
 * handler calls again) or NGX_ERROR.  Bytes the write filter postponed (e.g.
 * the header, when the range filter dropped our chunk and its flush flag)
 * are pushed with an explicit flush first. */
static ngx_int_t
ngx_http_mediaplane_ts_drained(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    ngx_http_core_loc_conf_t *clcf;

    if (!ngx_http_mediaplane_ts_idle(r) && ngx_http_send_special(r, NGX_HTTP_FLUSH) == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (ngx_http_mediaplane_ts_idle(r)) {
        return NGX_OK;
    }

    r->write_event_handler = ngx_http_mediaplane_ts_write_handler;
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);
    if (ngx_handle_write_event(r->connection->write, clcf->send_lowat) != NGX_OK) {
        return NGX_ERROR;
    }
    return NGX_DONE;
}

/* Produce the next chunks as the connection drains: on the event loop when
 * the segment's bytes are in the page cache (ts_inline, a few chunks per
 * turn), else one chunk per thread task. */
static ngx_int_t
ngx_http_mediaplane_ts_continue(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    ngx_uint_t chunks;
    ngx_int_t rc;

    for (chunks = 0; /* void */; chunks++) {
        rc = ngx_http_mediaplane_ts_drained(ctx);
        if (rc != NGX_OK) {
            return rc;
        }

        if (!ctx->ts_inline) {
            r->write_event_handler = ngx_http_request_empty_handler;
            return ngx_http_mediaplane_post(ctx, ngx_http_mediaplane_ts_read_work,
                                            ngx_http_mediaplane_ts_produced);
        }

        if (chunks == NGX_HTTP_MEDIAPLANE_TS_INLINE_CHUNKS) {
            r->write_event_handler = ngx_http_mediaplane_ts_write_handler;
            ngx_post_event(r->connection->write, &ngx_posted_events);
            return NGX_DONE;
        }

        ngx_http_mediaplane_ts_read_work(ctx);
        rc = ngx_http_mediaplane_ts_send_chunk(ctx);
        if (rc != NGX_AGAIN) {
            return rc;
        }
    }
}

static void
ngx_http_mediaplane_ts_write_handler(ngx_http_request_t *r)
{
    ngx_http_mediaplane_ctx_t *ctx = ngx_http_get_module_ctx(r, ngx_http_mediaplane_module);
    ngx_int_t rc;

    if (r->connection->write->timedout) {
        r->connection->timedout = 1;
        ngx_http_finalize_request(r, NGX_HTTP_REQUEST_TIME_OUT);
        return;
    }

    rc = ngx_http_mediaplane_ts_continue(ctx);
    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}

/* Hand the chunk just produced to nginx; NGX_AGAIN when more is to come. */
static ngx_int_t
ngx_http_mediaplane_ts_send_chunk(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    ngx_chain_t out;
    ngx_int_t rc;

    if (ctx->ts_rc != MP_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mediaplane: \"%V\": MPEG-TS muxing failed mid-stream (error %d)",
                      &r->uri, (int) ctx->ts_rc);
        return NGX_ERROR;             /* headers are out: abort the connection */
    }

    ctx->ts_buf->last_buf = ctx->ts_done && r == r->main;
    ctx->ts_buf->last_in_chain = ctx->ts_done;
    ctx->ts_buf->flush = 1;
    out.buf = ctx->ts_buf;
    out.next = NULL;

    rc = ngx_http_output_filter(r, &out);
    if (rc == NGX_ERROR || ctx->ts_done) {
        return rc;
    }

    return NGX_AGAIN;
}

static ngx_int_t
ngx_http_mediaplane_ts_produced(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_int_t rc = ngx_http_mediaplane_ts_send_chunk(ctx);

    return rc == NGX_AGAIN ? ngx_http_mediaplane_ts_continue(ctx) : rc;
}

/* Are all the bytes the segment's samples lie in already in the page cache?
 * Then the muxer reads them on the event loop without a thread hop (it only
 * page-faults mapped, cached pages); otherwise, or when the kernel cannot
 * tell us, it runs in thread tasks. */
static ngx_uint_t
ngx_http_mediaplane_ts_cached(ngx_http_mediaplane_ctx_t *ctx)
{
    mp_response_t *res = &ctx->res;
    const mp_pres_track_t *track[2] = { res->ts_video, res->ts_audio };
    const mp_seg_t *seg[2] = { &res->ts_video_seg, &res->ts_audio_seg };
    uint64_t lo, hi;
    ngx_uint_t i;

    for (i = 0; i < 2; i++) {
        if (track[i] == NULL) {
            continue;
        }
        mp_seg_byte_span(track[i], seg[i], &lo, &hi);
        if (!ngx_http_mediaplane_cached(ctx->ts_readers[i].fd, lo, hi)) {
            return 0;
        }
    }

    return 1;
}

static ngx_int_t
ngx_http_mediaplane_send_ts(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_uint_t first = ctx->req.asset_is_ism ? 1 : 0;
    mp_response_t *res = &ctx->res;
    size_t size;

    if (!ctx->r->header_only) {
        size = ctx->conf->ts_buffer_size / 188 * 188;
        ctx->ts_buf = ngx_http_mediaplane_ts_buf(ctx->r, size ? size : 188);
        if (ctx->ts_buf == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ngx_http_mediaplane_mapper_init(ctx->r, &ctx->ts_readers[0],
            res->ts_video ? &ctx->files[first + res->ts_video->file_no] : NULL) != NGX_OK
        || ngx_http_mediaplane_mapper_init(ctx->r, &ctx->ts_readers[1],
            res->ts_audio ? &ctx->files[first + res->ts_audio->file_no] : NULL) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->ts_inline = ctx->conf->cached_inline && ngx_http_mediaplane_ts_cached(ctx);
    if (ctx->ts_inline) {
        ngx_http_mediaplane_ts_open_work(ctx);
        return ngx_http_mediaplane_ts_opened(ctx);
    }

    return ngx_http_mediaplane_post(ctx, ngx_http_mediaplane_ts_open_work,
                                    ngx_http_mediaplane_ts_opened);
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
        return ngx_http_mediaplane_send_ts(ctx);
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
