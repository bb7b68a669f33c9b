/*
 * ngx_http_mediaplane_catalog.c — catalog mode (mediaplane_catalog): streaming
 * URLs start with an origin locator's GUID, "/<guid>/<name>.ism/…", resolved
 * in-process in the LMDB catalog that mediaplaned writes (a read-only MVCC
 * reader per worker, opened on first use, one short read transaction per
 * request: no HTTP hop, no locks against the writer).  The record says which
 * asset folder, when the locator is valid, and which protocols are allowed.
 * The same read transaction finds the streaming endpoint the request's Host
 * reaches (else the default one): stopped → 503, client outside its IP
 * allow list → 403, its CacheControl.MaxAge → Cache-Control; it also holds
 * the cross-site policy documents served at /crossdomain.xml and
 * /clientaccesspolicy.xml.
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

catalog_reader_t *
ngx_http_mediaplane_catalog_reader(ngx_http_request_t *r, ngx_http_mediaplane_loc_conf_t *conf)
{
    char err[256];

    if (conf->catalog == NULL) {
        conf->catalog = catalog_reader_open((const char *) conf->catalog_dir.data, err,
                                            sizeof(err));
        if (conf->catalog == NULL) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
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

static void *
ngx_http_mediaplane_pool_alloc(void *pool, size_t size)
{
    return ngx_pnalloc(pool, size);
}

static void
ngx_http_mediaplane_endpoint_query(ngx_http_mediaplane_ctx_t *ctx, catalog_endpoint_query_t *q)
{
    ngx_http_request_t *r = ctx->r;

    ngx_memzero(q, sizeof(*q));
    q->host = (const char *) r->headers_in.server.data;
    q->host_len = r->headers_in.server.len;
    q->alloc = ngx_http_mediaplane_pool_alloc;
    q->alloc_arg = r->pool;
}

/* The client's address as the IP allow list sees it (4 or 16 bytes). */
static int
ngx_http_mediaplane_client_addr(ngx_http_request_t *r, const uint8_t **addr)
{
    struct sockaddr *sa = r->connection->sockaddr;

    if (sa->sa_family == AF_INET) {
        *addr = (const uint8_t *) &((struct sockaddr_in *) sa)->sin_addr;
        return 4;
    }
#if (NGX_HAVE_INET6)
    if (sa->sa_family == AF_INET6) {
        *addr = ((struct sockaddr_in6 *) sa)->sin6_addr.s6_addr;
        return 6;
    }
#endif
    *addr = NULL;
    return 0;
}

static const char *ngx_http_mediaplane_ep_states[] = {
    "Stopped", "Starting", "Running", "Stopping", "Deleting", "Scaling",
};

/* The endpoint's say: NGX_OK (and its Cache-Control), 503 or 403. */
static ngx_int_t
ngx_http_mediaplane_endpoint_verdict(ngx_http_mediaplane_ctx_t *ctx,
    const catalog_endpoint_query_t *q, const char *err)
{
    const catalog_endpoint_t *e = &q->endpoint;
    const uint8_t *addr;
    int family;

    if (q->result == CATALOG_NOT_FOUND) {
        return NGX_OK;                  /* no endpoint published: unrestricted */
    }
    if (q->result != CATALOG_FOUND) {
        ngx_log_error(NGX_LOG_ERR, ctx->r->connection->log, 0, "mediaplane: %s", err);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!catalog_endpoint_serving(e)) {
        ngx_log_error(NGX_LOG_INFO, ctx->r->connection->log, 0,
                      "mediaplane: streaming endpoint \"%s\" is %s", e->name,
                      ngx_http_mediaplane_ep_states[e->state]);
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }
    family = ngx_http_mediaplane_client_addr(ctx->r, &addr);
    if (e->ip_count > 0 && (family == 0 || !catalog_endpoint_ip_allowed(e, family, addr))) {
        ngx_log_error(NGX_LOG_INFO, ctx->r->connection->log, 0,
                      "mediaplane: client %V is not in the IP allow list of streaming "
                      "endpoint \"%s\"", &ctx->r->connection->addr_text, e->name);
        return NGX_HTTP_FORBIDDEN;
    }
    if (e->max_age >= 0) {
        ctx->manifest_max_age = (time_t) e->max_age;
        ctx->segment_max_age = (time_t) e->max_age;
    }
    return NGX_OK;
}

static ngx_int_t
ngx_http_mediaplane_send_policy(ngx_http_mediaplane_ctx_t *ctx, const char *doc, size_t len)
{
    ngx_http_request_t *r = ctx->r;
    ngx_chain_t out;
    ngx_buf_t *b;
    ngx_int_t rc;

    r->headers_out.status = NGX_HTTP_OK;
    ngx_str_set(&r->headers_out.content_type, "text/xml");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_length_n = (off_t) len;
    rc = ngx_http_mediaplane_set_common_headers(r, ctx->conf, ctx->manifest_max_age);
    if (rc != NGX_OK) {
        return rc;
    }
    rc = ngx_http_send_header(r);
    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only || len == 0) {
        return rc;
    }
    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    b->pos = (u_char *) doc;
    b->last = (u_char *) doc + len;
    b->memory = 1;
    b->last_buf = (r == r->main);
    b->last_in_chain = 1;
    out.buf = b;
    out.next = NULL;
    return ngx_http_output_filter(r, &out);
}

ngx_int_t
ngx_http_mediaplane_catalog_policy(ngx_http_mediaplane_ctx_t *ctx)
{
    static ngx_str_t cross_domain = ngx_string("/crossdomain.xml");
    static ngx_str_t client_access = ngx_string("/clientaccesspolicy.xml");
    ngx_str_t *uri = &ctx->r->uri;
    catalog_endpoint_query_t q;
    catalog_reader_t *reader;
    const char *doc;
    size_t len;
    char err[256] = "";
    int is_cross_domain;
    ngx_int_t rc;

    is_cross_domain = uri->len == cross_domain.len
                      && ngx_strncmp(uri->data, cross_domain.data, uri->len) == 0;
    if (!is_cross_domain && !(uri->len == client_access.len
                              && ngx_strncmp(uri->data, client_access.data, uri->len) == 0)) {
        return NGX_DECLINED;
    }
    reader = ngx_http_mediaplane_catalog_reader(ctx->r, ctx->conf);
    if (reader == NULL) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }
    ngx_http_mediaplane_endpoint_query(ctx, &q);
    catalog_reader_endpoint(reader, &q, err, sizeof(err));
    rc = ngx_http_mediaplane_endpoint_verdict(ctx, &q, err);
    if (rc != NGX_OK) {
        return rc;
    }
    if (q.result != CATALOG_FOUND) {
        return NGX_HTTP_NOT_FOUND;
    }
    doc = is_cross_domain ? q.endpoint.cross_domain_policy : q.endpoint.client_access_policy;
    len = is_cross_domain ? q.endpoint.cross_domain_policy_len
                          : q.endpoint.client_access_policy_len;
    return doc != NULL ? ngx_http_mediaplane_send_policy(ctx, doc, len) : NGX_HTTP_NOT_FOUND;
}

static ngx_int_t
ngx_http_mediaplane_verdict(ngx_http_mediaplane_ctx_t *ctx, const catalog_origin_t *o)
{
    int64_t now = (int64_t) ngx_time() * 1000 + (int64_t) ngx_timeofday()->msec;
    catalog_verdict_t verdict;

    verdict = catalog_origin_check(o, now, ngx_http_mediaplane_protocol(&ctx->req));

    switch (verdict) {
    case CATALOG_ALLOW:
        return NGX_OK;
    case CATALOG_ENVELOPE:
        return ngx_http_mediaplane_envelope(ctx, o);
    case CATALOG_CENC:
    case CATALOG_CBCS:
        return ngx_http_mediaplane_common(ctx, o, verdict == CATALOG_CBCS);
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

/* A Running program's archive: its files grow (the index ends at their last
 * whole fragment), manifests are live and short-lived in caches. */
static void
ngx_http_mediaplane_catalog_live(ngx_http_mediaplane_ctx_t *ctx, const catalog_origin_t *o)
{
    ngx_time_t *tp = ngx_timeofday();

    ctx->is_live = 1;
    ctx->live.start_ms = o->live_start_ms;
    ctx->live.now_ms = (int64_t) tp->sec * 1000 + (int64_t) tp->msec;
    ctx->live.window_10m = o->live_window_ms > 0 ? (uint64_t) o->live_window_ms * 10000 : 0;
    if (ctx->manifest_max_age > NGX_HTTP_MEDIAPLANE_LIVE_MAX_AGE) {
        ctx->manifest_max_age = NGX_HTTP_MEDIAPLANE_LIVE_MAX_AGE;
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
    catalog_endpoint_query_t q;
    catalog_lookup_t lookup;
    char err[256] = "";
    size_t dir_len;
    u_char *p;
    ngx_int_t rc;

    rc = ngx_http_mediaplane_locator_path(ctx, &guid, &file, name_len);
    if (rc != NGX_OK) {
        return rc;
    }
    reader = ngx_http_mediaplane_catalog_reader(ctx->r, ctx->conf);
    if (reader == NULL) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }
    ngx_http_mediaplane_endpoint_query(ctx, &q);
    lookup = catalog_reader_locator(reader, guid, CATALOG_GUID_LEN, &o, &q, err, sizeof(err));
    if (lookup != CATALOG_ERROR) {
        rc = ngx_http_mediaplane_endpoint_verdict(ctx, &q, err);
        if (rc != NGX_OK) {
            return rc;
        }
    }
    switch (lookup) {
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
    rc = ngx_http_mediaplane_catalog_filters(ctx, reader, o.asset_dir);
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
    if (o.flags & CATALOG_ORIGIN_FLAG_STORAGE) {
        ctx->storage_dir.data = p;
        ctx->storage_dir.len = dir_len;
    }
    p = ngx_cpymem(p, o.asset_dir, dir_len);
    *p = '/';
    if (o.flags & CATALOG_ORIGIN_FLAG_LIVE) {
        ngx_http_mediaplane_catalog_live(ctx, &o);
    }
    *name = (u_char *) file;
    return NGX_OK;
}
