/*
 * ngx_http_mediaplane_load.c — gets a request's files ready: opens them
 * through nginx's open file cache (like the static module), looks their
 * parsed form up in the metadata cache, and parses the misses (moov index or
 * .ism) in a thread pool task so no worker ever blocks on a read.  Also owns
 * the SIGBUS guard for files truncated under the mapping the index builder
 * parses a moov in, and the generic "run this in a thread, then resume the
 * request" helper.  (The files as the core's sources: ..._source.c.)
 */
#include "ngx_http_mediaplane.h"

#include <setjmp.h>
#include <sys/mman.h>

#include "mp4/mp4_parse.h"

/* A mapped file truncated by someone else raises SIGBUS on the next touch
 * past its new end.  Code touching mappings runs under
 * ngx_http_mediaplane_guard, which turns that into a failed call; a SIGBUS
 * anywhere else keeps its default action. */
static __thread sigjmp_buf *ngx_http_mediaplane_jmp;

static void
ngx_http_mediaplane_sigbus(int signo, siginfo_t *info, void *uctx)
{
    sigjmp_buf *jb = ngx_http_mediaplane_jmp;

    if (jb != NULL) {
        ngx_http_mediaplane_jmp = NULL;
        siglongjmp(*jb, 1);
    }
    signal(SIGBUS, SIG_DFL);
    raise(SIGBUS);
}

ngx_int_t
ngx_http_mediaplane_init_sigbus(ngx_cycle_t *cycle)
{
    struct sigaction sa;

    ngx_memzero(&sa, sizeof(sa));
    sa.sa_sigaction = ngx_http_mediaplane_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;   /* NODEFER: no mask to restore after a jump */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, NULL) == -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno, "mediaplane: sigaction(SIGBUS) failed");
        return NGX_ERROR;
    }
    return NGX_OK;
}

/* fn(data) with SIGBUS turned into a return of 1 (0 when fn returned). */
int
ngx_http_mediaplane_guard(void (*fn)(void *data), void *data)
{
    sigjmp_buf jb;

    if (sigsetjmp(jb, 0)) {
        return 1;
    }
    ngx_http_mediaplane_jmp = &jb;
    fn(data);
    ngx_http_mediaplane_jmp = NULL;
    return 0;
}

ngx_int_t
ngx_http_mediaplane_open(ngx_http_mediaplane_ctx_t *ctx, ngx_http_mediaplane_file_t *f)
{
    ngx_http_request_t *r = ctx->r;
    ngx_http_core_loc_conf_t *clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);
    u_char *p;

    ngx_memzero(&f->of, sizeof(ngx_open_file_info_t));
    f->of.read_ahead = clcf->read_ahead;
    f->of.directio = NGX_MAX_OFF_T_VALUE;
    f->of.valid = clcf->open_file_cache_valid;
    f->of.min_uses = clcf->open_file_cache_min_uses;
    f->of.errors = clcf->open_file_cache_errors;
    f->of.events = clcf->open_file_cache_events;

    if (ngx_open_cached_file(clcf->open_file_cache, &f->path, &f->of, r->pool) != NGX_OK) {
        if (f->of.err == NGX_ENOENT || f->of.err == NGX_ENOTDIR || f->of.err == NGX_ENAMETOOLONG) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, f->of.err,
                          "mediaplane: \"%s\" not found", f->path.data);
            return NGX_HTTP_NOT_FOUND;
        }
        if (f->of.err == NGX_EACCES) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, f->of.err,
                          "mediaplane: \"%s\" not readable", f->path.data);
            return NGX_HTTP_FORBIDDEN;
        }
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, f->of.err,
                      "mediaplane: %s \"%s\" failed", f->of.failed, f->path.data);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!f->of.is_file) {
        return NGX_HTTP_NOT_FOUND;
    }

    f->file.fd = f->of.fd;
    f->file.name = f->path;
    f->file.log = r->connection->log;
    f->file.directio = f->of.is_directio;

    if (ctx->storage_dir.len > 0) {
        ngx_int_t rc = ngx_http_mediaplane_storage_file(ctx, f);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    /* the index format version too: a reload that brings a newer module
     * keeps the zone, and must not read blobs of the old layout */
    f->key.data = ngx_pnalloc(r->pool, f->path.len + 4 * NGX_OFF_T_LEN + 8);
    if (f->key.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    p = ngx_sprintf(f->key.data, "%V|%uA|%T|%O|v%ui%s", &f->path, (ngx_atomic_uint_t) f->of.uniq,
                    f->of.mtime, f->of.size, (ngx_uint_t) MP_INDEX_VERSION,
                    f->storage ? "s" : "");
    f->key.len = p - f->key.data;

    return NGX_OK;
}

/* Look every unloaded file up in the cache; the misses go to `pending`. */
static void
ngx_http_mediaplane_lookup(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_mediaplane_main_conf_t *mcf;
    ngx_http_mediaplane_file_t *f;
    ngx_uint_t i;

    mcf = ngx_http_get_module_main_conf(ctx->r, ngx_http_mediaplane_module);
    ctx->pending_count = 0;

    for (i = 0; i < ctx->file_count; i++) {
        f = &ctx->files[i];
        if (f->blob) {
            continue;
        }
        f->node = ngx_http_mediaplane_cache_acquire(mcf->cache_zone, &f->key, &f->blob,
                                                    &f->blob_size);
        if (f->node == NULL || ngx_http_mediaplane_cache_pin(ctx->r, f->node) != NGX_OK) {
            f->node = NULL;
            f->blob = NULL;
            ctx->pending[ctx->pending_count++] = i;
        }
    }
}

/* Index blobs go straight into the shared zone; when it is full they fall
 * back to the heap for this one request. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23           /* Linux 5.14 */
#endif

/* The allocator a parse hands the core: indexes go to the cache zone (the
 * heap when it is full); the blob being built is remembered so that a parse
 * cut short by SIGBUS can free it. */
typedef struct {
    mp_allocator_t alloc;             /* first: the core gets &alloc */
    ngx_shm_zone_t *zone;
    void *building;
} ngx_http_mediaplane_blob_allocator_t;

/* Fault a fresh blob's pages in with one call instead of one page fault per
 * 4 KB as the index is written (a 1-hour file's index is megabytes: this is
 * most of a cold manifest's time).  Best effort: kernels before 5.14 say
 * EINVAL and the pages fault in as before. */
static void
ngx_http_mediaplane_populate(void *p, size_t size)
{
    uintptr_t start = ngx_align((uintptr_t) p, ngx_pagesize);
    uintptr_t end = ((uintptr_t) p + size) & ~((uintptr_t) ngx_pagesize - 1);

    if (size >= 16 * ngx_pagesize && end > start) {
        (void) madvise((void *) start, end - start, MADV_POPULATE_WRITE);
    }
}

static void *
ngx_http_mediaplane_blob_alloc(mp_allocator_t *a, size_t size)
{
    ngx_http_mediaplane_blob_allocator_t *ba = (ngx_http_mediaplane_blob_allocator_t *) a;
    void *p = ngx_http_mediaplane_cache_alloc_blob(ba->zone, size);

    p = p ? p : malloc(size);
    if (p != NULL) {
        ngx_http_mediaplane_populate(p, size);
    }
    ba->building = p;
    return p;
}

static void
ngx_http_mediaplane_blob_free(mp_allocator_t *a, void *p)
{
    ngx_http_mediaplane_blob_allocator_t *ba = (ngx_http_mediaplane_blob_allocator_t *) a;

    if (ba->building == p) {
        ba->building = NULL;
    }
    if (ngx_http_mediaplane_cache_owns(ba->zone, p)) {
        ngx_http_mediaplane_cache_free_blob(ba->zone, p);
    } else {
        free(p);
    }
}

/* Index a media file where it lies: the moov is parsed straight from a
 * mapping of the file (no copy, no buffer to fault in), under the SIGBUS
 * guard; a file truncated meanwhile fails the parse and frees the index
 * being built. */
typedef struct {
    ngx_http_mediaplane_blob_allocator_t ba;
    ngx_http_mediaplane_source_t source;
    ngx_http_mediaplane_file_t *file;
    mp4_limits_t limits;
    mp_index_t *ix;
} ngx_http_mediaplane_index_job_t;

static void
ngx_http_mediaplane_index_guarded(void *data)
{
    ngx_http_mediaplane_index_job_t *job = data;
    ngx_http_mediaplane_file_t *f = job->file;

    job->ix = mp4_index_source_limited(&job->source.src, (uint64_t) f->of.size, &job->limits,
                                       &job->ba.alloc, f->err, sizeof(f->err));
}

static mp_index_t *
ngx_http_mediaplane_index_file(ngx_http_mediaplane_ctx_t *ctx, ngx_http_mediaplane_file_t *f)
{
    ngx_http_mediaplane_index_job_t job;

    ngx_memzero(&job, sizeof(job));
    job.ba.alloc.alloc = ngx_http_mediaplane_blob_alloc;
    job.ba.alloc.free = ngx_http_mediaplane_blob_free;
    job.ba.zone = ctx->cache_zone;
    ngx_http_mediaplane_source_init(&job.source, f->of.fd, (uint64_t) f->of.size, f->storage);
    job.file = f;
    job.limits.max_moov = ctx->conf->max_moov_size;
    job.limits.max_samples = (uint32_t) ctx->conf->max_samples;
    job.limits.max_tracks = (uint32_t) ctx->conf->max_tracks;
    job.limits.max_fragments = (uint32_t) ctx->conf->max_fragments;
    job.limits.max_index = ctx->conf->max_index_size;
    job.limits.growing = (int) ctx->is_live;

    if (ngx_http_mediaplane_guard(ngx_http_mediaplane_index_guarded, &job)) {
        if (job.ba.building != NULL) {
            ngx_http_mediaplane_blob_free(&job.ba.alloc, job.ba.building);
        }
        job.ix = NULL;
        ngx_cpystrn((u_char *) f->err, (u_char *) "the file shrank while it was indexed",
                    sizeof(f->err));
    }
    ngx_http_mediaplane_source_unmap(&job.source);

    return job.ix;
}

static void
ngx_http_mediaplane_parse_ism(ngx_http_mediaplane_file_t *f, mp_source_t *src)
{
    size_t len = (size_t) f->of.size;
    char *xml;

    if (len > 1024 * 1024) {
        ngx_cpystrn((u_char *) f->err, (u_char *) "server manifest larger than 1 MB",
                    sizeof(f->err));
        return;
    }
    xml = malloc(len ? len : 1);
    f->blob = malloc(sizeof(ism_t));
    f->blob_size = sizeof(ism_t);
    if (xml == NULL || f->blob == NULL || src->read(src, xml, len, 0) != MP_OK
        || ism_parse(xml, len, f->blob, f->err, sizeof(f->err)) != MP_OK)
    {
        if (f->err[0] == '\0') {
            ngx_cpystrn((u_char *) f->err, (u_char *) "read error", sizeof(f->err));
        }
        free(f->blob);
        f->blob = NULL;
    }
    free(xml);
}

/* Thread: parse one file and publish it in the cache (f->node, pinned once
 * back in the worker); a blob the cache could not take stays on the heap; a
 * failure leaves a reason in f->err. */
static void
ngx_http_mediaplane_parse_file(ngx_http_mediaplane_ctx_t *ctx, ngx_http_mediaplane_file_t *f)
{
    ngx_http_mediaplane_source_t source;
    mp_index_t *ix;
    void *stored;

    if (f->is_ism) {
        ngx_http_mediaplane_source_init(&source, f->of.fd, (uint64_t) f->of.size, f->storage);
        ngx_http_mediaplane_parse_ism(f, &source.src);
        if (f->blob) {
            f->node = ngx_http_mediaplane_cache_insert(ctx->cache_zone, &f->key, f->blob,
                                                       f->blob_size, &stored);
        }
    } else {
        ix = ngx_http_mediaplane_index_file(ctx, f);
        f->blob = ix;
        f->blob_size = ix ? ix->total_size : 0;
        if (ix && ngx_http_mediaplane_cache_owns(ctx->cache_zone, ix)) {
            f->node = ngx_http_mediaplane_cache_publish(ctx->cache_zone, &f->key, ix,
                                                        f->blob_size, &stored);
            f->blob = NULL;           /* the cache owns (or has freed) it now */
        }
    }

    if (f->node) {
        if (f->blob) {
            free(f->blob);
        }
        f->blob = stored;
    }
}

static void
ngx_http_mediaplane_free_blob(void *data)
{
    free(data);
}

/* Worker, after the thread: pin what was published; keep heap blobs for this
 * request only; report failures. */
static ngx_int_t
ngx_http_mediaplane_store_pending(ngx_http_mediaplane_ctx_t *ctx, const char **refused)
{
    ngx_http_mediaplane_file_t *f;
    ngx_pool_cleanup_t *cln;
    ngx_uint_t i;
    ngx_int_t rc = NGX_OK;

    for (i = 0; i < ctx->pending_count; i++) {
        f = &ctx->files[ctx->pending[i]];
        if (f->node) {
            if (ngx_http_mediaplane_cache_pin(ctx->r, f->node) != NGX_OK) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
            continue;
        }
        if (f->blob == NULL) {
            ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0,
                          "mediaplane: cannot package \"%s\": %s", f->path.data,
                          f->err[0] ? f->err : "the metadata cache is full");
            rc = f->err[0] ? NGX_HTTP_UNSUPPORTED_MEDIA_TYPE : NGX_HTTP_SERVICE_UNAVAILABLE;
            if (f->err[0] && *refused == NULL) {
                *refused = f->err;
            }
            continue;
        }
        cln = ngx_pool_cleanup_add(ctx->r->pool, 0);
        if (cln == NULL) {
            free(f->blob);
            f->blob = NULL;
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        cln->handler = ngx_http_mediaplane_free_blob;
        cln->data = f->blob;
        ngx_log_error(NGX_LOG_WARN, ctx->r->connection->log, 0,
                      "mediaplane: metadata cache cannot hold the %uz-byte index of "
                      "\"%s\"; consider a larger mediaplane_metadata_cache",
                      f->blob_size, f->path.data);
    }

    ctx->pending_count = 0;
    return rc;
}

/* One thread task per file to parse, so the files of a set are indexed in
 * parallel; the request resumes when the last one is done. */
typedef struct {
    ngx_http_mediaplane_ctx_t *ctx;
    ngx_http_mediaplane_file_t *file;
} ngx_http_mediaplane_parse_job_t;

static void
ngx_http_mediaplane_parse_thread(void *data, ngx_log_t *log)
{
    ngx_http_mediaplane_parse_job_t *job = data;
    ngx_http_mediaplane_parse_file(job->ctx, job->file);
}

/* Back in the worker after thread work: run the next step, finalize unless
 * it went asynchronous again, and let posted subrequests run. */
static void
ngx_http_mediaplane_continue(ngx_http_mediaplane_ctx_t *ctx, ngx_http_mediaplane_step_pt step)
{
    ngx_http_request_t *r = ctx->r;
    ngx_connection_t *c = r->connection;
    ngx_int_t rc;

    r->aio = 0;
    rc = step(ctx);
    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
    ngx_http_run_posted_requests(c);
}

/* A media file the parser refused: 415 with the reason as a text body (it
 * names the limit a file passed, e.g. mediaplane_max_samples). */
static ngx_int_t
ngx_http_mediaplane_refuse(ngx_http_request_t *r, const char *reason)
{
    ngx_str_t type = ngx_string("text/plain");
    ngx_http_complex_value_t cv;
    size_t len = ngx_strlen(reason);

    ngx_memzero(&cv, sizeof(cv));
    cv.value.data = ngx_pnalloc(r->pool, len + 1);
    if (cv.value.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ngx_memcpy(cv.value.data, reason, len);
    cv.value.data[len] = '\n';
    cv.value.len = len + 1;
    return ngx_http_send_response(r, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE, &type, &cv);
}

static ngx_int_t
ngx_http_mediaplane_loaded(ngx_http_mediaplane_ctx_t *ctx)
{
    const char *refused = NULL;
    ngx_int_t rc = ngx_http_mediaplane_store_pending(ctx, &refused);

    if (refused != NULL) {
        return ngx_http_mediaplane_refuse(ctx->r, refused);
    }
    return rc == NGX_OK ? ctx->resume(ctx) : rc;
}

/* Files of this worker being indexed in the thread pool now (cold builds),
 * bounded by mediaplane_max_cold_builds: each may hold up to
 * mediaplane_max_index_size while it is built. */
static ngx_uint_t ngx_http_mediaplane_cold_builds;

/* 503 + Retry-After when this request's cold builds would pass the bound;
 * a request is always admitted when none are running, whatever it needs. */
static ngx_int_t
ngx_http_mediaplane_admit_builds(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_request_t *r = ctx->r;
    ngx_table_elt_t *h;

    if (ngx_http_mediaplane_cold_builds == 0
        || ngx_http_mediaplane_cold_builds + ctx->pending_count <= ctx->conf->max_cold_builds)
    {
        return NGX_OK;
    }
    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "mediaplane: %ui media files being indexed in this worker "
                  "(mediaplane_max_cold_builds %ui): answering 503",
                  ngx_http_mediaplane_cold_builds, ctx->conf->max_cold_builds);
    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    h->hash = 1;
    ngx_str_set(&h->key, "Retry-After");
    ngx_str_set(&h->value, "1");
    return NGX_HTTP_SERVICE_UNAVAILABLE;
}

static void
ngx_http_mediaplane_parse_done(ngx_event_t *ev)
{
    ngx_http_mediaplane_parse_job_t *job = ev->data;
    ngx_http_mediaplane_ctx_t *ctx = job->ctx;

    ngx_http_mediaplane_cold_builds--;
    ctx->r->main->blocked--;
    if (--ctx->parsing == 0) {
        ngx_http_mediaplane_continue(ctx, ngx_http_mediaplane_loaded);
    }
}

ngx_int_t
ngx_http_mediaplane_load(ngx_http_mediaplane_ctx_t *ctx, ngx_http_mediaplane_step_pt next)
{
    ngx_http_mediaplane_parse_job_t *job;
    ngx_http_request_t *r = ctx->r;
    ngx_thread_task_t *task;
    ngx_uint_t i;
    ngx_int_t rc;

    ngx_http_mediaplane_lookup(ctx);

    if (ctx->pending_count == 0) {
        return next(ctx);
    }

    rc = ngx_http_mediaplane_admit_builds(ctx);
    if (rc != NGX_OK) {
        return rc;
    }

    ctx->resume = next;
    ctx->cache_zone = ((ngx_http_mediaplane_main_conf_t *)
        ngx_http_get_module_main_conf(r, ngx_http_mediaplane_module))->cache_zone;

    for (i = 0; i < ctx->pending_count; i++) {
        task = ngx_thread_task_alloc(r->pool, sizeof(ngx_http_mediaplane_parse_job_t));
        if (task == NULL) {
            return ctx->parsing ? NGX_DONE : NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        job = task->ctx;
        job->ctx = ctx;
        job->file = &ctx->files[ctx->pending[i]];
        task->handler = ngx_http_mediaplane_parse_thread;
        task->event.handler = ngx_http_mediaplane_parse_done;
        task->event.data = job;
        if (ngx_thread_task_post(ctx->conf->thread_pool, task) != NGX_OK) {
            return ctx->parsing ? NGX_DONE : NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        ctx->parsing++;
        ngx_http_mediaplane_cold_builds++;
        r->main->blocked++;
    }

    r->aio = 1;
    return NGX_DONE;
}

/* ---- thread pool plumbing ---- */

static void
ngx_http_mediaplane_thread_handler(void *data, ngx_log_t *log)
{
    ngx_http_mediaplane_ctx_t *ctx = *(ngx_http_mediaplane_ctx_t **) data;
    ctx->work(ctx);
}

static void
ngx_http_mediaplane_thread_done(ngx_event_t *ev)
{
    ngx_http_request_t *r = ev->data;
    ngx_http_mediaplane_ctx_t *ctx = ngx_http_get_module_ctx(r, ngx_http_mediaplane_module);

    r->main->blocked--;
    ngx_http_mediaplane_continue(ctx, ctx->step_after_thread);
}

ngx_int_t
ngx_http_mediaplane_post(ngx_http_mediaplane_ctx_t *ctx, ngx_http_mediaplane_work_pt work,
    ngx_http_mediaplane_step_pt resume)
{
    ngx_http_request_t *r = ctx->r;

    if (ctx->task == NULL) {
        ctx->task = ngx_thread_task_alloc(r->pool, sizeof(ngx_http_mediaplane_ctx_t *));
        if (ctx->task == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        *(ngx_http_mediaplane_ctx_t **) ctx->task->ctx = ctx;
        ctx->task->handler = ngx_http_mediaplane_thread_handler;
        ctx->task->event.handler = ngx_http_mediaplane_thread_done;
        ctx->task->event.data = r;
    }

    ctx->work = work;
    ctx->step_after_thread = resume;

    if (ngx_thread_task_post(ctx->conf->thread_pool, ctx->task) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->main->blocked++;
    r->aio = 1;

    return NGX_DONE;
}
