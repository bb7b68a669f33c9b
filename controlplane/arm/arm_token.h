/*
 * arm_token.h — the v3 (ARM) access tokens: compact JWS, RS256 under the
 * daemon's signing key (arm_signing_key.h), with the claims an Azure AD v2
 * client-credentials token carries (aud = arm_url, iss =
 * <arm_url>/<tenant>/v2.0, appid, tid, iat/nbf/exp).  Verification checks
 * the signature, alg, exp/nbf (60 s of clock skew) and aud.
 */
#ifndef ARM_TOKEN_H
#define ARM_TOKEN_H

#include "api/api_context.h"

#define ARM_TOKEN_MAX 8192          /* bytes of a bearer token we look at */
#define ARM_TENANT_MAX 64

typedef enum { ARM_TOKEN_OK, ARM_TOKEN_EXPIRED, ARM_TOKEN_INVALID } arm_token_result_t;

/* A signed token for client_id in tenant, valid for lifetime seconds from
 * now_s (malloc'ed), or NULL. */
char *arm_token_issue(const app_t *app, const char *tenant, const char *client_id,
                      long long now_s, unsigned lifetime);
arm_token_result_t arm_token_verify(const app_t *app, const char *token, long long now_s);

#endif
