/*
 * encoder_protocol.h — the lines mediaplane-encoder writes on stdout:
 *   progress <0..100> | output <file> | perf <text> | error <Code> <message>
 * parsed one at a time (pure; unit-tested), plus a line splitter that
 * keeps a partial line between reads.
 */
#ifndef ENCODER_PROTOCOL_H
#define ENCODER_PROTOCOL_H

#include <stddef.h>

#define ENCODER_LINE_MAX 1024

typedef enum {
    ENCODER_LINE_PROGRESS,
    ENCODER_LINE_OUTPUT,
    ENCODER_LINE_PERF,
    ENCODER_LINE_ERROR,
} encoder_line_kind_t;

typedef struct {
    encoder_line_kind_t kind;
    double progress;                 /* PROGRESS: 0..100 */
    char code[64];                   /* ERROR: InvalidConfiguration, … */
    char text[ENCODER_LINE_MAX];     /* OUTPUT file, PERF text, ERROR message */
} encoder_line_t;

/* One line (len bytes, without its '\n'; a trailing '\r' is ignored).
 * Returns 0, or -1 for a line that is not one of the four forms. */
int encoder_line_parse(const char *s, size_t len, encoder_line_t *out);

/* Accumulates bytes read from the encoder; calls fn for each complete line.
 * Lines longer than ENCODER_LINE_MAX are cut. */
typedef struct {
    char   buf[ENCODER_LINE_MAX];
    size_t len;
    int    overlong;                 /* skipping the rest of a too-long line */
} encoder_reader_t;

typedef void (*encoder_line_fn)(const encoder_line_t *line, void *arg);
void encoder_reader_feed(encoder_reader_t *r, const char *data, size_t n, encoder_line_fn fn,
                         void *arg);

#endif
