/*
 * time_parse.h — the one parser of the instants API clients send: what .NET's
 * DateTime.Parse accepted in the invariant culture (AMS's WCF Data Services
 * took every such string), plus the OData/WCF "/Date(ms)/" form.
 */
#ifndef TIME_PARSE_H
#define TIME_PARSE_H

#include <stdint.h>

/* Milliseconds since the Unix epoch (UTC) of text; 0 or -1 when it is none
 * of the accepted forms:
 *   /Date(ms)/  /Date(ms+hhmm)/  \/Date(ms)\/      ms are UTC, offset ignored
 *   2026-12-07[T| ]05:44[:15[.1234567]][Z|±hh:mm|±hhmm|±hh| GMT]
 *   2026/12/07 …, 12/7/2026 …, 12-7-2026 …, 12/7/26 … (yy ≤ 29: 20yy)
 *   M/d/yyyy h:mm[:ss] AM|PM (12-hour), 7 Dec 2026 …, Dec 7, 2026 …
 *   Mon, 07 Dec 2026 05:44:15 GMT (RFC 1123; the weekday must match)
 * A date alone is midnight; a time without a zone is UTC (AMS ran in UTC). */
int time_parse(const char *text, int64_t *ms);

/* A human-readable list of the forms above, for 400 messages. */
#define TIME_PARSE_FORMS \
    "ISO 8601 (2026-12-07T05:44:15Z), M/d/yyyy h:mm:ss tt (12/7/2026 5:44:15 AM), " \
    "RFC 1123 (Mon, 07 Dec 2026 05:44:15 GMT) or \\/Date(ms)\\/"

#endif
