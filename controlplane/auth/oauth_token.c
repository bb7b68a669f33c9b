/*
 * oauth_token.c — the OAuth2 client-credentials endpoint AMS clients called
 * at Azure ACS (POST grant_type=client_credentials&client_id=…&client_secret=…
 * &scope=urn:WindowsAzureMediaServices → SWT bearer token), and the bearer
 * check every /api request passes.  Secrets are compared in constant time
 * and never logged.
 */
#include "api/api_handlers.h"
#include "auth/auth_clients.h"
#include "auth/swt.h"
#include "daemon/daemon_log.h"
#include "util/text_codec.h"
#include "util/time_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>

#define AMS_SCOPE "urn:WindowsAzureMediaServices"
#define SWT_TOKEN_TYPE "http://schemas.xmlsoap.org/ws/2009/11/swt-token-profile-1.0"

typedef struct {
    char grant_type[64];
    char client_id[128];
    char client_secret[256];
    char scope[128];
} token_request_t;

static int take_field(const char *k, const char *v, void *arg)
{
    token_request_t *t = arg;

    if (strcmp(k, "grant_type") == 0) snprintf(t->grant_type, sizeof(t->grant_type), "%s", v);
    else if (strcmp(k, "client_id") == 0) snprintf(t->client_id, sizeof(t->client_id), "%s", v);
    else if (strcmp(k, "client_secret") == 0) snprintf(t->client_secret, sizeof(t->client_secret), "%s", v);
    else if (strcmp(k, "scope") == 0) snprintf(t->scope, sizeof(t->scope), "%s", v);
    return 0;
}

static http_response_t *oauth_error(int status, const char *error, const char *description)
{
    json_t *j = json_pack("{s:s,s:s}", "error", error, "error_description", description);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return text ? http_response_take(status, "application/json", text, strlen(text)) : NULL;
}

static char *issue_token(const app_t *app, const char *client_id, unsigned lifetime)
{
    char claims[4096], id_enc[400], issuer_enc[1600];
    long long expires = time_now_ms() / 1000 + lifetime;

    if (url_encode(client_id, strlen(client_id), id_enc, sizeof(id_enc)) < 0
        || url_encode(app->cfg.token_issuer, strlen(app->cfg.token_issuer), issuer_enc,
                      sizeof(issuer_enc)) < 0) {
        return NULL;
    }
    snprintf(claims, sizeof(claims),
             "client_id=%s&urn%%3aMicrosoft.IdentityModel.Claims.IdentityProvider=mediaplane"
             "&Audience=urn%%3aWindowsAzureMediaServices&ExpiresOn=%lld&Issuer=%s",
             id_enc, expires, issuer_enc);
    return swt_sign(app->token_key, sizeof(app->token_key), claims);
}

/* An address that failed too often lately is refused without looking at its
 * credentials (auth/auth_throttle.h). */
static bool token_throttled(app_t *app, http_request_t *req, http_response_t **refused)
{
    unsigned retry_after = 0;
    char text[16];

    if (!auth_token_throttled(app, req, &retry_after)) {
        return false;
    }
    *refused = oauth_error(429, "temporarily_unavailable",
                           "too many failed token requests from this address; retry later");
    snprintf(text, sizeof(text), "%u", retry_after);
    if (*refused != NULL) {
        http_response_header(*refused, "Retry-After", text);
    }
    return true;
}

http_response_t *oauth_token_handle(app_t *app, http_request_t *req)
{
    http_response_t *refused = NULL;
    token_request_t t = { 0 };
    char *token, lifetime[16];
    json_t *j;
    char *text;

    if (strcmp(req->method, "POST") != 0) {
        return oauth_error(405, "invalid_request", "use POST with a form body");
    }
    if (token_throttled(app, req, &refused)) {
        return refused;
    }
    if (req->body == NULL || form_each(req->body, req->body_len, take_field, &t) != 0) {
        return oauth_error(400, "invalid_request", "malformed form body");
    }
    if (strcmp(t.grant_type, "client_credentials") != 0) {
        return oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials");
    }
    if (t.scope[0] != '\0' && strcmp(t.scope, AMS_SCOPE) != 0) {
        return oauth_error(400, "invalid_scope", "scope must be " AMS_SCOPE);
    }
    if (!auth_client_matches(app, t.client_id, t.client_secret)) {
        OPENSSL_cleanse(t.client_secret, sizeof(t.client_secret));
        auth_token_failed(app, req);
        log_warn("token request refused for client_id '%.64s' from %s", t.client_id,
                 http_client_address(req));
        return oauth_error(400, "invalid_client", "ACS50012: Authentication failed.");
    }
    OPENSSL_cleanse(t.client_secret, sizeof(t.client_secret));
    token = issue_token(app, t.client_id, app->cfg.token_lifetime);
    if (token == NULL) {
        return NULL;
    }
    snprintf(lifetime, sizeof(lifetime), "%u", app->cfg.token_lifetime);
    j = json_pack("{s:s,s:s,s:s,s:s}", "token_type", SWT_TOKEN_TYPE, "access_token", token,
                  "expires_in", lifetime, "scope", AMS_SCOPE);
    free(token);
    text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return text ? http_response_take(200, "application/json", text, strlen(text)) : NULL;
}

static http_response_t *unauthorized(const char *why)
{
    http_response_t *r = api_error_simple(ODATA_MINIMAL, 401, "Unauthorized", why);
    http_response_header(r, "WWW-Authenticate", "Bearer realm=\"mediaplane\"");
    return r;
}

http_response_t *oauth_check_bearer(app_t *app, http_request_t *req)
{
    const char *auth = http_header(req, "Authorization");
    swt_claims_t claims;
    swt_result_t res;

    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
        return unauthorized("an 'Authorization: Bearer <token>' header is required "
                            "(get a token from /oauth2/token)");
    }
    res = swt_verify(app->token_key, sizeof(app->token_key), auth + 7, time_now_ms() / 1000,
                     &claims);
    if (res == SWT_EXPIRED) {
        return unauthorized("the access token has expired");
    }
    if (res != SWT_OK || strcmp(claims.audience, AMS_SCOPE) != 0
        || strcmp(claims.issuer, app->cfg.token_issuer) != 0) {
        return unauthorized("the access token is not valid");
    }
    return NULL;
}
