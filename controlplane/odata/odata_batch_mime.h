/*
 * odata_batch_mime.h — the MIME layer under $batch (internal to
 * odata_batch_*.c): the boundary of a multipart/mixed type, splitting a
 * multipart body at its delimiter lines, and reading header lines.  Works in
 * place on a writable buffer: names and values are NUL-terminated where they
 * are.  CRLF and bare LF line ends are both accepted.
 */
#ifndef ODATA_BATCH_MIME_H
#define ODATA_BATCH_MIME_H

#include "odata/odata_batch.h"

typedef struct {
    char  *msg;
    size_t cap;
} batch_err_t;

/* Records the message and returns -1. */
int batch_error(batch_err_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Calls fn with each body part between the delimiter lines of boundary in
 * [seg, seg+len); the preamble and epilogue are ignored.  A part's content
 * excludes the line break before the next delimiter, and it is safe to write
 * up to (not including) that next delimiter.  -1 on a missing delimiter, a
 * body without parts, or when fn fails. */
typedef int (*batch_part_fn)(char *part, size_t len, void *arg);
int batch_mime_each_part(char *seg, size_t len, const char *boundary, batch_part_fn fn, void *arg,
                         batch_err_t *e);

/* Reads "Name: value" lines from *p up to an empty line (consumed) or end;
 * *blank tells which.  Leaves *p after them.  -1 on a malformed line or
 * more than max headers. */
int batch_mime_headers(char **p, char *end, odata_batch_header_t *h, size_t max, size_t *n,
                       bool *blank, batch_err_t *e);

/* Looks a header up by name (case-insensitive). */
const char *batch_mime_find(const odata_batch_header_t *h, size_t n, const char *name);

#endif
