/*
 * odata_value.h — the typed values $filter and $orderby compute with, how
 * entity JSON becomes one, and the comparison rules shared by both: numbers
 * compare exactly across integer/real, Edm.Int64 (and Decimal) values stored
 * as JSON strings compare numerically against numbers, ISO-8601 strings
 * compare as instants against datetime'…', strings compare byte-wise.
 */
#ifndef ODATA_VALUE_H
#define ODATA_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef enum {
    ODATA_VALUE_NULL,      /* null literal, JSON null, missing property */
    ODATA_VALUE_BOOL,
    ODATA_VALUE_INT,       /* int64 */
    ODATA_VALUE_REAL,      /* double (also Edm.Decimal, which we keep as double) */
    ODATA_VALUE_STRING,
    ODATA_VALUE_DATETIME,  /* instant, 100-ns ticks since the Unix epoch */
    ODATA_VALUE_GUID,      /* text of a guid'…' literal */
    ODATA_VALUE_OTHER      /* JSON object or array: only ever null-unequal */
} odata_value_kind_t;

/* str/len are used by STRING and GUID; str points into the entity, the
 * expression, or owned (then release the value with odata_value_release). */
typedef struct {
    odata_value_kind_t kind;
    bool boolean;
    int64_t integer;
    double real;
    int64_t ticks;
    const char *str;
    size_t len;
    char *owned;
} odata_value_t;

typedef enum {
    ODATA_ORDER_LESS,
    ODATA_ORDER_EQUAL,
    ODATA_ORDER_GREATER,
    ODATA_ORDER_UNEQUAL,       /* null against a non-null value: ne holds, no order */
    ODATA_ORDER_INCOMPARABLE   /* type mismatch (or NaN): every comparison is false */
} odata_order_t;

odata_value_t odata_value_null(void);
odata_value_t odata_value_bool(bool b);
odata_value_t odata_value_int(int64_t i);
odata_value_t odata_value_real(double d);
/* Borrows s (must outlive the value). */
odata_value_t odata_value_string(const char *s, size_t len);
/* Takes ownership of a malloc'd buffer of len bytes. */
odata_value_t odata_value_owned_string(char *s, size_t len);

/* A view of a JSON value: strings are borrowed from the JSON. */
odata_value_t odata_value_from_json(const json_t *json);

void odata_value_release(odata_value_t *v);

/* Strict number text, as Int64/Decimal values are stored: "-?digits(.digits)?".
 * Integers that fit become INT, others REAL.  False for anything else. */
bool odata_number_from_text(const char *s, size_t len, odata_value_t *out);

/* Converts number text already checked by the caller (digits, sign, '.',
 * exponent): INT if integral and within int64, else REAL.  False only when
 * out of memory. */
bool odata_number_convert(const char *s, size_t len, bool integral, odata_value_t *out);

/* Converts v to INT or REAL when it is one or a string holding a number. */
bool odata_value_as_number(const odata_value_t *v, odata_value_t *out);

/* Converts v to an instant when it is a DATETIME or an ISO-8601 string. */
bool odata_value_as_ticks(const odata_value_t *v, int64_t *ticks);

/* The comparison $filter's eq/ne/gt/ge/lt/le use. */
odata_order_t odata_value_compare(const odata_value_t *a, const odata_value_t *b);

/* Exact comparison of two INT/REAL values (-1, 0, 1); ODATA_ORDER_INCOMPARABLE on NaN. */
odata_order_t odata_number_compare(const odata_value_t *a, const odata_value_t *b);

/* Byte-wise (ordinal) string order: -1, 0, 1. */
int odata_bytes_compare(const char *a, size_t alen, const char *b, size_t blen);

#endif
