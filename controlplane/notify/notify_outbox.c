/*
 * notify_outbox.c — keys "<endpoint id>\0<u64 BE sequence>" in the outbox
 * database; the sequence comes from meta/outbox_seq, incremented inside the
 * same write transaction, so the key order is the queue order.
 */
#include "notify/notify_outbox.h"
#include "catalog/catalog_schema.h"

#include <stdlib.h>
#include <string.h>

static uint64_t be64_read(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void be64_write(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t) (v & 0xFF);
        v >>= 8;
    }
}

static int next_sequence(catalog_txn_t *t, uint64_t *seq)
{
    MDB_val v;
    uint8_t buf[8];
    int rc = catalog_raw_get(t, CATALOG_DB_META, CATALOG_META_OUTBOX_SEQ,
                             strlen(CATALOG_META_OUTBOX_SEQ), &v);

    if (rc == MDB_NOTFOUND) {
        *seq = 1;
    } else if (rc != 0) {
        return rc;
    } else if (v.mv_size != 8) {
        return MDB_CORRUPTED;
    } else {
        *seq = be64_read(v.mv_data) + 1;
    }
    be64_write(buf, *seq);
    return catalog_raw_put(t, CATALOG_DB_META, CATALOG_META_OUTBOX_SEQ,
                           strlen(CATALOG_META_OUTBOX_SEQ), buf, sizeof(buf));
}

static int put_record(catalog_txn_t *t, const uint8_t *key, size_t key_len, const char *body,
                      long long attempts, int64_t next_ms)
{
    json_t *rec = json_pack("{s:s, s:I, s:I}", "body", body, "attempts", (json_int_t) attempts,
                            "next_ms", (json_int_t) next_ms);
    char *text = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    int rc = text ? catalog_raw_put(t, CATALOG_DB_OUTBOX, key, key_len, text, strlen(text))
                  : MDB_PANIC;

    free(text);
    json_decref(rec);
    return rc;
}

int notify_outbox_put(catalog_txn_t *t, const char *endpoint_id, const char *body, int64_t due_ms)
{
    uint8_t key[NOTIFY_OUTBOX_KEY_MAX];
    size_t n = strlen(endpoint_id);
    uint64_t seq;
    int rc;

    if (n == 0 || n + 9 > sizeof(key)) {
        return MDB_BAD_VALSIZE;
    }
    rc = next_sequence(t, &seq);
    if (rc != 0) {
        return rc;
    }
    memcpy(key, endpoint_id, n + 1);
    be64_write(key + n + 1, seq);
    return put_record(t, key, n + 9, body, 0, due_ms);
}

/* Fills m from a raw record; -1 when it is not one of ours. */
static int parse_message(const MDB_val *k, const MDB_val *v, json_t **rec, notify_outbox_msg_t *m)
{
    size_t id_len = strnlen(k->mv_data, k->mv_size);

    if (id_len + 9 != k->mv_size || k->mv_size > sizeof(m->key)) {
        return -1;
    }
    *rec = json_loadb(v->mv_data, v->mv_size, 0, NULL);
    if (!json_is_string(json_object_get(*rec, "body"))) {
        json_decref(*rec);
        *rec = NULL;
        return -1;
    }
    memcpy(m->key, k->mv_data, k->mv_size);
    m->key_len = k->mv_size;
    memcpy(m->endpoint_id, k->mv_data, id_len + 1);
    m->body = json_string_value(json_object_get(*rec, "body"));
    m->attempts = json_integer_value(json_object_get(*rec, "attempts"));
    m->next_ms = json_integer_value(json_object_get(*rec, "next_ms"));
    return 0;
}

int notify_outbox_each_head(catalog_txn_t *t, notify_outbox_fn fn, void *arg)
{
    uint8_t seek[NOTIFY_OUTBOX_KEY_MAX];
    size_t seek_len = 0;
    MDB_val k, v;
    int rc, stop = 0;

    while (stop == 0 && (rc = catalog_raw_seek(t, CATALOG_DB_OUTBOX, seek, seek_len, &k, &v)) == 0) {
        notify_outbox_msg_t m;
        json_t *rec = NULL;
        size_t id_len = strnlen(k.mv_data, k.mv_size);

        if (id_len + 2 > sizeof(seek)) {
            return MDB_CORRUPTED;
        }
        if (parse_message(&k, &v, &rec, &m) == 0) {
            stop = fn(&m, arg);
        }
        json_decref(rec);
        memcpy(seek, k.mv_data, id_len);     /* next: past "<id>\0…" */
        seek[id_len] = '\x01';
        seek_len = id_len + 1;
    }
    if (stop != 0) {
        return stop;
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int notify_outbox_remove(catalog_txn_t *t, const uint8_t *key, size_t key_len)
{
    return catalog_raw_del(t, CATALOG_DB_OUTBOX, key, key_len);
}

int notify_outbox_postpone(catalog_txn_t *t, const uint8_t *key, size_t key_len,
                           long long attempts, int64_t next_ms)
{
    MDB_val v;
    json_t *rec;
    int rc = catalog_raw_get(t, CATALOG_DB_OUTBOX, key, key_len, &v);

    if (rc != 0) {
        return rc;
    }
    rec = json_loadb(v.mv_data, v.mv_size, 0, NULL);
    if (!json_is_string(json_object_get(rec, "body"))) {
        json_decref(rec);
        return MDB_CORRUPTED;
    }
    rc = put_record(t, key, key_len, json_string_value(json_object_get(rec, "body")), attempts,
                    next_ms);
    json_decref(rec);
    return rc;
}

int notify_outbox_drop(catalog_txn_t *t, const char *endpoint_id)
{
    size_t n = strlen(endpoint_id) + 1;      /* "<id>\0" */
    MDB_val k, v;
    int rc;

    while ((rc = catalog_raw_seek(t, CATALOG_DB_OUTBOX, endpoint_id, n, &k, &v)) == 0
           && k.mv_size >= n && memcmp(k.mv_data, endpoint_id, n) == 0) {
        uint8_t key[NOTIFY_OUTBOX_KEY_MAX];
        size_t len = k.mv_size < sizeof(key) ? k.mv_size : sizeof(key);
        memcpy(key, k.mv_data, len);
        rc = catalog_raw_del(t, CATALOG_DB_OUTBOX, key, len);
        if (rc != 0) {
            return rc;
        }
    }
    return (rc == 0 || rc == MDB_NOTFOUND) ? 0 : rc;
}

size_t notify_outbox_count(catalog_txn_t *t)
{
    return catalog_count(t, CATALOG_DB_OUTBOX);
}
