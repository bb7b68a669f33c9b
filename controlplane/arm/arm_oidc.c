/*
 * arm_oidc.c — OpenID discovery, the client-credentials token endpoint and
 * the JWKS for v3 clients, and the bearer check of ARM requests (see
 * arm_oidc.h).  Secrets are compared in constant time and never logged.
 */
#include "arm/arm_oidc.h"
#include "arm/arm_error.h"
#include "arm/arm_signing_key.h"
#include "arm/arm_token.h"
#include "auth/auth_clients.h"
#include "daemon/daemon_log.h"
#include "util/text_codec.h"
#include "util/time_text.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { OIDC_NONE, OIDC_DISCOVERY, OIDC_TOKEN, OIDC_KEYS } oidc_route_t;

typedef struct {
    char grant_type[64];
    char client_id[128];
    char client_secret[256];
    char scope[CONFIG_URL_MAX + 16];
} token_form_t;

static int tenant_char(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
           || ch == '-' || ch == '.' || ch == '_';
}

/* The route of "/{tenant}/<rest>", with the tenant copied out. */
static oidc_route_t oidc_route(const char *path, char tenant[ARM_TENANT_MAX + 1])
{
    size_t n = 0;

    if (path[0] != '/') {
        return OIDC_NONE;
    }
    while (tenant_char((unsigned char) path[1 + n]) && n < ARM_TENANT_MAX) {
        tenant[n] = path[1 + n];
        n++;
    }
    tenant[n] = '\0';
    if (n == 0 || path[1 + n] != '/') {
        return OIDC_NONE;
    }
    path += n + 1;
    if (strcmp(path, "/v2.0/.well-known/openid-configuration") == 0) return OIDC_DISCOVERY;
    if (strcmp(path, "/oauth2/v2.0/token") == 0) return OIDC_TOKEN;
    if (strcmp(path, "/discovery/v2.0/keys") == 0) return OIDC_KEYS;
    return OIDC_NONE;
}

int arm_oidc_is_path(const char *path)
{
    char tenant[ARM_TENANT_MAX + 1];
    return oidc_route(path, tenant) != OIDC_NONE;
}

static http_response_t *oidc_error(int status, const char *error, const char *description)
{
    return arm_json(status, json_pack("{s:s,s:s}", "error", error, "error_description",
                                      description));
}

static http_response_t *discovery(const app_t *app, const char *tenant)
{
    char base[CONFIG_URL_MAX + ARM_TENANT_MAX + 8], issuer[sizeof(base) + 8];
    char token[sizeof(base) + 32], authorize[sizeof(base) + 32], keys[sizeof(base) + 32];

    snprintf(base, sizeof(base), "%s/%s", app->cfg.arm_url, tenant);
    snprintf(issuer, sizeof(issuer), "%s/v2.0", base);
    snprintf(token, sizeof(token), "%s/oauth2/v2.0/token", base);
    snprintf(authorize, sizeof(authorize), "%s/oauth2/v2.0/authorize", base);
    snprintf(keys, sizeof(keys), "%s/discovery/v2.0/keys", base);
    return arm_json(200, json_pack("{s:s,s:s,s:s,s:s,s:[s],s:[s],s:[s],s:s}", "issuer", issuer,
                                   "token_endpoint", token, "authorization_endpoint", authorize,
                                   "jwks_uri", keys, "grant_types_supported",
                                   "client_credentials", "id_token_signing_alg_values_supported",
                                   "RS256", "token_endpoint_auth_methods_supported",
                                   "client_secret_post", "tenant_region_scope", "mediaplane"));
}

static http_response_t *jwks(const app_t *app)
{
    json_t *jwk = arm_signing_key_jwk(app->arm_key);
    return jwk != NULL ? arm_json(200, json_pack("{s:[o]}", "keys", jwk)) : NULL;
}

static int take_field(const char *k, const char *v, void *arg)
{
    token_form_t *t = arg;

    if (strcmp(k, "grant_type") == 0) snprintf(t->grant_type, sizeof(t->grant_type), "%s", v);
    else if (strcmp(k, "client_id") == 0) snprintf(t->client_id, sizeof(t->client_id), "%s", v);
    else if (strcmp(k, "client_secret") == 0) snprintf(t->client_secret, sizeof(t->client_secret), "%s", v);
    else if (strcmp(k, "scope") == 0) snprintf(t->scope, sizeof(t->scope), "%s", v);
    return 0;                          /* MSAL sends many more fields: ignored */
}

/* "<arm_url>/.default" (or "<arm_url>//.default": an endpoint given with a
 * trailing '/'). */
static bool scope_matches(const app_t *app, const char *scope)
{
    size_t n = strlen(app->cfg.arm_url);

    if (strncmp(scope, app->cfg.arm_url, n) != 0) {
        return false;
    }
    return strcmp(scope + n, "/.default") == 0 || strcmp(scope + n, "//.default") == 0;
}

/* Entra ID's answer to too many attempts: 429 with Retry-After. */
static http_response_t *throttled(unsigned retry_after)
{
    char text[16];
    http_response_t *r = oidc_error(429, "temporarily_unavailable",
                                    "too many failed token requests from this address; retry later");

    snprintf(text, sizeof(text), "%u", retry_after);
    if (r != NULL) {
        http_response_header(r, "Retry-After", text);
    }
    return r;
}

static http_response_t *token(app_t *app, http_request_t *req, const char *tenant)
{
    token_form_t t = { 0 };
    char *access;
    http_response_t *answer;
    unsigned retry_after = 0;
    bool known;

    if (strcmp(req->method, "POST") != 0) {
        return oidc_error(405, "invalid_request", "use POST with a form body");
    }
    if (req->body == NULL || form_each(req->body, req->body_len, take_field, &t) != 0) {
        return oidc_error(400, "invalid_request", "malformed form body");
    }
    if (strcmp(t.grant_type, "client_credentials") != 0) {
        return oidc_error(400, "unsupported_grant_type", "grant_type must be client_credentials");
    }
    if (auth_token_throttled(app, req, &retry_after)) {
        OPENSSL_cleanse(t.client_secret, sizeof(t.client_secret));
        return throttled(retry_after);
    }
    known = auth_client_matches(app, t.client_id, t.client_secret);
    OPENSSL_cleanse(t.client_secret, sizeof(t.client_secret));
    if (!known) {
        auth_token_failed(app, req);
        log_warn("v3 token request refused for client_id '%.64s' from %s", t.client_id,
                 http_client_address(req));
        return oidc_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.");
    }
    if (!scope_matches(app, t.scope)) {
        return oidc_error(400, "invalid_scope", "AADSTS70011: the scope must be "
                          "'<endpoint>/.default' for this installation's ARM endpoint");
    }
    access = arm_token_issue(app, tenant, t.client_id, time_now_ms() / 1000,
                             app->cfg.token_lifetime);
    if (access == NULL) {
        return NULL;
    }
    answer = arm_json(200, json_pack("{s:s,s:I,s:I,s:s%}", "token_type", "Bearer", "expires_in",
                                     (json_int_t) app->cfg.token_lifetime, "ext_expires_in",
                                     (json_int_t) app->cfg.token_lifetime, "access_token",
                                     access, strlen(access)));
    free(access);
    return answer;
}

http_response_t *arm_oidc_handle(app_t *app, http_request_t *req)
{
    char tenant[ARM_TENANT_MAX + 1];
    oidc_route_t route = oidc_route(req->path, tenant);

    if (app->cfg.arm_url[0] == '\0') {
        return oidc_error(404, "invalid_request", "the v3 (ARM) API is off: set tls_listen");
    }
    if (route == OIDC_TOKEN) {
        return token(app, req, tenant);
    }
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        return oidc_error(405, "invalid_request", "use GET");
    }
    return route == OIDC_DISCOVERY ? discovery(app, tenant) : jwks(app);
}

static http_response_t *unauthorized(const char *code, const char *why)
{
    http_response_t *r = arm_error(401, code, "%s", why);
    if (r != NULL) {
        http_response_header(r, "WWW-Authenticate", "Bearer authorization_uri=\"\", error=\"invalid_token\"");
    }
    return r;
}

http_response_t *arm_check_bearer(app_t *app, http_request_t *req)
{
    const char *auth = http_header(req, "Authorization");
    arm_token_result_t res;

    if (app->cfg.arm_url[0] == '\0') {
        return arm_error(404, "NotFound", "the v3 (ARM) API is off: set tls_listen");
    }
    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
        return unauthorized("AuthenticationFailed", "an 'Authorization: Bearer <token>' header "
                            "is required (from the token endpoint of arm_url)");
    }
    res = arm_token_verify(app, auth + 7, time_now_ms() / 1000);
    if (res == ARM_TOKEN_EXPIRED) {
        return unauthorized("ExpiredAuthenticationToken", "the access token has expired");
    }
    return res == ARM_TOKEN_OK ? NULL
                               : unauthorized("InvalidAuthenticationToken",
                                              "the access token is not valid");
}
