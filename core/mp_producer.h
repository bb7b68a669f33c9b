/*
 * mp_producer.h — the one interface for response bodies that are computed
 * rather than sent from files as they are (MPEG-TS segments today; fMP4 with
 * a sample cipher and whole-segment AES next).  A producer is opened with
 * its exact size known up front (Content-Length before the first byte),
 * then read into the caller's buffer chunk by chunk, then closed.  Producers
 * stack: one may read another's output (a whole-segment cipher over the TS
 * muxer).  They read media only through mp_source_t, so a nowait source
 * that would block surfaces as MP_ERR_AGAIN and the caller continues where
 * blocking is allowed (nginx: the event loop first, a thread task then).
 */
#ifndef MP_PRODUCER_H
#define MP_PRODUCER_H

#include "mp_common.h"

typedef struct mp_producer_s mp_producer_t;

/* A piece of a body in a producer's own memory. */
typedef struct {
    const uint8_t *p;
    size_t len;
} mp_span_t;

struct mp_producer_s {
    /* Up to cap bytes into out; *done = 1 once the last byte was written.
     * MP_OK, MP_ERR_AGAIN (*written bytes are valid; call again) or an
     * error (sticky: the body cannot be completed). */
    int (*read)(mp_producer_t *p, uint8_t *out, size_t cap, size_t *written, int *done);
    void (*close)(mp_producer_t *p);
    /* Optional (NULL: read only).  A producer that holds its whole body in
     * memory (a segment encrypted at open) lends it instead of copying it:
     * the unread rest as at most max spans, valid until close, counted as
     * read.  Returns the number of spans (0: use read). */
    int (*view)(mp_producer_t *p, mp_span_t *out, int max);
};

/* How a response's producer is opened: recipe is what the packager planned
 * (owned by the response), sources[i] reads the presentation's file i.
 * *size gets the exact body size.  MP_OK, MP_ERR_AGAIN (nothing to close:
 * open again where blocking is allowed), or an error. */
typedef int (*mp_producer_open_pt)(const void *recipe, mp_source_t *const *sources,
                                   mp_producer_t **out, uint64_t *size);

static inline int mp_producer_read(mp_producer_t *p, uint8_t *out, size_t cap, size_t *written,
                                   int *done)
{
    return p->read(p, out, cap, written, done);
}

static inline void mp_producer_close(mp_producer_t *p)
{
    if (p != NULL) {
        p->close(p);
    }
}

#endif
