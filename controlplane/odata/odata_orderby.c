/*
 * odata_orderby.c — parses $orderby into (path, direction) keys and compares
 * entities by them.  Each value is first classified (null, boolean, number,
 * instant, string, other) so that strings holding Int64 numbers or ISO-8601
 * dates sort by value while the ordering stays total.
 */
#include "odata/odata_orderby.h"

#include <stdlib.h>

#include "odata/odata_datetime.h"
#include "odata/odata_lexer.h"
#include "odata/odata_path.h"
#include "odata/odata_value.h"

typedef struct {
    char *path;
    bool descending;
} orderby_key_t;

struct odata_orderby {
    size_t count;
    orderby_key_t keys[ODATA_ORDERBY_MAX_KEYS];
};

/* ---- parsing ---- */

static odata_orderby_t *fail(odata_orderby_t *o, const odata_lexer_t *lx, const char *expected, char *err,
                             size_t errlen)
{
    odata_error_expected(lx, expected, err, errlen);
    odata_orderby_free(o);
    return NULL;
}

/* path [asc|desc] — the lexer is on the path's first identifier */
static bool parse_key(odata_lexer_t *lx, orderby_key_t *key, const char **error)
{
    key->path = odata_path_read(lx, error);
    if (key->path == NULL) {
        return false;
    }
    key->descending = odata_lexer_at_word(lx, "desc");
    if (key->descending || odata_lexer_at_word(lx, "asc")) {
        odata_lexer_advance(lx);
    }
    return true;
}

odata_orderby_t *odata_orderby_parse(const char *text, char *err, size_t errlen)
{
    size_t len;
    const char *error;
    odata_lexer_t lx;
    if (!odata_error_check_length(text, "$orderby", &len, err, errlen)) {
        return NULL;
    }
    odata_orderby_t *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        odata_error_set(err, errlen, "out of memory");
        return NULL;
    }
    odata_lexer_init(&lx, text, len);
    for (;;) {
        if (lx.tok.kind != ODATA_TOK_IDENT) {
            return fail(o, &lx, "expected a property name", err, errlen);
        }
        if (o->count == ODATA_ORDERBY_MAX_KEYS) {
            odata_error_set(err, errlen, "syntax error at position %zu: too many $orderby keys (limit %d)",
                            lx.tok.pos, ODATA_ORDERBY_MAX_KEYS);
            odata_orderby_free(o);
            return NULL;
        }
        if (!parse_key(&lx, &o->keys[o->count], &error)) {
            return fail(o, &lx, error, err, errlen);
        }
        o->count++;
        if (lx.tok.kind == ODATA_TOK_END) {
            return o;
        }
        if (lx.tok.kind != ODATA_TOK_COMMA) {
            return fail(o, &lx, "expected 'asc', 'desc', ',' or the end", err, errlen);
        }
        odata_lexer_advance(&lx);
    }
}

/* ---- comparison ---- */

typedef enum { RANK_NULL, RANK_BOOL, RANK_NUMBER, RANK_INSTANT, RANK_STRING, RANK_OTHER } rank_t;

typedef struct {
    rank_t rank;
    odata_value_t value;   /* NUMBER: INT/REAL; INSTANT: ticks; STRING/BOOL as read */
} sort_key_t;

static sort_key_t classify(const json_t *json)
{
    sort_key_t k = { RANK_OTHER, odata_value_from_json(json) };
    switch (k.value.kind) {
    case ODATA_VALUE_NULL:
        k.rank = RANK_NULL;
        break;
    case ODATA_VALUE_BOOL:
        k.rank = RANK_BOOL;
        break;
    case ODATA_VALUE_INT:
    case ODATA_VALUE_REAL:
        k.rank = RANK_NUMBER;
        break;
    case ODATA_VALUE_STRING:
        if (odata_number_from_text(k.value.str, k.value.len, &k.value)) {
            k.rank = RANK_NUMBER;
        } else if (odata_datetime_parse(k.value.str, k.value.len, &k.value.ticks)) {
            k.rank = RANK_INSTANT;
        } else {
            k.rank = RANK_STRING;
        }
        break;
    default:
        break;
    }
    return k;
}

static int compare_values(const json_t *ja, const json_t *jb)
{
    sort_key_t a = classify(ja), b = classify(jb);
    if (a.rank != b.rank) {
        return a.rank < b.rank ? -1 : 1;
    }
    switch (a.rank) {
    case RANK_BOOL:
        return (int) a.value.boolean - (int) b.value.boolean;
    case RANK_NUMBER: {
        odata_order_t order = odata_number_compare(&a.value, &b.value);
        return order == ODATA_ORDER_LESS ? -1 : order == ODATA_ORDER_GREATER ? 1 : 0;
    }
    case RANK_INSTANT:
        return (a.value.ticks > b.value.ticks) - (a.value.ticks < b.value.ticks);
    case RANK_STRING:
        return odata_bytes_compare(a.value.str, a.value.len, b.value.str, b.value.len);
    default:
        return 0;
    }
}

int odata_orderby_compare(const odata_orderby_t *o, const json_t *a, const json_t *b)
{
    for (size_t i = 0; o != NULL && i < o->count; i++) {
        const char *path = o->keys[i].path;
        int c = compare_values(odata_path_lookup(a, path), odata_path_lookup(b, path));
        if (c != 0) {
            return o->keys[i].descending ? -c : c;
        }
    }
    return 0;
}

int odata_orderby_foreach_property(const odata_orderby_t *o, int (*fn)(const char *name, void *arg), void *arg)
{
    for (size_t i = 0; o != NULL && i < o->count; i++) {
        int rc = fn(o->keys[i].path, arg);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

void odata_orderby_free(odata_orderby_t *o)
{
    if (o == NULL) {
        return;
    }
    for (size_t i = 0; i < o->count; i++) {
        free(o->keys[i].path);
    }
    free(o);
}
