/*
 * notify_outbox.h — the outbox database (common/catalog/catalog_schema.h:
 * CATALOG_DB_OUTBOX): notification messages waiting for delivery, in queue
 * order per endpoint, with their delivery attempts and next due time.  All
 * functions work inside the caller's catalog transaction and return 0 or an
 * LMDB error code.
 */
#ifndef NOTIFY_OUTBOX_H
#define NOTIFY_OUTBOX_H

#include "catalog/catalog_store.h"

#include <jansson.h>
#include <stdint.h>

#define NOTIFY_OUTBOX_KEY_MAX 512

typedef struct {
    uint8_t     key[NOTIFY_OUTBOX_KEY_MAX];
    size_t      key_len;
    char        endpoint_id[NOTIFY_OUTBOX_KEY_MAX];
    const char *body;          /* borrowed from the parsed record */
    long long   attempts;
    int64_t     next_ms;
} notify_outbox_msg_t;

/* Appends body to endpoint_id's queue, due at due_ms. */
int notify_outbox_put(catalog_txn_t *t, const char *endpoint_id, const char *body, int64_t due_ms);

/* Calls fn with the oldest message of each endpoint, endpoints in key order;
 * stops when fn returns non-zero (and returns that value). */
typedef int (*notify_outbox_fn)(const notify_outbox_msg_t *m, void *arg);
int notify_outbox_each_head(catalog_txn_t *t, notify_outbox_fn fn, void *arg);

/* Removes one message (delivered or given up); MDB_NOTFOUND when gone. */
int notify_outbox_remove(catalog_txn_t *t, const uint8_t *key, size_t key_len);

/* Records a failed attempt: attempts = given value, next try at next_ms. */
int notify_outbox_postpone(catalog_txn_t *t, const uint8_t *key, size_t key_len,
                           long long attempts, int64_t next_ms);

/* Removes every message of one endpoint. */
int notify_outbox_drop(catalog_txn_t *t, const char *endpoint_id);

/* Number of messages queued (all endpoints). */
size_t notify_outbox_count(catalog_txn_t *t);

#endif
