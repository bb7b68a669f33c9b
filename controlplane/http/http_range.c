/*
 * http_range.c — parsing of a single-range "Range: bytes=…" header into an
 * offset and a length within a resource (see http_range.h).
 */
#include "http/http_range.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Decimal digits into *v (no overflow past 2^63); false when none. */
static bool read_u64(const char **p, uint64_t *v)
{
    const char *s = *p;
    *v = 0;
    while (isdigit((unsigned char) *s)) {
        if (*v > (UINT64_MAX >> 1) / 10) {
            return false;
        }
        *v = *v * 10 + (uint64_t) (*s++ - '0');
    }
    if (s == *p) {
        return false;
    }
    *p = s;
    return true;
}

static void skip_blanks(const char **p)
{
    while (**p == ' ' || **p == '\t') {
        (*p)++;
    }
}

/* "-n": the last n bytes. */
static http_range_result_t suffix_range(const char *p, uint64_t size, uint64_t *start,
                                        uint64_t *length)
{
    uint64_t n;
    if (!read_u64(&p, &n) || (skip_blanks(&p), *p != '\0')) {
        return HTTP_RANGE_NONE;
    }
    if (n == 0 || size == 0) {
        return HTTP_RANGE_UNSATISFIABLE;
    }
    *length = n < size ? n : size;
    *start = size - *length;
    return HTTP_RANGE_OK;
}

http_range_result_t http_range_parse(const char *header, uint64_t size, uint64_t *start,
                                     uint64_t *length)
{
    const char *p = header;
    uint64_t first, last = UINT64_MAX;

    if (p == NULL || (skip_blanks(&p), strncasecmp(p, "bytes=", 6) != 0) || strchr(p, ',') != NULL) {
        return HTTP_RANGE_NONE;
    }
    p += 6;
    skip_blanks(&p);
    if (*p == '-') {
        return suffix_range(p + 1, size, start, length);
    }
    if (!read_u64(&p, &first) || *p++ != '-') {
        return HTTP_RANGE_NONE;
    }
    if (isdigit((unsigned char) *p) && !read_u64(&p, &last)) {
        return HTTP_RANGE_NONE;
    }
    skip_blanks(&p);
    if (*p != '\0' || last < first) {
        return HTTP_RANGE_NONE;
    }
    if (first >= size) {
        return HTTP_RANGE_UNSATISFIABLE;
    }
    *start = first;
    *length = (last < size - 1 ? last : size - 1) - first + 1;
    return HTTP_RANGE_OK;
}
