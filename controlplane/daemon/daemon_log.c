/*
 * daemon_log.c — formats log lines ("2026-11-21T10:00:00Z info: ...") and
 * writes each with one write(2) so lines from HTTP threads never interleave.
 */
#include "daemon/daemon_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static log_level_t min_level = LOG_LEVEL_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void log_set_level(log_level_t level)
{
    min_level = level;
}

void log_msg(log_level_t level, const char *fmt, ...)
{
    char line[2048];
    struct tm tm;
    time_t now = time(NULL);
    size_t n;
    va_list ap;

    if (level < min_level) {
        return;
    }
    gmtime_r(&now, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
    n += (size_t) snprintf(line + n, sizeof(line) - n, "%s: ", level_names[level]);
    va_start(ap, fmt);
    if (n < sizeof(line)) {
        int k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
        n = (k < 0) ? n : n + (size_t) k;
    }
    va_end(ap);
    if (n >= sizeof(line) - 1) {
        n = sizeof(line) - 2;
    }
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, n) < 0) {
        /* nowhere else to report it */
    }
}
