/*
 * odata_select.h — OData v3 $select ("Id,Name" or "*"): which properties of
 * each entity a response carries.
 */
#ifndef ODATA_SELECT_H
#define ODATA_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "odata/odata_error.h"

typedef struct odata_select odata_select_t;

/* Parses a comma list of property names, or "*" (which may also appear in
 * the list and then selects everything); blanks around items are allowed.
 * NULL with a message in err for empty text, empty items, anything but
 * plain property names, or text over ODATA_QUERY_MAX_LENGTH. */
odata_select_t *odata_select_parse(const char *text, char *err, size_t errlen);

/* A new object holding the selected members of entity that it has (a
 * shallow copy of every member for "*"); the caller owns the reference.
 * NULL if entity is not an object (or s is NULL) or memory runs out. */
json_t *odata_select_apply(const odata_select_t *s, const json_t *entity);

/* True if the selection is "*". */
bool odata_select_is_all(const odata_select_t *s);

/* Calls fn for every selected name (not for "*"), in order; stops at and
 * returns the first non-zero result, else 0. */
int odata_select_foreach_property(const odata_select_t *s, int (*fn)(const char *name, void *arg), void *arg);

void odata_select_free(odata_select_t *s);

#endif
