/*
 * catalog_store.c — LMDB environment, database handles and record/link
 * primitives for the daemon.  All database handles are opened once at start
 * in one committed transaction, so every later transaction (from any of the
 * HTTP threads) can use them.  Records are compact JSON text.
 */
#include "catalog/catalog_store.h"
#include "catalog/catalog_schema.h"
#include "catalog/catalog_okey.h"
#include "catalog/catalog_ofile.h"
#include "catalog/catalog_ofilter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    const char *name;
    MDB_dbi     dbi;
} named_dbi_t;

struct catalog_store {
    MDB_env    *env;
    named_dbi_t dbs[CATALOG_MAX_DBS];
    size_t      ndbs;
};

static const char *const schema_dbs[] = {
    CATALOG_DB_META, CATALOG_DB_LINKS, CATALOG_DB_ORIGIN, CATALOG_DB_ORIGIN_KEYS, CATALOG_DB_ENDPOINTS,
    CATALOG_DB_OUTBOX, CATALOG_DB_ORIGIN_FILES, CATALOG_DB_ORIGIN_FILTERS,
    NULL
};

static int open_named(catalog_store_t *s, MDB_txn *txn, const char *name)
{
    int rc;

    if (s->ndbs >= CATALOG_MAX_DBS) {
        return MDB_DBS_FULL;
    }
    rc = mdb_dbi_open(txn, name, MDB_CREATE, &s->dbs[s->ndbs].dbi);
    if (rc == 0) {
        s->dbs[s->ndbs++].name = name;
    }
    return rc;
}

static int open_all(catalog_store_t *s, const char *const *sets)
{
    MDB_txn *txn;
    int rc;

    rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc != 0) {
        return rc;
    }
    for (size_t i = 0; rc == 0 && schema_dbs[i] != NULL; i++) {
        rc = open_named(s, txn, schema_dbs[i]);
    }
    for (size_t i = 0; rc == 0 && sets != NULL && sets[i] != NULL; i++) {
        rc = open_named(s, txn, sets[i]);
    }
    if (rc == 0) {
        char version[16];
        MDB_val k = { 6, "schema" }, v;
        snprintf(version, sizeof(version), "%d", CATALOG_SCHEMA_VERSION);
        v.mv_size = strlen(version);
        v.mv_data = version;
        rc = mdb_put(txn, s->dbs[0].dbi, &k, &v, 0);
    }
    if (rc != 0) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_txn_commit(txn);
}

/* The origin's workers read the catalog as members of its group: data.mdb
 * is theirs to read only; LMDB readers must write their slots in lock.mdb.
 * Set on every open, so older installations (0660 everywhere) are fixed. */
static int set_reader_modes(const char *dir)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/data.mdb", dir);
    if (chmod(path, 0640) != 0) {
        return errno;
    }
    snprintf(path, sizeof(path), "%s/lock.mdb", dir);
    return chmod(path, 0660) != 0 ? errno : 0;
}

catalog_store_t *catalog_store_open(const char *dir, size_t map_size, const char *const *sets,
                                    char *err, size_t errlen)
{
    catalog_store_t *s = calloc(1, sizeof(*s));
    int rc = ENOMEM;

    if (s == NULL) {
        goto fail;
    }
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        rc = errno;
        goto fail;
    }
    rc = mdb_env_create(&s->env);
    if (rc == 0) {
        rc = mdb_env_set_maxdbs(s->env, CATALOG_MAX_DBS);
    }
    if (rc == 0) {
        rc = mdb_env_set_mapsize(s->env, map_size);
    }
    if (rc == 0) {
        rc = mdb_env_set_maxreaders(s->env, 1022);
    }
    if (rc == 0) {
        /* default flags: every commit is fsync'ed (durable writes) */
        rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0640);
    }
    if (rc == 0) {
        rc = set_reader_modes(dir);
    }
    if (rc == 0) {
        int dead = 0;
        mdb_reader_check(s->env, &dead);   /* slots of crashed readers */
        rc = open_all(s, sets);
    }
    if (rc == 0) {
        return s;
    }
fail:
    snprintf(err, errlen, "catalog %s: %s", dir, mdb_strerror(rc));
    catalog_store_close(s);
    return NULL;
}

int catalog_store_check_readers(catalog_store_t *s)
{
    int dead = 0;
    mdb_reader_check(s->env, &dead);
    return dead;
}

void catalog_store_close(catalog_store_t *s)
{
    if (s == NULL) {
        return;
    }
    if (s->env != NULL) {
        mdb_env_close(s->env);
    }
    free(s);
}

static int dbi_of(catalog_store_t *s, const char *name, MDB_dbi *dbi)
{
    for (size_t i = 0; i < s->ndbs; i++) {
        if (strcmp(s->dbs[i].name, name) == 0) {
            *dbi = s->dbs[i].dbi;
            return 0;
        }
    }
    return MDB_NOTFOUND;
}

int catalog_begin(catalog_store_t *s, bool write, catalog_txn_t *t)
{
    t->store = s;
    t->write = write;
    return mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
}

int catalog_commit(catalog_txn_t *t)
{
    int rc = mdb_txn_commit(t->txn);
    t->txn = NULL;
    return rc;
}

void catalog_abort(catalog_txn_t *t)
{
    if (t->txn != NULL) {
        mdb_txn_abort(t->txn);
        t->txn = NULL;
    }
}

int catalog_raw_put(catalog_txn_t *t, const char *db, const void *key, size_t klen,
                    const void *val, size_t vlen)
{
    MDB_dbi dbi;
    MDB_val k = { klen, (void *) key }, v = { vlen, (void *) val };
    int rc = dbi_of(t->store, db, &dbi);

    return rc != 0 ? rc : mdb_put(t->txn, dbi, &k, &v, 0);
}

int catalog_raw_get(catalog_txn_t *t, const char *db, const void *key, size_t klen,
                    MDB_val *val)
{
    MDB_dbi dbi;
    MDB_val k = { klen, (void *) key };
    int rc = dbi_of(t->store, db, &dbi);

    return rc != 0 ? rc : mdb_get(t->txn, dbi, &k, val);
}

int catalog_raw_del(catalog_txn_t *t, const char *db, const void *key, size_t klen)
{
    MDB_dbi dbi;
    MDB_val k = { klen, (void *) key };
    int rc = dbi_of(t->store, db, &dbi);

    return rc != 0 ? rc : mdb_del(t->txn, dbi, &k, NULL);
}

int catalog_raw_seek(catalog_txn_t *t, const char *db, const void *key, size_t klen,
                     MDB_val *k, MDB_val *v)
{
    MDB_dbi dbi;
    MDB_cursor *cur;
    int rc = dbi_of(t->store, db, &dbi);

    if (rc == 0) {
        rc = mdb_cursor_open(t->txn, dbi, &cur);
    }
    if (rc != 0) {
        return rc;
    }
    k->mv_size = klen;
    k->mv_data = (void *) key;
    rc = mdb_cursor_get(cur, k, v, klen == 0 ? MDB_FIRST : MDB_SET_RANGE);
    mdb_cursor_close(cur);
    return rc;
}

int catalog_get(catalog_txn_t *t, const char *set, const char *id, json_t **out)
{
    MDB_val v;
    json_error_t jerr;
    int rc = catalog_raw_get(t, set, id, strlen(id), &v);

    if (rc != 0) {
        return rc;
    }
    *out = json_loadb(v.mv_data, v.mv_size, JSON_DISABLE_EOF_CHECK, &jerr);
    return *out != NULL ? 0 : MDB_CORRUPTED;
}

bool catalog_exists(catalog_txn_t *t, const char *set, const char *id)
{
    MDB_val v;
    return catalog_raw_get(t, set, id, strlen(id), &v) == 0;
}

int catalog_put(catalog_txn_t *t, const char *set, const char *id, const json_t *rec)
{
    char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
    int rc;

    if (text == NULL) {
        return ENOMEM;
    }
    rc = catalog_raw_put(t, set, id, strlen(id), text, strlen(text));
    free(text);
    return rc;
}

int catalog_del(catalog_txn_t *t, const char *set, const char *id)
{
    return catalog_raw_del(t, set, id, strlen(id));
}

int catalog_each(catalog_txn_t *t, const char *set, catalog_each_fn fn, void *arg)
{
    MDB_dbi dbi;
    MDB_cursor *cur;
    MDB_val k, v;
    char id[512];
    int rc = dbi_of(t->store, set, &dbi);

    if (rc == 0) {
        rc = mdb_cursor_open(t->txn, dbi, &cur);
    }
    if (rc != 0) {
        return rc;
    }
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        json_t *rec = json_loadb(v.mv_data, v.mv_size, 0, NULL);
        int stop;
        if (rec == NULL || k.mv_size >= sizeof(id)) {
            json_decref(rec);
            continue;               /* a foreign record; never fatal for a listing */
        }
        memcpy(id, k.mv_data, k.mv_size);
        id[k.mv_size] = '\0';
        stop = fn(id, rec, arg);
        json_decref(rec);
        if (stop != 0) {
            mdb_cursor_close(cur);
            return stop;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

size_t catalog_count(catalog_txn_t *t, const char *set)
{
    MDB_dbi dbi;
    MDB_stat st;

    if (dbi_of(t->store, set, &dbi) != 0 || mdb_stat(t->txn, dbi, &st) != 0) {
        return 0;
    }
    return st.ms_entries;
}

/* ------------------------------------------------------------------ links */

static size_t link_key(char *buf, size_t cap, const char *from, const char *nav, const char *to)
{
    size_t a = strlen(from), b = strlen(nav), c = to ? strlen(to) : 0;

    if (a + b + c + 2 > cap) {
        return 0;
    }
    memcpy(buf, from, a);
    buf[a] = '\0';
    memcpy(buf + a + 1, nav, b);
    buf[a + 1 + b] = '\0';
    if (to != NULL) {
        memcpy(buf + a + b + 2, to, c);
    }
    return a + b + c + 2;
}

int catalog_link(catalog_txn_t *t, const char *from, const char *nav, const char *to)
{
    char key[511];
    size_t n = link_key(key, sizeof(key), from, nav, to);

    return n == 0 ? MDB_BAD_VALSIZE : catalog_raw_put(t, CATALOG_DB_LINKS, key, n, "", 0);
}

int catalog_unlink(catalog_txn_t *t, const char *from, const char *nav, const char *to)
{
    char key[511];
    size_t n = link_key(key, sizeof(key), from, nav, to);

    return n == 0 ? MDB_BAD_VALSIZE : catalog_raw_del(t, CATALOG_DB_LINKS, key, n);
}

bool catalog_linked(catalog_txn_t *t, const char *from, const char *nav, const char *to)
{
    char key[511];
    MDB_val v;
    size_t n = link_key(key, sizeof(key), from, nav, to);

    return n != 0 && catalog_raw_get(t, CATALOG_DB_LINKS, key, n, &v) == 0;
}

/* Walks the keys starting with prefix (prefix_len bytes); fn gets the rest. */
static int each_prefixed(catalog_txn_t *t, const char *prefix, size_t prefix_len,
                         int (*fn)(const char *rest, size_t len, void *arg), void *arg)
{
    MDB_dbi dbi;
    MDB_cursor *cur;
    MDB_val k = { prefix_len, (void *) prefix }, v;
    int rc = dbi_of(t->store, CATALOG_DB_LINKS, &dbi), stop = 0;

    if (rc == 0) {
        rc = mdb_cursor_open(t->txn, dbi, &cur);
    }
    if (rc != 0) {
        return rc;
    }
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && stop == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < prefix_len || memcmp(k.mv_data, prefix, prefix_len) != 0) {
            break;
        }
        stop = fn((const char *) k.mv_data + prefix_len, k.mv_size - prefix_len, arg);
    }
    mdb_cursor_close(cur);
    if (stop != 0) {
        return stop;
    }
    return (rc == 0 || rc == MDB_NOTFOUND) ? 0 : rc;
}

typedef struct {
    catalog_link_fn fn;
    void *arg;
} link_walk_t;

static int call_link_fn(const char *rest, size_t len, void *arg)
{
    link_walk_t *w = arg;
    char to[256];

    if (len >= sizeof(to)) {
        return 0;
    }
    memcpy(to, rest, len);
    to[len] = '\0';
    return w->fn(to, w->arg);
}

int catalog_each_link(catalog_txn_t *t, const char *from, const char *nav,
                      catalog_link_fn fn, void *arg)
{
    char prefix[511];
    link_walk_t w = { fn, arg };
    size_t n = link_key(prefix, sizeof(prefix), from, nav, NULL);

    return n == 0 ? MDB_BAD_VALSIZE : each_prefixed(t, prefix, n, call_link_fn, &w);
}

typedef struct {
    catalog_any_link_fn fn;
    void *arg;
} any_walk_t;

static int call_any_fn(const char *rest, size_t len, void *arg)
{
    any_walk_t *w = arg;
    char buf[512];
    size_t nav_len = strnlen(rest, len);

    if (nav_len >= len || len >= sizeof(buf)) {
        return 0;                       /* not "<nav>\0<to>": skip */
    }
    memcpy(buf, rest, len);
    buf[len] = '\0';
    return w->fn(buf, buf + nav_len + 1, w->arg);
}

int catalog_each_link_any(catalog_txn_t *t, const char *from, catalog_any_link_fn fn, void *arg)
{
    any_walk_t w = { fn, arg };
    return each_prefixed(t, from, strlen(from) + 1, call_any_fn, &w);
}

static int count_one(const char *to, void *arg)
{
    (void) to;
    (*(size_t *) arg)++;
    return 0;
}

size_t catalog_count_links(catalog_txn_t *t, const char *from, const char *nav)
{
    size_t n = 0;
    catalog_each_link(t, from, nav, count_one, &n);
    return n;
}

int catalog_unlink_all(catalog_txn_t *t, const char *from)
{
    MDB_dbi dbi;
    MDB_cursor *cur;
    size_t plen = strlen(from) + 1;
    MDB_val k = { plen, (void *) from }, v;
    int rc = dbi_of(t->store, CATALOG_DB_LINKS, &dbi);

    if (rc == 0) {
        rc = mdb_cursor_open(t->txn, dbi, &cur);
    }
    if (rc != 0) {
        return rc;
    }
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size >= plen && memcmp(k.mv_data, from, plen) == 0) {
        rc = mdb_cursor_del(cur, 0);
        if (rc == 0) {
            k.mv_size = plen;
            k.mv_data = (void *) from;
            rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        }
    }
    mdb_cursor_close(cur);
    return (rc == 0 || rc == MDB_NOTFOUND) ? 0 : rc;
}
