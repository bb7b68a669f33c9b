/*
 * time_text.h — instants as the API carries them: stored as ISO-8601 UTC
 * with milliseconds ("2015-01-01T00:00:00.000Z", fixed width so text order is
 * time order), rendered as "/Date(ms)/" in OData verbose JSON, parsed from
 * any form time_parse.h accepts.
 */
#ifndef TIME_TEXT_H
#define TIME_TEXT_H

#include <stdint.h>

#include "util/time_parse.h"

#define TIME_ISO_LEN 25   /* incl. NUL */

int64_t time_now_ms(void);
void    time_format_iso(int64_t ms, char out[TIME_ISO_LEN]);
/* True when text is an ISO string of ours or "/Date(…)/" (a DateTime value). */
int     time_looks_like(const char *text);

#endif
