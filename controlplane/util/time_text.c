/*
 * time_text.c — the clock and the stored form of API instants (see
 * time_text.h); parsing is time_parse.c's.
 */
#define _GNU_SOURCE
#include "util/time_text.h"

#include <stdio.h>
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

int time_looks_like(const char *text)
{
    int64_t ms;
    return text != NULL && strlen(text) >= 10 && time_parse(text, &ms) == 0;
}
