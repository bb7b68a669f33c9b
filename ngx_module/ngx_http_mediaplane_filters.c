/*
 * ngx_http_mediaplane_filters.c — filter=a;b of a manifest URL (catalog
 * mode): each name is looked up in the catalog's ofilters, the asset's
 * filter of that name first, else the account's (catalog_ofilter.h), and
 * read by the format core (filter/mp_filter.h), which does the filtering.
 * An unknown name answers 400.  A digest of the records' text goes into the
 * manifest cache key, so changing a filter changes the cached manifests it
 * shapes.
 */
#include "ngx_http_mediaplane.h"

#include <ngx_md5.h>

/* One name's record into buf: the asset's, else the account's. */
static ngx_int_t
ngx_http_mediaplane_filter_text(ngx_http_mediaplane_ctx_t *ctx, catalog_reader_t *reader,
    const char *asset_dir, const char *name, size_t name_len, char *buf, size_t *got)
{
    const char *scopes[2] = { asset_dir, CATALOG_OFILTER_ACCOUNT };
    char key[CATALOG_OFILTER_KEY_MAX], err[256] = "";
    catalog_lookup_t found = CATALOG_NOT_FOUND;
    size_t klen;
    int i;

    for (i = 0; i < 2 && found == CATALOG_NOT_FOUND; i++) {
        klen = catalog_ofile_key(scopes[i], name, name_len, key, sizeof(key));
        if (klen == 0) {
            return NGX_HTTP_BAD_REQUEST;
        }
        found = catalog_reader_ofilter(reader, key, klen, buf, CATALOG_OFILTER_MAX_SIZE, got,
                                       err, sizeof(err));
    }
    if (found == CATALOG_NOT_FOUND) {
        ngx_log_error(NGX_LOG_INFO, ctx->r->connection->log, 0,
                      "mediaplane: \"%V\": unknown filter \"%*s\"", &ctx->r->uri,
                      name_len, name);
        return NGX_HTTP_BAD_REQUEST;
    }
    if (found != CATALOG_FOUND) {
        ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0, "mediaplane: %s", err);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    return NGX_OK;
}

/* Appends "<name>=<text>\n" to the cache key part. */
static ngx_int_t
ngx_http_mediaplane_filter_key(ngx_http_mediaplane_ctx_t *ctx, const char *name,
    size_t name_len, const char *text, size_t len)
{
    ngx_str_t *k = &ctx->filter_key;
    u_char *p = ngx_pnalloc(ctx->r->pool, k->len + name_len + len + 2);

    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ngx_memcpy(p, k->data, k->len);
    k->data = p;
    p += k->len;
    p = ngx_cpymem(p, name, name_len);
    *p++ = '=';
    p = ngx_cpymem(p, text, len);
    *p++ = '\n';
    k->len = p - k->data;
    return NGX_OK;
}

static ngx_int_t
ngx_http_mediaplane_filter_one(ngx_http_mediaplane_ctx_t *ctx, catalog_reader_t *reader,
    const char *asset_dir, const char *name, size_t name_len)
{
    char *text, err[MP_ERR_LEN];
    mp_filter_t *f;
    size_t len = 0;
    ngx_int_t rc;

    text = ngx_pnalloc(ctx->r->pool, CATALOG_OFILTER_MAX_SIZE);
    f = ngx_palloc(ctx->r->pool, sizeof(mp_filter_t));
    if (text == NULL || f == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    rc = ngx_http_mediaplane_filter_text(ctx, reader, asset_dir, name, name_len, text, &len);
    if (rc != NGX_OK) {
        return rc;
    }
    if (mp_filter_parse(text, len, f, err, sizeof(err)) != MP_OK) {
        ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0,
                      "mediaplane: filter \"%*s\" in the catalog: %s", name_len, name, err);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ctx->filter_set.filters[ctx->filter_set.count++] = f;
    return ngx_http_mediaplane_filter_key(ctx, name, name_len, text, len);
}

/* The cache key part becomes the MD5 of the names and texts (at most
 * 3 x 4 KB of text would otherwise go into every cached manifest's key). */
static ngx_int_t
ngx_http_mediaplane_filter_digest(ngx_http_mediaplane_ctx_t *ctx)
{
    u_char digest[16], *hex;
    ngx_md5_t md5;

    hex = ngx_pnalloc(ctx->r->pool, 2 * sizeof(digest));
    if (hex == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    ngx_md5_init(&md5);
    ngx_md5_update(&md5, ctx->filter_key.data, ctx->filter_key.len);
    ngx_md5_final(digest, &md5);
    ngx_hex_dump(hex, digest, sizeof(digest));
    ctx->filter_key.data = hex;
    ctx->filter_key.len = 2 * sizeof(digest);
    return NGX_OK;
}

ngx_int_t
ngx_http_mediaplane_catalog_filters(ngx_http_mediaplane_ctx_t *ctx, catalog_reader_t *reader,
    const char *asset_dir)
{
    const char *p, *end, *semi;
    ngx_int_t rc;

    if (ctx->req.filter == NULL
        || (ctx->req.kind != MP_REQ_MANIFEST && ctx->req.kind != MP_REQ_PLAYLIST))
    {
        return NGX_OK;          /* segments are never filtered: the same bytes */
    }
    p = ctx->req.filter;
    end = p + ctx->req.filter_len;
    while (p < end && ctx->filter_set.count < MP_FILTER_MAX_PER_URL) {
        semi = (const char *) ngx_strlchr((u_char *) p, (u_char *) end, ';');
        if (semi == NULL) {
            semi = end;
        }
        rc = ngx_http_mediaplane_filter_one(ctx, reader, asset_dir, p, semi - p);
        if (rc != NGX_OK) {
            return rc;
        }
        p = semi + 1;
    }
    ctx->req.filters = &ctx->filter_set;
    return ngx_http_mediaplane_filter_digest(ctx);
}
