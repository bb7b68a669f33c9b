/*
 * api_router.c — where every HTTP request of mediaplaned goes: /api/ (OData,
 * bearer token required), /oauth2/token, /upload/ (SAS blob storage) and
 * /healthz, and the v3 (ARM) API: its identity endpoints and /subscriptions/
 * (arm/).  For /api/ it owns the request's catalog transaction: read-only
 * for GET, one synced write transaction otherwise; the answer is sent only
 * after a successful commit, and deferred file-system work runs after it.
 * $batch operations come back through the same dispatch (api_batch.c).
 */
#include "api/api_handlers.h"
#include "api/api_path.h"
#include "arm/arm_oidc.h"
#include "arm/arm_path.h"
#include "arm/arm_router.h"
#include "daemon/daemon_log.h"
#include "live/live_hooks.h"
#include "live/live_smooth_ingest.h"
#include "odata/odata_render.h"
#include "util/time_text.h"

#include <stdlib.h>
#include <string.h>

static bool is_token_endpoint(const char *path)
{
    return strcmp(path, "/oauth2/token") == 0 || strcmp(path, "/v2/OAuth2-13") == 0;
}

/* An /api/ path with its empty segments collapsed, or NULL: the path is
 * another route's (or already clean) and stays as it is. */
static char *collapsed_api_path(const http_request_t *req)
{
    char *collapsed = api_path_collapse(req->path);

    if (collapsed != NULL && !api_path_is_api(collapsed)) {
        free(collapsed);
        return NULL;
    }
    return collapsed;
}

void api_router_begin(void *arg, http_request_t *req)
{
    app_t *app = arg;
    char *collapsed = collapsed_api_path(req);
    const char *path = collapsed != NULL ? collapsed : req->path;

    if (live_smooth_route(req->path)) {
        live_smooth_begin(app, req);                 /* Smooth ingest: a streamed push */
    } else if (strncmp(path, "/upload/", 8) == 0) {
        upload_begin(app, req);
    } else if (api_path_is_api(path) && strcmp(req->method, "OPTIONS") != 0) {
        req->early = oauth_check_bearer(app, req);   /* 401 before reading any body */
    } else if (arm_path_is_arm(path)) {
        req->early = arm_check_bearer(app, req);     /* v3 (ARM): its own tokens */
    }
    free(collapsed);
}

/* X-HTTP-Method tunnelling: POST carrying MERGE/PUT/PATCH/DELETE. */
static const char *effective_method(const http_request_t *req)
{
    const char *tunnel = http_header(req, "X-HTTP-Method");

    if (tunnel != NULL && strcmp(req->method, "POST") == 0
        && (strcmp(tunnel, "MERGE") == 0 || strcmp(tunnel, "PUT") == 0
            || strcmp(tunnel, "PATCH") == 0 || strcmp(tunnel, "DELETE") == 0)) {
        return tunnel;
    }
    return req->method;
}

int api_commit(api_ctx_t *c)
{
    int rc = catalog_commit(&c->txn);

    if (rc != 0) {
        log_error("catalog commit failed: %s", mdb_strerror(rc));
        return api_fail(c, rc == MDB_MAP_FULL ? 507 : 500, "InternalError",
                        "the change could not be stored: %s", mdb_strerror(rc));
    }
    api_after_commit_run(c);
    return 0;
}

static http_response_t *finish_txn(api_ctx_t *c, http_response_t *r)
{
    if (c->err.status != 0 || r == NULL) {
        catalog_abort(&c->txn);
        http_response_free(r);
        return api_error_response(c);
    }
    if (!c->txn.write) {
        catalog_abort(&c->txn);
        return r;
    }
    if (api_commit(c) != 0) {
        http_response_free(r);
        return api_error_response(c);
    }
    return r;
}

static http_response_t *dispatch(api_ctx_t *c, const char *method, const char *rest)
{
    odata_resource_t path;
    char err[256];
    const api_function_t *fn;

    if (strcmp(rest, "$metadata") == 0) {
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
            api_fail(c, 405, "MethodNotAllowed", "$metadata is read with GET");
            return NULL;
        }
        return api_metadata_document(c);
    }
    if (strcmp(rest, "$batch") == 0) {
        api_fail(c, 400, "BadRequest", "$batch is POSTed on its own, not inside a batch");
        return NULL;
    }
    if (odata_resource_parse(rest, &path, err, sizeof(err)) != 0) {
        api_fail(c, 400, "BadRequest", "%s", err);
        return NULL;
    }
    if (path.set[0] == '\0') {
        return api_service_document(c);
    }
    fn = api_function_find(path.set);
    if (fn != NULL && !path.has_key) {
        if (strcmp(method, fn->method) != 0 && strcmp(method, "POST") != 0
            && strcmp(method, "GET") != 0) {
            api_fail(c, 405, "MethodNotAllowed", "%s does not accept %s", fn->name, method);
            return NULL;
        }
        return fn->run(c);
    }
    return api_entities_handle(c, method, &path);
}

static bool method_writes(const char *method, const char *rest)
{
    const api_function_t *fn;
    char name[ODATA_NAME_MAX];
    size_t n = strcspn(rest, "(/");

    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        return true;
    }
    if (n < sizeof(name)) {
        memcpy(name, rest, n);
        name[n] = '\0';
        fn = api_function_find(name);
        return fn != NULL && fn->writes;
    }
    return false;
}

static const char *api_rest(const http_request_t *req)
{
    return api_path_rest(req->path);
}

http_response_t *api_dispatch_request(api_ctx_t *c, http_request_t *req)
{
    c->req = req;
    c->fmt = odata_format_choose(req);
    memset(&c->err, 0, sizeof(c->err));
    return dispatch(c, effective_method(req), api_rest(req));
}

http_response_t *api_handle(app_t *app, http_request_t *req)
{
    api_ctx_t c = { .app = app, .req = req, .now_ms = time_now_ms() };
    const char *method = effective_method(req);
    const char *rest = api_rest(req);
    http_response_t *r;
    int rc;

    c.fmt = odata_format_choose(req);
    if (req->body_overflow) {
        api_fail(&c, 413, "RequestEntityTooLarge", "the request body is larger than %zu bytes",
                 app->cfg.max_body);
        return api_error_response(&c);
    }
    if (strcmp(rest, "$batch") == 0 && req->conn != NULL) {
        r = api_batch_handle(app, req);
    } else {
        rc = catalog_begin(app->store, method_writes(method, rest), &c.txn);
        if (rc != 0) {
            api_fail(&c, 503, "ServiceUnavailable", "catalog busy: %s", mdb_strerror(rc));
            return api_error_response(&c);
        }
        r = finish_txn(&c, api_dispatch_request(&c, req));
        api_ctx_release(&c);
    }
    if (r != NULL) {
        const char *version = http_header(req, "x-ms-version");
        http_response_header(r, "x-ms-version", version != NULL ? version : "2.19");
        if (c.operation_id[0] != '\0' && r->status == 202) {
            http_response_header(r, "operation-id", c.operation_id);
        }
    }
    return r;
}

static http_response_t *route(app_t *app, http_request_t *req)
{
    if (api_path_is_api(req->path)) {
        if (strcmp(req->method, "OPTIONS") == 0) {
            http_response_t *r = http_response_new(204, NULL);
            http_response_header(r, "Allow", "GET, POST, PUT, MERGE, PATCH, DELETE, OPTIONS");
            return r;
        }
        return api_handle(app, req);
    }
    if (is_token_endpoint(req->path)) {
        return oauth_token_handle(app, req);
    }
    if (strncmp(req->path, "/upload/", 8) == 0) {
        return upload_finish(app, req);
    }
    if (arm_path_is_arm(req->path)) {
        return arm_handle(app, req);
    }
    if (arm_oidc_is_path(req->path)) {
        return arm_oidc_handle(app, req);
    }
    if (live_hooks_route(req->path)) {
        return live_hooks_handle(app, req);
    }
    if (strcmp(req->path, "/healthz") == 0) {
        return http_response_text(200, "text/plain", "ok\n");
    }
    return api_error_simple(ODATA_MINIMAL, 404, "ResourceNotFound",
                            "no such resource: the API lives under /api/");
}

/* Routes with the /api/ path collapsed for every handler behind it (entity
 * sets, next links, $batch), then gives the request its own path back. */
http_response_t *api_router_finish(void *arg, http_request_t *req)
{
    char *collapsed = collapsed_api_path(req);
    const char *original = req->path;
    http_response_t *r;

    if (collapsed != NULL) {
        req->path = collapsed;
    }
    r = route(arg, req);
    req->path = original;
    free(collapsed);
    return r;
}
