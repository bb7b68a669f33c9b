/*
 * enc_events.c — stdout line protocol (see enc_events.h).
 */
#include "enc_events.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static double last_percent = 0;
static double last_print = -1;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

void enc_event_progress(double percent, int force)
{
    percent = percent > 100 ? 100 : percent;
    int changed = percent > last_percent + 0.05;
    if (percent > last_percent) {
        last_percent = percent;
    }
    double now = now_seconds();
    if (force || last_print < 0 || (changed && now - last_print >= 0.25)
        || now - last_print >= 0.5) {
        printf("progress %.1f\n", last_percent);
        fflush(stdout);
        last_print = now;
    }
}

void enc_event_output(const char *file)
{
    printf("output %s\n", file);
    fflush(stdout);
}

void enc_event_perf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("perf ", stdout);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

void enc_event_error(const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (char *c = msg; *c != '\0'; c++) {
        if (*c == '\n' || *c == '\r') {
            *c = ' ';
        }
    }
    printf("error %s %s\n", code, msg);
    fflush(stdout);
}
