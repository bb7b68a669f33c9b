/*
 * time_parse.c — date-time text as AMS accepted it (.NET DateTime.Parse in
 * the invariant culture, and "/Date(ms)/"): a cursor reads an optional
 * weekday, a date in one of its orders, an optional 24- or 12-hour time and
 * an optional zone into calendar fields, which timegm turns into an instant.
 */
#define _GNU_SOURCE
#include "util/time_parse.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_MS 253402300799999LL   /* 9999-12-31T23:59:59.999Z */

typedef struct {
    int year, month, day, hour, minute, second, msec;
    int offset_min;
    bool has_time;                   /* a zone only follows a time */
    int weekday;                     /* 0 = Sunday; -1 when not written */
} fields_t;

static const char *const month_names[12] = {
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
};
static const char *const day_names[7] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

static void skip_blanks(const char **p)
{
    while (**p == ' ' || **p == '\t') {
        (*p)++;
    }
}

/* Up to max digits into *v; returns how many were read. */
static int read_number(const char **p, int max, int *v)
{
    int n = 0;
    *v = 0;
    while (n < max && isdigit((unsigned char) (*p)[n])) {
        *v = *v * 10 + ((*p)[n] - '0');
        n++;
    }
    if (isdigit((unsigned char) (*p)[n])) {
        return 0;                      /* too many digits */
    }
    *p += n;
    return n;
}

/* Index of a name (full or its first three letters) in names[], or -1. */
static int read_name(const char **p, const char *const *names, int count)
{
    size_t len = 0;
    while (isalpha((unsigned char) (*p)[len])) {
        len++;
    }
    for (int i = 0; len >= 3 && i < count; i++) {
        if ((len == 3 || len == strlen(names[i])) && strncasecmp(*p, names[i], len) == 0) {
            *p += len;
            return i;
        }
    }
    return -1;
}

/* "Mon, " before an RFC 1123 date. */
static void read_weekday(const char **p, fields_t *f)
{
    const char *q = *p;
    int wd = read_name(&q, day_names, 7);
    if (wd >= 0) {
        f->weekday = wd;
        if (*q == ',') {
            q++;
        }
        skip_blanks(&q);
        *p = q;
    }
}

/* "Dec 7, 2026" */
static bool read_month_first(const char **p, fields_t *f)
{
    int m = read_name(p, month_names, 12);
    if (m < 0) {
        return false;
    }
    f->month = m + 1;
    skip_blanks(p);
    if (read_number(p, 2, &f->day) == 0) {
        return false;
    }
    if (**p == ',') {
        (*p)++;
    }
    skip_blanks(p);
    return read_number(p, 4, &f->year) == 4;
}

/* "07 Dec 2026", "7-Dec-2026" once the day is read. */
static bool read_day_month_year(const char **p, fields_t *f)
{
    char sep = **p == '-' ? '-' : ' ';
    int m;
    if (**p == '-') {
        (*p)++;
    }
    skip_blanks(p);
    if ((m = read_name(p, month_names, 12)) < 0) {
        return false;
    }
    f->month = m + 1;
    if (sep == '-' && *(*p)++ != '-') {
        return false;
    }
    skip_blanks(p);
    return read_number(p, 4, &f->year) == 4;
}

/* "2026-12-07", "2026/12/07", "12/7/2026", "12-7-2026", "12/7/26". */
static bool read_numeric_date(const char **p, int first, int first_len, fields_t *f)
{
    char sep = **p;
    int b, c, c_len;
    if (sep != '-' && sep != '/' && sep != '.') {
        return false;
    }
    (*p)++;
    if (read_number(p, 2, &b) == 0 || *(*p)++ != sep || (c_len = read_number(p, 4, &c)) == 0) {
        return false;
    }
    if (first_len == 4) {
        f->year = first, f->month = b, f->day = c;
        return c_len <= 2;
    }
    f->month = first, f->day = b, f->year = c;
    if (c_len == 2) {
        f->year = c + (c <= 29 ? 2000 : 1900);   /* Calendar.TwoDigitYearMax 2029 */
    }
    return first_len <= 2 && (c_len == 4 || c_len == 2);
}

static bool read_date(const char **p, fields_t *f)
{
    int first, first_len;
    if (isalpha((unsigned char) **p)) {
        return read_month_first(p, f);
    }
    if ((first_len = read_number(p, 4, &first)) == 0) {
        return false;
    }
    const char *q = *p;
    skip_blanks(&q);
    if (first_len <= 2 && (isalpha((unsigned char) *q) || (*q == '-' && isalpha((unsigned char) q[1])))) {
        f->day = first;
        *p = q;
        return read_day_month_year(p, f);
    }
    return read_numeric_date(p, first, first_len, f);
}

/* ".1234567" -> milliseconds (digits past the third are dropped). */
static bool read_fraction(const char **p, fields_t *f)
{
    int scale = 100, n = 0;
    while (isdigit((unsigned char) **p)) {
        f->msec += (**p - '0') * scale;
        scale /= 10;
        (*p)++;
        n++;
    }
    return n > 0;
}

/* " AM" / " PM" after a 12-hour time; hour 12 AM is midnight. */
static bool read_designator(const char **p, fields_t *f)
{
    const char *q = *p;
    bool pm;
    skip_blanks(&q);
    if (strncasecmp(q, "AM", 2) != 0 && strncasecmp(q, "PM", 2) != 0) {
        return true;
    }
    if (isalpha((unsigned char) q[2])) {
        return false;
    }
    pm = toupper((unsigned char) q[0]) == 'P';
    if (f->hour > 12) {
        return false;
    }
    f->hour = f->hour % 12 + (pm ? 12 : 0);
    *p = q + 2;
    return true;
}

/* "5:44", "05:44:15", "05:44:15.123", each with an optional AM/PM. */
static bool read_time(const char **p, fields_t *f)
{
    f->has_time = true;
    if (read_number(p, 2, &f->hour) == 0 || *(*p)++ != ':' || read_number(p, 2, &f->minute) == 0) {
        return false;
    }
    if (**p == ':') {
        (*p)++;
        if (read_number(p, 2, &f->second) == 0) {
            return false;
        }
        if (**p == '.') {
            (*p)++;
            if (!read_fraction(p, f)) {
                return false;
            }
        }
    }
    return read_designator(p, f);
}

/* "Z", " GMT", " UTC", "+01:00", "+0100", "+01" or nothing. */
static bool read_zone(const char **p, fields_t *f)
{
    int sign, hh, mm = 0;
    skip_blanks(p);
    if (**p == 'Z' || **p == 'z') {
        (*p)++;
        return true;
    }
    if (strncasecmp(*p, "GMT", 3) == 0 || strncasecmp(*p, "UTC", 3) == 0) {
        *p += 3;
        return true;
    }
    if (**p != '+' && **p != '-') {
        return true;
    }
    sign = *(*p)++ == '-' ? -1 : 1;
    switch (read_number(p, 4, &hh)) {
    case 2:                           /* "+01" or "+01:00" */
        if (**p == ':' && ((*p)++, read_number(p, 2, &mm) != 2)) {
            return false;
        }
        break;
    case 4:                           /* "+0100" */
        mm = hh % 100, hh /= 100;
        break;
    default:
        return false;
    }
    if (hh > 14 || mm > 59) {
        return false;
    }
    f->offset_min = sign * (hh * 60 + mm);
    return true;
}

/* The time part after the date: "T…" (required) or " …" (optional). */
static bool read_time_part(const char **p, fields_t *f)
{
    const char *q = *p;
    if (*q == 'T' || *q == 't') {
        *p = q + 1;
        return read_time(p, f);
    }
    skip_blanks(&q);
    if (isdigit((unsigned char) *q) && q != *p) {
        *p = q;
        return read_time(p, f);
    }
    return true;
}

static bool fields_to_ms(const fields_t *f, int64_t *ms)
{
    struct tm tm = { .tm_year = f->year - 1900, .tm_mon = f->month - 1, .tm_mday = f->day,
                     .tm_hour = f->hour, .tm_min = f->minute, .tm_sec = f->second };
    time_t t;
    if (f->year < 1 || f->month < 1 || f->month > 12 || f->day < 1 || f->hour > 23
        || f->minute > 59 || f->second > 59) {
        return false;
    }
    t = timegm(&tm);
    if (tm.tm_mday != f->day || tm.tm_mon != f->month - 1
        || (f->weekday >= 0 && tm.tm_wday != f->weekday)) {
        return false;                  /* 31 April, or a weekday of another date */
    }
    *ms = (int64_t) t * 1000 + f->msec - (int64_t) f->offset_min * 60000;
    return *ms >= -62135596800000LL && *ms <= MAX_MS;
}

/* "/Date(1420070400123)/", "/Date(-1+0100)/", "\/Date(…)\/". */
static int parse_ms_date(const char *s, int64_t *ms)
{
    bool escaped = s[0] == '\\';
    char *end;
    long long v;

    s += escaped ? 7 : 6;
    if (!isdigit((unsigned char) *s) && !(*s == '-' && isdigit((unsigned char) s[1]))) {
        return -1;
    }
    v = strtoll(s, &end, 10);
    if ((*end == '+' || *end == '-') && isdigit((unsigned char) end[1])) {
        const char *zone = end + 1;    /* informational only: ms are UTC */
        int hhmm;
        if (read_number(&zone, 4, &hhmm) != 4) {
            return -1;
        }
        end += 5;
    }
    if (strcmp(end, escaped ? ")\\/" : ")/") != 0 || v > MAX_MS || v < -MAX_MS) {
        return -1;
    }
    *ms = v;
    return 0;
}

int time_parse(const char *text, int64_t *ms)
{
    fields_t f = { .weekday = -1 };
    const char *p = text;

    if (text == NULL) {
        return -1;
    }
    skip_blanks(&p);
    if (strncmp(p, "/Date(", 6) == 0 || strncmp(p, "\\/Date(", 7) == 0) {
        return parse_ms_date(p, ms);
    }
    read_weekday(&p, &f);
    if (!read_date(&p, &f) || !read_time_part(&p, &f) || (f.has_time && !read_zone(&p, &f))) {
        return -1;
    }
    skip_blanks(&p);
    return *p == '\0' && fields_to_ms(&f, ms) ? 0 : -1;
}
