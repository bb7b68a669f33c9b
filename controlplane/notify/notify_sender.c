/*
 * notify_sender.c — the webhook sender thread.  It owns one libcurl multi
 * handle: every pass it starts the due head message of each endpoint that
 * has nothing in flight (so one endpoint's messages go out in order, and a
 * slow or dead receiver delays only its own queue), waits for transfers or a
 * wake-up, and records each result in the outbox in its own write
 * transaction: delivered (2xx) → removed; otherwise retried after
 * notify_retry_ms · 2^(attempt-1), and dropped with a log line after
 * notify_max_attempts.  Delivery is at least once: a message whose POST was
 * cut short by a stop is sent again after the next start.
 */
#include "notify/notify.h"
#include "notify/notify_outbox.h"
#include "notify/notify_transfer.h"
#include "daemon/daemon_log.h"
#include "util/time_text.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IN_FLIGHT 32
#define MAX_RETRY_DELAY_MS (3600 * 1000)
#define ENDPOINTS_SET "NotificationEndPoints"

struct notify_sender {
    app_t             *app;
    CURLM             *multi;
    pthread_t          thread;
    atomic_int         stop;
    notify_transfer_t *in_flight[MAX_IN_FLIGHT];
    size_t             n_in_flight;
};

typedef struct {
    int64_t now_ms;
    int64_t earliest_ms;      /* next due time of a message not started */
    notify_outbox_msg_t failed[MAX_IN_FLIGHT];   /* due, but no transfer could be built */
    const char *why[MAX_IN_FLIGHT];
    size_t  nfailed;
} pass_t;

static bool endpoint_busy(const struct notify_sender *s, const char *endpoint_id)
{
    for (size_t i = 0; i < s->n_in_flight; i++) {
        if (strcmp(s->in_flight[i]->endpoint_id, endpoint_id) == 0) {
            return true;
        }
    }
    return false;
}

/* Records one attempt's outcome. */
static void record_result(struct notify_sender *s, const uint8_t *key, size_t key_len,
                          const char *endpoint_id, long long attempts, const char *failure)
{
    const daemon_config_t *cfg = &s->app->cfg;
    catalog_txn_t txn;
    int rc;

    if (catalog_begin(s->app->store, true, &txn) != 0) {
        log_error("notifications: cannot open a catalog transaction");
        return;
    }
    attempts++;
    if (failure == NULL) {
        rc = notify_outbox_remove(&txn, key, key_len);
        log_info("notification delivered to %s (attempt %lld)", endpoint_id, attempts);
    } else if (attempts >= (long long) cfg->notify_max_attempts) {
        rc = notify_outbox_remove(&txn, key, key_len);
        log_warn("notification to %s dropped after %lld attempts (last: %s)", endpoint_id,
                 attempts, failure);
    } else {
        int64_t delay = (int64_t) cfg->notify_retry_ms << (attempts - 1 < 20 ? attempts - 1 : 20);
        if (delay > MAX_RETRY_DELAY_MS) {
            delay = MAX_RETRY_DELAY_MS;
        }
        rc = notify_outbox_postpone(&txn, key, key_len, attempts, time_now_ms() + delay);
        log_info("notification to %s: attempt %lld failed (%s), next in %lld ms", endpoint_id,
                 attempts, failure, (long long) delay);
    }
    if (rc == MDB_NOTFOUND) {
        catalog_abort(&txn);       /* the endpoint was deleted meanwhile */
        return;
    }
    if (rc != 0 || catalog_commit(&txn) != 0) {
        catalog_abort(&txn);
        log_error("notifications: cannot record a delivery result for %s", endpoint_id);
    }
}

static int start_one(const notify_outbox_msg_t *m, void *arg)
{
    void **args = arg;
    struct notify_sender *s = args[0];
    pass_t *p = args[1];
    catalog_txn_t *txn = args[2];
    notify_transfer_t *t;
    json_t *endpoint = NULL;
    const char *why = "the endpoint no longer exists";

    if (endpoint_busy(s, m->endpoint_id)) {
        return 0;
    }
    if (m->next_ms > p->now_ms) {
        p->earliest_ms = m->next_ms < p->earliest_ms ? m->next_ms : p->earliest_ms;
        return 0;
    }
    if (s->n_in_flight >= MAX_IN_FLIGHT || p->nfailed >= MAX_IN_FLIGHT) {
        return 1;
    }
    t = NULL;
    if (catalog_get(txn, ENDPOINTS_SET, m->endpoint_id, &endpoint) == 0) {
        t = notify_transfer_new(s->app, endpoint, m, &why);
    }
    json_decref(endpoint);
    if (t != NULL && curl_multi_add_handle(s->multi, t->easy) == CURLM_OK) {
        s->in_flight[s->n_in_flight++] = t;
        return 0;
    }
    notify_transfer_free(t);
    p->failed[p->nfailed] = *m;
    p->failed[p->nfailed].body = NULL;
    p->why[p->nfailed++] = why;
    return 0;
}

/* Starts due messages; returns the time of the next due one not started. */
static int64_t start_due(struct notify_sender *s)
{
    pass_t *p = calloc(1, sizeof(*p));
    catalog_txn_t txn;
    int64_t earliest;

    if (p == NULL) {
        return time_now_ms() + NOTIFY_POLL_MS;
    }
    p->now_ms = time_now_ms();
    p->earliest_ms = p->now_ms + NOTIFY_POLL_MS;
    if (catalog_begin(s->app->store, false, &txn) == 0) {
        void *args[3] = { s, p, &txn };
        notify_outbox_each_head(&txn, start_one, args);
        catalog_abort(&txn);
    }
    for (size_t i = 0; i < p->nfailed; i++) {
        record_result(s, p->failed[i].key, p->failed[i].key_len, p->failed[i].endpoint_id,
                      p->failed[i].attempts, p->why[i]);
    }
    earliest = p->nfailed > 0 ? p->now_ms : p->earliest_ms;
    free(p);
    return earliest;
}

static void forget(struct notify_sender *s, notify_transfer_t *t)
{
    for (size_t i = 0; i < s->n_in_flight; i++) {
        if (s->in_flight[i] == t) {
            s->in_flight[i] = s->in_flight[--s->n_in_flight];
            break;
        }
    }
    curl_multi_remove_handle(s->multi, t->easy);
    notify_transfer_free(t);
}

static void collect_done(struct notify_sender *s)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(s->multi, &left)) != NULL) {
        notify_transfer_t *t = NULL;
        long status = 0;
        char failure[96];
        const char *why = NULL;

        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        if (msg->data.result != CURLE_OK) {
            snprintf(failure, sizeof(failure), "%s", curl_easy_strerror(msg->data.result));
            why = failure;
        } else if (status < 200 || status > 299) {
            snprintf(failure, sizeof(failure), "HTTP %ld", status);
            why = failure;
        }
        record_result(s, t->key, t->key_len, t->endpoint_id, t->attempts, why);
        forget(s, t);
    }
}

static void *sender_main(void *arg)
{
    struct notify_sender *s = arg;

    while (!atomic_load(&s->stop)) {
        int running = 0;
        int64_t wait = start_due(s) - time_now_ms();

        curl_multi_perform(s->multi, &running);
        collect_done(s);
        if (wait > NOTIFY_POLL_MS) {
            wait = NOTIFY_POLL_MS;
        }
        curl_multi_poll(s->multi, NULL, 0, wait < 10 ? 10 : (int) wait, NULL);
        curl_multi_perform(s->multi, &running);
        collect_done(s);
    }
    return NULL;
}

int notify_sender_start(app_t *app, char *err, size_t errlen)
{
    struct notify_sender *s;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "notifications: libcurl initialisation failed");
        return -1;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL || (s->multi = curl_multi_init()) == NULL) {
        free(s);
        curl_global_cleanup();
        snprintf(err, errlen, "notifications: out of memory");
        return -1;
    }
    s->app = app;
    atomic_init(&s->stop, 0);
    if (pthread_create(&s->thread, NULL, sender_main, s) != 0) {
        curl_multi_cleanup(s->multi);
        free(s);
        curl_global_cleanup();
        snprintf(err, errlen, "notifications: cannot start the sender thread");
        return -1;
    }
    app->notify = s;
    return 0;
}

void notify_sender_wake(app_t *app)
{
    if (app != NULL && app->notify != NULL) {
        curl_multi_wakeup(app->notify->multi);
    }
}

void notify_sender_stop(app_t *app)
{
    struct notify_sender *s = app->notify;

    if (s == NULL) {
        return;
    }
    atomic_store(&s->stop, 1);
    curl_multi_wakeup(s->multi);
    pthread_join(s->thread, NULL);
    while (s->n_in_flight > 0) {
        forget(s, s->in_flight[0]);       /* still queued: sent after the next start */
    }
    curl_multi_cleanup(s->multi);
    free(s);
    app->notify = NULL;
    curl_global_cleanup();
}
