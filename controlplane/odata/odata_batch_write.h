/*
 * odata_batch_write.h — writing a $batch response (OData v3 multipart/mixed
 * of application/http parts) to a stdio stream (open_memstream).
 */
#ifndef ODATA_BATCH_WRITE_H
#define ODATA_BATCH_WRITE_H

#include "http/http_types.h"

#include <stdio.h>

/* One application/http part carrying r (status line, Content-ID if given,
 * headers, Content-Length, body). */
void odata_batch_write_response(FILE *out, const char *boundary, const http_response_t *r,
                                const char *content_id);
/* Starts a nested multipart/mixed part (a changeset's responses). */
void odata_batch_write_open(FILE *out, const char *boundary, const char *inner_boundary);
/* The closing delimiter "--boundary--". */
void odata_batch_write_close(FILE *out, const char *boundary);

#endif
