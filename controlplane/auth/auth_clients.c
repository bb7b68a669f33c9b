/*
 * auth_clients.c — client credentials and failure throttling of the token
 * endpoints (see auth_clients.h).
 */
#include "auth/auth_clients.h"
#include "util/time_text.h"

#include <string.h>
#include <openssl/crypto.h>

bool auth_client_matches(const app_t *app, const char *client_id, const char *client_secret)
{
    size_t given = strlen(client_secret);
    bool ok = false;

    for (size_t i = 0; i < app->cfg.nclients; i++) {
        const config_client_t *cl = &app->cfg.clients[i];
        size_t n = strlen(cl->client_secret);
        bool same_id = strcmp(cl->client_id, client_id) == 0;
        bool same_secret = given == n && CRYPTO_memcmp(cl->client_secret, client_secret, n) == 0;
        ok |= same_id && same_secret;
    }
    return ok;
}

bool auth_token_throttled(app_t *app, const http_request_t *req, unsigned *retry_after_s)
{
    return auth_throttle_blocked(&app->token_throttle, http_client_address(req), time_now_ms(),
                                 retry_after_s);
}

void auth_token_failed(app_t *app, const http_request_t *req)
{
    auth_throttle_failed(&app->token_throttle, http_client_address(req), time_now_ms());
}
