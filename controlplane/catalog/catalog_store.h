/*
 * catalog_store.h — the daemon's side of the catalog (common/catalog/
 * catalog_schema.h): the LMDB environment opened read-write, transactions,
 * JSON entity records and navigation links.  The daemon is the only writer;
 * every commit is synced to disk before the API answers.
 */
#ifndef CATALOG_STORE_H
#define CATALOG_STORE_H

#include <jansson.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct catalog_store catalog_store_t;

typedef struct {
    catalog_store_t *store;
    MDB_txn         *txn;
    bool             write;
} catalog_txn_t;

/* dir: LMDB environment directory (created if missing); map_size in bytes;
 * sets: NULL-terminated entity-set names, opened (created) with the
 * schema's own databases (meta, links, origin) once, at start. */
catalog_store_t *catalog_store_open(const char *dir, size_t map_size, const char *const *sets,
                                    char *err, size_t errlen);
void catalog_store_close(catalog_store_t *s);
/* Frees reader slots left by dead processes (e.g. restarted nginx workers). */
int  catalog_store_check_readers(catalog_store_t *s);

int  catalog_begin(catalog_store_t *s, bool write, catalog_txn_t *t);
int  catalog_commit(catalog_txn_t *t);    /* 0 or an LMDB error; the txn is gone either way */
void catalog_abort(catalog_txn_t *t);

/* Entity records: set = entity-set database name. Return 0, MDB_NOTFOUND or an error. */
int  catalog_get(catalog_txn_t *t, const char *set, const char *id, json_t **out);
int  catalog_put(catalog_txn_t *t, const char *set, const char *id, const json_t *rec);
int  catalog_del(catalog_txn_t *t, const char *set, const char *id);
bool catalog_exists(catalog_txn_t *t, const char *set, const char *id);

/* Calls fn for every record of a set in key order; stops when fn returns non-zero
 * (that value is returned).  rec is borrowed for the duration of the call. */
typedef int (*catalog_each_fn)(const char *id, json_t *rec, void *arg);
int  catalog_each(catalog_txn_t *t, const char *set, catalog_each_fn fn, void *arg);
size_t catalog_count(catalog_txn_t *t, const char *set);

/* Links "<from>\0<nav>\0<to>" (catalog_schema.h). */
int  catalog_link(catalog_txn_t *t, const char *from, const char *nav, const char *to);
int  catalog_unlink(catalog_txn_t *t, const char *from, const char *nav, const char *to);
bool catalog_linked(catalog_txn_t *t, const char *from, const char *nav, const char *to);
typedef int (*catalog_link_fn)(const char *to, void *arg);
int  catalog_each_link(catalog_txn_t *t, const char *from, const char *nav,
                       catalog_link_fn fn, void *arg);
size_t catalog_count_links(catalog_txn_t *t, const char *from, const char *nav);
/* Calls fn(nav, to) for every link from `from`, whatever the navigation. */
typedef int (*catalog_any_link_fn)(const char *nav, const char *to, void *arg);
int  catalog_each_link_any(catalog_txn_t *t, const char *from, catalog_any_link_fn fn, void *arg);
/* Removes every link from `from` (all navigations). */
int  catalog_unlink_all(catalog_txn_t *t, const char *from);

/* Raw key/value access to the other databases (meta, origin). */
int  catalog_raw_put(catalog_txn_t *t, const char *db, const void *key, size_t klen,
                     const void *val, size_t vlen);
int  catalog_raw_get(catalog_txn_t *t, const char *db, const void *key, size_t klen,
                     MDB_val *val);
int  catalog_raw_del(catalog_txn_t *t, const char *db, const void *key, size_t klen);
/* The first record whose key is >= key[0..klen) (ordered scans of raw databases,
 * e.g. the outbox).  0, MDB_NOTFOUND or an error; k/v stay valid until the
 * transaction ends or writes. */
int  catalog_raw_seek(catalog_txn_t *t, const char *db, const void *key, size_t klen,
                      MDB_val *k, MDB_val *v);

#endif
