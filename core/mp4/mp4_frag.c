/*
 * mp4_frag.c — fragmented MP4 (ISO BMFF movie fragments) into the same
 * index the progressive tables give (mp_index.h): the trex defaults of the
 * moov's mvex, then every moof's track fragments (tfhd, tfdt or Smooth's
 * tfxd, one or more trun) expanded sample by sample.  The walk over the
 * top-level boxes after the moov runs twice: once counting (the blob is
 * sized and bounded before it is allocated), once writing; both go through
 * mp4_frag_sample, so they agree.  Every count, size and offset is checked
 * against its box, its mdat and the file: this parses hostile input.
 *
 * Decode times: the first tfdt (else tfxd, else 0) of a track is its base;
 * times are kept relative to it and the base goes into the presentation
 * offset, like an edit list.  A later tfdt ahead of the samples so far opens
 * a gap (a new dts run); one behind them is ignored (samples stay contiguous).
 *
 * A growing file (limits.growing: a live archive being written) ends where
 * its last complete moof+mdat ends: the file size is cut there when a box
 * after it is half-written (header or body), so both walks see the same.
 */
#include "mp4_internal.h"

#define TFHD_BASE_DATA_OFFSET     0x000001u
#define TFHD_SAMPLE_DESCRIPTION   0x000002u
#define TFHD_DEFAULT_DURATION     0x000008u
#define TFHD_DEFAULT_SIZE         0x000010u
#define TFHD_DEFAULT_FLAGS        0x000020u
#define TFHD_DEFAULT_BASE_IS_MOOF 0x020000u

#define TRUN_DATA_OFFSET 0x000001u
#define TRUN_FIRST_FLAGS 0x000004u
#define TRUN_DURATION    0x000100u
#define TRUN_SIZE        0x000200u
#define TRUN_FLAGS       0x000400u
#define TRUN_CTO         0x000800u

#define SAMPLE_IS_NON_SYNC 0x00010000u

/* Decode-time bases and gaps: at most 2^24 s (194 days), like edit lists. */
#define MP4_FRAG_TIME_LIMIT_S (1ull << 24)

static const uint8_t mp4_tfxd_uuid[16] = {
    0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6,
    0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2
};

/* One moof being read. */
typedef struct {
    mp4_parse_ctx_t *ctx;
    uint64_t moof_off;
    uint64_t mdat_off, mdat_end;  /* the mdat right after the moof (empty: none) */
    uint64_t prev_data_end;       /* where the previous traf's data ended */
    uint32_t traf_index;
    int fill;
} mp4_moof_t;

/* One traf being read. */
typedef struct {
    mp4_trak_t *trak;
    uint64_t data_end;            /* next byte after the previous trun's samples */
    uint32_t def_duration, def_size, def_flags;
} mp4_traf_t;

static uint32_t mp4_rd24(const uint8_t *p)
{
    return ((uint32_t) p[0] << 16) | ((uint32_t) p[1] << 8) | p[2];
}

static mp4_trak_t *mp4_trak_by_id(mp4_parse_ctx_t *ctx, uint32_t id)
{
    for (uint32_t i = 0; i < ctx->trak_count; i++) {
        if (ctx->traks[i].track_id == id) {
            return &ctx->traks[i];
        }
    }
    return NULL;
}

int mp4_read_trex(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    if (len < 24) {
        return mp4_fail(ctx, "trex box too short (%zu bytes)", len);
    }
    mp4_trak_t *t = mp4_trak_by_id(ctx, mp_rd32(b + 4));
    if (t != NULL) {                    /* defaults of a track the moov lacks: unused */
        t->frag.has_trex = 1;
        t->frag.def_duration = mp_rd32(b + 12);
        t->frag.def_size = mp_rd32(b + 16);
        t->frag.def_flags = mp_rd32(b + 20);
    }
    return MP_OK;
}

static void mp4_put_at(void *a, int narrow, uint32_t i, uint64_t v)
{
    if (narrow) {
        ((uint32_t *) a)[i] = (uint32_t) v;
    } else {
        ((uint64_t *) a)[i] = v;
    }
}

static int mp4_frag_changed(mp4_parse_ctx_t *ctx, const mp4_trak_t *t)
{
    return mp4_fail(ctx, "track %u: the file changed while it was indexed", t->track_id);
}

/* One sample: counted, and written when the arrays are there. */
static int mp4_frag_sample(mp4_parse_ctx_t *ctx, mp4_trak_t *t, int fill, uint64_t off,
                           uint32_t size, uint32_t duration, int32_t cto, int key)
{
    mp4_frag_trak_t *f = &t->frag;
    mp4_frag_out_t *o = &t->out;
    uint32_t i = f->sample_count;
    int new_run = i == 0 || f->gap || duration != f->last_delta;
    if (fill && o->sizes != NULL) {
        if (i >= o->cap_samples || (new_run && o->dts_as_runs && f->dts_runs >= o->cap_runs)
            || (key && o->keys != NULL && f->key_count >= o->cap_keys)) {
            return mp4_frag_changed(ctx, t);
        }
        mp4_put_at(o->offsets, o->offsets32, i, off);
        o->sizes[i] = size;
        if (o->cto != NULL) {
            o->cto[i] = cto;
        }
        if (key && o->keys != NULL) {
            o->keys[f->key_count] = i;
        }
        if (!o->dts_as_runs) {
            mp4_put_at(o->dts, o->dts32, i, f->end_dts);
        } else if (new_run) {
            ((mp_dts_run_t *) o->dts)[f->dts_runs] = (mp_dts_run_t) { i, duration, f->end_dts };
        }
    }
    f->dts_runs += new_run;
    f->last_delta = duration;
    f->gap = 0;
    f->key_count += key != 0;
    f->sample_count++;
    f->end_dts += duration;
    f->total_bytes += size;
    f->max_size = size > f->max_size ? size : f->max_size;
    return MP_OK;
}

/* The traf's decode time (tfdt or tfxd) against the track's samples so far.
 * Read as signed: ffmpeg's ismv puts AAC priming before 0 in tfxd. */
static int mp4_frag_time(mp4_parse_ctx_t *ctx, mp4_trak_t *t, int64_t time)
{
    mp4_frag_trak_t *f = &t->frag;
    int64_t limit = (int64_t) ((uint64_t) t->timescale * MP4_FRAG_TIME_LIMIT_S);
    if (time > limit || time < -limit) {
        return mp4_fail(ctx, "track %u: fragment decode time %lld is out of range",
                        t->track_id, (long long) time);
    }
    if (!f->has_base) {
        f->has_base = 1;
        f->base_dts = time;
        return MP_OK;
    }
    int64_t rel = time - f->base_dts;          /* |both| <= 2^56: no overflow */
    if (rel <= 0 || (uint64_t) rel <= f->end_dts) {
        return MP_OK;                     /* behind or at the samples so far: stay contiguous */
    }
    f->end_dts = (uint64_t) rel;
    f->gap = 1;
    return MP_OK;
}

/* Can the track take count more samples? */
static int mp4_frag_room(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, uint32_t count)
{
    uint64_t total = (uint64_t) t->frag.sample_count + count;
    if (total > ctx->file_size) {
        return mp4_fail(ctx, "track %u: %llu samples cannot fit in a %llu-byte file", t->track_id,
                        (unsigned long long) total, (unsigned long long) ctx->file_size);
    }
    if (ctx->limits.max_samples != 0 && total > ctx->limits.max_samples) {
        return mp4_fail(ctx, "track %u: %llu samples exceed the limit of %u (mediaplane_max_samples)",
                        t->track_id, (unsigned long long) total, ctx->limits.max_samples);
    }
    return MP_OK;
}

/* A sample's bytes must lie in the file, and in the moof's mdat when they
 * start there. */
static int mp4_frag_bytes_ok(mp4_moof_t *mf, const mp4_trak_t *t, uint64_t off, uint32_t size)
{
    mp4_parse_ctx_t *ctx = mf->ctx;
    if (off > ctx->file_size || size > ctx->file_size - off) {
        return mp4_fail(ctx, "track %u: a fragment's sample lies beyond the end of the file",
                        t->track_id);
    }
    if (off >= mf->mdat_off && off < mf->mdat_end && size > mf->mdat_end - off) {
        return mp4_fail(ctx, "track %u: trun runs past the end of its mdat at offset %llu",
                        t->track_id, (unsigned long long) mf->mdat_off);
    }
    return MP_OK;
}

static int mp4_read_trun(mp4_moof_t *mf, mp4_traf_t *tf, uint64_t base, const uint8_t *b,
                         size_t len)
{
    mp4_parse_ctx_t *ctx = mf->ctx;
    mp4_trak_t *t = tf->trak;
    if (len < 8) {
        return mp4_fail(ctx, "trun box too short (%zu bytes)", len);
    }
    uint32_t flags = mp4_rd24(b + 1), count = mp_rd32(b + 4), first_flags = 0;
    size_t at = 8;
    uint64_t off = tf->data_end;
    size_t head = 8 + ((flags & TRUN_DATA_OFFSET) ? 4 : 0) + ((flags & TRUN_FIRST_FLAGS) ? 4 : 0);
    size_t entry = 4 * (size_t) (!!(flags & TRUN_DURATION) + !!(flags & TRUN_SIZE)
                                 + !!(flags & TRUN_FLAGS) + !!(flags & TRUN_CTO));
    if (len < head || (entry != 0 && count > (len - head) / entry)) {
        return mp4_fail(ctx, "track %u: trun sample count %u exceeds its box", t->track_id, count);
    }
    if (flags & TRUN_DATA_OFFSET) {
        int64_t rel = (int32_t) mp_rd32(b + at);
        at += 4;
        if ((rel < 0 && (uint64_t) -rel > base) || base > ctx->file_size) {
            return mp4_fail(ctx, "track %u: trun data offset outside the file", t->track_id);
        }
        off = base + (uint64_t) rel;
    }
    if (flags & TRUN_FIRST_FLAGS) {
        first_flags = mp_rd32(b + at);
        at += 4;
    }
    if (mp4_frag_room(ctx, t, count) != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    t->frag.has_cto |= (flags & TRUN_CTO) != 0;
    int video = t->handler == MP_FOURCC('v', 'i', 'd', 'e');
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = b + at;
        uint32_t duration = tf->def_duration, size = tf->def_size, sflags = tf->def_flags;
        int32_t cto = 0;
        if (flags & TRUN_DURATION) {
            duration = mp_rd32(e);
            e += 4;
        }
        if (flags & TRUN_SIZE) {
            size = mp_rd32(e);
            e += 4;
        }
        if (flags & TRUN_FLAGS) {
            sflags = mp_rd32(e);
            e += 4;
        } else if (i == 0 && (flags & TRUN_FIRST_FLAGS)) {
            sflags = first_flags;
        }
        if (flags & TRUN_CTO) {
            cto = (int32_t) mp_rd32(e);
        }
        at += entry;
        if (mp4_frag_bytes_ok(mf, t, off, size) != MP_OK
            || mp4_frag_sample(ctx, t, mf->fill, off, size, duration, cto,
                               video && !(sflags & SAMPLE_IS_NON_SYNC)) != MP_OK) {
            return MP_ERR_BAD_MEDIA;
        }
        off += size;
    }
    tf->data_end = off;
    return MP_OK;
}

/* tfhd: track, base data offset and the defaults over the trex ones. */
static int mp4_read_tfhd(mp4_moof_t *mf, mp4_traf_t *tf, const uint8_t *b, size_t len,
                         uint64_t *base)
{
    mp4_parse_ctx_t *ctx = mf->ctx;
    if (len < 8) {
        return mp4_fail(ctx, "tfhd box too short (%zu bytes)", len);
    }
    uint32_t flags = mp4_rd24(b + 1);
    size_t need = 8 + ((flags & TFHD_BASE_DATA_OFFSET) ? 8 : 0)
                  + 4 * (size_t) (!!(flags & TFHD_SAMPLE_DESCRIPTION) + !!(flags & TFHD_DEFAULT_DURATION)
                                  + !!(flags & TFHD_DEFAULT_SIZE) + !!(flags & TFHD_DEFAULT_FLAGS));
    if (len < need) {
        return mp4_fail(ctx, "tfhd box too short for its flags 0x%06x", flags);
    }
    tf->trak = mp4_trak_by_id(ctx, mp_rd32(b + 4));
    if (tf->trak == NULL) {
        return mp4_fail(ctx, "track fragment for track %u, which the moov does not have",
                        mp_rd32(b + 4));
    }
    const mp4_frag_trak_t *f = &tf->trak->frag;
    tf->def_duration = f->def_duration;
    tf->def_size = f->def_size;
    tf->def_flags = f->def_flags;
    size_t at = 8;
    if (flags & TFHD_BASE_DATA_OFFSET) {
        *base = mp_rd64(b + at);
        at += 8;
    } else if ((flags & TFHD_DEFAULT_BASE_IS_MOOF) || mf->traf_index == 0) {
        *base = mf->moof_off;
    } else {
        *base = mf->prev_data_end;
    }
    at += (flags & TFHD_SAMPLE_DESCRIPTION) ? 4 : 0;
    if (flags & TFHD_DEFAULT_DURATION) {
        tf->def_duration = mp_rd32(b + at);
        at += 4;
    }
    if (flags & TFHD_DEFAULT_SIZE) {
        tf->def_size = mp_rd32(b + at);
        at += 4;
    }
    if (flags & TFHD_DEFAULT_FLAGS) {
        tf->def_flags = mp_rd32(b + at);
    }
    return MP_OK;
}

/* tfdt (version 0 or 1) or a tfxd uuid box: the traf's decode time. */
int mp4_traf_time(const uint8_t *b, size_t len, uint32_t type, uint64_t *time)
{
    if (type == MP_FOURCC('u', 'u', 'i', 'd')) {
        if (len < 16 || memcmp(b, mp4_tfxd_uuid, 16) != 0) {
            return 0;
        }
        b += 16;
        len -= 16;
    }
    if (len >= 12 && b[0] == 1) {
        *time = mp_rd64(b + 4);
        return 1;
    }
    if (len >= 8 && b[0] == 0) {
        *time = mp_rd32(b + 4);
        return 1;
    }
    return -1;
}

/* Next child box of a container: 1 with its body, 0 at the end, -1 bad. */
int mp4_next_child(const uint8_t **p, size_t *len, const uint8_t **body, size_t *blen,
                   uint32_t *type)
{
    uint64_t size;
    if (*len < 8) {
        return 0;
    }
    size_t hdr = mp4_box_header(*p, *len, &size, type);
    if (hdr == 0 || size > *len) {
        return -1;
    }
    *body = *p + hdr;
    *blen = (size_t) size - hdr;
    *p += size;
    *len -= (size_t) size;
    return 1;
}

static int mp4_read_traf(mp4_moof_t *mf, const uint8_t *b, size_t len)
{
    mp4_parse_ctx_t *ctx = mf->ctx;
    mp4_traf_t tf = { 0 };
    uint64_t base = 0, time = 0;
    int has_tfhd = 0, has_tfdt = 0, has_tfxd = 0, rc;
    const uint8_t *p = b, *body;
    size_t left = len, blen;
    uint32_t type;
    while ((rc = mp4_next_child(&p, &left, &body, &blen, &type)) == 1) {
        uint64_t t = 0;
        if (type == MP_FOURCC('t', 'f', 'h', 'd') && !has_tfhd) {
            if (mp4_read_tfhd(mf, &tf, body, blen, &base) != MP_OK) {
                return MP_ERR_BAD_MEDIA;
            }
            has_tfhd = 1;
        } else if (type == MP_FOURCC('t', 'f', 'd', 't') || type == MP_FOURCC('u', 'u', 'i', 'd')) {
            int got = mp4_traf_time(body, blen, type, &t);
            if (got < 0) {
                return mp4_fail(ctx, "malformed %s box", type == MP_FOURCC('u', 'u', 'i', 'd') ? "tfxd" : "tfdt");
            }
            if (got && type == MP_FOURCC('t', 'f', 'd', 't')) {
                time = t;
                has_tfdt = 1;
            } else if (got && !has_tfdt) {
                time = t;
                has_tfxd = 1;
            }
        }
    }
    if (rc < 0) {
        return mp4_fail(ctx, "a box in a traf exceeds its container");
    }
    if (!has_tfhd) {
        return mp4_fail(ctx, "traf without tfhd");
    }
    if ((has_tfdt || has_tfxd || !tf.trak->frag.has_base)
        && mp4_frag_time(ctx, tf.trak, (has_tfdt || has_tfxd) ? (int64_t) time : 0) != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    tf.data_end = base;
    p = b;
    left = len;
    while (mp4_next_child(&p, &left, &body, &blen, &type) == 1) {
        if (type == MP_FOURCC('t', 'r', 'u', 'n') && mp4_read_trun(mf, &tf, base, body, blen) != MP_OK) {
            return MP_ERR_BAD_MEDIA;
        }
    }
    mf->prev_data_end = tf.data_end;
    mf->traf_index++;
    return MP_OK;
}

int mp4_frag_read_moof(mp4_parse_ctx_t *ctx, const uint8_t *moof, size_t len, uint64_t moof_off,
                       uint64_t mdat_off, uint64_t mdat_end, int fill)
{
    mp4_moof_t mf = { ctx, moof_off, mdat_off, mdat_end, moof_off, 0, fill };
    const uint8_t *p = moof, *body;
    size_t left = len, blen;
    uint32_t type;
    int rc;
    while ((rc = mp4_next_child(&p, &left, &body, &blen, &type)) == 1) {
        if (type == MP_FOURCC('t', 'r', 'a', 'f') && mp4_read_traf(&mf, body, blen) != MP_OK) {
            return MP_ERR_BAD_MEDIA;
        }
    }
    if (rc < 0) {
        return mp4_fail(ctx, "a box in the moof at offset %llu exceeds it",
                        (unsigned long long) moof_off);
    }
    return MP_OK;
}

/* The top-level box at off: its size (to the end of the file for size 0)
 * and type, checked to lie in the file. */
static int mp4_frag_box_at(mp4_parse_ctx_t *ctx, mp_source_t *m, uint64_t off, uint64_t *size,
                           uint32_t *type, size_t *hdr)
{
    const uint8_t *p;
    size_t got;
    uint64_t left = ctx->file_size - off;
    size_t need = left < 16 ? (size_t) left : 16;
    if (m->view(m, off, need, ctx->walk_window, &p, &got) != MP_OK) {
        return mp4_fail(ctx, "read error at offset %llu", (unsigned long long) off);
    }
    *hdr = mp4_box_header(p, need, size, type);
    if (*hdr != 0 && mp_rd32(p) == 0) {
        *size = left;
    }
    if (*hdr == 0 || *size > left) {
        return mp4_fail(ctx, "top-level box at offset %llu is truncated or malformed",
                        (unsigned long long) off);
    }
    return MP_OK;
}

/* The moof at off (size bytes, hdr of header): bounded, read with the mdat
 * that follows it. */
static int mp4_frag_moof_at(mp4_parse_ctx_t *ctx, mp_source_t *m, uint64_t off, uint64_t size,
                            size_t hdr, int fill)
{
    uint32_t max_fragments = ctx->limits.max_fragments ? ctx->limits.max_fragments
                                                       : MP4_MAX_FRAGMENTS;
    uint64_t max_moof = ctx->limits.max_moov ? ctx->limits.max_moov : MP4_MAX_MOOV_SIZE;
    if (++ctx->fragments > max_fragments) {
        return mp4_fail(ctx, "more than %u fragments (mediaplane_max_fragments)", max_fragments);
    }
    if (size > max_moof) {
        return mp4_fail(ctx, "moof of %llu bytes exceeds the limit of %llu (mediaplane_max_moov_size)",
                        (unsigned long long) size, (unsigned long long) max_moof);
    }
    uint64_t mdat_off = off + size, mdat_end = mdat_off, next_size;
    uint32_t next_type;
    size_t next_hdr;
    if (mdat_off < ctx->file_size) {         /* a truncated next box is reported first */
        if (mp4_frag_box_at(ctx, m, mdat_off, &next_size, &next_type, &next_hdr) != MP_OK) {
            return MP_ERR_BAD_MEDIA;
        }
        mdat_end = next_type == MP_FOURCC('m', 'd', 'a', 't') ? mdat_off + next_size : mdat_off;
    }
    const uint8_t *p;
    size_t got;
    if (m->view(m, off, (size_t) size, (size_t) size, &p, &got) != MP_OK) {
        return mp4_fail(ctx, "read error at offset %llu", (unsigned long long) off);
    }
    return mp4_frag_read_moof(ctx, p + hdr, (size_t) size - hdr, off, mdat_off, mdat_end, fill);
}

/* Is the top-level box at off whole (for a moof: with the whole mdat
 * after it)?  Only a growing file asks; malformed boxes are reported by
 * the walk as for any file. */
static int mp4_frag_whole_at(mp4_parse_ctx_t *ctx, mp_source_t *m, uint64_t off, int with_mdat)
{
    const uint8_t *p;
    size_t got;
    uint64_t left = ctx->file_size - off, size;
    uint32_t type;
    size_t need = left < 16 ? (size_t) left : 16;
    if (left < 8) {
        return 0;                    /* not even a header yet */
    }
    if (m->view(m, off, need, ctx->walk_window, &p, &got) != MP_OK) {
        return 1;
    }
    if (mp_rd32(p) == 0 || (mp_rd32(p) == 1 && need < 16)) {
        return 0;                    /* to the end of the file, or a header still short */
    }
    if (mp4_box_header(p, need, &size, &type) == 0) {
        return 1;
    }
    if (size > left) {
        return 0;
    }
    if (type != MP_FOURCC('m', 'o', 'o', 'f') || !with_mdat) {
        return 1;
    }
    return size < left && mp4_frag_whole_at(ctx, m, off + size, 0);
}

int mp4_frag_walk(mp4_parse_ctx_t *ctx, mp_source_t *m, uint64_t moov_end, int fill)
{
    uint32_t max_fragments = ctx->limits.max_fragments ? ctx->limits.max_fragments
                                                       : MP4_MAX_FRAGMENTS;
    /* styp, sidx, moof, mdat per fragment, and a few more (mfra, free) */
    uint64_t max_boxes = 4 * (uint64_t) max_fragments + 64, boxes = 0;
    ctx->fragments = 0;
    for (uint64_t off = moov_end; off < ctx->file_size; ) {
        uint64_t size;
        uint32_t type;
        size_t hdr;
        if (ctx->limits.growing && !mp4_frag_whole_at(ctx, m, off, 1)) {
            ctx->file_size = off;    /* the half-written tail is not there yet */
            break;
        }
        if (mp4_frag_box_at(ctx, m, off, &size, &type, &hdr) != MP_OK) {
            return MP_ERR_BAD_MEDIA;
        }
        if (++boxes > max_boxes) {
            return mp4_fail(ctx, "more than %llu top-level boxes after the moov "
                            "(4 per fragment: mediaplane_max_fragments)",
                            (unsigned long long) max_boxes);
        }
        if (type == MP_FOURCC('m', 'o', 'o', 'v')) {
            return mp4_fail(ctx, "a second moov box at offset %llu", (unsigned long long) off);
        }
        if (type == MP_FOURCC('m', 'o', 'o', 'f')
            && mp4_frag_moof_at(ctx, m, off, size, hdr, fill) != MP_OK) {
            return MP_ERR_BAD_MEDIA;
        }
        off += size;
    }
    return MP_OK;
}
