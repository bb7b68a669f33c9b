/*
 * odata_value.c — construction of query values (from literals, results and
 * entity JSON), strict number/date coercion of strings, and the comparison
 * rules of $filter.  Integer/real comparison is exact so that orderings
 * built on it stay transitive.
 */
#include "odata/odata_value.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "odata/odata_datetime.h"

static odata_value_t make(odata_value_kind_t kind)
{
    odata_value_t v;
    memset(&v, 0, sizeof(v));
    v.kind = kind;
    return v;
}

odata_value_t odata_value_null(void)
{
    return make(ODATA_VALUE_NULL);
}

odata_value_t odata_value_bool(bool b)
{
    odata_value_t v = make(ODATA_VALUE_BOOL);
    v.boolean = b;
    return v;
}

odata_value_t odata_value_int(int64_t i)
{
    odata_value_t v = make(ODATA_VALUE_INT);
    v.integer = i;
    return v;
}

odata_value_t odata_value_real(double d)
{
    odata_value_t v = make(ODATA_VALUE_REAL);
    v.real = d;
    return v;
}

odata_value_t odata_value_string(const char *s, size_t len)
{
    odata_value_t v = make(ODATA_VALUE_STRING);
    v.str = s;
    v.len = len;
    return v;
}

odata_value_t odata_value_owned_string(char *s, size_t len)
{
    odata_value_t v = odata_value_string(s, len);
    v.owned = s;
    return v;
}

odata_value_t odata_value_from_json(const json_t *json)
{
    switch (json ? json_typeof(json) : JSON_NULL) {
    case JSON_STRING:
        return odata_value_string(json_string_value(json), json_string_length(json));
    case JSON_INTEGER:
        return odata_value_int((int64_t) json_integer_value(json));
    case JSON_REAL:
        return odata_value_real(json_real_value(json));
    case JSON_TRUE:
        return odata_value_bool(true);
    case JSON_FALSE:
        return odata_value_bool(false);
    case JSON_OBJECT:
    case JSON_ARRAY:
        return make(ODATA_VALUE_OTHER);
    default:
        return odata_value_null();
    }
}

void odata_value_release(odata_value_t *v)
{
    free(v->owned);
    *v = odata_value_null();
}

static size_t count_digits(const char *s, size_t len, size_t pos)
{
    size_t start = pos;
    while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
        pos++;
    }
    return pos - start;
}

bool odata_number_convert(const char *s, size_t len, bool integral, odata_value_t *out)
{
    char buf[64];
    if (len >= sizeof(buf)) {
        /* only very long digit strings get here: too big for int64 anyway */
        char *copy = strndup(s, len);
        if (copy == NULL) {
            return false;
        }
        *out = odata_value_real(strtod(copy, NULL));
        free(copy);
        return true;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (integral) {
        errno = 0;
        long long i = strtoll(buf, NULL, 10);
        if (errno == 0) {
            *out = odata_value_int(i);
            return true;
        }
    }
    *out = odata_value_real(strtod(buf, NULL));
    return true;
}

bool odata_number_from_text(const char *s, size_t len, odata_value_t *out)
{
    size_t pos = (len > 0 && s[0] == '-') ? 1 : 0;
    size_t whole = count_digits(s, len, pos);
    if (whole == 0) {
        return false;
    }
    pos += whole;
    bool integral = pos == len;
    if (!integral) {
        if (s[pos] != '.') {
            return false;
        }
        size_t frac = count_digits(s, len, pos + 1);
        if (frac == 0 || pos + 1 + frac != len) {
            return false;
        }
    }
    return odata_number_convert(s, len, integral, out);
}

bool odata_value_as_number(const odata_value_t *v, odata_value_t *out)
{
    switch (v->kind) {
    case ODATA_VALUE_INT:
    case ODATA_VALUE_REAL:
        *out = *v;
        out->owned = NULL;
        return true;
    case ODATA_VALUE_STRING:
        return odata_number_from_text(v->str, v->len, out);
    default:
        return false;
    }
}

bool odata_value_as_ticks(const odata_value_t *v, int64_t *ticks)
{
    if (v->kind == ODATA_VALUE_DATETIME) {
        *ticks = v->ticks;
        return true;
    }
    return v->kind == ODATA_VALUE_STRING && odata_datetime_parse(v->str, v->len, ticks);
}

static odata_order_t order_of(int c)
{
    return c < 0 ? ODATA_ORDER_LESS : c > 0 ? ODATA_ORDER_GREATER : ODATA_ORDER_EQUAL;
}

/* Exact: an int64 against a double, without rounding the int64. */
static int compare_int_real(int64_t i, double d)
{
    if (d >= 9223372036854775808.0) {
        return -1;
    }
    if (d < -9223372036854775808.0) {
        return 1;
    }
    double whole = trunc(d);
    int64_t t = (int64_t) whole;
    if (i != t) {
        return i < t ? -1 : 1;
    }
    return d > whole ? -1 : d < whole ? 1 : 0;
}

odata_order_t odata_number_compare(const odata_value_t *a, const odata_value_t *b)
{
    bool a_int = a->kind == ODATA_VALUE_INT, b_int = b->kind == ODATA_VALUE_INT;
    if ((!a_int && isnan(a->real)) || (!b_int && isnan(b->real))) {
        return ODATA_ORDER_INCOMPARABLE;
    }
    if (a_int && b_int) {
        return order_of((a->integer > b->integer) - (a->integer < b->integer));
    }
    if (a_int) {
        return order_of(compare_int_real(a->integer, b->real));
    }
    if (b_int) {
        return order_of(-compare_int_real(b->integer, a->real));
    }
    return order_of((a->real > b->real) - (a->real < b->real));
}

int odata_bytes_compare(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0) {
        return c < 0 ? -1 : 1;
    }
    return (alen > blen) - (alen < blen);
}

/* Guids compare by value: their text, ignoring case. */
static int compare_guid_text(const odata_value_t *a, const odata_value_t *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? strncasecmp(a->str, b->str, n) : 0;
    if (c != 0) {
        return c < 0 ? -1 : 1;
    }
    return (a->len > b->len) - (a->len < b->len);
}

static bool is_kind(const odata_value_t *a, const odata_value_t *b, odata_value_kind_t kind)
{
    return a->kind == kind || b->kind == kind;
}

static odata_order_t compare_numbers(const odata_value_t *a, const odata_value_t *b)
{
    odata_value_t x, y;
    if (!odata_value_as_number(a, &x) || !odata_value_as_number(b, &y)) {
        return ODATA_ORDER_INCOMPARABLE;
    }
    return odata_number_compare(&x, &y);
}

static odata_order_t compare_instants(const odata_value_t *a, const odata_value_t *b)
{
    int64_t x, y;
    if (!odata_value_as_ticks(a, &x) || !odata_value_as_ticks(b, &y)) {
        return ODATA_ORDER_INCOMPARABLE;
    }
    return order_of((x > y) - (x < y));
}

static bool is_text(const odata_value_t *v)
{
    return v->kind == ODATA_VALUE_STRING || v->kind == ODATA_VALUE_GUID;
}

odata_order_t odata_value_compare(const odata_value_t *a, const odata_value_t *b)
{
    if (is_kind(a, b, ODATA_VALUE_NULL)) {
        return a->kind == b->kind ? ODATA_ORDER_EQUAL : ODATA_ORDER_UNEQUAL;
    }
    if (is_kind(a, b, ODATA_VALUE_OTHER)) {
        return ODATA_ORDER_INCOMPARABLE;
    }
    if (a->kind == ODATA_VALUE_BOOL || b->kind == ODATA_VALUE_BOOL) {
        if (a->kind != b->kind) {
            return ODATA_ORDER_INCOMPARABLE;
        }
        return order_of((int) a->boolean - (int) b->boolean);
    }
    if (is_kind(a, b, ODATA_VALUE_INT) || is_kind(a, b, ODATA_VALUE_REAL)) {
        return compare_numbers(a, b);
    }
    if (is_kind(a, b, ODATA_VALUE_DATETIME)) {
        return compare_instants(a, b);
    }
    if (is_kind(a, b, ODATA_VALUE_GUID)) {
        return is_text(a) && is_text(b) ? order_of(compare_guid_text(a, b)) : ODATA_ORDER_INCOMPARABLE;
    }
    return order_of(odata_bytes_compare(a->str, a->len, b->str, b->len));
}
