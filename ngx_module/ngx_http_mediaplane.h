/*
 * ngx_http_mediaplane.h — types shared by the files of mediaplane's nginx
 * glue: configuration, the per-request context, and the entry points each
 * glue file offers.  The packaging itself lives in core/ (no nginx there).
 */
#ifndef NGX_HTTP_MEDIAPLANE_H
#define NGX_HTTP_MEDIAPLANE_H

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "package/mp_package.h"
#include "catalog/catalog_reader.h"
#include "catalog/catalog_schema.h"
#include "mp_producer.h"
#include "crypto/mp_protection.h"
#include "catalog/catalog_okey.h"
#include "crypto/mp_storage_cipher.h"
#include "filter/mp_filter.h"

#define NGX_HTTP_MEDIAPLANE_MAX_FILES (ISM_MAX_ENTRIES + 1)
/* Cache-Control max-age of a live manifest at most (it changes with every
 * fragment the archiver writes) */
#define NGX_HTTP_MEDIAPLANE_LIVE_MAX_AGE 1

typedef struct {
    ngx_shm_zone_t *cache_zone;
    ssize_t cache_size;
} ngx_http_mediaplane_main_conf_t;

typedef struct {
    ngx_flag_t enable;
    ngx_str_t root;
    ngx_msec_t segment_duration;
    ngx_msec_t fragment_duration;
    ngx_str_t thread_pool_name;
    ngx_thread_pool_t *thread_pool;
    time_t manifest_max_age;
    time_t segment_max_age;
    ngx_str_t cors_origin;
    size_t max_moov_size;
    ngx_uint_t max_samples;           /* mediaplane_max_samples: per track */
    ngx_uint_t max_tracks;            /* mediaplane_max_tracks: per file */
    ngx_uint_t max_fragments;         /* mediaplane_max_fragments: moofs per file */
    size_t max_index_size;            /* mediaplane_max_index_size: per file */
    ngx_uint_t max_cold_builds;       /* mediaplane_max_cold_builds: per worker */
    size_t ts_buffer_size;
    ngx_flag_t cached_inline;         /* cached bytes: mux / sendfile on the event loop */
    ngx_str_t catalog_dir;            /* catalog mode: LMDB environment (NUL terminated) */
    catalog_reader_t *catalog;        /* opened lazily in each worker */
    u_char *origin_key;               /* mediaplane_origin_key: 32 bytes, or NULL */
    ngx_flag_t key_delivery;          /* mediaplane_key_delivery: the key service */
    ngx_flag_t direct_catalog_overlap; /* mediaplane_direct_catalog_overlap */
} ngx_http_mediaplane_loc_conf_t;

typedef struct ngx_http_mediaplane_cache_node_s ngx_http_mediaplane_cache_node_t;

/* One file the request reads: the .ism, or a media file of the set. */
typedef struct {
    ngx_str_t path;                   /* NUL terminated */
    ngx_open_file_info_t of;
    ngx_file_t file;                  /* for in-file buffers */
    ngx_str_t key;                    /* cache key: path + identity */
    ngx_http_mediaplane_cache_node_t *node;  /* pinned cache entry, or NULL */
    void *blob;                       /* index / ism: in the cache or on the heap */
    size_t blob_size;
    int is_ism;
    mp_storage_key_t *storage;        /* storage-encrypted file: its key and IV, else NULL */
    char err[MP_ERR_LEN];             /* parse failure reason (from the thread) */
} ngx_http_mediaplane_file_t;

/* A media file as the core's source (ngx_http_mediaplane_source.c): reads,
 * RWF_NOWAIT while src.nowait is set (the event loop), and a view of at
 * most one mapping at a time (the index builder's, in thread tasks). */
typedef struct {
    mp_source_t src;                  /* first: the core calls src.read(&src, ...) */
    ngx_fd_t fd;
    uint64_t size;                    /* file size at open */
    const mp_storage_key_t *storage;  /* decrypt what is read (AMS storage encryption) */
    u_char *map_addr;                 /* current mapping or NULL */
    size_t map_len;
    uint64_t map_off;                 /* file offset of map_addr */
} ngx_http_mediaplane_source_t;

typedef struct ngx_http_mediaplane_ctx_s ngx_http_mediaplane_ctx_t;
typedef void (*ngx_http_mediaplane_work_pt)(ngx_http_mediaplane_ctx_t *ctx);
typedef ngx_int_t (*ngx_http_mediaplane_step_pt)(ngx_http_mediaplane_ctx_t *ctx);

struct ngx_http_mediaplane_ctx_s {
    ngx_http_request_t *r;
    ngx_http_mediaplane_loc_conf_t *conf;
    mp_request_t req;
    time_t manifest_max_age;          /* the location's, or the endpoint's CacheControl */
    time_t segment_max_age;
    ngx_str_t asset_dir;              /* folder of the asset, with trailing '/' */
    ngx_str_t storage_dir;            /* storage-encrypted asset: "asset-<guid>", else empty */
    ngx_uint_t is_live;               /* a Running program's growing archive (catalog) */
    mp_live_t live;                   /* ... its availability start, DVR window, now */
    off_t partial_start;              /* a Range answered by the module itself (206) */
    off_t partial_total;              /* ... of a file of this size; 0: no partial answer */
    ngx_uint_t file_count;            /* files[0] is the .ism when there is one */
    ngx_http_mediaplane_file_t *files;      /* file_count entries, from the pool */
    ngx_uint_t pending[NGX_HTTP_MEDIAPLANE_MAX_FILES];  /* files to parse in the thread */
    ngx_uint_t pending_count;
    ngx_shm_zone_t *cache_zone;             /* for the thread: where indexes go */
    ngx_uint_t parsing;                     /* parse tasks still running */
    mp_presentation_t pres;
    mp_response_t res;
    mp_protection_t protection;       /* req.protection points here when encrypted */
    mp_filter_set_t filter_set;       /* req.filters points here when filter= names some */
    ngx_str_t filter_key;             /* MD5 of their catalog texts: the manifest cache key */
    /* asynchronous work */
    ngx_thread_task_t *task;
    ngx_http_mediaplane_work_pt work;       /* runs in a thread pool thread */
    ngx_http_mediaplane_step_pt step_after_thread;  /* runs back in the worker */
    ngx_http_mediaplane_step_pt resume;     /* next step once files are loaded */
    ngx_uint_t files_cached;          /* file buffers: sendfile without a thread hop */
    /* produced bodies (MP_BODY_STREAM, ngx_http_mediaplane_stream.c) */
    mp_producer_t *producer;
    ngx_http_mediaplane_source_t *sources;          /* one per media file */
    mp_source_t *source_ptrs[ISM_MAX_ENTRIES];
    ngx_buf_t *stream_buf;
    uint64_t stream_size;
    int stream_rc;
    int stream_done;
    ngx_uint_t stream_blocking;       /* a read would block: produce in a thread */
};

extern ngx_module_t ngx_http_mediaplane_module;

/* ngx_http_mediaplane_cache.c — shared-memory LRU of parsed indexes */
ngx_int_t ngx_http_mediaplane_cache_init_zone(ngx_shm_zone_t *zone, void *data);
ngx_http_mediaplane_cache_node_t *ngx_http_mediaplane_cache_acquire(ngx_shm_zone_t *zone,
    ngx_str_t *key, void **blob, size_t *size);
ngx_http_mediaplane_cache_node_t *ngx_http_mediaplane_cache_insert(ngx_shm_zone_t *zone,
    ngx_str_t *key, const void *blob, size_t size, void **stored);
void *ngx_http_mediaplane_cache_alloc_blob(ngx_shm_zone_t *zone, size_t size);
void ngx_http_mediaplane_cache_free_blob(ngx_shm_zone_t *zone, void *blob);
int ngx_http_mediaplane_cache_owns(ngx_shm_zone_t *zone, void *p);
ngx_http_mediaplane_cache_node_t *ngx_http_mediaplane_cache_publish(ngx_shm_zone_t *zone,
    ngx_str_t *key, void *blob, size_t size, void **stored);
void ngx_http_mediaplane_cache_release(ngx_http_mediaplane_cache_node_t *node);
/* Release node when the request ends. */
void ngx_http_mediaplane_cache_mark(ngx_shm_zone_t *zone);
ngx_int_t ngx_http_mediaplane_cache_any_marked(ngx_shm_zone_t *zone);
ngx_int_t ngx_http_mediaplane_cache_pin(ngx_http_request_t *r,
    ngx_http_mediaplane_cache_node_t *node);

/* ngx_http_mediaplane_memo.c — cached manifests and timelines */
ngx_int_t ngx_http_mediaplane_manifest_lookup(ngx_http_mediaplane_ctx_t *ctx);
void ngx_http_mediaplane_manifest_store(ngx_http_mediaplane_ctx_t *ctx);
ngx_int_t ngx_http_mediaplane_bad_segment(ngx_http_mediaplane_ctx_t *ctx);
void ngx_http_mediaplane_bad_segment_mark(ngx_http_mediaplane_ctx_t *ctx);
ngx_int_t ngx_http_mediaplane_timeline(ngx_http_mediaplane_ctx_t *ctx, mp_timeline_t *tl);

/* ngx_http_mediaplane_load.c — files, indexes, thread tasks */
ngx_int_t ngx_http_mediaplane_open(ngx_http_mediaplane_ctx_t *ctx,
    ngx_http_mediaplane_file_t *f);
ngx_int_t ngx_http_mediaplane_load(ngx_http_mediaplane_ctx_t *ctx,
    ngx_http_mediaplane_step_pt next);
ngx_int_t ngx_http_mediaplane_init_sigbus(ngx_cycle_t *cycle);
int ngx_http_mediaplane_guard(void (*fn)(void *data), void *data);
ngx_int_t ngx_http_mediaplane_post(ngx_http_mediaplane_ctx_t *ctx,
    ngx_http_mediaplane_work_pt work, ngx_http_mediaplane_step_pt resume);

/* ngx_http_mediaplane_source.c — media files as mp_source_t, residency */
void ngx_http_mediaplane_source_init(ngx_http_mediaplane_source_t *s, ngx_fd_t fd,
    uint64_t size, const mp_storage_key_t *storage);
void ngx_http_mediaplane_source_unmap(ngx_http_mediaplane_source_t *s);
ngx_uint_t ngx_http_mediaplane_cached(ngx_fd_t fd, uint64_t off, uint64_t end);

/* ngx_http_mediaplane_keys.c — content keys, the protection of a request */
char *ngx_http_mediaplane_origin_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_http_mediaplane_open_key(ngx_http_request_t *r,
    ngx_http_mediaplane_loc_conf_t *conf, const char *guid, catalog_okey_t *key);
ngx_int_t ngx_http_mediaplane_envelope(ngx_http_mediaplane_ctx_t *ctx,
    const catalog_origin_t *o);
ngx_int_t ngx_http_mediaplane_common(ngx_http_mediaplane_ctx_t *ctx,
    const catalog_origin_t *o, ngx_uint_t cbcs);
/* A file of a storage-encrypted asset: its key and IV from the catalog into
 * f->storage (NULL: a clear file); 403 when the key is not available. */
ngx_int_t ngx_http_mediaplane_storage_file(ngx_http_mediaplane_ctx_t *ctx,
    ngx_http_mediaplane_file_t *f);

/* ngx_http_mediaplane_keyservice.c — the key service */
ngx_int_t ngx_http_mediaplane_key_handler(ngx_http_request_t *r);
ngx_str_t ngx_http_mediaplane_request_token(ngx_http_request_t *r);
ngx_int_t ngx_http_mediaplane_key_reply(ngx_http_request_t *r, ngx_uint_t status,
    const char *type, u_char *body, size_t len);
ngx_int_t ngx_http_mediaplane_key_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *reason);
ngx_int_t ngx_http_mediaplane_key_authorize(ngx_http_request_t *r,
    const catalog_okey_t *key, const char *guid, char *reason, size_t reason_len);

/* ngx_http_mediaplane_clearkey.c — the W3C ClearKey license */
ngx_uint_t ngx_http_mediaplane_is_clearkey_path(ngx_http_request_t *r);
ngx_int_t ngx_http_mediaplane_clearkey_handler(ngx_http_request_t *r);
catalog_reader_t *ngx_http_mediaplane_catalog_reader(ngx_http_request_t *r,
    ngx_http_mediaplane_loc_conf_t *conf);

/* ngx_http_mediaplane_stream.c — produced bodies (TS, ciphers) */
ngx_int_t ngx_http_mediaplane_send_stream(ngx_http_mediaplane_ctx_t *ctx);

/* ngx_http_mediaplane_send.c — response headers and bodies */
ngx_int_t ngx_http_mediaplane_send_response(ngx_http_mediaplane_ctx_t *ctx);
ngx_int_t ngx_http_mediaplane_filter_init(ngx_conf_t *cf);

/* _roots.c: direct-mode roots must not overlap catalog media roots */
ngx_int_t ngx_http_mediaplane_roots_reset(ngx_conf_t *cf);
ngx_int_t ngx_http_mediaplane_roots_add(ngx_conf_t *cf, ngx_http_mediaplane_loc_conf_t *conf);
ngx_int_t ngx_http_mediaplane_roots_check(ngx_conf_t *cf);
ngx_int_t ngx_http_mediaplane_send_file(ngx_http_mediaplane_ctx_t *ctx);
ngx_int_t ngx_http_mediaplane_send_memory(ngx_http_mediaplane_ctx_t *ctx, const char *type,
    u_char *body, size_t len, int is_manifest);
ngx_int_t ngx_http_mediaplane_set_common_headers(ngx_http_request_t *r,
    ngx_http_mediaplane_loc_conf_t *conf, time_t max_age);
ngx_int_t ngx_http_mediaplane_send_headers(ngx_http_mediaplane_ctx_t *ctx, const char *type,
    off_t length, time_t max_age);
ngx_int_t ngx_http_mediaplane_header_done(ngx_http_request_t *r, ngx_int_t rc);

/* ngx_http_mediaplane_request.c — the request's steps */
ngx_int_t ngx_http_mediaplane_handle(ngx_http_request_t *r);
ngx_int_t ngx_http_mediaplane_status(int mp_rc);

/* Catalog mode: maps "/<locator guid>/<file>" to the asset's folder (with a
 * trailing '/') and the file name, after checking the streaming endpoint the
 * Host reaches (state: 503, IP allow list: 403, CacheControl), the locator's
 * window and the delivery policy for the requested protocol. */
ngx_int_t ngx_http_mediaplane_catalog_resolve(ngx_http_mediaplane_ctx_t *ctx, ngx_str_t *dir,
    u_char **name, size_t *name_len);
/* ngx_http_mediaplane_filters.c — filter=a;b of a manifest or playlist:
 * the named filters of the asset (asset_dir "asset-<guid>") or the account
 * into ctx->filter_set; 400 for an unknown name. */
ngx_int_t ngx_http_mediaplane_catalog_filters(ngx_http_mediaplane_ctx_t *ctx,
    catalog_reader_t *reader, const char *asset_dir);
/* Catalog mode: /crossdomain.xml and /clientaccesspolicy.xml from the
 * streaming endpoint's CrossSiteAccessPolicies; NGX_DECLINED for other URIs. */
ngx_int_t ngx_http_mediaplane_catalog_policy(ngx_http_mediaplane_ctx_t *ctx);

#endif
