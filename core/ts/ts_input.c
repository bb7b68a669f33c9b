/*
 * ts_input.c — the TS muxer's buffered, queued reads of sample bytes (see
 * ts_input.h): the queue of spans, compaction, and refills planned in file
 * order (vectored reads over regions of a source) and committed only when
 * every read of the refill succeeded, so a nowait source that would block
 * loses nothing.
 */
#include "ts_input.h"

#include <stdlib.h>
#include <sys/uio.h>

void ts_in_init(ts_input_t *in, uint8_t *buf, size_t cap, uint8_t *gap, ts_in_more_pt more,
                void *ctx)
{
    in->buf = buf;
    in->cap = cap;
    in->pos = in->len = 0;
    in->q_head = in->q_count = 0;
    in->q_bytes = 0;
    in->exhausted = 0;
    in->more = more;
    in->more_ctx = ctx;
    in->gap = gap;
    in->reads = 0;
}

int ts_in_push(ts_input_t *in, mp_source_t *src, uint64_t off, uint64_t len)
{
    if (in->q_count == TS_IN_QUEUE) {
        return 0;
    }
    if (len == 0) {
        return 1;
    }
    ts_span_t *last = in->q_count ? &in->q[(in->q_head + in->q_count - 1) % TS_IN_QUEUE] : NULL;
    if (last != NULL && last->src == src && last->off + last->len == off) {
        last->len += len;                   /* back to back: one span */
    } else {
        in->q[(in->q_head + in->q_count) % TS_IN_QUEUE] = (ts_span_t) { src, off, len };
        in->q_count++;
    }
    in->q_bytes += len;
    return 1;
}

/* Queue spans until they cover room bytes, the queue is full or the muxer
 * has no more. */
static void ts_in_top_up(ts_input_t *in, size_t room)
{
    while (!in->exhausted && in->q_bytes < room && in->q_count < TS_IN_QUEUE) {
        if (!in->more(in->more_ctx, in)) {
            in->exhausted = 1;
        }
    }
}

static void ts_in_compact(ts_input_t *in)
{
    if (in->pos > 0) {
        memmove(in->buf, in->buf + in->pos, in->len - in->pos);
        in->len -= in->pos;
        in->pos = 0;
    }
}

/* The queue's head as pieces of the buffer's free room, in stream order;
 * returns their number, *bytes their total. */
static uint32_t ts_in_plan(ts_input_t *in, size_t *bytes)
{
    size_t room = in->cap - in->len, used = 0;
    uint32_t n = 0;
    for (uint32_t k = 0; k < in->q_count && used < room; k++) {
        const ts_span_t *s = &in->q[(in->q_head + k) % TS_IN_QUEUE];
        size_t take = s->len < room - used ? (size_t) s->len : room - used;
        in->plan[n++] = (ts_in_piece_t) { s->src, s->off, take, in->len + used };
        used += take;
    }
    *bytes = used;
    return n;
}

static int ts_in_piece_cmp(const void *a, const void *b)
{
    const ts_in_piece_t *x = a, *y = b;
    if (x->src != y->src) {
        return (uintptr_t) x->src < (uintptr_t) y->src ? -1 : 1;
    }
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Read pieces [i, *next) of one source that lie at most TS_IN_GAP apart
 * with one vectored read (or piece by piece without readv). */
static int ts_in_read_region(ts_input_t *in, uint32_t i, uint32_t n, uint32_t *next)
{
    struct iovec iov[MP_SOURCE_IOV_MAX];
    const ts_in_piece_t *p = in->plan;
    mp_source_t *src = p[i].src;
    uint64_t start = p[i].off, end = p[i].off + p[i].len;
    int cnt = 1;
    uint32_t j = i + 1;
    iov[0] = (struct iovec) { in->buf + p[i].dest, p[i].len };
    while (src->readv != NULL && j < n && p[j].src == src && p[j].off >= end
           && p[j].off - end <= TS_IN_GAP && cnt + 2 <= MP_SOURCE_IOV_MAX) {
        if (p[j].off > end) {
            iov[cnt++] = (struct iovec) { in->gap, (size_t) (p[j].off - end) };
        }
        iov[cnt++] = (struct iovec) { in->buf + p[j].dest, p[j].len };
        end = p[j].off + p[j].len;
        j++;
    }
    *next = j;
    in->reads++;
    if (src->readv != NULL) {
        return src->readv(src, iov, cnt, start);
    }
    return src->read(src, iov[0].iov_base, iov[0].iov_len, start);
}

/* Drop bytes from the queue's head (they were read). */
static void ts_in_consume_queue(ts_input_t *in, size_t bytes)
{
    in->q_bytes -= bytes;
    while (bytes > 0) {
        ts_span_t *s = &in->q[in->q_head];
        size_t take = s->len < bytes ? (size_t) s->len : bytes;
        s->off += take;
        s->len -= take;
        bytes -= take;
        if (s->len == 0) {
            in->q_head = (in->q_head + 1) % TS_IN_QUEUE;
            in->q_count--;
        }
    }
}

static int ts_in_refill(ts_input_t *in)
{
    size_t bytes;
    ts_in_compact(in);
    ts_in_top_up(in, in->cap - in->len);
    uint32_t n = ts_in_plan(in, &bytes);
    qsort(in->plan, n, sizeof(in->plan[0]), ts_in_piece_cmp);
    for (uint32_t i = 0; i < n;) {
        int rc = ts_in_read_region(in, i, n, &i);
        if (rc != MP_OK) {
            return rc;                      /* nothing committed */
        }
    }
    in->len += bytes;
    ts_in_consume_queue(in, bytes);
    return MP_OK;
}

int ts_in_ensure(ts_input_t *in, size_t need)
{
    need = need < in->cap ? need : in->cap;
    while (ts_in_avail(in) < need) {
        ts_in_top_up(in, need - ts_in_avail(in));
        if (in->q_count == 0) {
            return MP_OK;                   /* that is all there is */
        }
        int rc = ts_in_refill(in);
        if (rc != MP_OK) {
            return rc;
        }
    }
    return MP_OK;
}
