/*
 * odata_functions.h — the built-in functions of OData v3 $filter that AMS
 * clients use: their signatures (for the parser's arity and type checks)
 * and their evaluation.
 */
#ifndef ODATA_FUNCTIONS_H
#define ODATA_FUNCTIONS_H

#include "odata/odata_ast.h"

#define ODATA_FUNCTION_MAX_ARGS 3

typedef enum {
    ODATA_FN_STARTSWITH,
    ODATA_FN_ENDSWITH,
    ODATA_FN_SUBSTRINGOF,   /* v3 order: substringof(needle, haystack) */
    ODATA_FN_TOLOWER,
    ODATA_FN_TOUPPER,
    ODATA_FN_LENGTH,
    ODATA_FN_INDEXOF,
    ODATA_FN_TRIM,
    ODATA_FN_CONCAT,
    ODATA_FN_SUBSTRING,     /* substring(s, start[, length]) */
    ODATA_FN_YEAR,
    ODATA_FN_MONTH,
    ODATA_FN_DAY,
    ODATA_FN_HOUR,
    ODATA_FN_MINUTE,
    ODATA_FN_SECOND
} odata_function_id_t;

typedef struct {
    const char *name;
    odata_function_id_t id;
    unsigned min_args, max_args;
    odata_type_t arg_types[ODATA_FUNCTION_MAX_ARGS];
    odata_type_t result;
} odata_function_t;

/* The function called name[0..len) (case-sensitive), or NULL. */
const odata_function_t *odata_function_find(const char *name, size_t len);

/* Applies a function to evaluated arguments.  A null argument, or one of a
 * type the function cannot use, gives null; so does running out of memory. */
odata_value_t odata_function_call(odata_function_id_t id, const odata_value_t *args, size_t nargs);

#endif
