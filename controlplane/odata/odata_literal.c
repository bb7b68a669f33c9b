/*
 * odata_literal.c — converts literal tokens to values: unescapes strings,
 * range-checks integers, parses datetime'…' to an instant and checks the
 * shape of guid'…'.
 */
#include "odata/odata_literal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "odata/odata_datetime.h"

static bool read_string(const odata_lexer_t *lx, odata_value_t *out, char *error, size_t errlen)
{
    size_t len;
    char *s = odata_lexer_unescape(lx->text + lx->tok.body_pos, lx->tok.body_len, &len);
    if (s == NULL) {
        snprintf(error, errlen, "out of memory");
        return false;
    }
    *out = odata_value_owned_string(s, len);
    return true;
}

static bool read_number(const odata_lexer_t *lx, odata_value_t *out, char *error, size_t errlen)
{
    const char *s = odata_lexer_token_text(lx);
    size_t len = lx->tok.len;
    char suffix = strchr("LlMmDdFf", s[len - 1]) ? (char) toupper((unsigned char) s[len - 1]) : 0;
    size_t digits = suffix ? len - 1 : len;
    bool integral = memchr(s, '.', digits) == NULL && memchr(s, 'e', digits) == NULL &&
                    memchr(s, 'E', digits) == NULL;
    if (suffix == 'L' && !integral) {
        snprintf(error, errlen, "malformed number");
        return false;
    }
    if (!odata_number_convert(s, digits, integral && (suffix == 0 || suffix == 'L'), out)) {
        snprintf(error, errlen, "out of memory");
        return false;
    }
    if (suffix == 'L' && out->kind != ODATA_VALUE_INT) {
        snprintf(error, errlen, "integer literal out of range");
        return false;
    }
    return true;
}

static bool is_prefix(const odata_lexer_t *lx, const char *prefix)
{
    size_t len = lx->tok.body_pos - 1 - lx->tok.pos;
    return strlen(prefix) == len && strncasecmp(odata_lexer_token_text(lx), prefix, len) == 0;
}

/* 8-4-4-4-12 hexadecimal digits */
static bool is_guid(const char *s, size_t len)
{
    if (len != 36) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char) s[i])) {
            return false;
        }
    }
    return true;
}

static bool read_typed(const odata_lexer_t *lx, odata_value_t *out, char *error, size_t errlen)
{
    const char *body = lx->text + lx->tok.body_pos;
    size_t len = lx->tok.body_len;
    if (is_prefix(lx, "datetime") || is_prefix(lx, "datetimeoffset")) {
        *out = odata_value_null();
        out->kind = ODATA_VALUE_DATETIME;
        if (!odata_datetime_parse(body, len, &out->ticks)) {
            snprintf(error, errlen, "invalid datetime literal");
            return false;
        }
        return true;
    }
    if (is_prefix(lx, "guid")) {
        if (!is_guid(body, len)) {
            snprintf(error, errlen, "invalid guid literal");
            return false;
        }
        if (!read_string(lx, out, error, errlen)) {
            return false;
        }
        out->kind = ODATA_VALUE_GUID;
        return true;
    }
    snprintf(error, errlen, "unsupported literal type '%.*s'", (int) (lx->tok.body_pos - 1 - lx->tok.pos),
             odata_lexer_token_text(lx));
    return false;
}

bool odata_literal_read(const odata_lexer_t *lx, odata_value_t *out, char *error, size_t errlen)
{
    switch (lx->tok.kind) {
    case ODATA_TOK_STRING:
        return read_string(lx, out, error, errlen);
    case ODATA_TOK_NUMBER:
        return read_number(lx, out, error, errlen);
    case ODATA_TOK_TYPED:
        return read_typed(lx, out, error, errlen);
    default:
        snprintf(error, errlen, "expected a literal");
        return false;
    }
}
