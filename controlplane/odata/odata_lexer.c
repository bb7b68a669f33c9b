/*
 * odata_lexer.c — scans OData query-option text into tokens, one at a time,
 * on demand.  It never reads past text[len) and reports malformed input as
 * an ERROR token carrying its position.
 */
#include "odata/odata_lexer.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_ident_char(char c)
{
    return is_ident_start(c) || is_digit(c);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char peek_at(const odata_lexer_t *lx, size_t pos)
{
    return pos < lx->len ? lx->text[pos] : '\0';
}

static void set_token(odata_lexer_t *lx, odata_token_kind_t kind, size_t pos, size_t end)
{
    memset(&lx->tok, 0, sizeof(lx->tok));
    lx->tok.kind = kind;
    lx->tok.pos = pos;
    lx->tok.len = end - pos;
    lx->next = end;
}

static void set_error(odata_lexer_t *lx, size_t pos, const char *what)
{
    set_token(lx, ODATA_TOK_ERROR, pos, pos);
    lx->tok.error = what;
}

/* Scans 'body' starting at the opening quote; the token starts at `start`. */
static void scan_quoted(odata_lexer_t *lx, odata_token_kind_t kind, size_t start, size_t quote)
{
    size_t p = quote + 1;
    for (;;) {
        const char *q = p < lx->len ? memchr(lx->text + p, '\'', lx->len - p) : NULL;
        if (q == NULL) {
            set_error(lx, quote, "unterminated string literal");
            return;
        }
        p = (size_t) (q - lx->text) + 1;
        if (peek_at(lx, p) != '\'') {
            break;
        }
        p++;   /* '' is an escaped quote */
    }
    set_token(lx, kind, start, p);
    lx->tok.body_pos = quote + 1;
    lx->tok.body_len = p - 1 - (quote + 1);
}

static size_t skip_digits(const odata_lexer_t *lx, size_t p)
{
    while (is_digit(peek_at(lx, p))) {
        p++;
    }
    return p;
}

/* -?digits(.digits)?([eE][+-]?digits)?[LlMmDdFf]? not followed by a letter */
static void scan_number(odata_lexer_t *lx, size_t start)
{
    size_t p = skip_digits(lx, start + (peek_at(lx, start) == '-'));
    if (peek_at(lx, p) == '.') {
        if (!is_digit(peek_at(lx, p + 1))) {
            set_error(lx, start, "malformed number");
            return;
        }
        p = skip_digits(lx, p + 1);
    }
    if (peek_at(lx, p) == 'e' || peek_at(lx, p) == 'E') {
        size_t e = p + 1 + (peek_at(lx, p + 1) == '+' || peek_at(lx, p + 1) == '-');
        if (!is_digit(peek_at(lx, e))) {
            set_error(lx, start, "malformed number");
            return;
        }
        p = skip_digits(lx, e);
    }
    if (peek_at(lx, p) && strchr("LlMmDdFf", peek_at(lx, p))) {
        p++;
    }
    if (is_ident_char(peek_at(lx, p)) || peek_at(lx, p) == '.') {
        set_error(lx, start, "malformed number");
        return;
    }
    set_token(lx, ODATA_TOK_NUMBER, start, p);
}

static bool is_literal_prefix(const char *s, size_t len)
{
    static const char *const prefixes[] = { "datetime", "datetimeoffset", "guid", "time", "binary", "X" };
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (strlen(prefixes[i]) == len && strncasecmp(prefixes[i], s, len) == 0) {
            return true;
        }
    }
    return false;
}

static void scan_word(odata_lexer_t *lx, size_t start)
{
    size_t p = start;
    while (is_ident_char(peek_at(lx, p))) {
        p++;
    }
    if (peek_at(lx, p) == '\'' && is_literal_prefix(lx->text + start, p - start)) {
        scan_quoted(lx, ODATA_TOK_TYPED, start, p);
        return;
    }
    set_token(lx, ODATA_TOK_IDENT, start, p);
}

static void scan_punctuation(odata_lexer_t *lx, size_t p)
{
    static const struct {
        char c;
        odata_token_kind_t kind;
    } marks[] = {
        { '(', ODATA_TOK_LPAREN }, { ')', ODATA_TOK_RPAREN }, { ',', ODATA_TOK_COMMA },
        { '/', ODATA_TOK_SLASH },  { '-', ODATA_TOK_MINUS },  { '*', ODATA_TOK_STAR },
    };
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
        if (lx->text[p] == marks[i].c) {
            set_token(lx, marks[i].kind, p, p + 1);
            return;
        }
    }
    set_error(lx, p, "unexpected character");
}

static void scan(odata_lexer_t *lx)
{
    size_t p = lx->next;
    while (p < lx->len && is_space(lx->text[p])) {
        p++;
    }
    char c = peek_at(lx, p);
    if (p >= lx->len) {
        set_token(lx, ODATA_TOK_END, p, p);
    } else if (c == '\'') {
        scan_quoted(lx, ODATA_TOK_STRING, p, p);
    } else if (is_digit(c) || (c == '-' && is_digit(peek_at(lx, p + 1)))) {
        scan_number(lx, p);
    } else if (is_ident_start(c)) {
        scan_word(lx, p);
    } else {
        scan_punctuation(lx, p);
    }
}

void odata_lexer_init(odata_lexer_t *lx, const char *text, size_t len)
{
    lx->text = text;
    lx->len = len;
    lx->next = 0;
    scan(lx);
}

void odata_lexer_advance(odata_lexer_t *lx)
{
    if (lx->tok.kind != ODATA_TOK_END && lx->tok.kind != ODATA_TOK_ERROR) {
        scan(lx);
    }
}

bool odata_lexer_at_word(const odata_lexer_t *lx, const char *word)
{
    return lx->tok.kind == ODATA_TOK_IDENT && strlen(word) == lx->tok.len &&
           memcmp(lx->text + lx->tok.pos, word, lx->tok.len) == 0;
}

const char *odata_lexer_token_text(const odata_lexer_t *lx)
{
    return lx->text + lx->tok.pos;
}

char *odata_lexer_unescape(const char *body, size_t len, size_t *out_len)
{
    char *out = malloc(len + 1);
    size_t n = 0;
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        out[n++] = body[i];
        if (body[i] == '\'' && i + 1 < len && body[i + 1] == '\'') {
            i++;
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}
