/*
 * ngx_http_mediaplane_catalog.c — catalog mode (mediaplane_catalog): streaming
 * URLs start with an origin locator's GUID, "/<guid>/<name>.ism/…", resolved
 * in-process in the LMDB catalog that mediaplaned writes (a read-only MVCC
 * reader per worker, opened on first use, one short read transaction per
 * request: no HTTP hop, no locks against the writer).  The record says which
 * asset folder, when the locator is valid, and which protocols are allowed.
 */
#include "ngx_http_mediaplane.h"

static uint32_t
ngx_http_mediaplane_protocol(const mp_request_t *req)
{
    if (req->kind == MP_REQ_FILE) {
        return CATALOG_PROTO_PROGRESSIVE;
    }
    if (mp_format_is_hls(req->format)) {
        return CATALOG_PROTO_HLS;
    }
    if (mp_format_is_dash(req->format)) {
        return CATALOG_PROTO_DASH;
    }
    return CATALOG_PROTO_SMOOTH;
}

static catalog_reader_t *
ngx_http_mediaplane_catalog_reader(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_http_mediaplane_loc_conf_t *conf = ctx->conf;
    char err[256];

    if (conf->catalog == NULL) {
        conf->catalog = catalog_reader_open((const char *) conf->catalog_dir.data, err,
                                            sizeof(err));
        if (conf->catalog == NULL) {
            ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0,
                          "mediaplane: cannot open the catalog: %s", err);
        }
    }
    return conf->catalog;
}

/* The asset path without the location's prefix: "/<guid>/<file>". */
static ngx_int_t
ngx_http_mediaplane_locator_path(ngx_http_mediaplane_ctx_t *ctx, const char **guid,
    const char **file, size_t *file_len)
{
    ngx_http_core_loc_conf_t *clcf = ngx_http_get_module_loc_conf(ctx->r, ngx_http_core_module);
    const char *p = ctx->req.asset, *end = ctx->req.asset + ctx->req.asset_len;
    size_t prefix = clcf->name.len;

    if (prefix > 1 && clcf->name.data[prefix - 1] == '/'
        && (size_t) (end - p) > prefix
        && ngx_strncmp(p, clcf->name.data, prefix) == 0)
    {
        p += prefix - 1;
    }
    if (end - p < 2 + CATALOG_GUID_LEN || p[0] != '/' || p[1 + CATALOG_GUID_LEN] != '/') {
        return NGX_HTTP_NOT_FOUND;
    }
    *guid = p + 1;
    *file = p + 2 + CATALOG_GUID_LEN;
    *file_len = end - *file;
    if (*file_len == 0 || ngx_strlchr((u_char *) *file, (u_char *) end, '/') != NULL) {
        return NGX_HTTP_NOT_FOUND;      /* assets are flat folders */
    }
    return NGX_OK;
}

static ngx_int_t
ngx_http_mediaplane_verdict(ngx_http_mediaplane_ctx_t *ctx, const catalog_origin_t *o)
{
    int64_t now = (int64_t) ngx_time() * 1000 + (int64_t) ngx_timeofday()->msec;

    switch (catalog_origin_check(o, now, ngx_http_mediaplane_protocol(&ctx->req))) {
    case CATALOG_ALLOW:
        return NGX_OK;
    case CATALOG_BLOCKED:
        ngx_log_error(NGX_LOG_INFO, ctx->r->connection->log, 0,
                      "mediaplane: \"%V\": protocol blocked by the asset's delivery policy",
                      &ctx->r->uri);
        return NGX_HTTP_FORBIDDEN;
    default:
        ngx_log_error(NGX_LOG_INFO, ctx->r->connection->log, 0,
                      "mediaplane: \"%V\": locator not started or expired", &ctx->r->uri);
        return NGX_HTTP_NOT_FOUND;
    }
}

ngx_int_t
ngx_http_mediaplane_catalog_resolve(ngx_http_mediaplane_ctx_t *ctx, ngx_str_t *dir,
    u_char **name, size_t *name_len)
{
    ngx_str_t *root = &ctx->conf->root;
    const char *guid, *file;
    catalog_reader_t *reader;
    catalog_origin_t o;
    char err[256];
    size_t dir_len;
    u_char *p;
    ngx_int_t rc;

    rc = ngx_http_mediaplane_locator_path(ctx, &guid, &file, name_len);
    if (rc != NGX_OK) {
        return rc;
    }
    reader = ngx_http_mediaplane_catalog_reader(ctx);
    if (reader == NULL) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }
    switch (catalog_reader_locator(reader, guid, CATALOG_GUID_LEN, &o, err, sizeof(err))) {
    case CATALOG_FOUND:
        break;
    case CATALOG_NOT_FOUND:
        return NGX_HTTP_NOT_FOUND;
    default:
        ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0, "mediaplane: %s", err);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    rc = ngx_http_mediaplane_verdict(ctx, &o);
    if (rc != NGX_OK) {
        return rc;
    }

    dir_len = ngx_strlen(o.asset_dir);
    dir->len = root->len + 1 + dir_len + 1;
    dir->data = ngx_pnalloc(ctx->r->pool, dir->len);
    if (dir->data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    p = ngx_cpymem(dir->data, root->data, root->len);
    *p++ = '/';
    p = ngx_cpymem(p, o.asset_dir, dir_len);
    *p = '/';
    *name = (u_char *) file;
    return NGX_OK;
}
