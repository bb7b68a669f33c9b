/*
 * mp_ranges_producer.c — head + file ranges as a producer (see the header):
 * a cursor over the head and then the ranges, each read going straight from
 * the source into the caller's buffer; a nowait source that would block
 * returns what was read before it, and the next call continues there.
 */
#include "mp_ranges_producer.h"

#include <stdlib.h>

typedef struct {
    mp_producer_t producer;   /* first */
    mp_source_t *src;
    uint8_t *head;
    size_t head_len, head_pos;
    mp_range_t *ranges;
    uint32_t count, next;     /* current range */
    uint64_t range_pos;       /* bytes of ranges[next] already produced */
} mp_ranges_producer_t;

static int mp_ranges_read(mp_producer_t *p, uint8_t *out, size_t cap, size_t *written,
                          int *done)
{
    mp_ranges_producer_t *r = (mp_ranges_producer_t *) p;
    size_t n = 0;
    int rc = MP_OK;
    size_t k = r->head_len - r->head_pos < cap ? r->head_len - r->head_pos : cap;
    memcpy(out, r->head + r->head_pos, k);
    r->head_pos += k;
    n += k;
    while (n < cap && r->next < r->count) {
        const mp_range_t *g = &r->ranges[r->next];
        uint64_t left = g->length - r->range_pos;
        size_t take = left < cap - n ? (size_t) left : cap - n;
        rc = take ? r->src->read(r->src, out + n, take, g->offset + r->range_pos) : MP_OK;
        if (rc != MP_OK) {
            break;
        }
        n += take;
        r->range_pos += take;
        if (r->range_pos == g->length) {
            r->next++;
            r->range_pos = 0;
        }
    }
    *written = rc == MP_OK || rc == MP_ERR_AGAIN ? n : 0;
    *done = rc == MP_OK && r->head_pos == r->head_len && r->next == r->count;
    return rc;
}

static void mp_ranges_close(mp_producer_t *p)
{
    mp_ranges_producer_t *r = (mp_ranges_producer_t *) p;
    free(r->head);
    free(r->ranges);
    free(r);
}

int mp_ranges_producer_open(const uint8_t *head, size_t head_len, const mp_range_t *ranges,
                            uint32_t count, mp_source_t *src, mp_producer_t **out,
                            uint64_t *size)
{
    mp_ranges_producer_t *r = calloc(1, sizeof(*r));
    if (r != NULL) {
        r->head = malloc(head_len ? head_len : 1);
        r->ranges = malloc(sizeof(mp_range_t) * (count ? count : 1));
    }
    if (r == NULL || r->head == NULL || r->ranges == NULL) {
        if (r != NULL) {
            mp_ranges_close(&r->producer);
        }
        return MP_ERR_NO_MEMORY;
    }
    memcpy(r->head, head, head_len);
    memcpy(r->ranges, ranges, sizeof(mp_range_t) * count);
    r->head_len = head_len;
    r->count = count;
    r->src = src;
    r->producer.read = mp_ranges_read;
    r->producer.close = mp_ranges_close;
    *size = head_len;
    for (uint32_t i = 0; i < count; i++) {
        *size += ranges[i].length;
    }
    *out = &r->producer;
    return MP_OK;
}
