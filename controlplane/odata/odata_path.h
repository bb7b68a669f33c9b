/*
 * odata_path.h — property paths of query options: `Name`, or `A/B` for a
 * member of a complex property; read from the token stream and resolved
 * against an entity (a JSON object of its properties).
 */
#ifndef ODATA_PATH_H
#define ODATA_PATH_H

#include <jansson.h>

#include "odata/odata_lexer.h"

/* The lexer is on an identifier: consumes IDENT ('/' IDENT)* and returns the
 * path as written ("A/B"), malloc'd.  NULL with *error set ("expected a
 * property name after '/'" or "out of memory"); the lexer is then at the
 * offending token. */
char *odata_path_read(odata_lexer_t *lx, const char **error);

/* The value the path names in entity, or NULL when a segment is missing or
 * an intermediate value is not an object (callers treat NULL as null). */
const json_t *odata_path_lookup(const json_t *entity, const char *path);

#endif
