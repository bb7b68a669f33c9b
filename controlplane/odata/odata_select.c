/*
 * odata_select.c — parses $select into a list of property names (or "all")
 * and projects entities onto it.
 */
#include "odata/odata_select.h"

#include <stdlib.h>
#include <string.h>

#include "odata/odata_lexer.h"

struct odata_select {
    bool all;
    size_t count;
    char **names;
};

static odata_select_t *fail(odata_select_t *s, const odata_lexer_t *lx, const char *expected, char *err,
                            size_t errlen)
{
    odata_error_expected(lx, expected, err, errlen);
    odata_select_free(s);
    return NULL;
}

static bool add_name(odata_select_t *s, const odata_lexer_t *lx)
{
    char *name = strndup(odata_lexer_token_text(lx), lx->tok.len);
    char **grown = name ? realloc(s->names, (s->count + 1) * sizeof(*grown)) : NULL;
    if (grown == NULL) {
        free(name);
        return false;
    }
    s->names = grown;
    s->names[s->count++] = name;
    return true;
}

/* one item: a name or '*' */
static bool parse_item(odata_select_t *s, odata_lexer_t *lx, bool *oom)
{
    if (lx->tok.kind == ODATA_TOK_STAR) {
        s->all = true;
    } else if (lx->tok.kind != ODATA_TOK_IDENT) {
        return false;
    } else if (!add_name(s, lx)) {
        *oom = true;
        return false;
    }
    odata_lexer_advance(lx);
    return true;
}

odata_select_t *odata_select_parse(const char *text, char *err, size_t errlen)
{
    size_t len;
    bool oom = false;
    odata_lexer_t lx;
    if (!odata_error_check_length(text, "$select", &len, err, errlen)) {
        return NULL;
    }
    odata_select_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        odata_error_set(err, errlen, "out of memory");
        return NULL;
    }
    odata_lexer_init(&lx, text, len);
    for (;;) {
        if (!parse_item(s, &lx, &oom)) {
            return fail(s, &lx, oom ? "out of memory" : "expected a property name or '*'", err, errlen);
        }
        if (lx.tok.kind == ODATA_TOK_END) {
            return s;
        }
        if (lx.tok.kind != ODATA_TOK_COMMA) {
            return fail(s, &lx, "expected ',' or the end", err, errlen);
        }
        odata_lexer_advance(&lx);
    }
}

json_t *odata_select_apply(const odata_select_t *s, const json_t *entity)
{
    if (s == NULL || !json_is_object(entity)) {
        return NULL;
    }
    if (s->all) {
        return json_copy((json_t *) entity);
    }
    json_t *out = json_object();
    for (size_t i = 0; out != NULL && i < s->count; i++) {
        json_t *v = json_object_get(entity, s->names[i]);
        if (v != NULL && json_object_set(out, s->names[i], v) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

bool odata_select_is_all(const odata_select_t *s)
{
    return s != NULL && s->all;
}

int odata_select_foreach_property(const odata_select_t *s, int (*fn)(const char *name, void *arg), void *arg)
{
    for (size_t i = 0; s != NULL && i < s->count; i++) {
        int rc = fn(s->names[i], arg);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

void odata_select_free(odata_select_t *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->count; i++) {
        free(s->names[i]);
    }
    free(s->names);
    free(s);
}
