/*
 * test_notify.c — notifications: message rendering (ETag, event numbers,
 * added properties), the webhook signature against RFC 4231's HMAC-SHA256
 * vector, the outbox's per-endpoint order and its durability across a close
 * and reopen of the catalog, and the sender thread delivering a signed
 * message to a local HTTP receiver (a socket in this test), retrying after
 * a 500.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "keys_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <sys/socket.h>

#include "catalog/catalog_schema.h"
#include "entities/entity_model.h"
#include "keys/key_status.h"
#include "keys/master_key.h"
#include "notify/notify.h"
#include "notify/notify_message.h"
#include "notify/notify_outbox.h"
#include "notify/notify_transfer.h"
#include "util/text_codec.h"
#include "util/time_text.h"

/* ---- message and signature --------------------------------------------- */

static void test_signature_rfc4231(void **state)
{
    (void) state;
    char sig[NOTIFY_SIGNATURE_LEN];
    const char *data = "what do ya want for nothing?";
    notify_signature((const uint8_t *) "Jefe", 4, data, strlen(data), sig);
    assert_string_equal(sig, "sha256=5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843");
}

static void test_event_codes(void **state)
{
    (void) state;
    assert_int_equal(notify_event_code("JobStateChange"), 1);
    assert_int_equal(notify_event_code("TaskStateChange"), 4);
    assert_int_equal(notify_event_code("TaskProgress"), 5);
    assert_int_equal(notify_event_code("EndPointTest"), 0);
    assert_int_equal(notify_event_code("jobstatechange"), -1);
    assert_int_equal(notify_event_code(NULL), -1);
}

static void test_message_render(void **state)
{
    (void) state;
    notify_message_meta_t meta = { "acct", "nb:nepid:UUID:1", 1, 1500000000123LL };
    json_t *props = json_pack("{s:s, s:s, s:s}", "JobId", "nb:jid:UUID:x", "OldState", "Queued",
                              "NewState", "Processing");
    char *text = notify_message_render(&meta, props), id[NOTIFY_ACCOUNT_ID_LEN];
    json_t *msg = json_loads(text, 0, NULL), *content;
    uint8_t d[SHA256_DIGEST_LENGTH];
    char hex[65], *dumped;

    assert_non_null(msg);
    assert_string_equal(json_string_value(json_object_get(msg, "MessageVersion")), "1.1");
    assert_int_equal(json_integer_value(json_object_get(msg, "EventType")), 1);
    assert_string_equal(json_string_value(json_object_get(msg, "TimeStamp")), "2017-07-14T02:40:00.123Z");
    json_t *p = json_object_get(msg, "Properties");
    assert_string_equal(json_string_value(json_object_get(p, "NewState")), "Processing");
    assert_string_equal(json_string_value(json_object_get(p, "AccountName")), "acct");
    assert_string_equal(json_string_value(json_object_get(p, "NotificationEndPointId")), "nb:nepid:UUID:1");
    notify_account_id("acct", id);
    assert_string_equal(json_string_value(json_object_get(p, "AccountId")), id);
    assert_int_equal(strlen(id), 36);
    assert_int_equal(id[14], '5');
    /* ETag: sha256 of the message without ETag, in the order sent */
    content = json_loads(text, JSON_PRESERVE_ORDER, NULL);
    json_object_del(content, "ETag");
    dumped = json_dumps(content, JSON_COMPACT | JSON_PRESERVE_ORDER);
    SHA256((const uint8_t *) dumped, strlen(dumped), d);
    hex_encode(d, sizeof(d), hex, sizeof(hex), 0);
    assert_string_equal(json_string_value(json_object_get(msg, "ETag")), hex);
    assert_int_equal(strncmp(text, "{\"MessageVersion\":\"1.1\",\"ETag\":", 31), 0);
    /* caller's properties untouched; non-objects refused */
    assert_null(json_object_get(props, "AccountName"));
    json_t *arr = json_array();
    assert_null(notify_message_render(&meta, arr));
    json_decref(arr);
    free(dumped);
    json_decref(content);
    json_decref(msg);
    json_decref(props);
    free(text);
}

/* ---- outbox -------------------------------------------------------------- */

static const char *const sets[] = { "NotificationEndPoints", NULL };

static catalog_store_t *open_store(const char *dir)
{
    char err[256];
    catalog_store_t *s = catalog_store_open(dir, 64u << 20, sets, err, sizeof(err));
    if (s == NULL) {
        fail_msg("%s", err);
    }
    return s;
}

typedef struct {
    char ids[8][NOTIFY_OUTBOX_KEY_MAX];
    char bodies[8][64];
    long long attempts[8];
    size_t n;
} heads_t;

static int collect(const notify_outbox_msg_t *m, void *arg)
{
    heads_t *h = arg;
    snprintf(h->ids[h->n], sizeof(h->ids[0]), "%s", m->endpoint_id);
    snprintf(h->bodies[h->n], 64, "%s", m->body);
    h->attempts[h->n++] = m->attempts;
    return 0;
}

static heads_t heads_of(catalog_store_t *s)
{
    heads_t h = { .n = 0 };
    catalog_txn_t t;
    assert_int_equal(catalog_begin(s, false, &t), 0);
    assert_int_equal(notify_outbox_each_head(&t, collect, &h), 0);
    catalog_abort(&t);
    return h;
}

static void remove_head(catalog_store_t *s, const char *endpoint)
{
    catalog_txn_t t;
    heads_t h = { .n = 0 };
    MDB_val k, v;
    assert_int_equal(catalog_begin(s, true, &t), 0);
    assert_int_equal(catalog_raw_seek(&t, CATALOG_DB_OUTBOX, endpoint, strlen(endpoint) + 1, &k, &v), 0);
    uint8_t key[NOTIFY_OUTBOX_KEY_MAX];
    memcpy(key, k.mv_data, k.mv_size);
    assert_int_equal(notify_outbox_remove(&t, key, k.mv_size), 0);
    assert_int_equal(catalog_commit(&t), 0);
    (void) h;
}

static void test_outbox_order_and_durability(void **state)
{
    (void) state;
    char dir[KT_PATH];
    catalog_store_t *s;
    catalog_txn_t t;
    heads_t h;

    kt_make_temp_dir(dir);
    s = open_store(dir);
    assert_int_equal(catalog_begin(s, true, &t), 0);
    /* interleaved: b1 a1 b2 a2 a3 ; "a" sorts before "b" */
    assert_int_equal(notify_outbox_put(&t, "nb:nepid:UUID:b", "b1", 0), 0);
    assert_int_equal(notify_outbox_put(&t, "nb:nepid:UUID:a", "a1", 0), 0);
    assert_int_equal(notify_outbox_put(&t, "nb:nepid:UUID:b", "b2", 0), 0);
    assert_int_equal(notify_outbox_put(&t, "nb:nepid:UUID:a", "a2", 0), 0);
    assert_int_equal(catalog_commit(&t), 0);
    assert_int_equal(catalog_begin(s, true, &t), 0);
    assert_int_equal(notify_outbox_put(&t, "nb:nepid:UUID:a", "a3", 0), 0);
    catalog_abort(&t);                                   /* never committed: gone */
    catalog_store_close(s);

    s = open_store(dir);                                 /* "restart" */
    h = heads_of(s);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.bodies[0], "a1");
    assert_string_equal(h.bodies[1], "b1");
    remove_head(s, "nb:nepid:UUID:a");
    h = heads_of(s);
    assert_string_equal(h.bodies[0], "a2");
    assert_string_equal(h.bodies[1], "b1");

    /* postpone keeps the body, records attempts */
    MDB_val k, v;
    uint8_t key[NOTIFY_OUTBOX_KEY_MAX];
    assert_int_equal(catalog_begin(s, true, &t), 0);
    assert_int_equal(catalog_raw_seek(&t, CATALOG_DB_OUTBOX, "nb:nepid:UUID:b", 16, &k, &v), 0);
    memcpy(key, k.mv_data, k.mv_size);
    assert_int_equal(notify_outbox_postpone(&t, key, k.mv_size, 3, 42), 0);
    assert_int_equal(catalog_commit(&t), 0);
    h = heads_of(s);
    assert_string_equal(h.bodies[1], "b1");
    assert_int_equal(h.attempts[1], 3);

    /* sequence numbers keep growing after a restart: new messages queue last */
    catalog_store_close(s);
    s = open_store(dir);
    assert_int_equal(catalog_begin(s, true, &t), 0);
    assert_int_equal(notify_outbox_put(&t, "nb:nepid:UUID:b", "b3", 0), 0);
    assert_int_equal(notify_outbox_count(&t), 4);
    assert_int_equal(notify_outbox_drop(&t, "nb:nepid:UUID:a"), 0);
    assert_int_equal(notify_outbox_count(&t), 3);
    assert_int_equal(catalog_commit(&t), 0);
    remove_head(s, "nb:nepid:UUID:b");
    remove_head(s, "nb:nepid:UUID:b");
    h = heads_of(s);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.bodies[0], "b3");
    catalog_store_close(s);
    kt_remove_tree(dir);
}

/* ---- sender against a local receiver ------------------------------------ */

typedef struct {
    int  listener;
    int  statuses[4];       /* answers, in order */
    int  served;
    char requests[4][4096];
} receiver_t;

static void *receive(void *arg)
{
    receiver_t *r = arg;
    while (r->served < 2) {
        int fd = accept(r->listener, NULL, NULL);
        size_t used = 0;
        char *req = r->requests[r->served];
        char answer[128];
        if (fd < 0) {
            break;
        }
        for (;;) {                             /* headers, then Content-Length bytes */
            ssize_t n = read(fd, req + used, 4095 - used);
            if (n <= 0) break;
            used += (size_t) n;
            req[used] = '\0';
            char *end = strstr(req, "\r\n\r\n"), *cl = strcasestr(req, "Content-Length: ");
            if (end && cl && used >= (size_t) (end + 4 - req) + strtoul(cl + 16, NULL, 10)) break;
        }
        snprintf(answer, sizeof(answer), "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                 r->statuses[r->served]);
        assert_true(write(fd, answer, strlen(answer)) > 0);
        close(fd);
        r->served++;
    }
    return NULL;
}

static void test_sender_delivers_signed_with_retry(void **state)
{
    (void) state;
    static app_t app;
    char dir[KT_PATH], err[256], url[128], *sealed = NULL;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sa);
    receiver_t r = { .statuses = { 500, 200 } };
    pthread_t th;
    const uint8_t key[] = "a signing key of some length";
    api_ctx_t c = { .app = &app };

    kt_make_temp_dir(dir);
    config_defaults(&app.cfg);
    app.cfg.notify_retry_ms = 50;
    app.store = open_store(dir);
    app.master_key = master_key_load_or_create(dir, err, sizeof(err));
    assert_non_null(app.master_key);
    r.listener = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(bind(r.listener, (struct sockaddr *) &sa, sizeof(sa)), 0);
    assert_int_equal(listen(r.listener, 4), 0);
    getsockname(r.listener, (struct sockaddr *) &sa, &len);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/in", ntohs(sa.sin_port));
    pthread_create(&th, NULL, receive, &r);

    assert_int_equal(master_key_seal_bound(app.master_key, "nb:nepid:UUID:e", key, sizeof(key) - 1,
                                           &sealed), KEY_OK);
    json_t *endpoint = json_pack("{s:s, s:s, s:s}", "Id", "nb:nepid:UUID:e", "EndPointAddress", url,
                                 NOTIFY_SEALED_KEY_MEMBER, sealed);
    json_t *props = json_pack("{s:s}", "JobId", "nb:jid:UUID:j");
    assert_int_equal(notify_sender_start(&app, err, sizeof(err)), 0);
    c.now_ms = time_now_ms();
    assert_int_equal(catalog_begin(app.store, true, &c.txn), 0);
    assert_int_equal(catalog_put(&c.txn, "NotificationEndPoints", "nb:nepid:UUID:e", endpoint), 0);
    assert_int_equal(notify_enqueue(&c, "nb:nepid:UUID:e", "JobStateChange", props), 0);
    assert_int_equal(notify_enqueue(&c, "nb:nepid:UUID:missing", "JobStateChange", props), 0);
    assert_int_equal(catalog_commit(&c.txn), 0);
    assert_int_equal(c.nafter, 1);
    c.after[0].fn(&app, c.after[0].arg);
    api_ctx_release(&c);
    pthread_join(th, NULL);

    /* both attempts carried the same signed body; the second was acknowledged */
    for (int i = 0; i < 2; i++) {
        char *body = strstr(r.requests[i], "\r\n\r\n") + 4, sig[NOTIFY_SIGNATURE_LEN], line[128];
        assert_non_null(strstr(r.requests[i], "POST /in HTTP/1.1"));
        assert_non_null(strstr(r.requests[i], "Content-Type: application/json"));
        notify_signature(key, sizeof(key) - 1, body, strlen(body), sig);
        snprintf(line, sizeof(line), "ms-signature: %s\r\n", sig);
        assert_non_null(strstr(r.requests[i], line));
        assert_non_null(strstr(body, "\"EventType\":1"));
    }
    assert_string_equal(strstr(r.requests[0], "\r\n\r\n"), strstr(r.requests[1], "\r\n\r\n"));
    for (int i = 0; i < 100; i++) {                 /* the result is recorded after the answer */
        catalog_txn_t t;
        size_t n;
        catalog_begin(app.store, false, &t);
        n = notify_outbox_count(&t);
        catalog_abort(&t);
        if (n == 0) break;
        usleep(20000);
    }
    catalog_txn_t t;
    catalog_begin(app.store, false, &t);
    assert_int_equal(notify_outbox_count(&t), 0);
    catalog_abort(&t);
    notify_sender_stop(&app);
    assert_null(app.notify);
    close(r.listener);
    json_decref(endpoint);
    json_decref(props);
    free(sealed);
    master_key_free(app.master_key);
    catalog_store_close(app.store);
    kt_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_rfc4231),
        cmocka_unit_test(test_event_codes),
        cmocka_unit_test(test_message_render),
        cmocka_unit_test(test_outbox_order_and_durability),
        cmocka_unit_test(test_sender_delivers_signed_with_retry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
