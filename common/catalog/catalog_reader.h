/*
 * catalog_reader.h — read-only access to the catalog for the origin: open the
 * LMDB environment without ever writing, look a locator up in one short read
 * transaction (MVCC snapshot, no locks taken against the writer).
 */
#ifndef CATALOG_READER_H
#define CATALOG_READER_H

#include "catalog_endpoint.h"
#include "catalog_origin.h"
#include "catalog_okey.h"
#include "catalog_ofile.h"
#include "catalog_ofilter.h"

typedef struct catalog_reader catalog_reader_t;

/* dir: the LMDB environment directory (<data_dir>/catalog). */
catalog_reader_t *catalog_reader_open(const char *dir, char *err, size_t errlen);
void catalog_reader_close(catalog_reader_t *r);

typedef enum {
    CATALOG_FOUND = 0,
    CATALOG_NOT_FOUND,
    CATALOG_CORRUPT,
    CATALOG_ERROR,
} catalog_lookup_t;

/* Which streaming endpoint a request reaches: in host (the Host header, any
 * case, port allowed) and alloc (memory for a copy of the record, which the
 * decoded policy pointers point into; NULL result = out of memory).  Out:
 * result FOUND with endpoint filled in, NOT_FOUND when no endpoint is
 * published (the origin then serves as if one were running, unrestricted),
 * CORRUPT or ERROR. */
typedef struct {
    const char *host;
    size_t      host_len;
    void     *(*alloc)(void *arg, size_t size);
    void       *alloc_arg;
    catalog_lookup_t   result;
    catalog_endpoint_t endpoint;
} catalog_endpoint_query_t;

/* guid: the locator GUID from the URL (any case, exactly 36 chars).  With
 * ep != NULL, the endpoint is looked up in the same read transaction. */
catalog_lookup_t catalog_reader_locator(catalog_reader_t *r, const char *guid, size_t len,
                                        catalog_origin_t *out, catalog_endpoint_query_t *ep,
                                        char *err, size_t errlen);

/* The endpoint alone (cross-site policy documents); returns ep->result. */
catalog_lookup_t catalog_reader_endpoint(catalog_reader_t *r, catalog_endpoint_query_t *ep,
                                         char *err, size_t errlen);

/* The sealed origin-key record of a content key (catalog_okey.h), copied
 * into buf (cap bytes, CATALOG_OKEY_MAX_SIZE is enough): FOUND with *got
 * set, NOT_FOUND, CORRUPT or ERROR.  guid: the key id's GUID, any case. */
catalog_lookup_t catalog_reader_okey(catalog_reader_t *r, const char *guid, size_t len,
                                     uint8_t *buf, size_t cap, size_t *got, char *err,
                                     size_t errlen);

/* The storage-encryption record of a file (catalog_ofile.h) under key
 * "<asset folder>/<name>": FOUND, NOT_FOUND (a clear file), CORRUPT or ERROR. */
catalog_lookup_t catalog_reader_ofile(catalog_reader_t *r, const char *key, size_t klen,
                                      catalog_ofile_t *out, char *err, size_t errlen);

/* The text of a manifest filter (catalog_ofilter.h) under key
 * "<scope>/<name>", copied into buf (cap bytes, CATALOG_OFILTER_MAX_SIZE is
 * enough): FOUND with *got set, NOT_FOUND, CORRUPT (too long) or ERROR. */
catalog_lookup_t catalog_reader_ofilter(catalog_reader_t *r, const char *key, size_t klen,
                                        char *buf, size_t cap, size_t *got, char *err,
                                        size_t errlen);

/* Lower-cases and checks a GUID "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
 * returns 0 if well-formed. out needs 37 bytes. */
int catalog_guid_normalize(const char *in, size_t len, char *out);

#endif
