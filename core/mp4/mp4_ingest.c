/*
 * mp4_ingest.c — pushed fragmented MP4 taken apart per track (see
 * mp4_ingest.h).  The moov is walked by the parser's own moov walk
 * (mp4_walk_moov) and a fragment checked by the origin's own reader
 * (mp4_index_source_limited over the bytes in memory); what is done here
 * is only the box surgery: one trak (and its trex) kept, renumbered 1, and
 * the one traf of a moof located.  Hostile input: every box is checked to
 * lie inside its container.
 */
#include "mp4_ingest.h"
#include "mp4_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FOURCC_TRAK MP_FOURCC('t', 'r', 'a', 'k')
#define FOURCC_TKHD MP_FOURCC('t', 'k', 'h', 'd')
#define FOURCC_MVEX MP_FOURCC('m', 'v', 'e', 'x')
#define FOURCC_TREX MP_FOURCC('t', 'r', 'e', 'x')
#define FOURCC_TRAF MP_FOURCC('t', 'r', 'a', 'f')
#define FOURCC_TFHD MP_FOURCC('t', 'f', 'h', 'd')
#define FOURCC_TFDT MP_FOURCC('t', 'f', 'd', 't')
#define FOURCC_UUID MP_FOURCC('u', 'u', 'i', 'd')

static int ingest_fail(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ingest_fail(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;

    if (err_len > 0) {
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) (v >> 24);
    p[1] = (uint8_t) (v >> 16);
    p[2] = (uint8_t) (v >> 8);
    p[3] = (uint8_t) v;
}

/* The body of a box whose header is at p (len bytes left): 0, or -1. */
static int box_at(const uint8_t *p, size_t len, size_t *hdr, size_t *size, uint32_t *type)
{
    uint64_t s;

    *hdr = mp4_box_header(p, len, &s, type);
    if (*hdr == 0 || s > len) {
        return -1;
    }
    *size = (size_t) s;
    return 0;
}

int mp4_ingest_tracks(const uint8_t *moov, size_t len, mp4_ingest_track_t *out, int max,
                      char *err, size_t err_len)
{
    mp4_parse_ctx_t *ctx = calloc(1, sizeof(*ctx));
    int n = -1;

    if (ctx == NULL) {
        return ingest_fail(err, err_len, "out of memory");
    }
    ctx->err = err;
    ctx->err_len = err_len;
    ctx->file_size = len;
    if (mp4_walk_moov(ctx, moov, len) != MP_OK) {
        goto done;
    }
    if (!ctx->fragmented) {
        ingest_fail(err, err_len, "the moov has no mvex: not fragmented MP4");
    } else if (ctx->trak_count == 0 || ctx->trak_count > (uint32_t) max) {
        ingest_fail(err, err_len, "the moov has %u tracks (1 to %d taken)", ctx->trak_count, max);
    } else {
        for (n = 0; n < (int) ctx->trak_count; n++) {
            out[n].track_id = ctx->traks[n].track_id;
            out[n].handler = ctx->traks[n].handler;
        }
    }
done:
    free(ctx);
    return n;
}

/* The track ID of a trak body (its tkhd's), 0 when it has none. */
static uint32_t trak_id(const uint8_t *b, size_t len, size_t *id_at)
{
    const uint8_t *p = b, *body;
    size_t left = len, blen;
    uint32_t type;

    while (mp4_next_child(&p, &left, &body, &blen, &type) == 1) {
        if (type == FOURCC_TKHD && blen >= 24) {
            *id_at = (size_t) (body - b) + (body[0] == 1 ? 20 : 12);
            return mp_rd32(b + *id_at);
        }
    }
    return 0;
}

/* A container's children copied to out, all but those keep() refuses; the
 * kept ones' bytes and header sizes are unchanged.  Returns bytes written. */
typedef int (*keep_fn)(uint32_t type, const uint8_t *body, size_t blen, uint32_t track_id);

static size_t copy_children(const uint8_t *b, size_t len, uint32_t track_id, keep_fn keep,
                            uint8_t *out)
{
    const uint8_t *p = b, *start, *body;
    size_t left = len, blen, n = 0;
    uint32_t type;

    for (start = p; mp4_next_child(&p, &left, &body, &blen, &type) == 1; start = p) {
        if (keep(type, body, blen, track_id)) {
            memcpy(out + n, start, (size_t) (p - start));
            n += (size_t) (p - start);
        }
    }
    return n;
}

static int keep_trex(uint32_t type, const uint8_t *body, size_t blen, uint32_t track_id)
{
    return type != FOURCC_TREX || (blen >= 8 && mp_rd32(body + 4) == track_id);
}

static int keep_trak(uint32_t type, const uint8_t *body, size_t blen, uint32_t track_id)
{
    size_t at;

    return type != FOURCC_TRAK || trak_id(body, blen, &at) == track_id;
}

/* Every tkhd and trex of the (copied) moov body renumbered 1. */
static void renumber(uint8_t *b, size_t len)
{
    const uint8_t *p = b, *body;
    size_t left = len, blen, at;
    uint32_t type;

    while (mp4_next_child(&p, &left, &body, &blen, &type) == 1) {
        uint8_t *w = b + (body - b);
        if (type == FOURCC_TRAK && trak_id(body, blen, &at) != 0) {
            put32(w + at, 1);
        } else if (type == FOURCC_MVEX) {
            const uint8_t *q = body, *tb;
            size_t qleft = blen, tlen;
            uint32_t t;
            while (mp4_next_child(&q, &qleft, &tb, &tlen, &t) == 1) {
                if (t == FOURCC_TREX && tlen >= 8) {
                    put32(b + (tb - b) + 4, 1);
                }
            }
        }
    }
}

size_t mp4_ingest_track_moov(const uint8_t *moov, size_t len, uint32_t track_id, uint8_t *out,
                             size_t cap, char *err, size_t err_len)
{
    const uint8_t *p, *body;
    size_t hdr, size, left, blen, n = 8;
    uint32_t type;

    if (box_at(moov, len, &hdr, &size, &type) != 0 || type != MP_FOURCC('m', 'o', 'o', 'v')
        || cap < size) {
        ingest_fail(err, err_len, "not a moov box");
        return 0;
    }
    p = moov + hdr;
    left = size - hdr;
    for (const uint8_t *start = p; mp4_next_child(&p, &left, &body, &blen, &type) == 1; start = p) {
        if (type == FOURCC_MVEX) {
            size_t m = copy_children(body, blen, track_id, keep_trex, out + n + 8);
            put32(out + n, (uint32_t) (m + 8));
            put32(out + n + 4, FOURCC_MVEX);
            n += m + 8;
        } else if (keep_trak(type, body, blen, track_id)) {
            memcpy(out + n, start, (size_t) (p - start));
            n += (size_t) (p - start);
        }
    }
    if (left != 0) {
        ingest_fail(err, err_len, "a box in the moov exceeds it");
        return 0;
    }
    put32(out, (uint32_t) n);
    put32(out + 4, MP_FOURCC('m', 'o', 'o', 'v'));
    renumber(out + 8, n - 8);
    return n;
}

/* The traf of a moof: its tfhd's track ID and the decode time. */
static int read_traf(const uint8_t *moof, const uint8_t *b, size_t len, mp4_ingest_moof_t *info,
                     char *err, size_t err_len)
{
    const uint8_t *p = b, *body;
    size_t left = len, blen;
    uint32_t type;
    int has_tfhd = 0, has_tfdt = 0, rc;

    while ((rc = mp4_next_child(&p, &left, &body, &blen, &type)) == 1) {
        uint64_t t = 0;
        if (type == FOURCC_TFHD && !has_tfhd) {
            if (blen < 8) {
                return ingest_fail(err, err_len, "tfhd box too short");
            }
            if (body[3] & 0x01) {        /* an offset into the encoder's stream, not ours */
                return ingest_fail(err, err_len, "a tfhd with a base-data-offset (Smooth "
                                   "fragments omit it: offsets from the moof are taken)");
            }
            info->track_id = mp_rd32(body + 4);
            info->track_id_at = (size_t) (body - moof) + 4;
            has_tfhd = 1;
        } else if (type == FOURCC_TFDT || type == FOURCC_UUID) {
            int got = mp4_traf_time(body, blen, type, &t);
            if (got < 0) {
                return ingest_fail(err, err_len, "malformed %s box",
                                   type == FOURCC_TFDT ? "tfdt" : "tfxd");
            }
            if (got && (type == FOURCC_TFDT || !has_tfdt)) {
                info->time = (int64_t) t;   /* signed: ismv puts AAC priming before 0 */
                info->has_time = 1;
                has_tfdt |= type == FOURCC_TFDT;
            }
        }
    }
    if (rc < 0) {
        return ingest_fail(err, err_len, "a box in the traf exceeds it");
    }
    return has_tfhd ? 0 : ingest_fail(err, err_len, "traf without tfhd");
}

int mp4_ingest_read_moof(const uint8_t *moof, size_t len, mp4_ingest_moof_t *info, char *err,
                         size_t err_len)
{
    const uint8_t *p, *body;
    size_t hdr, size, left, blen;
    uint32_t type;
    int trafs = 0, rc;

    memset(info, 0, sizeof(*info));
    if (box_at(moof, len, &hdr, &size, &type) != 0 || type != MP_FOURCC('m', 'o', 'o', 'f')) {
        return ingest_fail(err, err_len, "not a moof box");
    }
    p = moof + hdr;
    left = size - hdr;
    while ((rc = mp4_next_child(&p, &left, &body, &blen, &type)) == 1) {
        if (type == FOURCC_TRAF && (++trafs > 1 || read_traf(moof, body, blen, info, err,
                                                            err_len) != 0)) {
            return trafs > 1 ? ingest_fail(err, err_len, "a moof with more than one traf "
                                           "(one track per fragment is taken)") : -1;
        }
    }
    if (rc < 0) {
        return ingest_fail(err, err_len, "a box in the moof exceeds it");
    }
    return trafs == 1 ? 0 : ingest_fail(err, err_len, "a moof without traf");
}

/* ------------------------------------------------------------ the check */

typedef struct {
    const uint8_t *p;
    size_t len;
} mem_t;

static int mem_read(mp_source_t *s, void *buf, size_t len, uint64_t off)
{
    const mem_t *m = s->ctx;

    if (off > m->len || len > m->len - off) {
        return MP_ERR_IO;
    }
    memcpy(buf, m->p + off, len);
    return MP_OK;
}

static int mem_view(mp_source_t *s, uint64_t off, size_t need, size_t want, const uint8_t **p,
                    size_t *got)
{
    const mem_t *m = s->ctx;

    if (off > m->len || need > m->len - off) {
        return MP_ERR_IO;
    }
    *p = m->p + off;
    *got = want < m->len - off ? want : m->len - off;
    return MP_OK;
}

int mp4_ingest_check(const uint8_t *file, size_t len, char *err, size_t err_len)
{
    mem_t m = { file, len };
    mp_source_t s = { .read = mem_read, .ctx = &m, .view = mem_view };
    mp4_limits_t lim = { .max_tracks = 1, .max_fragments = 1 };
    mp_index_t *ix = mp4_index_source_limited(&s, len, &lim, NULL, err, err_len);
    int ok = ix != NULL && ix->track_count == 1;

    if (ix != NULL && !ok) {
        ingest_fail(err, err_len, "the track is not one the origin packages");
    }
    mp_free(NULL, ix);
    return ok ? 0 : -1;
}
