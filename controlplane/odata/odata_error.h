/*
 * odata_error.h — limits every query-option parser enforces and the wording
 * of their error messages ("syntax error at position 12: expected ')' but
 * found 'and'"); positions are 0-based byte offsets in the decoded text.
 */
#ifndef ODATA_ERROR_H
#define ODATA_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#include "odata/odata_lexer.h"

#define ODATA_QUERY_MAX_LENGTH 8192   /* bytes of one query option */
#define ODATA_QUERY_MAX_DEPTH 100     /* nesting of parentheses, calls, not, operators */

/* snprintf into err when err and errlen allow (always NUL-terminated). */
void odata_error_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Checks that text is present and at most ODATA_QUERY_MAX_LENGTH bytes;
 * stores its length.  `what` names the option in messages ("$filter"). */
bool odata_error_check_length(const char *text, const char *what, size_t *len, char *err, size_t errlen);

/* "syntax error at position P: <expected> but found <current token>", or the
 * lexer's own complaint when the current token is an ERROR token. */
void odata_error_expected(const odata_lexer_t *lx, const char *expected, char *err, size_t errlen);

#endif
