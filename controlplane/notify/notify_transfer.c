/*
 * notify_transfer.c — builds the libcurl request of one notification.
 */
#include "notify/notify_transfer.h"
#include "notify/notify_message.h"
#include "keys/key_status.h"
#include "keys/master_key.h"
#include "notify/notify_deny.h"
#include "daemon/daemon_log.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t discard_response(char *data, size_t size, size_t n, void *arg)
{
    (void) data;
    (void) arg;
    return size * n;
}

/* Adds "ms-signature: sha256=…" when the endpoint has a signing key. */
static int add_signature(const app_t *app, const json_t *endpoint, notify_transfer_t *t,
                         const char **why)
{
    const char *sealed = json_string_value(json_object_get(endpoint, NOTIFY_SEALED_KEY_MEMBER));
    uint8_t key[NOTIFY_SIGNING_KEY_MAX];
    char sig[NOTIFY_SIGNATURE_LEN], header[sizeof(NOTIFY_SIGNATURE_HEADER) + NOTIFY_SIGNATURE_LEN + 2];
    size_t len = 0;
    struct curl_slist *h;

    if (sealed == NULL) {
        return 0;
    }
    if (master_key_open_bound(app->master_key, t->endpoint_id, sealed, key, sizeof(key), &len)
        != KEY_OK) {
        *why = "the endpoint's signing key cannot be opened with the master key";
        return -1;
    }
    notify_signature(key, len, t->body, strlen(t->body), sig);
    OPENSSL_cleanse(key, sizeof(key));
    snprintf(header, sizeof(header), "%s: %s", NOTIFY_SIGNATURE_HEADER, sig);
    h = curl_slist_append(t->headers, header);
    OPENSSL_cleanse(sig, sizeof(sig));
    OPENSSL_cleanse(header, sizeof(header));
    if (h == NULL) {
        *why = "out of memory";
        return -1;
    }
    t->headers = h;
    return 0;
}

static int add_headers(const app_t *app, const json_t *endpoint, notify_transfer_t *t,
                       const char **why)
{
    char account_id[NOTIFY_ACCOUNT_ID_LEN], header[128];
    const char *fixed[] = { "Content-Type: application/json; charset=utf-8", "Expect:", NULL };

    notify_account_id(app->cfg.account_name, account_id);
    snprintf(header, sizeof(header), "%s: %s", NOTIFY_ACCOUNT_HEADER, account_id);
    for (size_t i = 0; fixed[i] != NULL; i++) {
        struct curl_slist *h = curl_slist_append(t->headers, fixed[i]);
        if (h == NULL) {
            *why = "out of memory";
            return -1;
        }
        t->headers = h;
    }
    struct curl_slist *h = curl_slist_append(t->headers, header);
    if (h == NULL) {
        *why = "out of memory";
        return -1;
    }
    t->headers = h;
    return add_signature(app, endpoint, t, why);
}

/* Before the request goes out: the address libcurl connected to must not
 * be denied (webhook_deny), whatever the URL's name resolved to. */
static int check_peer(void *arg, char *primary_ip, char *local_ip, int primary_port,
                      int local_port)
{
    const app_t *app = arg;
    notify_deny_t deny;
    (void) local_ip;
    (void) primary_port;
    (void) local_port;
    if (notify_deny_parse(app->cfg.webhook_deny, &deny) != 0 || notify_deny_match(&deny, primary_ip)) {
        log_warn("notifications: not delivering to %s: the address is in webhook_deny", primary_ip);
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

static int set_options(const app_t *app, const char *url, notify_transfer_t *t)
{
    long timeout = (long) app->cfg.notify_timeout_ms;
    CURLcode rc = CURLE_OK;

#define OPT(o, v) if (rc == CURLE_OK) rc = curl_easy_setopt(t->easy, o, v)
    OPT(CURLOPT_URL, url);
    OPT(CURLOPT_PROTOCOLS_STR, "http,https");
    OPT(CURLOPT_POST, 1L);
    OPT(CURLOPT_POSTFIELDS, t->body);
    OPT(CURLOPT_POSTFIELDSIZE, (long) strlen(t->body));
    OPT(CURLOPT_HTTPHEADER, t->headers);
    OPT(CURLOPT_TIMEOUT_MS, timeout);
    OPT(CURLOPT_CONNECTTIMEOUT_MS, timeout);
    OPT(CURLOPT_NOSIGNAL, 1L);
    OPT(CURLOPT_FOLLOWLOCATION, 0L);
    OPT(CURLOPT_USERAGENT, "mediaplaned-notifications/1.0");
    OPT(CURLOPT_WRITEFUNCTION, discard_response);
    OPT(CURLOPT_PRIVATE, (void *) t);
    if (app->cfg.webhook_deny[0] != '\0') {
        OPT(CURLOPT_PREREQFUNCTION, check_peer);
        OPT(CURLOPT_PREREQDATA, (void *) app);
    }
#undef OPT
    return rc == CURLE_OK ? 0 : -1;
}

notify_transfer_t *notify_transfer_new(const app_t *app, const json_t *endpoint,
                                       const notify_outbox_msg_t *m, const char **why)
{
    const char *url = json_string_value(json_object_get(endpoint, "EndPointAddress"));
    notify_transfer_t *t = calloc(1, sizeof(*t));

    *why = "out of memory";
    if (t == NULL || (t->body = strdup(m->body)) == NULL || (t->easy = curl_easy_init()) == NULL) {
        notify_transfer_free(t);
        return NULL;
    }
    memcpy(t->key, m->key, m->key_len);
    t->key_len = m->key_len;
    memcpy(t->endpoint_id, m->endpoint_id, sizeof(t->endpoint_id));
    t->attempts = m->attempts;
    if (url == NULL) {
        *why = "the endpoint has no address";
    } else if (add_headers(app, endpoint, t, why) == 0) {
        if (set_options(app, url, t) == 0) {
            return t;
        }
        *why = "the endpoint's address is not usable by libcurl";
    }
    notify_transfer_free(t);
    return NULL;
}

void notify_transfer_free(notify_transfer_t *t)
{
    if (t == NULL) {
        return;
    }
    if (t->easy != NULL) {
        curl_easy_cleanup(t->easy);
    }
    curl_slist_free_all(t->headers);   /* holds the signature: nothing secret, but keyed */
    free(t->body);
    free(t);
}
