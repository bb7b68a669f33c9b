/*
 * ngx_http_mediaplane_roots.c — refuses a configuration whose direct-mode
 * location (mediaplane on, no mediaplane_catalog) has a mediaplane_root that
 * contains, or lies inside, the media root of a catalog-mode location: such
 * a location would serve every published and unpublished asset by path,
 * without origin locators, delivery policies, encryption or IP checks.
 * "mediaplane_direct_catalog_overlap on" in the direct location allows it
 * when that is really meant.  Roots are compared after realpath(3) where
 * they exist, so symbolic links and ".." do not hide an overlap.
 */
#include "ngx_http_mediaplane.h"

#include <limits.h>
#include <stdlib.h>

typedef struct {
    ngx_str_t  root;
    ngx_flag_t catalog;
    ngx_flag_t overlap_allowed;
} ngx_http_mediaplane_root_t;

/* of ngx_http_mediaplane_root_t: the configuration being read (made anew by
 * the preconfiguration of every configuration cycle) */
static ngx_array_t *ngx_http_mediaplane_roots;

static ngx_str_t
ngx_http_mediaplane_resolved(ngx_conf_t *cf, ngx_str_t *root)
{
    char path[PATH_MAX], resolved[PATH_MAX];
    ngx_str_t out = *root;
    size_t n;

    if (root->len >= sizeof(path)) {
        return out;
    }
    ngx_memcpy(path, root->data, root->len);
    path[root->len] = '\0';
    if (realpath(path, resolved) == NULL) {
        return out;
    }
    n = ngx_strlen(resolved);
    out.data = ngx_pnalloc(cf->pool, n);
    if (out.data == NULL) {
        return *root;
    }
    ngx_memcpy(out.data, resolved, n);
    out.len = n;
    return out;
}

ngx_int_t
ngx_http_mediaplane_roots_reset(ngx_conf_t *cf)
{
    ngx_http_mediaplane_roots = ngx_array_create(cf->pool, 8, sizeof(ngx_http_mediaplane_root_t));
    return ngx_http_mediaplane_roots != NULL ? NGX_OK : NGX_ERROR;
}

ngx_int_t
ngx_http_mediaplane_roots_add(ngx_conf_t *cf, ngx_http_mediaplane_loc_conf_t *conf)
{
    ngx_http_mediaplane_root_t *r;

    r = ngx_array_push(ngx_http_mediaplane_roots);
    if (r == NULL) {
        return NGX_ERROR;
    }
    r->root = ngx_http_mediaplane_resolved(cf, &conf->root);
    r->catalog = conf->catalog_dir.len > 0;
    r->overlap_allowed = conf->direct_catalog_overlap;
    return NGX_OK;
}

/* a equals b, or one is a directory above the other */
static ngx_uint_t
ngx_http_mediaplane_nested(ngx_str_t *a, ngx_str_t *b)
{
    ngx_str_t *shorter = a->len <= b->len ? a : b, *longer = a->len <= b->len ? b : a;

    if (ngx_strncmp(shorter->data, longer->data, shorter->len) != 0) {
        return 0;
    }
    return longer->len == shorter->len || longer->data[shorter->len] == '/'
           || (shorter->len == 1 && shorter->data[0] == '/');
}

ngx_int_t
ngx_http_mediaplane_roots_check(ngx_conf_t *cf)
{
    ngx_http_mediaplane_root_t *r;
    ngx_uint_t i, j;

    r = ngx_http_mediaplane_roots->elts;
    for (i = 0; i < ngx_http_mediaplane_roots->nelts; i++) {
        if (r[i].catalog || r[i].overlap_allowed) {
            continue;
        }
        for (j = 0; j < ngx_http_mediaplane_roots->nelts; j++) {
            if (r[j].catalog && ngx_http_mediaplane_nested(&r[i].root, &r[j].root)) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                    "mediaplane_root \"%V\" of a direct-mode location overlaps \"%V\", the "
                    "media root of a mediaplane_catalog location: it would serve every asset "
                    "without origin locators, delivery policies or IP checks; use separate "
                    "directories, or \"mediaplane_direct_catalog_overlap on\" in the direct "
                    "location", &r[i].root, &r[j].root);
                return NGX_ERROR;
            }
        }
    }
    return NGX_OK;
}
