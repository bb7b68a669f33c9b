/*
 * encoder_protocol.c — parsing mediaplane-encoder's stdout (see
 * encoder_protocol.h).
 */
#include "sched/encoder_protocol.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int starts(const char *s, size_t len, const char *word, const char **rest)
{
    size_t n = strlen(word);
    if (len < n + 1 || memcmp(s, word, n) != 0 || s[n] != ' ') {
        return 0;
    }
    *rest = s + n + 1;
    return 1;
}

static void copy_text(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap) len = cap - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char) dst[i] < 0x20) dst[i] = ' ';
    }
}

static int parse_progress(const char *rest, size_t len, encoder_line_t *out)
{
    char num[32], *end;
    double v;

    if (len == 0 || len >= sizeof(num)) {
        return -1;
    }
    memcpy(num, rest, len);
    num[len] = '\0';
    v = strtod(num, &end);
    if (*end != '\0' || !isfinite(v) || v < 0 || v > 100) {
        return -1;
    }
    out->progress = v;
    return 0;
}

int encoder_line_parse(const char *s, size_t len, encoder_line_t *out)
{
    const char *rest;
    size_t rlen;

    if (len > 0 && s[len - 1] == '\r') len--;
    memset(out, 0, sizeof(*out));
    if (starts(s, len, "progress", &rest)) {
        out->kind = ENCODER_LINE_PROGRESS;
        return parse_progress(rest, len - (size_t) (rest - s), out);
    }
    if (starts(s, len, "output", &rest) || starts(s, len, "perf", &rest)) {
        out->kind = s[0] == 'o' ? ENCODER_LINE_OUTPUT : ENCODER_LINE_PERF;
        copy_text(out->text, sizeof(out->text), rest, len - (size_t) (rest - s));
        return out->text[0] != '\0' ? 0 : -1;
    }
    if (starts(s, len, "error", &rest)) {
        const char *sp;
        out->kind = ENCODER_LINE_ERROR;
        rlen = len - (size_t) (rest - s);
        sp = memchr(rest, ' ', rlen);
        if (sp == NULL || sp == rest) {
            return -1;
        }
        copy_text(out->code, sizeof(out->code), rest, (size_t) (sp - rest));
        copy_text(out->text, sizeof(out->text), sp + 1, rlen - (size_t) (sp + 1 - rest));
        return 0;
    }
    return -1;
}

static void emit(encoder_reader_t *r, encoder_line_fn fn, void *arg)
{
    encoder_line_t line;
    if (encoder_line_parse(r->buf, r->len, &line) == 0) {
        fn(&line, arg);
    }
    r->len = 0;
}

void encoder_reader_feed(encoder_reader_t *r, const char *data, size_t n, encoder_line_fn fn,
                         void *arg)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            if (!r->overlong) {
                emit(r, fn, arg);
            }
            r->len = 0;
            r->overlong = 0;
        } else if (r->len + 1 < sizeof(r->buf)) {
            r->buf[r->len++] = data[i];
        } else if (!r->overlong) {
            emit(r, fn, arg);          /* the cut line still counts (a long error message) */
            r->overlong = 1;
        }
    }
}
