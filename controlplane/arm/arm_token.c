/*
 * arm_token.c — issuing and checking v3 access tokens (see arm_token.h):
 * JSON with jansson, signatures with arm_signing_key / common/token.
 */
#include "arm/arm_token.h"
#include "arm/arm_signing_key.h"
#include "codec/b64_lenient.h"
#include "token/jwt_rs256.h"
#include "util/text_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLOCK_SKEW_S 60

static char *b64url_json(json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    char *out = text != NULL ? base64url_encode_alloc((const uint8_t *) text, strlen(text)) : NULL;

    free(text);
    json_decref(j);
    return out;
}

char *arm_token_issue(const app_t *app, const char *tenant, const char *client_id,
                      long long now_s, unsigned lifetime)
{
    char issuer[CONFIG_URL_MAX + ARM_TENANT_MAX + 16], *header, *claims, *signing, *sig, *out;
    size_t n;

    snprintf(issuer, sizeof(issuer), "%s/%s/v2.0", app->cfg.arm_url, tenant);
    header = b64url_json(json_pack("{s:s,s:s,s:s}", "alg", "RS256", "typ", "JWT", "kid",
                                   arm_signing_key_id(app->arm_key)));
    claims = b64url_json(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "aud",
                                   app->cfg.arm_url, "iss", issuer, "appid", client_id, "azp",
                                   client_id, "sub", client_id, "tid", tenant, "iat",
                                   (json_int_t) now_s, "nbf", (json_int_t) now_s, "exp",
                                   (json_int_t) (now_s + lifetime)));
    if (header == NULL || claims == NULL) {
        free(header);
        free(claims);
        return NULL;
    }
    n = strlen(header) + strlen(claims) + 2;
    signing = malloc(n);
    if (signing != NULL) {
        snprintf(signing, n, "%s.%s", header, claims);
    }
    free(header);
    free(claims);
    sig = signing != NULL ? arm_signing_key_sign(app->arm_key, signing, strlen(signing)) : NULL;
    out = sig != NULL ? malloc(strlen(signing) + strlen(sig) + 2) : NULL;
    if (out != NULL) {
        sprintf(out, "%s.%s", signing, sig);
    }
    free(signing);
    free(sig);
    return out;
}

/* The JSON object of one base64url segment, or NULL. */
static json_t *segment_json(const char *seg, size_t len)
{
    uint8_t buf[ARM_TOKEN_MAX];
    long n = b64_decode_lenient(seg, len, buf, sizeof(buf));
    json_t *j = n > 0 ? json_loadb((const char *) buf, (size_t) n, 0, NULL) : NULL;

    if (j != NULL && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

static int is_rs256(const json_t *header)
{
    const char *alg = json_string_value(json_object_get(header, "alg"));
    return alg != NULL && strcmp(alg, "RS256") == 0;
}

/* "<arm_url>/<tenant>/v2.0": what arm_token_issue writes, for any tenant */
static bool issuer_is_ours(const app_t *app, const char *iss)
{
    size_t n = strlen(app->cfg.arm_url), len;
    const char *tenant;

    if (iss == NULL || strncmp(iss, app->cfg.arm_url, n) != 0 || iss[n] != '/') {
        return false;
    }
    tenant = iss + n + 1;
    len = strlen(tenant);
    return len > 5 && len - 5 <= ARM_TENANT_MAX && strcmp(tenant + len - 5, "/v2.0") == 0
           && memchr(tenant, '/', len - 5) == NULL;
}

static arm_token_result_t check_claims(const app_t *app, const json_t *claims, long long now_s)
{
    const char *aud = json_string_value(json_object_get(claims, "aud"));
    json_t *exp = json_object_get(claims, "exp"), *nbf = json_object_get(claims, "nbf");

    if (aud == NULL || strcmp(aud, app->cfg.arm_url) != 0 || !json_is_integer(exp)
        || !issuer_is_ours(app, json_string_value(json_object_get(claims, "iss")))) {
        return ARM_TOKEN_INVALID;
    }
    if (json_is_integer(nbf) && json_integer_value(nbf) > now_s + CLOCK_SKEW_S) {
        return ARM_TOKEN_INVALID;
    }
    return json_integer_value(exp) + CLOCK_SKEW_S < now_s ? ARM_TOKEN_EXPIRED : ARM_TOKEN_OK;
}

arm_token_result_t arm_token_verify(const app_t *app, const char *token, long long now_s)
{
    size_t len = strnlen(token, ARM_TOKEN_MAX + 1);
    const char *dot1 = memchr(token, '.', len), *dot2;
    uint8_t sig[JWT_RS256_SIG_MAX];
    json_t *header = NULL, *claims = NULL;
    arm_token_result_t res = ARM_TOKEN_INVALID;
    long sig_len;

    if (len > ARM_TOKEN_MAX || dot1 == NULL
        || (dot2 = memchr(dot1 + 1, '.', len - (size_t) (dot1 + 1 - token))) == NULL) {
        return ARM_TOKEN_INVALID;
    }
    sig_len = b64_decode_lenient(dot2 + 1, len - (size_t) (dot2 + 1 - token), sig, sizeof(sig));
    header = segment_json(token, (size_t) (dot1 - token));
    claims = segment_json(dot1 + 1, (size_t) (dot2 - dot1 - 1));
    if (sig_len > 0 && header != NULL && claims != NULL
        && is_rs256(header)
        && jwt_rs256_matches(arm_signing_key_verifiers(app->arm_key), token,
                             (size_t) (dot2 - token), sig, (size_t) sig_len)) {
        res = check_claims(app, claims, now_s);
    }
    json_decref(header);
    json_decref(claims);
    return res;
}
