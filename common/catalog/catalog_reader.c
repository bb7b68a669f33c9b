/*
 * catalog_reader.c — the origin's read-only view of the catalog.  A reader
 * keeps one LMDB read transaction handle and renews it per lookup
 * (mdb_txn_renew is cheap and sees the latest committed write), so a change
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
    int      have_dbi;
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
    rc = mdb_txn_commit(txn);
    if (rc == 0) {
        r->have_dbi = 1;
    }
    return rc;
}

catalog_lookup_t catalog_reader_locator(catalog_reader_t *r, const char *guid, size_t len,
                                        catalog_origin_t *out, char *err, size_t errlen)
{
    char key_text[CATALOG_GUID_LEN + 1];
    MDB_val key, val;
    catalog_lookup_t result;
    int rc;

    if (catalog_guid_normalize(guid, len, key_text) != 0) {
        return CATALOG_NOT_FOUND;
    }
    rc = open_origin_dbi(r);
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
    key.mv_size = CATALOG_GUID_LEN;
    key.mv_data = key_text;
    rc = mdb_get(r->txn, r->origin, &key, &val);
    if (rc == MDB_NOTFOUND) {
        result = CATALOG_NOT_FOUND;
    } else if (rc != 0) {
        set_err(err, errlen, "catalog lookup", rc);
        result = CATALOG_ERROR;
    } else if (catalog_origin_decode(val.mv_data, val.mv_size, out) != 0) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "catalog: malformed origin record for %s", key_text);
        }
        result = CATALOG_CORRUPT;
    } else {
        result = CATALOG_FOUND;
    }
    mdb_txn_reset(r->txn);
    return result;
}
