/*
 * ts_input.h — the TS muxer's input: the sample bytes a segment needs, in
 * the order the muxer consumes them, read from their sources into one
 * reused buffer.  The muxer queues spans (a sample's bytes in a source)
 * ahead of itself; a refill takes as many queued bytes as fit, gives each
 * its place in the buffer, and reads them in file order: one vectored read
 * per region of a source whose spans lie at most TS_IN_GAP apart (the bytes
 * between go to a scratch area), so an interleaved file is read in a few
 * calls whatever the order the muxer needs its samples in.  Reads happen only in
 * ts_in_ensure, which the muxer calls at packet boundaries: a nowait source
 * that would block (MP_ERR_AGAIN) leaves everything as it was, so the
 * muxer can return and be called again in a thread.
 */
#ifndef TS_INPUT_H
#define TS_INPUT_H

#include "../mp_common.h"

/* Spans queued at most; a refill stops at the queue's end. */
#define TS_IN_QUEUE 1024
/* Unneeded bytes one read may span between two needed ones. */
#define TS_IN_GAP   (8 * 1024)

typedef struct {
    mp_source_t *src;
    uint64_t off;
    uint64_t len;
} ts_span_t;

/* A piece of a refill: len bytes at off of src, to buf + dest. */
typedef struct {
    mp_source_t *src;
    uint64_t off;
    size_t len;
    size_t dest;
} ts_in_piece_t;

typedef struct ts_input_s ts_input_t;

/* Queue the next span(s) with ts_in_push; return 0 when there are no more. */
typedef int (*ts_in_more_pt)(void *ctx, ts_input_t *in);

struct ts_input_s {
    uint8_t *buf;
    size_t cap;
    size_t pos, len;            /* unconsumed bytes: buf[pos, len) */
    ts_span_t q[TS_IN_QUEUE];   /* ring of spans not (fully) read yet */
    uint32_t q_head, q_count;
    uint64_t q_bytes;           /* unread bytes in the queue */
    int exhausted;              /* more() said there is nothing left */
    ts_in_more_pt more;
    void *more_ctx;
    uint8_t *gap;               /* TS_IN_GAP bytes of scratch for skipped bytes */
    ts_in_piece_t plan[TS_IN_QUEUE];
    uint64_t reads;             /* source reads issued (statistics, tests) */
};

/* buf: cap bytes of buffer; gap: TS_IN_GAP bytes of scratch. */
void ts_in_init(ts_input_t *in, uint8_t *buf, size_t cap, uint8_t *gap, ts_in_more_pt more,
                void *ctx);

/* Queue len bytes at off of src (len 0: nothing).  Returns 0 when full. */
int ts_in_push(ts_input_t *in, mp_source_t *src, uint64_t off, uint64_t len);

/* At least need (<= cap) unconsumed bytes at buf + pos, or all that is left
 * of the input.  MP_OK, MP_ERR_AGAIN (a nowait source would block: nothing
 * lost; call again), MP_ERR_IO. */
int ts_in_ensure(ts_input_t *in, size_t need);

static inline size_t ts_in_avail(const ts_input_t *in)
{
    return in->len - in->pos;
}

#endif
