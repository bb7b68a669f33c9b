/*
 * catalog_reader.c — the origin's read-only view of the catalog.  A reader
 * keeps one LMDB read transaction handle and renews it per lookup
 * (mdb_txn_renew is cheap and sees the latest committed write): the locator's
 * origin record and the endpoint the Host header reaches in one snapshot, so a change
 * made through the API is visible to the next request without any reload.
 */
#include "catalog_reader.h"
#include "catalog_schema.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct catalog_reader {
    MDB_env *env;
    MDB_txn *txn;      /* reset between lookups */
    MDB_dbi  origin;
    MDB_dbi  endpoints;
    MDB_dbi  okeys;
    MDB_dbi  ofiles;
    MDB_dbi  ofilters;
    int      have_dbi;
    int      have_endpoints;   /* 0: the writer predates endpoints */
    int      have_okeys;       /* 0: the writer predates envelope keys */
    int      have_ofiles;      /* 0: the writer predates storage encryption */
    int      have_ofilters;    /* 0: the writer predates manifest filters */
};

static void set_err(char *err, size_t errlen, const char *what, int rc)
{
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "%s: %s", what, mdb_strerror(rc));
    }
}

catalog_reader_t *catalog_reader_open(const char *dir, char *err, size_t errlen)
{
    catalog_reader_t *r = calloc(1, sizeof(*r));
    int rc;

    if (r == NULL) {
        set_err(err, errlen, "catalog reader", ENOMEM);
        return NULL;
    }
    rc = mdb_env_create(&r->env);
    if (rc == 0) {
        rc = mdb_env_set_maxdbs(r->env, CATALOG_MAX_DBS);
    }
    if (rc == 0) {
        /* map size 0: take the size the writer set */
        rc = mdb_env_open(r->env, dir, MDB_RDONLY | MDB_NOTLS | MDB_NORDAHEAD, 0);
    }
    if (rc != 0) {
        set_err(err, errlen, dir, rc);
        catalog_reader_close(r);
        return NULL;
    }
    return r;
}

void catalog_reader_close(catalog_reader_t *r)
{
    if (r == NULL) {
        return;
    }
    if (r->txn != NULL) {
        mdb_txn_abort(r->txn);
    }
    if (r->env != NULL) {
        mdb_env_close(r->env);
    }
    free(r);
}

int catalog_guid_normalize(const char *in, size_t len, char *out)
{
    if (len != CATALOG_GUID_LEN) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        int dash = (i == 8 || i == 13 || i == 18 || i == 23);
        if (dash) {
            if (c != '-') {
                return -1;
            }
        } else if (c >= '0' && c <= '9') {
            /* ok */
        } else if (c >= 'a' && c <= 'f') {
            /* ok */
        } else if (c >= 'A' && c <= 'F') {
            c = (char) (c - 'A' + 'a');
        } else {
            return -1;
        }
        out[i] = c;
    }
    out[len] = '\0';
    return 0;
}

static int begin_read(catalog_reader_t *r)
{
    int rc;

    if (r->txn != NULL) {
        return mdb_txn_renew(r->txn);
    }
    rc = mdb_txn_begin(r->env, NULL, MDB_RDONLY, &r->txn);
    if (rc != 0) {
        r->txn = NULL;
    }
    return rc;
}

/* A handle opened inside a transaction becomes usable by later ones only
 * once that transaction commits: open it in a short one of its own. */
static int open_origin_dbi(catalog_reader_t *r)
{
    MDB_txn *txn;
    int rc;

    if (r->have_dbi) {
        return 0;
    }
    rc = mdb_txn_begin(r->env, NULL, MDB_RDONLY, &txn);
    if (rc != 0) {
        return rc;
    }
    rc = mdb_dbi_open(txn, CATALOG_DB_ORIGIN, 0, &r->origin);
    if (rc != 0) {
        mdb_txn_abort(txn);
        return rc;
    }
    rc = mdb_dbi_open(txn, CATALOG_DB_ENDPOINTS, 0, &r->endpoints);
    r->have_endpoints = (rc == 0);
    if (rc != 0 && rc != MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return rc;
    }
    rc = mdb_dbi_open(txn, CATALOG_DB_ORIGIN_KEYS, 0, &r->okeys);
    r->have_okeys = (rc == 0);
    if (rc != 0 && rc != MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return rc;
    }
    rc = mdb_dbi_open(txn, CATALOG_DB_ORIGIN_FILES, 0, &r->ofiles);
    r->have_ofiles = (rc == 0);
    if (rc != 0 && rc != MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return rc;
    }
    rc = mdb_dbi_open(txn, CATALOG_DB_ORIGIN_FILTERS, 0, &r->ofilters);
    r->have_ofilters = (rc == 0);
    if (rc != 0 && rc != MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return rc;
    }
    rc = mdb_txn_commit(txn);
    if (rc == 0) {
        r->have_dbi = 1;
    }
    return rc;
}

static int get_key(catalog_reader_t *r, const char *key, size_t klen, MDB_val *val)
{
    MDB_val k = { .mv_size = klen, .mv_data = (void *) key };
    return mdb_get(r->txn, r->endpoints, &k, val);
}

/* Inside the open read transaction: Host's record, else the default one. */
static void find_endpoint(catalog_reader_t *r, catalog_endpoint_query_t *q, char *err,
                          size_t errlen)
{
    char key[CATALOG_HOST_KEY_MAX + 1];
    size_t klen = q->host != NULL ? catalog_host_key(q->host, q->host_len, key, sizeof(key)) : 0;
    MDB_val val;
    void *copy;
    int rc = MDB_NOTFOUND;

    if (!r->have_endpoints) {
        q->result = CATALOG_NOT_FOUND;
        return;
    }
    if (klen > 0) {
        rc = get_key(r, key, klen, &val);
    }
    if (rc == MDB_NOTFOUND) {
        rc = get_key(r, CATALOG_EP_DEFAULT_KEY, strlen(CATALOG_EP_DEFAULT_KEY), &val);
    }
    if (rc == MDB_NOTFOUND) {
        q->result = CATALOG_NOT_FOUND;
        return;
    }
    if (rc != 0) {
        set_err(err, errlen, "catalog endpoint lookup", rc);
        q->result = CATALOG_ERROR;
        return;
    }
    copy = q->alloc(q->alloc_arg, val.mv_size ? val.mv_size : 1);
    if (copy == NULL) {
        set_err(err, errlen, "catalog endpoint record", ENOMEM);
        q->result = CATALOG_ERROR;
        return;
    }
    memcpy(copy, val.mv_data, val.mv_size);
    if (catalog_endpoint_decode(copy, val.mv_size, &q->endpoint) != 0) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "catalog: malformed endpoint record");
        }
        q->result = CATALOG_CORRUPT;
        return;
    }
    q->result = CATALOG_FOUND;
}

static catalog_lookup_t begin_lookup(catalog_reader_t *r, char *err, size_t errlen)
{
    int rc = open_origin_dbi(r);

    if (rc == MDB_NOTFOUND) {
        return CATALOG_NOT_FOUND;          /* nothing published yet */
    }
    if (rc != 0) {
        set_err(err, errlen, "catalog origin database", rc);
        return CATALOG_ERROR;
    }
    rc = begin_read(r);
    if (rc != 0) {
        set_err(err, errlen, "catalog read transaction", rc);
        return CATALOG_ERROR;
    }
    return CATALOG_FOUND;
}

catalog_lookup_t catalog_reader_endpoint(catalog_reader_t *r, catalog_endpoint_query_t *ep,
                                         char *err, size_t errlen)
{
    catalog_lookup_t rc = begin_lookup(r, err, errlen);

    if (rc != CATALOG_FOUND) {
        ep->result = rc;
        return rc;
    }
    find_endpoint(r, ep, err, errlen);
    mdb_txn_reset(r->txn);
    return ep->result;
}

/* Inside the open read transaction: the record of a GUID key in dbi, handed
 * to take (which decodes or copies it: 0, or -1 for a malformed record). */
static catalog_lookup_t get_by_guid(catalog_reader_t *r, MDB_dbi dbi, const char *key_text,
                                    const char *what,
                                    int (*take)(const MDB_val *val, void *arg), void *arg,
                                    char *err, size_t errlen)
{
    MDB_val key = { .mv_size = CATALOG_GUID_LEN, .mv_data = (void *) key_text }, val;
    int rc = mdb_get(r->txn, dbi, &key, &val);

    if (rc == MDB_NOTFOUND) {
        return CATALOG_NOT_FOUND;
    }
    if (rc != 0) {
        set_err(err, errlen, "catalog lookup", rc);
        return CATALOG_ERROR;
    }
    if (take(&val, arg) != 0) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "catalog: malformed %s record for %s", what, key_text);
        }
        return CATALOG_CORRUPT;
    }
    return CATALOG_FOUND;
}

static int take_origin(const MDB_val *val, void *arg)
{
    return catalog_origin_decode(val->mv_data, val->mv_size, arg);
}

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t *got;
} okey_copy_t;

static int take_okey(const MDB_val *val, void *arg)
{
    okey_copy_t *c = arg;

    if (val->mv_size > c->cap) {
        return -1;
    }
    memcpy(c->buf, val->mv_data, val->mv_size);
    *c->got = val->mv_size;
    return 0;
}

catalog_lookup_t catalog_reader_locator(catalog_reader_t *r, const char *guid, size_t len,
                                        catalog_origin_t *out, catalog_endpoint_query_t *ep,
                                        char *err, size_t errlen)
{
    char key_text[CATALOG_GUID_LEN + 1];
    catalog_lookup_t result;

    if (ep != NULL) {
        ep->result = CATALOG_NOT_FOUND;
    }
    if (catalog_guid_normalize(guid, len, key_text) != 0) {
        return CATALOG_NOT_FOUND;
    }
    result = begin_lookup(r, err, errlen);
    if (result != CATALOG_FOUND) {
        return result;
    }
    result = get_by_guid(r, r->origin, key_text, "origin", take_origin, out, err, errlen);
    if (ep != NULL && result != CATALOG_ERROR) {
        find_endpoint(r, ep, err, errlen);
    }
    mdb_txn_reset(r->txn);
    return result;
}

catalog_lookup_t catalog_reader_okey(catalog_reader_t *r, const char *guid, size_t len,
                                     uint8_t *buf, size_t cap, size_t *got, char *err,
                                     size_t errlen)
{
    char key_text[CATALOG_GUID_LEN + 1];
    okey_copy_t copy = { buf, cap, got };
    catalog_lookup_t result;

    if (catalog_guid_normalize(guid, len, key_text) != 0) {
        return CATALOG_NOT_FOUND;
    }
    result = begin_lookup(r, err, errlen);
    if (result != CATALOG_FOUND) {
        return result;
    }
    result = r->have_okeys
             ? get_by_guid(r, r->okeys, key_text, "key", take_okey, &copy, err, errlen)
             : CATALOG_NOT_FOUND;
    mdb_txn_reset(r->txn);
    return result;
}

catalog_lookup_t catalog_reader_ofile(catalog_reader_t *r, const char *key, size_t klen,
                                      catalog_ofile_t *out, char *err, size_t errlen)
{
    MDB_val k = { .mv_size = klen, .mv_data = (void *) key }, val;
    catalog_lookup_t result = begin_lookup(r, err, errlen);
    int rc;

    if (result != CATALOG_FOUND) {
        return result;
    }
    rc = r->have_ofiles ? mdb_get(r->txn, r->ofiles, &k, &val) : MDB_NOTFOUND;
    if (rc == MDB_NOTFOUND) {
        result = CATALOG_NOT_FOUND;
    } else if (rc != 0) {
        set_err(err, errlen, "catalog lookup", rc);
        result = CATALOG_ERROR;
    } else if (catalog_ofile_decode(val.mv_data, val.mv_size, out) != 0) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "catalog: malformed storage record for %.*s", (int) klen, key);
        }
        result = CATALOG_CORRUPT;
    }
    mdb_txn_reset(r->txn);
    return result;
}

catalog_lookup_t catalog_reader_ofilter(catalog_reader_t *r, const char *key, size_t klen,
                                        char *buf, size_t cap, size_t *got, char *err,
                                        size_t errlen)
{
    MDB_val k = { .mv_size = klen, .mv_data = (void *) key }, val;
    catalog_lookup_t result = begin_lookup(r, err, errlen);
    int rc;

    if (result != CATALOG_FOUND) {
        return result;
    }
    rc = r->have_ofilters ? mdb_get(r->txn, r->ofilters, &k, &val) : MDB_NOTFOUND;
    if (rc == MDB_NOTFOUND) {
        result = CATALOG_NOT_FOUND;
    } else if (rc != 0) {
        set_err(err, errlen, "catalog lookup", rc);
        result = CATALOG_ERROR;
    } else if (val.mv_size > cap) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "catalog: filter record %.*s is too long", (int) klen, key);
        }
        result = CATALOG_CORRUPT;
    } else {
        memcpy(buf, val.mv_data, val.mv_size);
        *got = val.mv_size;
    }
    mdb_txn_reset(r->txn);
    return result;
}
