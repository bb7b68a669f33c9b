/*
 * ngx_http_mediaplane_stream.c — the one streaming path for produced bodies
 * (MP_BODY_STREAM: MPEG-TS segments today, ciphers next): the core's
 * producer is opened over the request's media files as mp_source_t, its
 * exact size goes out as Content-Length, then chunks are produced into one
 * reused buffer as the connection drains.  Production runs on the event
 * loop with RWF_NOWAIT reads (a few chunks per turn); a read that would
 * block (MP_ERR_AGAIN) sends what was produced and moves the next chunk to
 * a thread task, where reads may block; the chunk after that tries the
 * event loop again.  Memory per request is the buffer, whatever the size of
 * the segment; nothing depends on who owns the media files.
 */
#include "ngx_http_mediaplane.h"

/* Chunks produced on the event loop in one go before other connections get
 * their turn (about 1 MB with the default buffer). */
#define NGX_HTTP_MEDIAPLANE_STREAM_INLINE_CHUNKS 4

/* Output buffers of finished requests are kept for the next ones (per
 * process; taken and given back on the event loop only): allocating them
 * afresh let glibc return the memory between requests, and refilling a
 * buffer then page-faulted it in again. */
#define NGX_HTTP_MEDIAPLANE_STREAM_SPARE 8

typedef struct {
    u_char *p;
    size_t size;
} ngx_http_mediaplane_spare_t;

static ngx_http_mediaplane_spare_t ngx_http_mediaplane_spare[NGX_HTTP_MEDIAPLANE_STREAM_SPARE];

static void
ngx_http_mediaplane_stream_buf_free(void *data)
{
    ngx_buf_t *b = data;
    ngx_uint_t i;

    for (i = 0; i < NGX_HTTP_MEDIAPLANE_STREAM_SPARE; i++) {
        if (ngx_http_mediaplane_spare[i].p == NULL) {
            ngx_http_mediaplane_spare[i].p = b->start;
            ngx_http_mediaplane_spare[i].size = (size_t) (b->end - b->start);
            return;
        }
    }
    ngx_free(b->start);
}

static ngx_buf_t *
ngx_http_mediaplane_stream_buf(ngx_http_request_t *r, size_t size)
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

    for (i = 0; i < NGX_HTTP_MEDIAPLANE_STREAM_SPARE; i++) {
        if (ngx_http_mediaplane_spare[i].p != NULL && ngx_http_mediaplane_spare[i].size == size) {
            p = ngx_http_mediaplane_spare[i].p;
            ngx_http_mediaplane_spare[i].p = NULL;
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
    cln->handler = ngx_http_mediaplane_stream_buf_free;
    cln->data = b;
    return b;
}

/* Reads may block (thread tasks) or must not (the event loop). */
static void
ngx_http_mediaplane_stream_nowait(ngx_http_mediaplane_ctx_t *ctx, int nowait)
{
    ngx_uint_t i, n = ctx->file_count - (ctx->req.asset_is_ism ? 1 : 0);

    for (i = 0; i < n; i++) {
        ctx->sources[i].src.nowait = nowait;
    }
}

/* One source per media file of the presentation (files[] holds the .ism
 * first when there is one), indexed by file number as the core expects. */
static ngx_int_t
ngx_http_mediaplane_stream_sources(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_uint_t i, first = ctx->req.asset_is_ism ? 1 : 0, n = ctx->file_count - first;
    ngx_http_mediaplane_file_t *f;

    ctx->sources = ngx_palloc(ctx->r->pool, n * sizeof(ngx_http_mediaplane_source_t));
    if (ctx->sources == NULL || n > ISM_MAX_ENTRIES) {
        return NGX_ERROR;
    }
    for (i = 0; i < n; i++) {
        f = &ctx->files[first + i];
        ngx_http_mediaplane_source_init(&ctx->sources[i], f->of.fd, (uint64_t) f->of.size,
                                        f->storage);
        ctx->source_ptrs[i] = &ctx->sources[i].src;
    }
    return NGX_OK;
}

static void
ngx_http_mediaplane_stream_close(void *data)
{
    mp_producer_close(data);
}

/* Produce the next chunk into the buffer: MP_OK, MP_ERR_AGAIN (the part
 * produced is in the buffer) or an error, in ctx->stream_rc. */
static void
ngx_http_mediaplane_stream_read(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_buf_t *b = ctx->stream_buf;
    size_t n = 0;
    int done = 0;

    ctx->stream_rc = mp_producer_read(ctx->producer, b->start, (size_t) (b->end - b->start), &n,
                                      &done);
    b->pos = b->start;
    b->last = b->start + n;
    ctx->stream_done = done;
}

/* Thread task: reads may block.  The next chunk tries the event loop. */
static void
ngx_http_mediaplane_stream_read_work(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_mediaplane_stream_nowait(ctx, 0);
    ngx_http_mediaplane_stream_read(ctx);
    ctx->stream_blocking = 0;
}

/* Open the producer and, unless nothing but headers will be sent, produce
 * the first chunk in the same go: a segment that fails at once still gets an
 * error status, and a thread task does both in one hop. */
static void
ngx_http_mediaplane_stream_open(ngx_http_mediaplane_ctx_t *ctx)
{
    ctx->stream_rc = ctx->res.stream_open(ctx->res.stream_recipe, ctx->source_ptrs,
                                          &ctx->producer, &ctx->stream_size);
    if (ctx->stream_rc == MP_OK && ctx->stream_buf != NULL && ctx->producer->view == NULL) {
        ngx_http_mediaplane_stream_read(ctx);
    }
}

static void
ngx_http_mediaplane_stream_open_work(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_mediaplane_stream_nowait(ctx, 0);
    ngx_http_mediaplane_stream_open(ctx);
}

static ngx_int_t ngx_http_mediaplane_stream_produced(ngx_http_mediaplane_ctx_t *ctx);

/* A producer that lends its body (mp_producer_t.view): its memory goes out
 * as it is, no chunk copied; it stays valid until the request's pool
 * closes the producer. */
static ngx_int_t
ngx_http_mediaplane_stream_lent(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    ngx_chain_t *out = NULL, **last = &out, *cl;
    mp_span_t spans[4];
    ngx_buf_t *b;
    int i, n;

    n = ctx->producer->view(ctx->producer, spans, 4);
    if (n == 0) {                         /* nothing lent: produce as usual */
        ngx_http_mediaplane_stream_read(ctx);
        return ngx_http_mediaplane_stream_produced(ctx);
    }
    for (i = 0; i < n; i++) {
        b = ngx_calloc_buf(r->pool);
        cl = ngx_alloc_chain_link(r->pool);
        if (b == NULL || cl == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        b->pos = (u_char *) spans[i].p;
        b->last = b->pos + spans[i].len;
        b->memory = 1;
        b->last_buf = i == n - 1 && r == r->main;
        b->last_in_chain = i == n - 1;
        cl->buf = b;
        cl->next = NULL;
        *last = cl;
        last = &cl->next;
    }
    return ngx_http_output_filter(r, out);
}

static ngx_int_t
ngx_http_mediaplane_stream_opened(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    ngx_pool_cleanup_t *cln;
    ngx_int_t rc;

    if (ctx->producer == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mediaplane: \"%V\": cannot produce the %s segment: %s", &r->uri,
                      ctx->res.content_type,
                      ctx->stream_rc == MP_ERR_BAD_MEDIA
                      ? "HLS v3 carries H.264 and AAC only (use an fMP4 format for HEVC, "
                        "AC-3, E-AC-3), or the samples are malformed"
                      : "read error or out of memory");
        return ngx_http_mediaplane_status(ctx->stream_rc);
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        mp_producer_close(ctx->producer);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    cln->handler = ngx_http_mediaplane_stream_close;
    cln->data = ctx->producer;

    if (ctx->stream_rc != MP_OK && ctx->stream_rc != MP_ERR_AGAIN) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mediaplane: \"%V\": the segment failed before its first byte "
                      "(error %d)", &r->uri, ctx->stream_rc);
        return ngx_http_mediaplane_status(ctx->stream_rc);
    }

    rc = ngx_http_mediaplane_send_headers(ctx, ctx->res.content_type, (off_t) ctx->stream_size,
                                          ctx->segment_max_age);
    if (ngx_http_mediaplane_header_done(r, rc) || ctx->stream_buf == NULL) {
        return rc;
    }
    if (ctx->producer->view != NULL) {
        return ngx_http_mediaplane_stream_lent(ctx);
    }

    return ngx_http_mediaplane_stream_produced(ctx);
}

static ngx_int_t
ngx_http_mediaplane_stream_idle(ngx_http_request_t *r)
{
    return r->out == NULL && !(r->connection->buffered);
}

static void ngx_http_mediaplane_stream_write_handler(ngx_http_request_t *r);

/* NGX_OK once everything handed to nginx has left; else NGX_DONE (the write
 * handler calls again) or NGX_ERROR.  Bytes the write filter postponed (e.g.
 * the header, when the range filter dropped our chunk and its flush flag)
 * are pushed with an explicit flush first. */
static ngx_int_t
ngx_http_mediaplane_stream_drained(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    ngx_http_core_loc_conf_t *clcf;

    if (!ngx_http_mediaplane_stream_idle(r)
        && ngx_http_send_special(r, NGX_HTTP_FLUSH) == NGX_ERROR)
    {
        return NGX_ERROR;
    }

    if (ngx_http_mediaplane_stream_idle(r)) {
        return NGX_OK;
    }

    r->write_event_handler = ngx_http_mediaplane_stream_write_handler;
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);
    if (ngx_handle_write_event(r->connection->write, clcf->send_lowat) != NGX_OK) {
        return NGX_ERROR;
    }
    return NGX_DONE;
}

/* Hand the chunk just produced to nginx; NGX_AGAIN when more is to come. */
static ngx_int_t
ngx_http_mediaplane_stream_send_chunk(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    ngx_buf_t *b = ctx->stream_buf;
    ngx_chain_t out;
    ngx_int_t rc;

    if (ctx->stream_rc == MP_ERR_AGAIN) {
        ctx->stream_blocking = 1;         /* the next chunk in a thread */
        if (b->last == b->pos) {
            return NGX_AGAIN;
        }
    } else if (ctx->stream_rc != MP_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mediaplane: \"%V\": producing the segment failed mid-stream (error %d)%s",
                      &r->uri, ctx->stream_rc,
                      ctx->stream_rc == MP_ERR_BAD_MEDIA
                      ? ": its samples are malformed; the next requests for it get 415" : "");
        if (ctx->stream_rc == MP_ERR_BAD_MEDIA) {
            ngx_http_mediaplane_bad_segment_mark(ctx);
        }
        return NGX_ERROR;                 /* headers are out: abort the connection */
    }

    b->last_buf = ctx->stream_done && r == r->main;
    b->last_in_chain = ctx->stream_done;
    b->flush = 1;
    out.buf = b;
    out.next = NULL;

    rc = ngx_http_output_filter(r, &out);
    if (rc == NGX_ERROR || ctx->stream_done) {
        return rc;
    }

    return NGX_AGAIN;
}

/* Produce the next chunks as the connection drains: on the event loop (a
 * few chunks per turn) while reads need not wait, else one chunk per thread
 * task. */
static ngx_int_t
ngx_http_mediaplane_stream_continue(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    ngx_uint_t chunks;
    ngx_int_t rc;

    for (chunks = 0; /* void */; chunks++) {
        rc = ngx_http_mediaplane_stream_drained(ctx);
        if (rc != NGX_OK) {
            return rc;
        }

        if (ctx->stream_blocking || !ctx->conf->cached_inline) {
            r->write_event_handler = ngx_http_request_empty_handler;
            return ngx_http_mediaplane_post(ctx, ngx_http_mediaplane_stream_read_work,
                                            ngx_http_mediaplane_stream_produced);
        }

        if (chunks == NGX_HTTP_MEDIAPLANE_STREAM_INLINE_CHUNKS) {
            r->write_event_handler = ngx_http_mediaplane_stream_write_handler;
            ngx_post_event(r->connection->write, &ngx_posted_events);
            return NGX_DONE;
        }

        ngx_http_mediaplane_stream_read(ctx);
        rc = ngx_http_mediaplane_stream_send_chunk(ctx);
        if (rc != NGX_AGAIN) {
            return rc;
        }
    }
}

static void
ngx_http_mediaplane_stream_write_handler(ngx_http_request_t *r)
{
    ngx_http_mediaplane_ctx_t *ctx = ngx_http_get_module_ctx(r, ngx_http_mediaplane_module);
    ngx_int_t rc;

    if (r->connection->write->timedout) {
        r->connection->timedout = 1;
        ngx_http_finalize_request(r, NGX_HTTP_REQUEST_TIME_OUT);
        return;
    }

    rc = ngx_http_mediaplane_stream_continue(ctx);
    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}

static ngx_int_t
ngx_http_mediaplane_stream_produced(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_int_t rc;

    ngx_http_mediaplane_stream_nowait(ctx, 1);
    rc = ngx_http_mediaplane_stream_send_chunk(ctx);
    return rc == NGX_AGAIN ? ngx_http_mediaplane_stream_continue(ctx) : rc;
}

ngx_int_t
ngx_http_mediaplane_send_stream(ngx_http_mediaplane_ctx_t *ctx)
{
    size_t size;

    if (ngx_http_mediaplane_bad_segment(ctx) == NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0,
                      "mediaplane: \"%V\": the samples of this segment are malformed "
                      "(found while streaming it before): answering 415", &ctx->r->uri);
        return NGX_HTTP_UNSUPPORTED_MEDIA_TYPE;
    }

    if (!ctx->r->header_only) {
        size = ctx->conf->ts_buffer_size / 188 * 188;
        ctx->stream_buf = ngx_http_mediaplane_stream_buf(ctx->r, size ? size : 188);
        if (ctx->stream_buf == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ngx_http_mediaplane_stream_sources(ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->conf->cached_inline) {
        ngx_http_mediaplane_stream_nowait(ctx, 1);
        ngx_http_mediaplane_stream_open(ctx);
        if (ctx->producer != NULL || ctx->stream_rc != MP_ERR_AGAIN) {
            return ngx_http_mediaplane_stream_opened(ctx);
        }
    }

    return ngx_http_mediaplane_post(ctx, ngx_http_mediaplane_stream_open_work,
                                    ngx_http_mediaplane_stream_opened);
}
