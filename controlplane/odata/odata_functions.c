/*
 * odata_functions.c — signature table and evaluation of the $filter built-in
 * functions (string predicates, string transforms, length/indexof/substring
 * in characters, and the UTC date parts of an instant).  Case mapping and
 * trimming are ASCII-only.
 */
#include "odata/odata_functions.h"

#include <stdlib.h>
#include <string.h>

#include "odata/odata_datetime.h"
#include "odata/odata_text.h"

#define S ODATA_TYPE_STRING
#define N ODATA_TYPE_NUMBER
#define D ODATA_TYPE_DATETIME
#define B ODATA_TYPE_BOOL

static const odata_function_t functions[] = {
    { "startswith", ODATA_FN_STARTSWITH, 2, 2, { S, S }, B },
    { "endswith", ODATA_FN_ENDSWITH, 2, 2, { S, S }, B },
    { "substringof", ODATA_FN_SUBSTRINGOF, 2, 2, { S, S }, B },
    { "tolower", ODATA_FN_TOLOWER, 1, 1, { S }, S },
    { "toupper", ODATA_FN_TOUPPER, 1, 1, { S }, S },
    { "length", ODATA_FN_LENGTH, 1, 1, { S }, N },
    { "indexof", ODATA_FN_INDEXOF, 2, 2, { S, S }, N },
    { "trim", ODATA_FN_TRIM, 1, 1, { S }, S },
    { "concat", ODATA_FN_CONCAT, 2, 2, { S, S }, S },
    { "substring", ODATA_FN_SUBSTRING, 2, 3, { S, N, N }, S },
    { "year", ODATA_FN_YEAR, 1, 1, { D }, N },
    { "month", ODATA_FN_MONTH, 1, 1, { D }, N },
    { "day", ODATA_FN_DAY, 1, 1, { D }, N },
    { "hour", ODATA_FN_HOUR, 1, 1, { D }, N },
    { "minute", ODATA_FN_MINUTE, 1, 1, { D }, N },
    { "second", ODATA_FN_SECOND, 1, 1, { D }, N },
};

#undef S
#undef N
#undef D
#undef B

const odata_function_t *odata_function_find(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
        if (strlen(functions[i].name) == len && memcmp(functions[i].name, name, len) == 0) {
            return &functions[i];
        }
    }
    return NULL;
}

static bool is_text(const odata_value_t *v)
{
    return v->kind == ODATA_VALUE_STRING || v->kind == ODATA_VALUE_GUID;
}

static bool has_prefix(const odata_value_t *s, const odata_value_t *p)
{
    return p->len <= s->len && memcmp(s->str, p->str, p->len) == 0;
}

static bool has_suffix(const odata_value_t *s, const odata_value_t *p)
{
    return p->len <= s->len && memcmp(s->str + s->len - p->len, p->str, p->len) == 0;
}

static odata_value_t text_predicate(odata_function_id_t id, const odata_value_t *a, const odata_value_t *b)
{
    switch (id) {
    case ODATA_FN_STARTSWITH:
        return odata_value_bool(has_prefix(a, b));
    case ODATA_FN_ENDSWITH:
        return odata_value_bool(has_suffix(a, b));
    default: /* substringof(needle, haystack) */
        return odata_value_bool(odata_text_find(b->str, b->len, a->str, a->len) >= 0);
    }
}

static odata_value_t copy_text(const char *s, size_t len, int (*map)(int))
{
    char *out = malloc(len + 1);
    if (out == NULL) {
        return odata_value_null();
    }
    for (size_t i = 0; i < len; i++) {
        out[i] = map ? (char) map((unsigned char) s[i]) : s[i];
    }
    out[len] = '\0';
    return odata_value_owned_string(out, len);
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int ascii_upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 32 : c;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static odata_value_t trim(const odata_value_t *s)
{
    size_t start = 0, end = s->len;
    while (start < end && is_blank(s->str[start])) {
        start++;
    }
    while (end > start && is_blank(s->str[end - 1])) {
        end--;
    }
    return copy_text(s->str + start, end - start, NULL);
}

static odata_value_t concat(const odata_value_t *a, const odata_value_t *b)
{
    char *out = malloc(a->len + b->len + 1);
    if (out == NULL) {
        return odata_value_null();
    }
    memcpy(out, a->str, a->len);
    memcpy(out + a->len, b->str, b->len);
    out[a->len + b->len] = '\0';
    return odata_value_owned_string(out, a->len + b->len);
}

static odata_value_t index_of(const odata_value_t *s, const odata_value_t *needle)
{
    long at = odata_text_find(s->str, s->len, needle->str, needle->len);
    return odata_value_int(at < 0 ? -1 : (int64_t) odata_text_char_count(s->str, (size_t) at));
}

/* substring(s, start[, length]) in characters; clamped to the string, null
 * for negative arguments. */
static odata_value_t substring(const odata_value_t *args, size_t nargs)
{
    odata_value_t start, count = odata_value_int(INT64_MAX);
    if (!odata_value_as_number(&args[1], &start) || start.kind != ODATA_VALUE_INT ||
        (nargs == 3 && (!odata_value_as_number(&args[2], &count) || count.kind != ODATA_VALUE_INT)) ||
        start.integer < 0 || count.integer < 0) {
        return odata_value_null();
    }
    const odata_value_t *s = &args[0];
    size_t from = odata_text_byte_offset(s->str, s->len, (size_t) start.integer);
    size_t to = from + odata_text_byte_offset(s->str + from, s->len - from, (size_t) count.integer);
    return copy_text(s->str + from, to - from, NULL);
}

static odata_value_t text_function(odata_function_id_t id, const odata_value_t *args, size_t nargs)
{
    switch (id) {
    case ODATA_FN_STARTSWITH:
    case ODATA_FN_ENDSWITH:
    case ODATA_FN_SUBSTRINGOF:
        return is_text(&args[1]) ? text_predicate(id, &args[0], &args[1]) : odata_value_null();
    case ODATA_FN_TOLOWER:
        return copy_text(args[0].str, args[0].len, ascii_lower);
    case ODATA_FN_TOUPPER:
        return copy_text(args[0].str, args[0].len, ascii_upper);
    case ODATA_FN_LENGTH:
        return odata_value_int((int64_t) odata_text_char_count(args[0].str, args[0].len));
    case ODATA_FN_INDEXOF:
        return is_text(&args[1]) ? index_of(&args[0], &args[1]) : odata_value_null();
    case ODATA_FN_TRIM:
        return trim(&args[0]);
    case ODATA_FN_CONCAT:
        return is_text(&args[1]) ? concat(&args[0], &args[1]) : odata_value_null();
    default:
        return substring(args, nargs);
    }
}

static odata_value_t date_part(odata_function_id_t id, const odata_value_t *arg)
{
    int64_t ticks;
    odata_datetime_fields_t f;
    if (!odata_value_as_ticks(arg, &ticks)) {
        return odata_value_null();
    }
    odata_datetime_split(ticks, &f);
    switch (id) {
    case ODATA_FN_YEAR:
        return odata_value_int(f.year);
    case ODATA_FN_MONTH:
        return odata_value_int(f.month);
    case ODATA_FN_DAY:
        return odata_value_int(f.day);
    case ODATA_FN_HOUR:
        return odata_value_int(f.hour);
    case ODATA_FN_MINUTE:
        return odata_value_int(f.minute);
    default:
        return odata_value_int(f.second);
    }
}

odata_value_t odata_function_call(odata_function_id_t id, const odata_value_t *args, size_t nargs)
{
    for (size_t i = 0; i < nargs; i++) {
        if (args[i].kind == ODATA_VALUE_NULL) {
            return odata_value_null();
        }
    }
    if (id >= ODATA_FN_YEAR) {
        return date_part(id, &args[0]);
    }
    return is_text(&args[0]) ? text_function(id, args, nargs) : odata_value_null();
}
