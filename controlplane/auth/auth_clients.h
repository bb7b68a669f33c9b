/*
 * auth_clients.h — the client-credentials check both token endpoints share
 * (v2 /oauth2/token, v3 /{tenant}/oauth2/v2.0/token): the configured client
 * ids and secrets compared in constant time, and the per-address throttle of
 * failed attempts (auth_throttle.h, daemon option token_failure_limit).
 */
#ifndef AUTH_CLIENTS_H
#define AUTH_CLIENTS_H

#include "api/api_context.h"

#include <stdbool.h>

/* Whether (client_id, client_secret) is a configured client. */
bool auth_client_matches(const app_t *app, const char *client_id, const char *client_secret);

/* Whether the request's client address is throttled now; *retry_after_s set. */
bool auth_token_throttled(app_t *app, const http_request_t *req, unsigned *retry_after_s);

/* Counts a failed credential check of the request's client address. */
void auth_token_failed(app_t *app, const http_request_t *req);

#endif
