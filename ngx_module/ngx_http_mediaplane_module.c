/*
 * ngx_http_mediaplane_module.c — mediaplane's nginx dynamic module: the
 * directives, their configuration structures and the content handler that
 * `mediaplane on;` installs in a location.  The request itself is handled in
 * ngx_http_mediaplane_request.c; packaging is done by the nginx-free core.
 */
#include "ngx_http_mediaplane.h"
#include "mp4/mp4_parse.h"

static void *ngx_http_mediaplane_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_mediaplane_init_main_conf(ngx_conf_t *cf, void *conf);
static ngx_int_t ngx_http_mediaplane_postconfiguration(ngx_conf_t *cf);
static void *ngx_http_mediaplane_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_mediaplane_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child);
static char *ngx_http_mediaplane_metadata_cache(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

#define NGX_HTTP_MEDIAPLANE_ANY_CONF \
    (NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF)

static ngx_conf_num_bounds_t ngx_http_mediaplane_max_samples_bounds = {
    ngx_conf_check_num_bounds, 1, 0xffffffff
};

static ngx_conf_num_bounds_t ngx_http_mediaplane_max_fragments_bounds = {
    ngx_conf_check_num_bounds, 1, 0xffffffff
};

static ngx_conf_num_bounds_t ngx_http_mediaplane_max_tracks_bounds = {
    ngx_conf_check_num_bounds, 1, MP_MAX_TRACKS
};

static ngx_conf_num_bounds_t ngx_http_mediaplane_max_cold_builds_bounds = {
    ngx_conf_check_num_bounds, 1, 1024
};

static ngx_command_t ngx_http_mediaplane_commands[] = {

    { ngx_string("mediaplane"),
      NGX_HTTP_LOC_CONF | NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, enable),
      NULL },

    { ngx_string("mediaplane_root"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, root),
      NULL },

    { ngx_string("mediaplane_segment_duration"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, segment_duration),
      NULL },

    { ngx_string("mediaplane_fragment_duration"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, fragment_duration),
      NULL },

    { ngx_string("mediaplane_metadata_cache"),
      NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
      ngx_http_mediaplane_metadata_cache,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mediaplane_thread_pool"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, thread_pool_name),
      NULL },

    { ngx_string("mediaplane_manifest_max_age"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, manifest_max_age),
      NULL },

    { ngx_string("mediaplane_segment_max_age"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, segment_max_age),
      NULL },

    { ngx_string("mediaplane_cors_origin"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, cors_origin),
      NULL },

    { ngx_string("mediaplane_catalog"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, catalog_dir),
      NULL },

    { ngx_string("mediaplane_max_moov_size"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, max_moov_size),
      NULL },

    { ngx_string("mediaplane_max_samples"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, max_samples),
      &ngx_http_mediaplane_max_samples_bounds },

    { ngx_string("mediaplane_max_fragments"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, max_fragments),
      &ngx_http_mediaplane_max_fragments_bounds },

    { ngx_string("mediaplane_max_tracks"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, max_tracks),
      &ngx_http_mediaplane_max_tracks_bounds },

    { ngx_string("mediaplane_max_index_size"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, max_index_size),
      NULL },

    { ngx_string("mediaplane_max_cold_builds"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, max_cold_builds),
      &ngx_http_mediaplane_max_cold_builds_bounds },

    { ngx_string("mediaplane_ts_buffer_size"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, ts_buffer_size),
      NULL },

    { ngx_string("mediaplane_cached_inline"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, cached_inline),
      NULL },

    { ngx_string("mediaplane_origin_key"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_TAKE1,
      ngx_http_mediaplane_origin_key,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mediaplane_direct_catalog_overlap"),
      NGX_HTTP_MEDIAPLANE_ANY_CONF | NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, direct_catalog_overlap),
      NULL },

    { ngx_string("mediaplane_key_delivery"),
      NGX_HTTP_LOC_CONF | NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mediaplane_loc_conf_t, key_delivery),
      NULL },

      ngx_null_command
};

static ngx_http_module_t ngx_http_mediaplane_module_ctx = {
    ngx_http_mediaplane_roots_reset,       /* preconfiguration */
    ngx_http_mediaplane_postconfiguration, /* postconfiguration */

    ngx_http_mediaplane_create_main_conf,  /* create main configuration */
    ngx_http_mediaplane_init_main_conf,    /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_mediaplane_create_loc_conf,   /* create location configuration */
    ngx_http_mediaplane_merge_loc_conf     /* merge location configuration */
};

ngx_module_t ngx_http_mediaplane_module = {
    NGX_MODULE_V1,
    &ngx_http_mediaplane_module_ctx,       /* module context */
    ngx_http_mediaplane_commands,          /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_mediaplane_init_sigbus,       /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};

#define NGX_HTTP_MEDIAPLANE_DEFAULT_CACHE (64 * 1024 * 1024)

static void *
ngx_http_mediaplane_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_mediaplane_main_conf_t *mcf = ngx_pcalloc(cf->pool, sizeof(*mcf));

    if (mcf == NULL) {
        return NULL;
    }
    mcf->cache_size = NGX_CONF_UNSET;
    return mcf;
}

static char *
ngx_http_mediaplane_add_cache_zone(ngx_conf_t *cf, ngx_http_mediaplane_main_conf_t *mcf)
{
    ngx_str_t name = ngx_string("mediaplane_metadata");

    mcf->cache_zone = ngx_shared_memory_add(cf, &name, (size_t) mcf->cache_size,
                                            &ngx_http_mediaplane_module);
    if (mcf->cache_zone == NULL) {
        return NGX_CONF_ERROR;
    }
    mcf->cache_zone->init = ngx_http_mediaplane_cache_init_zone;
    return NGX_CONF_OK;
}

static char *
ngx_http_mediaplane_metadata_cache(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mediaplane_main_conf_t *mcf = conf;
    ngx_str_t *value = cf->args->elts;

    if (mcf->cache_size != NGX_CONF_UNSET) {
        return "is duplicate";
    }
    mcf->cache_size = ngx_parse_size(&value[1]);
    if (mcf->cache_size == NGX_ERROR || mcf->cache_size < (ssize_t) (8 * ngx_pagesize)) {
        return "must be a size of at least 8 pages";
    }
    return ngx_http_mediaplane_add_cache_zone(cf, mcf);
}

static char *
ngx_http_mediaplane_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_mediaplane_main_conf_t *mcf = conf;

    if (mcf->cache_size == NGX_CONF_UNSET) {
        mcf->cache_size = NGX_HTTP_MEDIAPLANE_DEFAULT_CACHE;
        return ngx_http_mediaplane_add_cache_zone(cf, mcf);
    }
    return NGX_CONF_OK;
}

static void *
ngx_http_mediaplane_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_mediaplane_loc_conf_t *conf = ngx_pcalloc(cf->pool, sizeof(*conf));

    if (conf == NULL) {
        return NULL;
    }
    conf->enable = NGX_CONF_UNSET;
    conf->segment_duration = NGX_CONF_UNSET_MSEC;
    conf->fragment_duration = NGX_CONF_UNSET_MSEC;
    conf->manifest_max_age = NGX_CONF_UNSET;
    conf->segment_max_age = NGX_CONF_UNSET;
    conf->max_moov_size = NGX_CONF_UNSET_SIZE;
    conf->max_samples = NGX_CONF_UNSET_UINT;
    conf->max_tracks = NGX_CONF_UNSET_UINT;
    conf->max_fragments = NGX_CONF_UNSET_UINT;
    conf->max_index_size = NGX_CONF_UNSET_SIZE;
    conf->max_cold_builds = NGX_CONF_UNSET_UINT;
    conf->ts_buffer_size = NGX_CONF_UNSET_SIZE;
    conf->cached_inline = NGX_CONF_UNSET;
    conf->key_delivery = NGX_CONF_UNSET;
    conf->direct_catalog_overlap = NGX_CONF_UNSET;
    conf->origin_key = NGX_CONF_UNSET_PTR;
    return conf;
}

static ngx_int_t
ngx_http_mediaplane_postconfiguration(ngx_conf_t *cf)
{
    if (ngx_http_mediaplane_roots_check(cf) != NGX_OK) {
        return NGX_ERROR;
    }
    return ngx_http_mediaplane_filter_init(cf);
}

static ngx_int_t
ngx_http_mediaplane_handler(ngx_http_request_t *r)
{
    return ngx_http_mediaplane_handle(r);
}

static char *
ngx_http_mediaplane_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_mediaplane_loc_conf_t *prev = parent, *conf = child;
    ngx_http_core_loc_conf_t *clcf;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_str_value(conf->root, prev->root, "");
    ngx_conf_merge_msec_value(conf->segment_duration, prev->segment_duration, 6000);
    ngx_conf_merge_msec_value(conf->fragment_duration, prev->fragment_duration, 2000);
    ngx_conf_merge_str_value(conf->thread_pool_name, prev->thread_pool_name, "default");
    ngx_conf_merge_sec_value(conf->manifest_max_age, prev->manifest_max_age, 2);
    ngx_conf_merge_sec_value(conf->segment_max_age, prev->segment_max_age, 86400);
    ngx_conf_merge_str_value(conf->cors_origin, prev->cors_origin, "");
    ngx_conf_merge_size_value(conf->max_moov_size, prev->max_moov_size, 128 * 1024 * 1024);
    ngx_conf_merge_uint_value(conf->max_samples, prev->max_samples, 10000000);
    ngx_conf_merge_uint_value(conf->max_tracks, prev->max_tracks, MP_MAX_TRACKS);
    ngx_conf_merge_uint_value(conf->max_fragments, prev->max_fragments, MP4_MAX_FRAGMENTS);
    ngx_conf_merge_size_value(conf->max_index_size, prev->max_index_size, 128 * 1024 * 1024);
    ngx_conf_merge_uint_value(conf->max_cold_builds, prev->max_cold_builds, 8);
    ngx_conf_merge_size_value(conf->ts_buffer_size, prev->ts_buffer_size, 256 * 1024);
    ngx_conf_merge_value(conf->cached_inline, prev->cached_inline, 1);
    ngx_conf_merge_str_value(conf->catalog_dir, prev->catalog_dir, "");
    if (conf->catalog_dir.len > 0 && conf->catalog_dir.data[conf->catalog_dir.len] != '\0') {
        u_char *z = ngx_pnalloc(cf->pool, conf->catalog_dir.len + 1);
        if (z == NULL) {
            return NGX_CONF_ERROR;
        }
        ngx_memcpy(z, conf->catalog_dir.data, conf->catalog_dir.len);
        z[conf->catalog_dir.len] = '\0';
        conf->catalog_dir.data = z;
    }

    ngx_conf_merge_ptr_value(conf->origin_key, prev->origin_key, NULL);
    ngx_conf_merge_value(conf->key_delivery, prev->key_delivery, 0);
    ngx_conf_merge_value(conf->direct_catalog_overlap, prev->direct_catalog_overlap, 0);
    if (conf->key_delivery) {
        if (conf->catalog_dir.len == 0 || conf->origin_key == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"mediaplane_key_delivery on\" needs "
                               "mediaplane_catalog and mediaplane_origin_key");
            return NGX_CONF_ERROR;
        }
        clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
        clcf->handler = ngx_http_mediaplane_key_handler;
        return NGX_CONF_OK;
    }

    if (conf->segment_duration < 500 || conf->fragment_duration < 500) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "mediaplane segment and fragment durations must be at least 500ms");
        return NGX_CONF_ERROR;
    }

    if (!conf->enable) {
        return NGX_CONF_OK;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_mediaplane_handler;

    if (conf->root.len == 0) {
        if (clcf->root.len == 0 || clcf->root_lengths) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"mediaplane on\" needs mediaplane_root (or a static root)");
            return NGX_CONF_ERROR;
        }
        conf->root = clcf->root;
    }
    while (conf->root.len > 1 && conf->root.data[conf->root.len - 1] == '/') {
        conf->root.len--;             /* URIs bring their own leading '/' */
    }

    conf->thread_pool = ngx_thread_pool_add(cf, &conf->thread_pool_name);
    if (conf->thread_pool == NULL || ngx_http_mediaplane_roots_add(cf, conf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
