/*
 * odata_literal.h — the value of a literal token: 'string', numbers with
 * their suffixes (L int64, M decimal, D double, F single), datetime'…',
 * datetimeoffset'…' and guid'…'.
 */
#ifndef ODATA_LITERAL_H
#define ODATA_LITERAL_H

#include "odata/odata_lexer.h"
#include "odata/odata_value.h"

/* Converts the lexer's current STRING, NUMBER or TYPED token.  The value may
 * own its text (release it with odata_value_release).  On failure returns
 * false with a message such as "invalid datetime literal" in error. */
bool odata_literal_read(const odata_lexer_t *lx, odata_value_t *out, char *error, size_t errlen);

#endif
