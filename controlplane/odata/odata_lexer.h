/*
 * odata_lexer.h — tokens of OData v3 query options ($filter, $orderby,
 * $select): identifiers (keywords are identifiers; the parsers decide),
 * 'string' literals, numbers with their L/M/D/F suffixes, typed literals
 * such as datetime'…' and guid'…', and punctuation.
 */
#ifndef ODATA_LEXER_H
#define ODATA_LEXER_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    ODATA_TOK_END,
    ODATA_TOK_IDENT,
    ODATA_TOK_STRING,   /* 'it''s' */
    ODATA_TOK_NUMBER,   /* -12, 3L, 1.5, 1.5M, 2e3D */
    ODATA_TOK_TYPED,    /* datetime'…', datetimeoffset'…', guid'…', time'…', binary'…', X'…' */
    ODATA_TOK_LPAREN,
    ODATA_TOK_RPAREN,
    ODATA_TOK_COMMA,
    ODATA_TOK_SLASH,
    ODATA_TOK_MINUS,    /* a '-' not starting a number: negation */
    ODATA_TOK_STAR,
    ODATA_TOK_ERROR     /* bad character, unterminated string, malformed number */
} odata_token_kind_t;

typedef struct {
    odata_token_kind_t kind;
    size_t pos;         /* byte offset of the token in the text */
    size_t len;         /* its length in bytes, including quotes, sign and suffix */
    size_t body_pos;    /* STRING/TYPED: first byte inside the quotes ('' still doubled) */
    size_t body_len;
    const char *error;  /* ERROR: what is wrong, e.g. "unterminated string literal" */
} odata_token_t;

typedef struct {
    const char *text;
    size_t len;
    size_t next;        /* where the token after `tok` starts being scanned */
    odata_token_t tok;  /* the current token */
} odata_lexer_t;

/* Positions the lexer on the first token of text[0..len). */
void odata_lexer_init(odata_lexer_t *lx, const char *text, size_t len);

/* Moves to the next token (staying on END or ERROR once reached). */
void odata_lexer_advance(odata_lexer_t *lx);

/* True if the current token is the identifier `word` (case-sensitive). */
bool odata_lexer_at_word(const odata_lexer_t *lx, const char *word);

/* The current token's bytes. */
const char *odata_lexer_token_text(const odata_lexer_t *lx);

/* A malloc'd, NUL-terminated copy of a quoted body with '' turned into ',
 * its length in *out_len; NULL when out of memory. */
char *odata_lexer_unescape(const char *body, size_t len, size_t *out_len);

#endif
