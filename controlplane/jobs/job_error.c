/*
 * job_error.c — formats the error text of the job-body code and keeps it
 * presentable: valid UTF-8, no control characters, quotes cut short.
 */
#include "jobs/job_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jobs/job_text.h"

static void make_presentable(char *text)
{
    unsigned char *s = (unsigned char *)text;
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        size_t len = job_utf8_sequence_length(s + i, n - i);
        if (len == 0) {
            s[i++] = '?';
        } else if (len == 1 && (s[i] < 0x20 || s[i] == 0x7F)) {
            s[i++] = ' ';
        } else {
            i += len;
        }
    }
}

void job_errf(char *err, size_t err_len, const char *fmt, ...)
{
    if (err == NULL || err_len == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    make_presentable(err);
}

const char *job_err_quote(const char *text, size_t len, char *buf, size_t cap)
{
    static const char ellipsis[] = "\xE2\x80\xA6";
    if (cap <= sizeof(ellipsis)) {
        if (cap > 0) {
            buf[0] = '\0';
        }
        return buf;
    }
    size_t room = cap - sizeof(ellipsis);
    if (room > JOB_ERR_QUOTE_MAX) {
        room = JOB_ERR_QUOTE_MAX;
    }
    size_t n = len;
    int cut = n > room;
    if (cut) {
        n = room;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80) {
            n--;                           /* do not split a character */
        }
    }
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (cut) {
        memcpy(buf + n, ellipsis, sizeof(ellipsis));
    }
    make_presentable(buf);
    return buf;
}
