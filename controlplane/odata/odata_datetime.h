/*
 * odata_datetime.h — ISO-8601 date/time text (the body of datetime'…' and
 * datetimeoffset'…' literals, and dates stored in entities as UTC strings)
 * as instants: 100-ns ticks since 1970-01-01T00:00:00Z, like .NET's ticks.
 */
#ifndef ODATA_DATETIME_H
#define ODATA_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ODATA_TICKS_PER_SECOND 10000000LL

/* Accepts "YYYY-MM-DD", optionally followed by "THH:MM", ":SS", ".fraction"
 * (any number of digits, kept to 100 ns) and "Z" or "+HH:MM"/"-HH:MM".
 * Text without a zone is UTC.  The whole of s[0..len) must match; fields are
 * range-checked (month 1-12, day within the month, hour 0-23, ...).
 * Returns false on anything else, leaving *ticks untouched. */
bool odata_datetime_parse(const char *s, size_t len, int64_t *ticks);

/* UTC calendar fields of an instant (for year(), month(), ... ). */
typedef struct {
    int year, month, day, hour, minute, second;
} odata_datetime_fields_t;

void odata_datetime_split(int64_t ticks, odata_datetime_fields_t *out);

#endif
