/*
 * mp_common.c — the byte writer (counting / fixed / growable) and box helpers
 * shared by every muxer and manifest writer of the format core.
 */
#include "mp_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void mp_wr_init_count(mp_wr_t *w)
{
    memset(w, 0, sizeof(*w));
}

void mp_wr_init_fixed(mp_wr_t *w, uint8_t *buf, size_t cap)
{
    memset(w, 0, sizeof(*w));
    w->p = buf;
    w->cap = cap;
}

void mp_wr_init_dynamic(mp_wr_t *w)
{
    memset(w, 0, sizeof(*w));
    w->dynamic = 1;
}

void mp_wr_free(mp_wr_t *w)
{
    if (w->dynamic) {
        free(w->p);
    }
    w->p = NULL;
    w->cap = 0;
    w->pos = 0;
}

/* Make room for len more bytes; returns a write pointer or NULL (counting). */
static uint8_t *mp_wr_reserve(mp_wr_t *w, size_t len)
{
    if (w->failed || len == 0) {
        return NULL;
    }
    if (w->p == NULL && !w->dynamic) {
        return NULL;
    }
    if (w->pos + len > w->cap) {
        if (!w->dynamic) {
            w->failed = 1;
            return NULL;
        }
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->pos + len) {
            cap *= 2;
        }
        uint8_t *p = realloc(w->p, cap);
        if (p == NULL) {
            w->failed = 1;
            return NULL;
        }
        w->p = p;
        w->cap = cap;
    }
    return w->p + w->pos;
}

void mp_wr_bytes(mp_wr_t *w, const void *data, size_t len)
{
    uint8_t *d = mp_wr_reserve(w, len);
    if (d != NULL && len) {
        memcpy(d, data, len);
    }
    w->pos += len;
}

void mp_wr_zero(mp_wr_t *w, size_t len)
{
    uint8_t *d = mp_wr_reserve(w, len);
    if (d != NULL) {
        memset(d, 0, len);
    }
    w->pos += len;
}

void mp_wr_u8(mp_wr_t *w, uint32_t v)
{
    uint8_t b = (uint8_t) v;
    mp_wr_bytes(w, &b, 1);
}

void mp_wr_u16(mp_wr_t *w, uint32_t v)
{
    uint8_t b[2] = { (uint8_t) (v >> 8), (uint8_t) v };
    mp_wr_bytes(w, b, 2);
}

void mp_wr_u24(mp_wr_t *w, uint32_t v)
{
    uint8_t b[3] = { (uint8_t) (v >> 16), (uint8_t) (v >> 8), (uint8_t) v };
    mp_wr_bytes(w, b, 3);
}

void mp_wr_u32(mp_wr_t *w, uint32_t v)
{
    uint8_t b[4] = { (uint8_t) (v >> 24), (uint8_t) (v >> 16), (uint8_t) (v >> 8), (uint8_t) v };
    mp_wr_bytes(w, b, 4);
}

void mp_wr_u64(mp_wr_t *w, uint64_t v)
{
    mp_wr_u32(w, (uint32_t) (v >> 32));
    mp_wr_u32(w, (uint32_t) v);
}

void mp_wr_str(mp_wr_t *w, const char *s)
{
    mp_wr_bytes(w, s, strlen(s));
}

void mp_wr_uint(mp_wr_t *w, uint64_t v)
{
    char tmp[24];
    size_t n = sizeof(tmp);
    do {
        tmp[--n] = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    mp_wr_bytes(w, tmp + n, sizeof(tmp) - n);
}

void mp_wr_printf(mp_wr_t *w, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        w->failed = 1;
        return;
    }
    if ((size_t) n < sizeof(small)) {
        mp_wr_bytes(w, small, (size_t) n);
        return;
    }
    char *big = malloc((size_t) n + 1);
    if (big == NULL) {
        w->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t) n + 1, fmt, ap);
    va_end(ap);
    mp_wr_bytes(w, big, (size_t) n);
    free(big);
}

void mp_wr_xml_escaped(mp_wr_t *w, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': mp_wr_str(w, "&amp;"); break;
        case '<': mp_wr_str(w, "&lt;"); break;
        case '>': mp_wr_str(w, "&gt;"); break;
        case '"': mp_wr_str(w, "&quot;"); break;
        case '\'': mp_wr_str(w, "&apos;"); break;
        default: mp_wr_bytes(w, s, 1);
        }
    }
}

size_t mp_box_begin(mp_wr_t *w, uint32_t type)
{
    size_t start = w->pos;
    mp_wr_u32(w, 0);
    mp_wr_u32(w, type);
    return start;
}

size_t mp_fullbox_begin(mp_wr_t *w, uint32_t type, uint32_t version, uint32_t flags)
{
    size_t start = mp_box_begin(w, type);
    mp_wr_u8(w, version);
    mp_wr_u24(w, flags);
    return start;
}

void mp_box_end(mp_wr_t *w, size_t start)
{
    if (w->p != NULL && !w->failed && start + 4 <= w->cap) {
        uint32_t size = (uint32_t) (w->pos - start);
        uint8_t *d = w->p + start;
        d[0] = (uint8_t) (size >> 24);
        d[1] = (uint8_t) (size >> 16);
        d[2] = (uint8_t) (size >> 8);
        d[3] = (uint8_t) size;
    }
}

uint64_t mp_rescale(uint64_t value, uint64_t from, uint64_t to)
{
    if (from == to || from == 0) {
        return value;
    }
    uint64_t product;
    if (!__builtin_mul_overflow(value, to, &product) && product <= UINT64_MAX - from / 2) {
        return (product + from / 2) / from;      /* the common case: 64-bit */
    }
    unsigned __int128 v = (unsigned __int128) value * to + from / 2;
    return (uint64_t) (v / from);
}

void *mp_alloc(mp_allocator_t *a, size_t size)
{
    return a ? a->alloc(a, size) : malloc(size);
}

void mp_free(mp_allocator_t *a, void *p)
{
    if (a) {
        a->free(a, p);
    } else {
        free(p);
    }
}
