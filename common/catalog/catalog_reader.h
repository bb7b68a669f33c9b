/*
 * catalog_reader.h — read-only access to the catalog for the origin: open the
 * LMDB environment without ever writing, look a locator up in one short read
 * transaction (MVCC snapshot, no locks taken against the writer).
 */
#ifndef CATALOG_READER_H
#define CATALOG_READER_H

#include "catalog_origin.h"

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

/* guid: the locator GUID from the URL (any case, exactly 36 chars). */
catalog_lookup_t catalog_reader_locator(catalog_reader_t *r, const char *guid, size_t len,
                                        catalog_origin_t *out, char *err, size_t errlen);

/* Lower-cases and checks a GUID "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
 * returns 0 if well-formed. out needs 37 bytes. */
int catalog_guid_normalize(const char *in, size_t len, char *out);

#endif
