/*
 * ngx_http_mediaplane_request.c — the steps of one packaging request:
 * parse the URL, resolve the asset to files (direct mode: the storage root;
 * catalog mode: a locator looked up in the catalog, _catalog.c),
 * load the .ism and the media indexes, build the presentation, package.
 * Each step either finishes or hands over to a thread task and resumes.
 */
#include "ngx_http_mediaplane.h"

ngx_int_t
ngx_http_mediaplane_status(int mp_rc)
{
    switch (mp_rc) {
    case MP_OK:
        return NGX_OK;
    case MP_ERR_BAD_REQUEST:
        return NGX_HTTP_BAD_REQUEST;
    case MP_ERR_NOT_FOUND:
        return NGX_HTTP_NOT_FOUND;
    case MP_ERR_BAD_MEDIA:
        return NGX_HTTP_UNSUPPORTED_MEDIA_TYPE;
    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
}

static ngx_int_t
ngx_http_mediaplane_set_path(ngx_http_mediaplane_ctx_t *ctx, ngx_http_mediaplane_file_t *f,
    ngx_str_t *dir, u_char *name, size_t name_len)
{
    u_char *p;

    f->path.len = dir->len + name_len;
    f->path.data = ngx_pnalloc(ctx->r->pool, f->path.len + 1);
    if (f->path.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    p = ngx_cpymem(f->path.data, dir->data, dir->len);
    p = ngx_cpymem(p, name, name_len);
    *p = '\0';

    return NGX_OK;
}

/* encryption= asks for one protection: the asset must be delivered with it
 * (cbc: the AES-128 envelope; cenc, cbcs-aapl: common encryption), or the
 * request is refused -- neither clear bytes nor another protection. */
static ngx_int_t
ngx_http_mediaplane_encryption_offered(ngx_http_mediaplane_ctx_t *ctx)
{
    const mp_protection_t *pr = ctx->req.protection;

    mp_protect_method_t have = pr != NULL ? pr->method : MP_PROTECT_NONE;

    if (ctx->req.encryption == MP_ENC_ANY
        || (ctx->req.encryption == MP_ENC_CBC && have == MP_PROTECT_AES128)
        || (ctx->req.encryption == MP_ENC_CENC && have == MP_PROTECT_CENC)
        || (ctx->req.encryption == MP_ENC_CBCS && have == MP_PROTECT_CBCS))
    {
        return NGX_OK;
    }
    ngx_log_error(NGX_LOG_INFO, ctx->r->connection->log, 0,
                  "mediaplane: \"%V\": the asset is not delivered with the encryption the "
                  "URL asks for", &ctx->r->uri);
    return NGX_HTTP_NOT_FOUND;
}

/* Where the asset's files are.  Direct mode: <root><asset path>.  Catalog
 * mode: the first path segment is a locator, resolved in the catalog. */
static ngx_int_t
ngx_http_mediaplane_resolve(ngx_http_mediaplane_ctx_t *ctx)
{
    ngx_str_t *root = &ctx->conf->root;
    const char *slash = ctx->req.asset + ctx->req.asset_len - 1;
    ngx_http_mediaplane_file_t *f;
    u_char *name;
    size_t name_len;
    ngx_int_t rc;

    f = ngx_pcalloc(ctx->r->pool, sizeof(ngx_http_mediaplane_file_t));
    if (f == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ctx->files = f;
    ctx->file_count = 1;
    f->is_ism = ctx->req.asset_is_ism;

    if (ctx->conf->catalog_dir.len > 0) {
        rc = ngx_http_mediaplane_catalog_resolve(ctx, &ctx->asset_dir, &name, &name_len);
        if (rc == NGX_OK) {
            rc = ngx_http_mediaplane_encryption_offered(ctx);
        }
        if (rc != NGX_OK) {
            return rc;
        }
        return ngx_http_mediaplane_set_path(ctx, f, &ctx->asset_dir, name, name_len);
    }
    rc = ngx_http_mediaplane_encryption_offered(ctx);    /* no policies in direct mode */
    if (rc != NGX_OK) {
        return rc;
    }
    if (ctx->req.filter != NULL
        && (ctx->req.kind == MP_REQ_MANIFEST || ctx->req.kind == MP_REQ_PLAYLIST))
    {
        ngx_log_error(NGX_LOG_INFO, ctx->r->connection->log, 0,
                      "mediaplane: \"%V\": filters are served in catalog mode only",
                      &ctx->r->uri);
        return NGX_HTTP_BAD_REQUEST;
    }

    while (slash > ctx->req.asset && *slash != '/') {
        slash--;
    }

    ctx->asset_dir.len = root->len + (slash + 1 - ctx->req.asset);
    ctx->asset_dir.data = ngx_pnalloc(ctx->r->pool, ctx->asset_dir.len);
    if (ctx->asset_dir.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ngx_memcpy(ngx_cpymem(ctx->asset_dir.data, root->data, root->len), ctx->req.asset,
               slash + 1 - ctx->req.asset);

    return ngx_http_mediaplane_set_path(ctx, f, &ctx->asset_dir, (u_char *) slash + 1,
                                        ctx->req.asset + ctx->req.asset_len - slash - 1);
}

/* A live archive's anchor: the wall-clock time (unix ms) of timeline time
 * 0, from when the reference track's file was last written (its mtime) and
 * the end of the samples indexed from it, so it stays put from one answer to
 * the next (the DASH availabilityStartTime must not move between MPD
 * updates).  The mtime is read with ns precision when the file still has
 * the size it was indexed at, else the whole seconds of the stat the index
 * came from are taken (an open_file_cache_valid interval may separate them).
 * 0 when unknown: the manifests then anchor at now. */
static int64_t
ngx_http_mediaplane_live_anchor(ngx_http_mediaplane_ctx_t *ctx, ngx_uint_t first,
    const mp_timeline_t *tl)
{
    ngx_http_mediaplane_file_t *f;
    ngx_file_info_t fi;
    int64_t mtime_ms;

    if (ctx->pres.count == 0 || first + ctx->pres.tracks[0].file_no >= ctx->file_count) {
        return 0;
    }
    f = &ctx->files[first + ctx->pres.tracks[0].file_no];   /* tracks[0]: the reference */
    if (f->of.fd == NGX_INVALID_FILE || ngx_fd_info(f->of.fd, &fi) == NGX_FILE_ERROR) {
        return 0;
    }
    if (ngx_file_size(&fi) == f->of.size) {
        mtime_ms = (int64_t) fi.st_mtim.tv_sec * 1000 + fi.st_mtim.tv_nsec / 1000000;
    } else {
        mtime_ms = (int64_t) f->of.mtime * 1000 + 500;
    }
    return mtime_ms - (int64_t) (tl->end_10m / 10000);
}

static ngx_int_t
ngx_http_mediaplane_package(ngx_http_mediaplane_ctx_t *ctx)
{
    const mp_index_t *indexes[NGX_HTTP_MEDIAPLANE_MAX_FILES];
    const ism_t *ism = NULL;
    mp_timeline_t tl;
    mp_file_list_t files;
    ngx_uint_t i, first = 0, level;
    char err[MP_ERR_LEN];
    int rc;

    if (ctx->req.asset_is_ism) {
        ism = ctx->files[0].blob;
        first = 1;
    }
    mp_asset_files(ism, &files);
    for (i = 0; i < files.count; i++) {
        indexes[i] = ctx->files[first + i].blob;
    }

    ngx_memzero(&tl, sizeof(tl));
    rc = mp_presentation_build(&ctx->pres, ism, &files, indexes, err, sizeof(err));
    if (rc == MP_OK) {
        rc = ngx_http_mediaplane_timeline(ctx, &tl);
        if (rc != MP_OK) {
            ngx_cpystrn((u_char *) err, (u_char *) "no samples to segment", sizeof(err));
        }
    }
    if (rc == MP_OK && ctx->is_live) {
        ctx->live.start_ms = ngx_http_mediaplane_live_anchor(ctx, first, &tl);
        mp_timeline_live(&tl, &ctx->live);    /* whole segments in the DVR window */
    }
    if (rc == MP_OK) {
        rc = mp_package_with_timeline(&ctx->req, &ctx->pres, &tl, &ctx->res, err, sizeof(err));
    }

    if (rc != MP_OK) {
        level = (rc == MP_ERR_BAD_MEDIA) ? NGX_LOG_ERR : NGX_LOG_INFO;
        ngx_log_error(level, ctx->r->connection->log, 0, "mediaplane: \"%V\": %s",
                      &ctx->r->uri, err);
        mp_response_free(&ctx->res);
        return ngx_http_mediaplane_status(rc);
    }

    ngx_http_mediaplane_manifest_store(ctx);
    return ngx_http_mediaplane_send_response(ctx);
}

/* The .ism is loaded: open every media file it names, then load those. */
static ngx_int_t
ngx_http_mediaplane_open_set(ngx_http_mediaplane_ctx_t *ctx)
{
    mp_file_list_t files;
    ngx_http_mediaplane_file_t *f;
    ngx_uint_t i;
    ngx_int_t rc;

    mp_asset_files(ctx->files[0].blob, &files);

    f = ngx_pcalloc(ctx->r->pool, sizeof(ngx_http_mediaplane_file_t) * (1 + files.count));
    if (f == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    f[0] = ctx->files[0];
    ctx->files = f;

    for (i = 0; i < files.count; i++) {
        f = &ctx->files[1 + i];
        rc = ngx_http_mediaplane_set_path(ctx, f, &ctx->asset_dir, (u_char *) files.names[i],
                                          ngx_strlen(files.names[i]));
        if (rc == NGX_OK) {
            rc = ngx_http_mediaplane_open(ctx, f);
        }
        if (rc != NGX_OK) {
            ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0,
                          "mediaplane: \"%s\" names \"%s\", which cannot be opened",
                          ctx->files[0].path.data, files.names[i]);
            return rc == NGX_HTTP_NOT_FOUND ? NGX_HTTP_NOT_FOUND : rc;
        }
    }
    ctx->file_count = 1 + files.count;

    rc = ngx_http_mediaplane_manifest_lookup(ctx);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    return ngx_http_mediaplane_load(ctx, ngx_http_mediaplane_package);
}

static ngx_int_t
ngx_http_mediaplane_preflight(ngx_http_request_t *r, ngx_http_mediaplane_loc_conf_t *conf)
{
    ngx_int_t rc;

    r->headers_out.status = NGX_HTTP_NO_CONTENT;
    r->headers_out.content_length_n = 0;
    rc = ngx_http_mediaplane_set_common_headers(r, conf, 0);
    if (rc != NGX_OK) {
        return rc;
    }
    r->header_only = 1;
    return ngx_http_send_header(r);
}

ngx_int_t
ngx_http_mediaplane_handle(ngx_http_request_t *r)
{
    ngx_http_mediaplane_ctx_t *ctx;
    char err[MP_ERR_LEN];
    ngx_int_t rc;
    int mrc;

    if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD | NGX_HTTP_OPTIONS))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_mediaplane_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ctx->r = r;
    ctx->conf = ngx_http_get_module_loc_conf(r, ngx_http_mediaplane_module);
    ctx->manifest_max_age = ctx->conf->manifest_max_age;
    ctx->segment_max_age = ctx->conf->segment_max_age;
    ngx_http_set_ctx(r, ctx, ngx_http_mediaplane_module);

    if (r->method == NGX_HTTP_OPTIONS) {
        return ngx_http_mediaplane_preflight(r, ctx->conf);
    }

    if (ctx->conf->catalog_dir.len > 0) {
        rc = ngx_http_mediaplane_catalog_policy(ctx);
        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    mrc = mp_url_parse((const char *) r->uri.data, r->uri.len, &ctx->req, err, sizeof(err));
    if (mrc != MP_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0, "mediaplane: \"%V\": %s", &r->uri, err);
        return ngx_http_mediaplane_status(mrc);
    }

    rc = ngx_http_mediaplane_resolve(ctx);
    if (rc == NGX_OK) {
        rc = ngx_http_mediaplane_open(ctx, &ctx->files[0]);
    }
    if (rc != NGX_OK) {
        return rc;
    }

    if (ctx->req.kind == MP_REQ_FILE) {
        rc = ngx_http_mediaplane_send_file(ctx);    /* produced when storage-encrypted */
        if (rc == NGX_DONE) {
            r->main->count++;
        }
        return rc;
    }

    if (!ctx->req.asset_is_ism) {
        rc = ngx_http_mediaplane_manifest_lookup(ctx);
        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    rc = ngx_http_mediaplane_load(ctx, ctx->req.asset_is_ism ? ngx_http_mediaplane_open_set
                                                             : ngx_http_mediaplane_package);
    if (rc == NGX_DONE) {
        r->main->count++;
    }

    return rc;
}
