/*
 * arm_oidc.h — the identity endpoints a v3 client's @azure/identity
 * ClientSecretCredential (authorityHost = arm_url, disableInstanceDiscovery)
 * calls, and the bearer check of every ARM request:
 *
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration
 *   POST /{tenant}/oauth2/v2.0/token      client_credentials, scope <arm_url>/.default
 *   GET  /{tenant}/discovery/v2.0/keys    the JWKS (RS256 public key)
 *
 * Clients are the daemon's "client <id> <secret>" lines (the v2 ones).
 */
#ifndef ARM_OIDC_H
#define ARM_OIDC_H

#include "api/api_context.h"

/* 1 if path is one of the identity endpoints above. */
int arm_oidc_is_path(const char *path);
http_response_t *arm_oidc_handle(app_t *app, http_request_t *req);
/* NULL if the request carries a valid v3 bearer token, else the 401 answer. */
http_response_t *arm_check_bearer(app_t *app, http_request_t *req);

#endif
