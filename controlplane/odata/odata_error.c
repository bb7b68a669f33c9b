/*
 * odata_error.c — formats parse errors for 400 responses: the offending
 * token is quoted, shortened and stripped of non-printable bytes so the
 * message is safe to echo back.
 */
#include "odata/odata_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define QUOTE_MAX 24

void odata_error_set(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

bool odata_error_check_length(const char *text, const char *what, size_t *len, char *err, size_t errlen)
{
    if (text == NULL) {
        odata_error_set(err, errlen, "%s is missing", what);
        return false;
    }
    *len = strnlen(text, ODATA_QUERY_MAX_LENGTH + 1);
    if (*len > ODATA_QUERY_MAX_LENGTH) {
        odata_error_set(err, errlen, "%s too long (more than %d bytes)", what, ODATA_QUERY_MAX_LENGTH);
        return false;
    }
    return true;
}

/* 'text' of the token, at most QUOTE_MAX bytes, non-printables as '?'. */
static void describe_token(const odata_lexer_t *lx, char *out, size_t outlen)
{
    const odata_token_t *t = &lx->tok;
    if (t->kind == ODATA_TOK_END) {
        snprintf(out, outlen, "end of input");
        return;
    }
    size_t n = t->len < QUOTE_MAX ? t->len : QUOTE_MAX, k = 0;
    out[k++] = '\'';
    for (size_t i = 0; i < n && k + 5 < outlen; i++) {
        unsigned char c = (unsigned char) lx->text[t->pos + i];
        out[k++] = c >= 0x20 && c < 0x7f ? (char) c : '?';
    }
    if (n < t->len) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k++] = '\'';
    out[k] = '\0';
}

void odata_error_expected(const odata_lexer_t *lx, const char *expected, char *err, size_t errlen)
{
    const odata_token_t *t = &lx->tok;
    if (t->kind == ODATA_TOK_ERROR) {
        unsigned char c = t->pos < lx->len ? (unsigned char) lx->text[t->pos] : '?';
        if (strcmp(t->error, "unexpected character") == 0 && c >= 0x20 && c < 0x7f) {
            odata_error_set(err, errlen, "syntax error at position %zu: unexpected character '%c'", t->pos, c);
        } else {
            odata_error_set(err, errlen, "syntax error at position %zu: %s", t->pos, t->error);
        }
        return;
    }
    char found[QUOTE_MAX + 8];
    describe_token(lx, found, sizeof(found));
    odata_error_set(err, errlen, "syntax error at position %zu: %s but found %s", t->pos, expected, found);
}
