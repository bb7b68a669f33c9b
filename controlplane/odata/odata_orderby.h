/*
 * odata_orderby.h — OData v3 $orderby ("Name desc, Created"): a comma list
 * of property paths, each optionally asc or desc, and the entity ordering
 * it defines for qsort-style sorting.
 */
#ifndef ODATA_ORDERBY_H
#define ODATA_ORDERBY_H

#include <stddef.h>

#include <jansson.h>

#include "odata/odata_error.h"

#define ODATA_ORDERBY_MAX_KEYS 32

typedef struct odata_orderby odata_orderby_t;

/* Parses $orderby text; NULL with a message in err on error (empty text,
 * a key that is not a property path, a word other than asc/desc after it,
 * more than ODATA_ORDERBY_MAX_KEYS keys, text over ODATA_QUERY_MAX_LENGTH). */
odata_orderby_t *odata_orderby_parse(const char *text, char *err, size_t errlen);

/* qsort-style comparison of two entities: negative if a sorts first.
 * Keys are compared in turn; ties on every key give 0.  Per key, ascending:
 * null/missing first, then booleans (false, true), then numbers (JSON
 * numbers and strings holding a number, such as Edm.Int64 values, compared
 * numerically), then ISO-8601 date strings (by instant), then other strings
 * (byte-wise), then objects/arrays (all equal).  This is a total preorder,
 * so sorting with it is well-defined. */
int odata_orderby_compare(const odata_orderby_t *o, const json_t *a, const json_t *b);

/* Calls fn for each key's property path, in order; stops at and returns the
 * first non-zero result, else 0. */
int odata_orderby_foreach_property(const odata_orderby_t *o, int (*fn)(const char *name, void *arg), void *arg);

void odata_orderby_free(odata_orderby_t *o);

#endif
