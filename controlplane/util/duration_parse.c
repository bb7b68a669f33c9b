/*
 * duration_parse.c — xs:duration and TimeSpan text to seconds (see
 * duration_parse.h).
 */
#include "util/duration_parse.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A non-negative decimal number at *p (digits, optional fraction); -1 if none. */
static double number_at(const char **p)
{
    const char *s = *p;
    char *end;
    double v;

    if (!isdigit((unsigned char) *s)) {
        return -1;
    }
    v = strtod(s, &end);
    if (end == s || v < 0 || v > 1e9) {
        return -1;
    }
    *p = end;
    return v;
}

static int xs_duration(const char *s, double *out)
{
    bool in_time = false, any = false;
    double total = 0;

    if (*s++ != 'P') {
        return -1;
    }
    while (*s != '\0') {
        double v;
        if (*s == 'T' && !in_time) {
            in_time = true;
            s++;
            continue;
        }
        if ((v = number_at(&s)) < 0) {
            return -1;
        }
        switch (*s++) {
        case 'D': if (in_time) return -1; total += v * 86400; break;
        case 'H': if (!in_time) return -1; total += v * 3600; break;
        case 'M': if (!in_time) return -1; total += v * 60; break;     /* months refused */
        case 'S': if (!in_time) return -1; total += v; break;
        default: return -1;
        }
        any = true;
    }
    if (!any) {
        return -1;
    }
    *out = total;
    return 0;
}

/* [d.]hh:mm:ss[.fff] */
static int timespan(const char *s, double *out)
{
    double days = 0, h, m, sec;
    const char *dot = strchr(s, '.'), *colon = strchr(s, ':');

    if (colon == NULL) {
        return -1;
    }
    if (dot != NULL && dot < colon) {
        char *end;
        long d = strtol(s, &end, 10);
        if (end != dot || end == s || d < 0 || d > 10000 || !isdigit((unsigned char) *s)) {
            return -1;
        }
        days = (double) d;
        s = dot + 1;
    }
    if ((h = number_at(&s)) < 0 || *s++ != ':' || (m = number_at(&s)) < 0 || *s++ != ':'
        || (sec = number_at(&s)) < 0 || *s != '\0' || h >= 24 || m >= 60 || sec >= 60) {
        return -1;
    }
    *out = days * 86400 + h * 3600 + m * 60 + sec;
    return 0;
}

int duration_parse(const char *text, double *seconds)
{
    if (text == NULL || strlen(text) > 64) {
        return -1;
    }
    return text[0] == 'P' ? xs_duration(text, seconds) : timespan(text, seconds);
}
