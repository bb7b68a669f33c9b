/*
 * mp4_build.c — validates a track's sample tables (stts, ctts, stss, stsc,
 * stsz/stz2, stco/co64) against each other and the file size, then expands
 * them into the flat arrays of the index blob (mp_index.h).  This is the only
 * place that knows the run-length encodings of ISO BMFF sample tables.  For
 * a fragmented file it lays the blob out from what the walk of its moofs
 * counted (mp4_frag.c) and has a second walk fill it.
 */
#include "mp4_internal.h"

#include <stdlib.h>

typedef struct {
    const mp4_trak_t *trak;
    mp4_entry_info_t entry;
    uint32_t type;
    uint32_t sample_count;
    uint32_t key_count;         /* 0: every sample is sync */
    int has_cto;
    uint32_t flags;             /* MP_TRACK_OFFSETS32, MP_TRACK_DTS32, MP_TRACK_DTS_RUNS */
    uint32_t dts_runs;          /* stts runs, adjacent equal durations merged */
} mp4_plan_t;

static size_t mp4_align8(size_t n)
{
    return (n + 7) & ~(size_t) 7;
}

/* Full-box table with a 32-bit entry count after version/flags. */
static int mp4_table(mp4_parse_ctx_t *ctx, const mp4_span_t *s, size_t head, size_t entry,
                     const char *name, uint32_t *count)
{
    if (s->len < 4 + head) {
        return mp4_fail(ctx, "%s box too short", name);
    }
    *count = mp_rd32(s->p + 4 + head - 4);
    if (*count > (s->len - 4 - head) / entry) {
        return mp4_fail(ctx, "%s entry count %u exceeds box size", name, *count);
    }
    return MP_OK;
}

static int mp4_sample_count(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, uint32_t *count)
{
    if (t->stsz.p != NULL) {
        if (t->stsz.len < 12) {
            return mp4_fail(ctx, "stsz box too short");
        }
        *count = mp_rd32(t->stsz.p + 8);
        if (mp_rd32(t->stsz.p + 4) == 0 && *count > (t->stsz.len - 12) / 4) {
            return mp4_fail(ctx, "stsz sample count %u exceeds box size", *count);
        }
        return MP_OK;
    }
    if (t->stz2.p != NULL && t->stz2.len >= 12) {
        uint32_t field = t->stz2.p[7];
        *count = mp_rd32(t->stz2.p + 8);
        if ((field != 4 && field != 8 && field != 16) ||
            ((uint64_t) *count * field + 7) / 8 > t->stz2.len - 12) {
            return mp4_fail(ctx, "malformed stz2 box");
        }
        return MP_OK;
    }
    return mp4_fail(ctx, "track %u has no sample size table", t->track_id);
}

static uint32_t mp4_size_of(const mp4_trak_t *t, uint32_t i)
{
    if (t->stsz.p != NULL) {
        uint32_t fixed = mp_rd32(t->stsz.p + 4);
        return fixed ? fixed : mp_rd32(t->stsz.p + 12 + 4 * (size_t) i);
    }
    uint32_t field = t->stz2.p[7];
    const uint8_t *d = t->stz2.p + 12;
    if (field == 16) {
        return mp_rd16(d + 2 * (size_t) i);
    }
    if (field == 8) {
        return d[i];
    }
    return (i & 1) ? (d[i / 2] & 0x0f) : (d[i / 2] >> 4);
}

/* Check table consistency so the expansion below never reads out of bounds. */
static int mp4_plan_track(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, mp4_plan_t *plan)
{
    uint32_t n;
    if (t->timescale == 0) {
        return mp4_fail(ctx, "track %u has timescale 0", t->track_id);
    }
    if (mp4_sample_count(ctx, t, &plan->sample_count) != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    if (plan->sample_count == 0) {
        return MP_ERR_NOT_FOUND;     /* empty track: nothing to package */
    }
    /* Every real sample takes at least a byte of the file; this bounds the
     * index a small hostile moov can make us allocate and expand. */
    if (plan->sample_count > ctx->file_size) {
        return mp4_fail(ctx, "track %u: %u samples cannot fit in a %llu-byte file", t->track_id,
                        plan->sample_count, (unsigned long long) ctx->file_size);
    }
    if (ctx->limits.max_samples != 0 && plan->sample_count > ctx->limits.max_samples) {
        return mp4_fail(ctx, "track %u: %u samples exceed the limit of %u (mediaplane_max_samples)",
                        t->track_id, plan->sample_count, ctx->limits.max_samples);
    }
    /* Edit lists may shift a track by at most 2^24 s (194 days) either way,
     * which keeps the presentation's time arithmetic far from overflow. */
    uint64_t edit_limit = (uint64_t) t->timescale << 24;
    if ((t->has_media_time && (t->media_time < 0 || (uint64_t) t->media_time > edit_limit)) ||
        (ctx->movie_timescale && t->empty_edit / ctx->movie_timescale > (1u << 24))) {
        return mp4_fail(ctx, "track %u: edit list out of range", t->track_id);
    }
    if (t->stts.p == NULL || mp4_table(ctx, &t->stts, 4, 8, "stts", &n) != MP_OK) {
        return mp4_fail(ctx, "track %u: missing or bad stts", t->track_id);
    }
    uint64_t total = 0, duration = 0;
    uint32_t runs = 0, last_delta = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = t->stts.p + 8 + 8 * (size_t) i;
        total += mp_rd32(e);
        if (duration <= UINT32_MAX) {
            duration += (uint64_t) mp_rd32(e) * mp_rd32(e + 4);   /* < 2^64 until it stops */
        }
        if (mp_rd32(e) != 0 && (runs == 0 || mp_rd32(e + 4) != last_delta)) {
            runs++;
            last_delta = mp_rd32(e + 4);
        }
    }
    /* narrow arrays where every value fits (offsets are checked < file size);
     * decode times as runs when that is smaller */
    plan->flags = (ctx->file_size <= UINT32_MAX ? MP_TRACK_OFFSETS32 : 0)
                  | (duration <= UINT32_MAX ? MP_TRACK_DTS32 : 0);
    if (runs > 0 && (uint64_t) runs * sizeof(mp_dts_run_t)
                    < ((duration <= UINT32_MAX ? 4 : 8) * ((uint64_t) plan->sample_count + 1))) {
        plan->flags |= MP_TRACK_DTS_RUNS;
        plan->dts_runs = runs;
    }
    if (total != plan->sample_count) {
        return mp4_fail(ctx, "track %u: stts covers %llu samples, stsz has %u", t->track_id,
                        (unsigned long long) total, plan->sample_count);
    }
    if (t->ctts.p != NULL) {
        if (mp4_table(ctx, &t->ctts, 4, 8, "ctts", &n) != MP_OK) {
            return MP_ERR_BAD_MEDIA;
        }
        total = 0;
        for (uint32_t i = 0; i < n; i++) {
            total += mp_rd32(t->ctts.p + 8 + 8 * (size_t) i);
        }
        if (total < plan->sample_count) {
            return mp4_fail(ctx, "track %u: ctts covers %llu of %u samples", t->track_id,
                            (unsigned long long) total, plan->sample_count);
        }
        plan->has_cto = 1;
    }
    if (t->stss.p != NULL && plan->type == MP_TRACK_VIDEO) {
        if (mp4_table(ctx, &t->stss, 4, 4, "stss", &plan->key_count) != MP_OK) {
            return MP_ERR_BAD_MEDIA;
        }
        if (plan->key_count == 0) {
            return mp4_fail(ctx, "track %u has no sync samples", t->track_id);
        }
    }
    if (t->stsc.p == NULL || mp4_table(ctx, &t->stsc, 4, 12, "stsc", &n) != MP_OK || n == 0) {
        return mp4_fail(ctx, "track %u: missing or empty stsc", t->track_id);
    }
    const mp4_span_t *co = t->stco.p ? &t->stco : &t->co64;
    if (co->p == NULL || mp4_table(ctx, co, 4, t->stco.p ? 4 : 8, "stco", &n) != MP_OK) {
        return mp4_fail(ctx, "track %u: missing chunk offsets", t->track_id);
    }
    return MP_OK;
}

/* A fragmented track's plan from what the walk counted (mp4_frag.c). */
static int mp4_plan_frag_track(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, mp4_plan_t *plan)
{
    const mp4_frag_trak_t *f = &t->frag;
    if (t->timescale == 0) {
        return mp4_fail(ctx, "track %u has timescale 0", t->track_id);
    }
    plan->sample_count = f->sample_count;
    if (plan->sample_count == 0) {
        return MP_ERR_NOT_FOUND;     /* no fragment has samples of it */
    }
    uint64_t edit_limit = (uint64_t) t->timescale << 24;
    if ((t->has_media_time && (t->media_time < 0 || (uint64_t) t->media_time > edit_limit)) ||
        (ctx->movie_timescale && t->empty_edit / ctx->movie_timescale > (1u << 24))) {
        return mp4_fail(ctx, "track %u: edit list out of range", t->track_id);
    }
    if (f->end_dts == 0) {
        return mp4_fail(ctx, "track %u has zero duration", t->track_id);
    }
    int dts32 = f->end_dts <= UINT32_MAX;
    plan->flags = (ctx->file_size <= UINT32_MAX ? MP_TRACK_OFFSETS32 : 0)
                  | (dts32 ? MP_TRACK_DTS32 : 0);
    if ((uint64_t) f->dts_runs * sizeof(mp_dts_run_t)
        < (dts32 ? 4 : 8) * ((uint64_t) plan->sample_count + 1)) {
        plan->flags |= MP_TRACK_DTS_RUNS;
        plan->dts_runs = f->dts_runs;
    }
    plan->has_cto = f->has_cto;
    if (plan->type == MP_TRACK_VIDEO) {
        if (f->key_count == 0) {
            return mp4_fail(ctx, "track %u has no sync samples", t->track_id);
        }
        plan->key_count = f->key_count < plan->sample_count ? f->key_count : 0;
    }
    return MP_OK;
}

static size_t mp4_offsets_bytes(const mp4_plan_t *pl)
{
    return mp4_align8(((pl->flags & MP_TRACK_OFFSETS32) ? 4 : 8) * (size_t) pl->sample_count);
}

static size_t mp4_dts_bytes(const mp4_plan_t *pl)
{
    if (pl->flags & MP_TRACK_DTS_RUNS) {
        return sizeof(mp_dts_run_t) * (size_t) pl->dts_runs;
    }
    return mp4_align8(((pl->flags & MP_TRACK_DTS32) ? 4 : 8) * ((size_t) pl->sample_count + 1));
}

static size_t mp4_track_bytes(const mp4_plan_t *pl)
{
    size_t n = pl->sample_count;
    return mp4_align8(pl->entry.entry_len) + mp4_align8(pl->entry.config_len) +
           mp4_offsets_bytes(pl) + mp4_dts_bytes(pl) + mp4_align8(4 * n) +
           (pl->has_cto ? mp4_align8(4 * n) : 0) + mp4_align8(4 * (size_t) pl->key_count);
}

/* Entry i of an index array of u32 (narrow) or u64. */
static inline void mp4_put(void *a, int narrow, uint32_t i, uint64_t v)
{
    if (narrow) {
        ((uint32_t *) a)[i] = (uint32_t) v;
    } else {
        ((uint64_t *) a)[i] = v;
    }
}

static int mp4_expand_dts(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, void *dts, int narrow,
                          uint32_t count)
{
    uint32_t entries = mp_rd32(t->stts.p + 4), s = 0;
    uint64_t now = 0;
    for (uint32_t e = 0; e < entries && s < count; e++) {
        const uint8_t *p = t->stts.p + 8 + 8 * (size_t) e;
        uint32_t run = mp_rd32(p), delta = mp_rd32(p + 4);
        uint32_t end = count - s < run ? count : s + run;
        for (; s < end; s++) {
            mp4_put(dts, narrow, s, now);
            now += delta;
        }
    }
    mp4_put(dts, narrow, count, now);
    if (now == 0) {
        return mp4_fail(ctx, "track %u has zero duration", t->track_id);
    }
    return MP_OK;
}

/* The stts as runs (mp_dts_run_t), adjacent equal durations merged; the
 * plan counted them the same way. */
static int mp4_expand_dts_runs(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, mp_dts_run_t *runs,
                               uint32_t count)
{
    uint32_t entries = mp_rd32(t->stts.p + 4), s = 0, k = 0;
    uint64_t now = 0;
    for (uint32_t e = 0; e < entries && s < count; e++) {
        const uint8_t *p = t->stts.p + 8 + 8 * (size_t) e;
        uint32_t run = mp_rd32(p), delta = mp_rd32(p + 4);
        if (run == 0) {
            continue;
        }
        if (k == 0 || runs[k - 1].delta != delta) {
            runs[k++] = (mp_dts_run_t) { s, delta, now };
        }
        run = count - s < run ? count - s : run;
        s += run;
        now += (uint64_t) run * delta;
    }
    if (now == 0) {
        return mp4_fail(ctx, "track %u has zero duration", t->track_id);
    }
    return MP_OK;
}

static void mp4_expand_cto(const mp4_trak_t *t, int32_t *cto, uint32_t count)
{
    uint32_t entries = mp_rd32(t->ctts.p + 4), s = 0;
    for (uint32_t e = 0; e < entries && s < count; e++) {
        const uint8_t *p = t->ctts.p + 8 + 8 * (size_t) e;
        uint32_t run = mp_rd32(p);
        int32_t off = (int32_t) mp_rd32(p + 4);
        for (uint32_t k = 0; k < run && s < count; k++) {
            cto[s++] = off;
        }
    }
}

static int mp4_expand_keys(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, uint32_t *keys,
                           uint32_t key_count, uint32_t count)
{
    uint32_t prev = 0;
    for (uint32_t k = 0; k < key_count; k++) {
        uint32_t s = mp_rd32(t->stss.p + 8 + 4 * (size_t) k);
        if (s == 0 || s > count || (k > 0 && s <= prev)) {
            return mp4_fail(ctx, "track %u: stss entry %u out of order or range", t->track_id, s);
        }
        keys[k] = s - 1;
        prev = s;
    }
    return MP_OK;
}

static uint64_t mp4_chunk_offset(const mp4_trak_t *t, uint32_t chunk)
{
    return t->stco.p ? mp_rd32(t->stco.p + 8 + 4 * (size_t) chunk)
                     : mp_rd64(t->co64.p + 8 + 8 * (size_t) chunk);
}

/* Sizes of samples [s, end) into sizes[]. */
static void mp4_expand_sizes(const mp4_trak_t *t, uint32_t *sizes, uint32_t s, uint32_t end)
{
    uint32_t fixed = t->stsz.p != NULL ? mp_rd32(t->stsz.p + 4) : 0;
    if (t->stsz.p != NULL && fixed == 0) {
        const uint8_t *p = t->stsz.p + 12;
        for (; s < end; s++) {
            sizes[s] = mp_rd32(p + 4 * (size_t) s);
        }
        return;
    }
    for (; s < end; s++) {
        sizes[s] = fixed ? fixed : mp4_size_of(t, s);
    }
}

/* Offsets of one chunk's samples [s, end) from its offset off, checked
 * against the file size; sums and maximum of their sizes. */
static int mp4_expand_chunk(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, void *offs, int narrow,
                            const uint32_t *sizes, uint32_t s, uint32_t end, uint64_t off,
                            uint64_t *total_bytes, uint32_t *max_size)
{
    uint64_t file_size = ctx->file_size, total = *total_bytes;
    uint32_t max = *max_size;
    for (; s < end; s++) {
        uint32_t size = sizes[s];
        if (off > file_size || size > file_size - off) {
            return mp4_fail(ctx, "track %u: sample %u lies beyond the end of the file",
                            t->track_id, s);
        }
        mp4_put(offs, narrow, s, off);
        off += size;
        total += size;
        max = size > max ? size : max;
    }
    *total_bytes = total;
    *max_size = max;
    return MP_OK;
}

/* stsc + stco/co64 + sizes → per-sample file offsets, checked against file size. */
static int mp4_expand_offsets(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, void *offs, int narrow,
                              uint32_t *sizes, uint32_t count, uint64_t *total_bytes,
                              uint32_t *max_size)
{
    uint32_t entries = mp_rd32(t->stsc.p + 4);
    uint32_t chunks = mp_rd32((t->stco.p ? t->stco.p : t->co64.p) + 4);
    uint32_t s = 0;
    mp4_expand_sizes(t, sizes, 0, count);
    for (uint32_t e = 0; e < entries && s < count; e++) {
        const uint8_t *p = t->stsc.p + 8 + 12 * (size_t) e;
        uint32_t first = mp_rd32(p), per_chunk = mp_rd32(p + 4);
        uint32_t next = e + 1 < entries ? mp_rd32(p + 12) : chunks + 1;
        if (first == 0 || next < first || next > chunks + 1 || per_chunk == 0) {
            return mp4_fail(ctx, "track %u: malformed stsc entry %u", t->track_id, e);
        }
        for (uint32_t c = first - 1; c < next - 1 && s < count; c++) {
            uint32_t end = count - s < per_chunk ? count : s + per_chunk;
            if (mp4_expand_chunk(ctx, t, offs, narrow, sizes, s, end, mp4_chunk_offset(t, c),
                                 total_bytes, max_size) != MP_OK) {
                return MP_ERR_BAD_MEDIA;
            }
            s = end;
        }
    }
    if (s != count) {
        return mp4_fail(ctx, "track %u: chunks hold %u of %u samples", t->track_id, s, count);
    }
    return MP_OK;
}

static void mp4_fill_track_header(mp4_parse_ctx_t *ctx, const mp4_plan_t *pl, mp_track_t *tr)
{
    const mp4_trak_t *t = pl->trak;
    const mp4_entry_info_t *e = &pl->entry;
    tr->type = pl->type;
    tr->codec = e->codec;
    tr->fourcc = e->fourcc;
    tr->track_id = t->track_id;
    tr->timescale = t->timescale;
    tr->sample_count = pl->sample_count;
    tr->key_count = pl->key_count;
    tr->nal_length_size = e->nal_length_size;
    tr->width = e->width;
    tr->height = e->height;
    tr->flags = pl->flags;
    tr->dts_runs = pl->dts_runs;
    tr->sample_rate = e->sample_rate;
    tr->channels = e->channels;
    tr->sample_size_bits = e->sample_size_bits;
    memcpy(tr->language, t->language, 4);
    memcpy(tr->codecs, e->codecs, sizeof(tr->codecs));
    uint64_t empty = ctx->movie_timescale ? mp_rescale(t->empty_edit, ctx->movie_timescale, t->timescale) : 0;
    tr->pres_offset = (int64_t) empty - (t->has_media_time ? t->media_time : 0);
}

/* Zero the 8 bytes before end (an array's last entry and its padding,
 * written again when the array is filled). */
static void mp4_zero_tail(uint8_t *blob, size_t end)
{
    memset(blob + end - 8, 0, 8);
}

/* Lay one track's header, sample entry and arrays out at *at in the blob. */
static void mp4_layout_track(mp4_parse_ctx_t *ctx, const mp4_plan_t *pl, uint8_t *blob,
                             size_t *at, mp_track_t *tr)
{
    uint32_t n = pl->sample_count;
    mp4_fill_track_header(ctx, pl, tr);
    tr->entry_off = (uint32_t) *at;
    tr->entry_len = pl->entry.entry_len;
    memcpy(blob + *at, pl->entry.entry, pl->entry.entry_len);
    *at += mp4_align8(pl->entry.entry_len);
    tr->config_off = (uint32_t) *at;
    tr->config_len = pl->entry.config_len;
    memcpy(blob + *at, pl->entry.config, pl->entry.config_len);
    *at += mp4_align8(pl->entry.config_len);
    /* decode times first: an older reader of two blobs that compares
     * 8 * (n + 1) bytes from dts_off and 8 * n from offsets_off stays
     * inside the blob (and in initialised bytes: padding is zeroed) */
    tr->dts_off = *at;
    *at += mp4_dts_bytes(pl);
    tr->offsets_off = *at;
    *at += mp4_offsets_bytes(pl);
    tr->sizes_off = *at;
    *at += mp4_align8(4 * (size_t) n);
    mp4_zero_tail(blob, tr->offsets_off);   /* each array's alignment padding */
    mp4_zero_tail(blob, tr->sizes_off);
    mp4_zero_tail(blob, *at);
    if (pl->has_cto) {
        tr->cto_off = *at;
        *at += mp4_align8(4 * (size_t) n);
        mp4_zero_tail(blob, *at);
    }
    if (pl->key_count) {
        tr->keys_off = *at;
        *at += mp4_align8(4 * (size_t) pl->key_count);
        mp4_zero_tail(blob, *at);
    }
}

/* Duration and the figures derived from it, once the arrays are filled. */
static void mp4_finish_track(const mp4_plan_t *pl, const uint8_t *blob, mp_track_t *tr)
{
    tr->duration = mp_sample_dts((const mp_index_t *) blob, tr, pl->sample_count);
    tr->avg_bitrate = (uint32_t) mp_rescale(tr->total_bytes * 8, tr->duration, tr->timescale);
    if (pl->type == MP_TRACK_VIDEO) {
        tr->frame_rate_milli = (uint32_t) mp_rescale((uint64_t) pl->sample_count * 1000,
                                                     tr->duration, tr->timescale);
    }
}

/* Lay one track's arrays out at *at in the blob and fill them from its tables. */
static int mp4_emit_track(mp4_parse_ctx_t *ctx, const mp4_plan_t *pl, uint8_t *blob, size_t *at,
                          mp_track_t *tr)
{
    uint32_t n = pl->sample_count;
    mp4_layout_track(ctx, pl, blob, at, tr);
    if (pl->has_cto) {
        mp4_expand_cto(pl->trak, (int32_t *) (blob + tr->cto_off), n);
    }
    if (pl->key_count && mp4_expand_keys(ctx, pl->trak, (uint32_t *) (blob + tr->keys_off),
                                         pl->key_count, n) != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    int dts_rc = (pl->flags & MP_TRACK_DTS_RUNS)
                 ? mp4_expand_dts_runs(ctx, pl->trak, (mp_dts_run_t *) (blob + tr->dts_off), n)
                 : mp4_expand_dts(ctx, pl->trak, blob + tr->dts_off, pl->flags & MP_TRACK_DTS32, n);
    if (dts_rc != MP_OK
        || mp4_expand_offsets(ctx, pl->trak, blob + tr->offsets_off,
                              pl->flags & MP_TRACK_OFFSETS32, (uint32_t *) (blob + tr->sizes_off),
                              n, &tr->total_bytes, &tr->max_sample_size) != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    mp4_finish_track(pl, blob, tr);
    return MP_OK;
}

static int mp4_plan_all(mp4_parse_ctx_t *ctx, mp4_plan_t *plans, uint32_t *count)
{
    uint32_t max_tracks = ctx->limits.max_tracks;
    if (max_tracks == 0 || max_tracks > MP_MAX_TRACKS) {
        max_tracks = MP_MAX_TRACKS;
    }
    *count = 0;
    for (uint32_t i = 0; i < ctx->trak_count; i++) {
        const mp4_trak_t *t = &ctx->traks[i];
        mp4_plan_t *pl = &plans[*count];
        memset(pl, 0, sizeof(*pl));
        pl->trak = t;
        if (t->handler == MP_FOURCC('v', 'i', 'd', 'e')) {
            pl->type = MP_TRACK_VIDEO;
        } else if (t->handler == MP_FOURCC('s', 'o', 'u', 'n')) {
            pl->type = MP_TRACK_AUDIO;
        } else {
            continue;                          /* text, timecode, hint: not packaged */
        }
        int rc = mp4_read_sample_entry(ctx, t, &pl->entry);
        if (rc == MP_OK) {
            rc = ctx->fragmented ? mp4_plan_frag_track(ctx, t, pl) : mp4_plan_track(ctx, t, pl);
        }
        if (rc == MP_ERR_BAD_MEDIA) {
            return rc;
        }
        if (rc == MP_OK) {
            if (*count == max_tracks) {
                return mp4_fail(ctx, "more than %u media tracks (mediaplane_max_tracks)", max_tracks);
            }
            (*count)++;
        }
    }
    if (*count == 0) {
        return mp4_fail(ctx, "no audio or video track in a supported codec "
                             "(H.264, HEVC, AAC, AC-3, E-AC-3)");
    }
    return MP_OK;
}

/* Plan every track, then allocate the blob (bounded) with its header. */
static mp_index_t *mp4_alloc_index(mp4_parse_ctx_t *ctx, mp4_plan_t *plans, uint32_t *count,
                                   size_t *at)
{
    if (mp4_plan_all(ctx, plans, count) != MP_OK) {
        return NULL;
    }
    size_t head = mp4_align8(sizeof(mp_index_t)) + mp4_align8(*count * sizeof(mp_track_t));
    size_t total = head;
    for (uint32_t i = 0; i < *count; i++) {
        total += mp4_track_bytes(&plans[i]);
    }
    if (ctx->limits.max_index != 0 && total > ctx->limits.max_index) {
        mp4_fail(ctx, "index of %zu bytes exceeds the limit of %llu (mediaplane_max_index_size)",
                 total, (unsigned long long) ctx->limits.max_index);
        return NULL;
    }
    mp_index_t *ix = mp_alloc(ctx->alloc, total);
    if (ix == NULL) {
        mp4_fail(ctx, "out of memory for a %zu-byte index", total);
        return NULL;
    }
    /* header and track table; the per-sample arrays are written whole */
    memset(ix, 0, head);
    ix->magic = MP_INDEX_MAGIC;
    ix->version = MP_INDEX_VERSION;
    ix->total_size = total;
    ix->track_count = *count;
    ix->movie_timescale = ctx->movie_timescale;
    ix->movie_duration = ctx->movie_duration;
    ix->tracks_off = mp4_align8(sizeof(mp_index_t));
    *at = head;
    return ix;
}

static mp_track_t *mp4_index_track_at(mp_index_t *ix, uint32_t i)
{
    return (mp_track_t *) ((uint8_t *) ix + ix->tracks_off) + i;
}

mp_index_t *mp4_build_index(mp4_parse_ctx_t *ctx)
{
    if (ctx->fragmented) {
        mp4_fail(ctx, "fragmented MP4: the moov alone describes no samples (index the whole file)");
        return NULL;
    }
    mp4_plan_t plans[MP4_MAX_TRAKS];       /* on the stack: see mp4_parse_moov_with */
    uint32_t count;
    size_t at;
    mp_index_t *ix = mp4_alloc_index(ctx, plans, &count, &at);
    for (uint32_t i = 0; ix != NULL && i < count; i++) {
        if (mp4_emit_track(ctx, &plans[i], (uint8_t *) ix, &at, mp4_index_track_at(ix, i)) != MP_OK) {
            mp_free(ctx->alloc, ix);
            ix = NULL;
        }
    }
    return ix;
}

/* Every trak's fragment counters restart for the fill walk (the trex
 * defaults stay); none has arrays to write yet. */
static void mp4_frag_restart(mp4_parse_ctx_t *ctx)
{
    for (uint32_t i = 0; i < ctx->trak_count; i++) {
        mp4_trak_t *t = &ctx->traks[i];
        mp4_frag_trak_t defaults = { .has_trex = t->frag.has_trex,
                                     .def_duration = t->frag.def_duration,
                                     .def_size = t->frag.def_size,
                                     .def_flags = t->frag.def_flags };
        t->frag = defaults;
        memset(&t->out, 0, sizeof(t->out));
    }
}

/* Where the fill walk writes a packaged fragmented track's arrays. */
static void mp4_frag_target(const mp4_plan_t *pl, uint8_t *blob, const mp_track_t *tr)
{
    mp4_trak_t *t = (mp4_trak_t *) pl->trak;
    t->out = (mp4_frag_out_t) {
        .offsets = blob + tr->offsets_off, .dts = blob + tr->dts_off,
        .sizes = (uint32_t *) (blob + tr->sizes_off),
        .keys = pl->key_count ? (uint32_t *) (blob + tr->keys_off) : NULL,
        .cto = pl->has_cto ? (int32_t *) (blob + tr->cto_off) : NULL,
        .offsets32 = (pl->flags & MP_TRACK_OFFSETS32) != 0, .dts32 = (pl->flags & MP_TRACK_DTS32) != 0,
        .dts_as_runs = (pl->flags & MP_TRACK_DTS_RUNS) != 0,
        .cap_samples = pl->sample_count, .cap_keys = pl->key_count, .cap_runs = pl->dts_runs
    };
}

/* After the fill walk: it found what the count walk did, and the figures. */
static int mp4_frag_finish(mp4_parse_ctx_t *ctx, const mp4_plan_t *pl, const mp4_frag_trak_t *scan,
                           uint8_t *blob, mp_track_t *tr)
{
    const mp4_trak_t *t = pl->trak;
    const mp4_frag_trak_t *f = &t->frag;
    if (f->sample_count != scan->sample_count || f->end_dts != scan->end_dts
        || f->dts_runs != scan->dts_runs || f->key_count != scan->key_count
        || f->has_cto != scan->has_cto || f->base_dts != scan->base_dts) {
        return mp4_fail(ctx, "track %u: the file changed while it was indexed", t->track_id);
    }
    if (!(pl->flags & MP_TRACK_DTS_RUNS)) {
        void *dts = blob + tr->dts_off;
        if (pl->flags & MP_TRACK_DTS32) {
            ((uint32_t *) dts)[pl->sample_count] = (uint32_t) f->end_dts;
        } else {
            ((uint64_t *) dts)[pl->sample_count] = f->end_dts;
        }
    }
    tr->total_bytes = f->total_bytes;
    tr->max_sample_size = f->max_size;
    tr->pres_offset += f->base_dts;
    mp4_finish_track(pl, blob, tr);
    return MP_OK;
}

mp_index_t *mp4_build_fragmented(mp4_parse_ctx_t *ctx, mp_source_t *m, uint64_t moov_off,
                                 uint64_t moov_size)
{
    /* the walk moved the view: the moov again, for the sample entries */
    mp4_frag_trak_t scan[MP4_MAX_TRAKS];
    for (uint32_t i = 0; i < ctx->trak_count; i++) {
        scan[i] = ctx->traks[i].frag;
    }
    const uint8_t *p;
    size_t got;
    if (m->view(m, moov_off, (size_t) moov_size, (size_t) moov_size, &p, &got) != MP_OK) {
        mp4_fail(ctx, "read error at offset %llu", (unsigned long long) moov_off);
        return NULL;
    }
    uint32_t scanned = ctx->trak_count;
    if (mp4_walk_moov(ctx, p, (size_t) moov_size) != MP_OK || ctx->trak_count != scanned) {
        mp4_fail(ctx, "the moov changed while the file was indexed");
        return NULL;
    }
    for (uint32_t i = 0; i < ctx->trak_count; i++) {
        ctx->traks[i].frag = scan[i];
    }
    if (ctx->movie_duration == 0) {
        ctx->movie_duration = ctx->fragment_duration;
    }
    mp4_plan_t plans[MP4_MAX_TRAKS];
    uint32_t count;
    size_t at;
    mp_index_t *ix = mp4_alloc_index(ctx, plans, &count, &at);
    if (ix == NULL) {
        return NULL;
    }
    mp4_frag_restart(ctx);
    for (uint32_t i = 0; i < count; i++) {      /* entries copied while the moov is in view */
        mp_track_t *tr = mp4_index_track_at(ix, i);
        mp4_layout_track(ctx, &plans[i], (uint8_t *) ix, &at, tr);
        mp4_frag_target(&plans[i], (uint8_t *) ix, tr);
    }
    int rc = mp4_frag_walk(ctx, m, moov_off + moov_size, 1);
    for (uint32_t i = 0; rc == MP_OK && i < count; i++) {
        rc = mp4_frag_finish(ctx, &plans[i], &scan[plans[i].trak - ctx->traks], (uint8_t *) ix,
                             mp4_index_track_at(ix, i));
    }
    if (rc != MP_OK) {
        mp_free(ctx->alloc, ix);
        return NULL;
    }
    return ix;
}
