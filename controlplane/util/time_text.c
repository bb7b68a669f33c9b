/*
 * time_text.c — formatting and parsing of API instants (see time_text.h).
 */
#define _GNU_SOURCE
#include "util/time_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void time_format_iso(int64_t ms, char out[TIME_ISO_LEN])
{
    time_t secs = (time_t) (ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int) (ms - (int64_t) secs * 1000);
    struct tm tm;
    char text[64];

    gmtime_r(&secs, &tm);
    snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
             tm.tm_sec, frac);
    memcpy(out, text, TIME_ISO_LEN - 1);
    out[TIME_ISO_LEN - 1] = '\0';
}

static int parse_ms_date(const char *s, int64_t *ms)
{
    char *end;
    long long v;

    s += 6;                                    /* "/Date(" */
    v = strtoll(s, &end, 10);
    if (end == s) {
        return -1;
    }
    if (*end == '+' || *end == '-') {          /* offset: informational only */
        end++;
        while (isdigit((unsigned char) *end)) end++;
    }
    if (strcmp(end, ")/") != 0) {
        return -1;
    }
    *ms = v;
    return 0;
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char) (*p)[i])) {
            return -1;
        }
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int parse_offset(const char *p, int *offset_min)
{
    int sign, hh, mm = 0;

    *offset_min = 0;
    if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0')) {
        return 0;
    }
    if (*p != '+' && *p != '-') {
        return -1;
    }
    sign = *p++ == '-' ? -1 : 1;
    if (digits(&p, 2, &hh) != 0) {
        return -1;
    }
    if (*p == ':') {
        p++;
    }
    if (*p != '\0' && digits(&p, 2, &mm) != 0) {
        return -1;
    }
    if (*p != '\0' || hh > 23 || mm > 59) {
        return -1;
    }
    *offset_min = sign * (hh * 60 + mm);
    return 0;
}

static int parse_iso(const char *p, int64_t *ms)
{
    struct tm tm = { 0 };
    int y, mo, d, h, mi, s = 0, frac_ms = 0, offset;

    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-'
        || digits(&p, 2, &d) || (*p != 'T' && *p != ' ') || (p++, digits(&p, 2, &h))
        || *p++ != ':' || digits(&p, 2, &mi)) {
        return -1;
    }
    if (*p == ':') {
        p++;
        if (digits(&p, 2, &s) != 0) {
            return -1;
        }
        if (*p == '.') {
            int scale = 100;
            p++;
            if (!isdigit((unsigned char) *p)) {
                return -1;
            }
            for (; isdigit((unsigned char) *p); p++, scale /= 10) {
                frac_ms += (*p - '0') * scale;
            }
        }
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60
        || parse_offset(p, &offset) != 0) {
        return -1;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    *ms = ((int64_t) timegm(&tm) - (int64_t) offset * 60) * 1000 + frac_ms;
    return 0;
}

int time_parse(const char *text, int64_t *ms)
{
    if (text == NULL) {
        return -1;
    }
    if (strncmp(text, "/Date(", 6) == 0) {
        return parse_ms_date(text, ms);
    }
    return parse_iso(text, ms);
}

int time_looks_like(const char *text)
{
    int64_t ms;
    return text != NULL && strlen(text) >= 10 && time_parse(text, &ms) == 0;
}
