/*
 * odata_batch_mime.c — multipart/mixed for $batch (RFC 2046 §5.1): the
 * boundary parameter, delimiter lines ("--boundary", optional transport
 * padding, CRLF or LF; "--boundary--" closes), body parts between them and
 * the header lines of a part.  No allocation: everything happens in the
 * caller's buffer.
 */
#include "odata/odata_batch_mime.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int batch_error(batch_err_t *e, const char *fmt, ...)
{
    va_list ap;

    if (e->msg[0] == '\0') {
        va_start(ap, fmt);
        vsnprintf(e->msg, e->cap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static bool boundary_char(char ch)
{
    return isalnum((unsigned char) ch) || strchr("'()+_,-./:=? ", ch) != NULL;
}

/* Copies a boundary value (quoted or a token) ending at ';' or the end. */
static int copy_boundary(const char *v, char *out, size_t cap)
{
    size_t n = 0;
    bool quoted = *v == '"';

    if (quoted) {
        v++;
    }
    while (*v != '\0' && (quoted ? *v != '"' : (*v != ';' && *v != ' ' && *v != '\t'))) {
        if (!boundary_char(*v) || n + 1 >= cap || n >= ODATA_BATCH_BOUNDARY_MAX) {
            return -1;
        }
        out[n++] = *v++;
    }
    if ((quoted && *v != '"') || n == 0 || out[n - 1] == ' ') {
        return -1;
    }
    out[n] = '\0';
    return 0;
}

int odata_batch_boundary(const char *content_type, char *out, size_t cap)
{
    const char *p;

    if (content_type == NULL) {
        return -1;
    }
    while (*content_type == ' ' || *content_type == '\t') {
        content_type++;
    }
    if (strncasecmp(content_type, "multipart/mixed", 15) != 0) {
        return -1;
    }
    for (p = content_type + 15; (p = strchr(p, ';')) != NULL;) {
        p++;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (strncasecmp(p, "boundary", 8) != 0) {
            continue;
        }
        p += 8;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p++ != '=') {
            return -1;
        }
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        return copy_boundary(p, out, cap);
    }
    return -1;
}

typedef struct {
    char *at;      /* the first '-' of the delimiter line */
    char *after;   /* the byte after its line break */
    bool  close;
} delimiter_t;

/* The next delimiter line at or after `from`, at the start of a line. */
static int next_delimiter(char *seg, char *from, char *end, const char *dash, size_t dlen,
                          delimiter_t *d)
{
    for (char *p = from; p + dlen <= end; p++) {
        char *q;
        p = memchr(p, '-', (size_t) (end - p));
        if (p == NULL || p + dlen > end) {
            return -1;
        }
        if ((p != seg && p[-1] != '\n') || memcmp(p, dash, dlen) != 0) {
            continue;
        }
        q = p + dlen;
        d->at = p;
        d->close = q + 2 <= end && q[0] == '-' && q[1] == '-';
        if (d->close) {
            d->after = end;
            return 0;
        }
        while (q < end && (*q == ' ' || *q == '\t')) {
            q++;
        }
        if (q < end && *q == '\r') {
            q++;
        }
        if (q == end || *q == '\n') {
            d->after = q < end ? q + 1 : end;
            return 0;
        }
        /* "--boundary" followed by other text is not a delimiter */
    }
    return -1;
}

int batch_mime_each_part(char *seg, size_t len, const char *boundary, batch_part_fn fn, void *arg,
                         batch_err_t *e)
{
    char dash[ODATA_BATCH_BOUNDARY_MAX + 3];
    size_t dlen = (size_t) snprintf(dash, sizeof(dash), "--%s", boundary), nparts = 0;
    char *end = seg + len, *content_end;
    delimiter_t d, next;

    if (dlen >= sizeof(dash) || next_delimiter(seg, seg, end, dash, dlen, &d) != 0) {
        return batch_error(e, "no delimiter line '--%.70s' in the multipart body", boundary);
    }
    while (!d.close) {
        if (next_delimiter(seg, d.after, end, dash, dlen, &next) != 0) {
            return batch_error(e, "the multipart body does not end with '--%.70s--'", boundary);
        }
        content_end = next.at;
        if (content_end > d.after && content_end[-1] == '\n') {
            content_end--;
        }
        if (content_end > d.after && content_end[-1] == '\r') {
            content_end--;
        }
        if (fn(d.after, (size_t) (content_end - d.after), arg) != 0) {
            return -1;
        }
        nparts++;
        d = next;
    }
    if (nparts == 0) {
        return batch_error(e, "a multipart body without parts (boundary '%.70s')", boundary);
    }
    return 0;
}

static char *trim_end(char *start, char *end)
{
    while (end > start && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    return end;
}

static int read_header_line(char *line, char *line_end, odata_batch_header_t *h, batch_err_t *e)
{
    char *colon = memchr(line, ':', (size_t) (line_end - line)), *name_end, *value;

    if (*line == ' ' || *line == '\t') {
        return batch_error(e, "folded header lines are not supported");
    }
    if (colon == NULL || colon == line) {
        int shown = line_end - line > 60 ? 60 : (int) (line_end - line);
        return batch_error(e, "malformed header line '%.*s'", shown, line);
    }
    name_end = trim_end(line, colon);
    for (value = colon + 1; value < line_end && (*value == ' ' || *value == '\t'); value++) {
    }
    *trim_end(value, line_end) = '\0';
    *name_end = '\0';
    h->name = line;
    h->value = value;
    return 0;
}

int batch_mime_headers(char **p, char *end, odata_batch_header_t *h, size_t max, size_t *n,
                       bool *blank, batch_err_t *e)
{
    *blank = false;
    while (*p < end) {
        char *line = *p, *nl = memchr(line, '\n', (size_t) (end - line));
        char *line_end = nl != NULL ? nl : end;

        *p = nl != NULL ? nl + 1 : end;
        if (line_end > line && line_end[-1] == '\r') {
            line_end--;
        }
        if (line_end == line) {
            *blank = true;
            return 0;
        }
        if (*n >= max) {
            return batch_error(e, "more than %zu header lines in a part", max);
        }
        if (read_header_line(line, line_end, &h[*n], e) != 0) {
            return -1;
        }
        (*n)++;
    }
    return 0;
}

const char *batch_mime_find(const odata_batch_header_t *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(h[i].name, name) == 0) {
            return h[i].value;
        }
    }
    return NULL;
}
