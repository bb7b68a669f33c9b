/*
 * odata_filter.h — OData v3 $filter as AMS v2 clients send it: parse the
 * (URL-decoded) expression once, then test entities (JSON objects of their
 * properties) against it.  Pure library: no HTTP, no storage.
 */
#ifndef ODATA_FILTER_H
#define ODATA_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "odata/odata_error.h"   /* ODATA_QUERY_MAX_LENGTH, ODATA_QUERY_MAX_DEPTH */

typedef struct odata_filter odata_filter_t;

/* Parses an OData v3 $filter expression (already URL-decoded).  On error
 * returns NULL and writes a human-readable message into err (if err is not
 * NULL), e.g. "syntax error at position 12: expected ')' but found end of
 * input"; positions are 0-based byte offsets.  Expressions longer than
 * ODATA_QUERY_MAX_LENGTH bytes or nested deeper than ODATA_QUERY_MAX_DEPTH
 * are refused. */
odata_filter_t *odata_filter_parse(const char *text, char *err, size_t errlen);

/* True if the entity (a JSON object whose members are the entity's
 * properties) matches: the expression evaluates to true (not false, not
 * null).  Missing properties are null; comparisons between values that
 * cannot be compared are false. */
bool odata_filter_match(const odata_filter_t *f, const json_t *entity);

/* Calls fn for every property path the expression references, once per
 * occurrence, left to right, as written ("Name", or "Storage/Account" for a
 * member of a complex property); stops and returns the first non-zero fn
 * result, else 0. */
int odata_filter_foreach_property(const odata_filter_t *f, int (*fn)(const char *name, void *arg), void *arg);

void odata_filter_free(odata_filter_t *f);

#endif
