/*
 * http_range.h — one byte range of a "Range: bytes=…" header (RFC 9110
 * 14.1.2) against a resource of known size, as SAS blob downloads serve it.
 */
#ifndef HTTP_RANGE_H
#define HTTP_RANGE_H

#include <stdint.h>

typedef enum {
    HTTP_RANGE_NONE,            /* no header, or one to ignore: send it all (200) */
    HTTP_RANGE_OK,              /* send [start, start + length) (206) */
    HTTP_RANGE_UNSATISFIABLE,   /* 416 with Content-Range: bytes * / size */
} http_range_result_t;

/* "bytes=a-b", "bytes=a-", "bytes=-n".  Malformed headers, other units and
 * several ranges are ignored (the whole resource is an allowed answer). */
http_range_result_t http_range_parse(const char *header, uint64_t size, uint64_t *start,
                                     uint64_t *length);

#endif
