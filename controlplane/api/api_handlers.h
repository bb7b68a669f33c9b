/*
 * api_handlers.h — the handlers behind the router: entity-set requests,
 * service functions (CreateFileInfos, …), the OAuth token endpoint, bearer
 * checks and blob uploads.  Each runs with an api_ctx_t whose transaction
 * the router opens and commits.
 */
#ifndef API_HANDLERS_H
#define API_HANDLERS_H

#include "api/api_context.h"
#include "odata/odata_resource.h"

/* Entity sets: the whole OData surface for /api/<Set>… */
http_response_t *api_entities_handle(api_ctx_t *c, const char *method, const odata_resource_t *path);

/* Service functions (/api/<Function>?args); NULL name = not a function. */
typedef struct {
    const char *name;
    const char *method;     /* "GET" or "POST" (GET also accepts POST like AMS) */
    bool        writes;
    http_response_t *(*run)(api_ctx_t *c);
} api_function_t;
const api_function_t *api_function_find(const char *name);
/* Every function the router serves, terminated by a NULL name. */
const api_function_t *api_functions_all(void);

/* Top-level documents: the service document and $metadata (CSDL). */
http_response_t *api_service_document(api_ctx_t *c);
http_response_t *api_metadata_document(api_ctx_t *c);

/* OAuth2 client-credentials endpoint and bearer validation. */
http_response_t *oauth_token_handle(app_t *app, http_request_t *req);
/* NULL if the request carries a valid bearer token, else the 401 answer. */
http_response_t *oauth_check_bearer(app_t *app, http_request_t *req);

/* Blob uploads/downloads under /upload/<container>/<blob> (SAS locators). */
void upload_begin(app_t *app, http_request_t *req);
http_response_t *upload_finish(app_t *app, http_request_t *req);

/* One /api/ request with its own catalog transaction (direct requests and
 * $batch query operations). */
http_response_t *api_handle(app_t *app, http_request_t *req);
/* One request inside the caller's open transaction c->txn (a $batch
 * changeset): sets c->req, c->fmt, clears c->err; NULL with c->err set on
 * failure. */
http_response_t *api_dispatch_request(api_ctx_t *c, http_request_t *req);
/* Commits c->txn (synced) and runs the deferred actions; -1 with c->err. */
int api_commit(api_ctx_t *c);
/* POST /api/$batch (api_batch.c). */
http_response_t *api_batch_handle(app_t *app, http_request_t *req);

/* The HTTP entry points (http_handlers_t callbacks). */
void api_router_begin(void *app, http_request_t *req);
http_response_t *api_router_finish(void *app, http_request_t *req);

#endif
