/*
 * api_context.h — what every API handler works with: the daemon's shared
 * state (app_t: configuration, catalog, secrets) and the per-request context
 * (api_ctx_t: the request, its catalog transaction, the chosen OData format,
 * the error to answer with, and actions to run once the transaction commits).
 */
#ifndef API_CONTEXT_H
#define API_CONTEXT_H

#include "auth/auth_throttle.h"
#include "catalog/catalog_store.h"
#include "daemon/daemon_config.h"
#include "http/http_types.h"

#include <jansson.h>
#include <stdint.h>

struct protection_key;
struct master_key;
struct notify_sender;
struct arm_signing_key;

typedef struct app {
    daemon_config_t  cfg;
    catalog_store_t *store;
    struct protection_key *protection_key; /* RSA key + certificate clients wrap keys with */
    struct master_key *master_key;         /* seals content keys at rest */
    struct notify_sender *notify;          /* webhook sender thread (notify/notify.h) */
    struct arm_signing_key *arm_key;       /* signs v3 (ARM) access tokens (arm/) */
    uint8_t          token_key[32];   /* signs API bearer tokens */
    auth_throttle_t  token_throttle;  /* failed token requests per client address */
    uint8_t          sas_key[32];     /* signs SAS locator URLs */
    uint8_t          origin_key[32];  /* seals published content keys for the origin
                                         (<data_dir>/origin.key, catalog_okey.h) */
} app_t;

typedef enum { ODATA_VERBOSE, ODATA_MINIMAL, ODATA_NOMETADATA } odata_format_t;

typedef struct {
    int  status;           /* 0: no error */
    char code[64];
    char message[512];
} api_error_t;

typedef struct {
    void (*fn)(app_t *app, const char *arg);
    char arg[256];
} api_after_commit_t;

typedef struct api_ctx {
    app_t          *app;
    http_request_t *req;
    catalog_txn_t   txn;
    int64_t         now_ms;
    odata_format_t  fmt;
    api_error_t     err;
    api_after_commit_t *after;       /* grows: a $batch changeset may queue many */
    size_t          nafter, after_cap;
    char            operation_id[64]; /* set by operation_begin: answer 202 + operation-id */
    const json_t   *job_output_assets; /* v3 jobs: existing asset ids a job created in this
                                          request writes into, instead of new ones */
} api_ctx_t;

/* Records an error (first one wins) and returns -1 for "return api_fail(...)". */
int api_fail(api_ctx_t *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Queues fn(app, arg) to run after a successful commit (filesystem clean-up). */
int api_after_commit(api_ctx_t *c, void (*fn)(app_t *, const char *), const char *arg);
/* Runs the queued actions (after a commit) and forgets them. */
void api_after_commit_run(api_ctx_t *c);
/* Frees what the context holds (queued actions that never ran). */
void api_ctx_release(api_ctx_t *c);

/* The AMS/OData error body as a response. */
http_response_t *api_error_response(const api_ctx_t *c);
http_response_t *api_error_simple(odata_format_t fmt, int status, const char *code,
                                  const char *message);

#endif
