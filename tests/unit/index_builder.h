/*
 * index_builder.h — builds mp_index_t blobs by hand for the unit tests, so
 * segmenter, muxer and manifest tests need neither MP4 files nor the parser.
 *
 *   ib_build_index(): tracks given as a filled mp_track_t header plus explicit
 *                     arrays (offsets, sizes, dts, cto, keys, config, entry);
 *   ib_regular():     one track with a regular pattern (fixed frame duration,
 *                     key frame every gop samples, sizes from a formula)
 *                     written into an ib_arrays_t the caller owns.
 *
 * Also an in-memory mp_source_t (ib_mem_src_t) for code that reads samples.
 * Include after unit_helpers.h.
 */
#ifndef INDEX_BUILDER_H
#define INDEX_BUILDER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp4/mp_index.h"

#include <sys/uio.h>

/* ---- in-memory file ------------------------------------------------------- */

typedef struct {
    const uint8_t *data;
    size_t len;
    int fail;                 /* 1: every read fails with MP_ERR_IO */
} ib_mem_src_t;

static inline int ib_mem_read(mp_source_t *r, void *buf, size_t len, uint64_t off)
{
    ib_mem_src_t *s = r->ctx;
    if (s->fail || off > s->len || len > s->len - off) {
        return MP_ERR_IO;
    }
    memcpy(buf, s->data + off, len);
    return MP_OK;
}

/* The same, scattered: what a vectored read of the file would give. */
static inline int ib_mem_readv(mp_source_t *r, const struct iovec *iov, int count, uint64_t off)
{
    for (int i = 0; i < count; i++) {
        if (ib_mem_read(r, iov[i].iov_base, iov[i].iov_len, off) != MP_OK) {
            return MP_ERR_IO;
        }
        off += iov[i].iov_len;
    }
    return MP_OK;
}

static inline mp_source_t ib_mem_source(ib_mem_src_t *s)
{
    return (mp_source_t) { .read = ib_mem_read, .ctx = s, .readv = ib_mem_readv };
}

/* ---- blob from explicit arrays -------------------------------------------- */

typedef struct {
    mp_track_t t;             /* type, codec, timescale, sample_count, key_count, config_len,
                                 entry_len, ...; the *_off fields are filled in */
    const uint8_t *config;    /* config_len bytes */
    const uint64_t *offsets;
    const uint32_t *sizes;
    const uint64_t *dts;      /* sample_count + 1 */
    const int32_t *cto;       /* NULL: none */
    const uint32_t *keys;     /* t.key_count entries */
    const uint8_t *entry;     /* entry_len bytes (a sample entry box); NULL if entry_len 0 */
} ib_track_t;

/* Append len bytes at the next 8-aligned position (blob NULL: layout only). */
static inline uint64_t ib_put(uint8_t *blob, size_t *pos, const void *src, size_t len)
{
    size_t off = (*pos + 7) & ~(size_t) 7;
    if (blob != NULL && len) {
        memcpy(blob + off, src, len);
    }
    *pos = off + len;
    return off;
}

static inline size_t ib_layout(uint8_t *blob, const ib_track_t *tr, uint32_t n)
{
    size_t pos = sizeof(mp_index_t) + n * sizeof(mp_track_t);
    for (uint32_t i = 0; i < n; i++) {
        mp_track_t t = tr[i].t;
        uint32_t c = t.sample_count;
        t.entry_off = t.entry_len ? (uint32_t) ib_put(blob, &pos, tr[i].entry, t.entry_len) : 0;
        t.config_off = (uint32_t) ib_put(blob, &pos, tr[i].config, t.config_len);
        t.offsets_off = ib_put(blob, &pos, tr[i].offsets, 8 * (size_t) c);
        t.sizes_off = ib_put(blob, &pos, tr[i].sizes, 4 * (size_t) c);
        t.dts_off = ib_put(blob, &pos, tr[i].dts, 8 * ((size_t) c + 1));
        t.cto_off = tr[i].cto ? ib_put(blob, &pos, tr[i].cto, 4 * (size_t) c) : 0;
        t.keys_off = t.key_count ? ib_put(blob, &pos, tr[i].keys, 4 * (size_t) t.key_count) : 0;
        if (blob != NULL) {
            memcpy(blob + sizeof(mp_index_t) + i * sizeof(mp_track_t), &t, sizeof(t));
        }
    }
    return (pos + 7) & ~(size_t) 7;
}

/* malloc()ed blob (free()); asserts mp_index_check accepts it. */
static inline mp_index_t *ib_build_index(const ib_track_t *tr, uint32_t n)
{
    size_t size = ib_layout(NULL, tr, n);
    uint8_t *blob = calloc(1, size);
    assert_non_null(blob);
    ib_layout(blob, tr, n);
    mp_index_t *ix = (mp_index_t *) blob;
    ix->magic = MP_INDEX_MAGIC;
    ix->version = MP_INDEX_VERSION;
    ix->total_size = size;
    ix->track_count = n;
    ix->movie_timescale = 1000;
    ix->tracks_off = sizeof(mp_index_t);
    assert_int_equal(mp_index_check(ix, size), MP_OK);
    return ix;
}

/* ---- regular tracks ------------------------------------------------------- */

typedef struct {
    uint32_t type;            /* MP_TRACK_VIDEO / MP_TRACK_AUDIO */
    uint32_t timescale;
    uint32_t samples;
    uint32_t frame;           /* duration of every sample */
    uint32_t gop;             /* key frame every gop samples; 0: all sync (no keys array) */
    int64_t pres_offset;
    int32_t cto;              /* != 0: key frames get cto, others alternate cto / 0 */
    const char *lang;         /* NULL: "und" */
    uint32_t avg_bitrate;     /* 0: computed from the sizes */
    uint64_t first_offset;    /* file offset of sample 0; samples are contiguous */
    uint64_t first_dts;       /* dts of sample 0 */
} ib_regular_t;

/* Arrays behind one regular track (heap, free with ib_arrays_free). */
typedef struct {
    uint64_t *offsets;
    uint32_t *sizes;
    uint64_t *dts;
    int32_t *cto;
    uint32_t *keys;
} ib_arrays_t;

static const uint8_t ib_avcc[] = { 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67, 0x64,
                                   0x00, 0x1f, 0x01, 0x00, 0x02, 0x68, 0xee };
static const uint8_t ib_asc[] = { 0x11, 0x90 };

/* Sample i's size: key frames 1000 + i, others 100 + i (audio: 300 + i % 7). */
static inline uint32_t ib_regular_size(const ib_regular_t *r, uint32_t i)
{
    if (r->type == MP_TRACK_AUDIO) {
        return 300 + i % 7;
    }
    return (r->gop == 0 || i % r->gop == 0) ? 1000 + i : 100 + i;
}

static inline ib_track_t ib_regular(const ib_regular_t *r, ib_arrays_t *a)
{
    uint32_t n = r->samples, keys = 0;
    a->offsets = calloc(n, sizeof(uint64_t));
    a->sizes = calloc(n, sizeof(uint32_t));
    a->dts = calloc((size_t) n + 1, sizeof(uint64_t));
    a->cto = r->cto ? calloc(n, sizeof(int32_t)) : NULL;
    a->keys = calloc((size_t) n + 1, sizeof(uint32_t));
    assert_true(a->offsets && a->sizes && a->dts && a->keys && (a->cto || !r->cto));
    uint64_t off = r->first_offset, bytes = 0;
    uint32_t max = 0;
    for (uint32_t i = 0; i < n; i++) {
        int key = r->gop == 0 || i % r->gop == 0;
        a->sizes[i] = ib_regular_size(r, i);
        a->offsets[i] = off;
        off += a->sizes[i];
        bytes += a->sizes[i];
        max = a->sizes[i] > max ? a->sizes[i] : max;
        a->dts[i] = r->first_dts + (uint64_t) i * r->frame;
        if (a->cto) {
            a->cto[i] = key ? r->cto : (i % 2 ? r->cto : 0);
        }
        if (r->gop && key) {
            a->keys[keys++] = i;
        }
    }
    a->dts[n] = r->first_dts + (uint64_t) n * r->frame;
    mp_track_t t;
    memset(&t, 0, sizeof(t));
    t.type = r->type;
    t.codec = r->type == MP_TRACK_VIDEO ? MP_CODEC_AVC : MP_CODEC_AAC;
    t.fourcc = r->type == MP_TRACK_VIDEO ? MP_FOURCC('a', 'v', 'c', '1') : MP_FOURCC('m', 'p', '4', 'a');
    t.timescale = r->timescale;
    t.sample_count = n;
    t.key_count = keys;
    t.nal_length_size = r->type == MP_TRACK_VIDEO ? 4 : 0;
    t.duration = (uint64_t) n * r->frame;
    t.pres_offset = r->pres_offset;
    t.total_bytes = bytes;
    t.max_sample_size = max;
    t.avg_bitrate = r->avg_bitrate ? r->avg_bitrate
                                   : (uint32_t) (bytes * 8 * r->timescale / (t.duration ? t.duration : 1));
    t.width = r->type == MP_TRACK_VIDEO ? 1280 : 0;
    t.height = r->type == MP_TRACK_VIDEO ? 720 : 0;
    t.sample_rate = r->type == MP_TRACK_AUDIO ? r->timescale : 0;
    t.channels = r->type == MP_TRACK_AUDIO ? 2 : 0;
    t.sample_size_bits = 16;
    snprintf(t.language, sizeof(t.language), "%s", r->lang ? r->lang : "und");
    snprintf(t.codecs, sizeof(t.codecs), "%s", r->type == MP_TRACK_VIDEO ? "avc1.64001f" : "mp4a.40.2");
    t.config_len = r->type == MP_TRACK_VIDEO ? sizeof(ib_avcc) : sizeof(ib_asc);
    ib_track_t tr = { t, r->type == MP_TRACK_VIDEO ? ib_avcc : ib_asc,
                      a->offsets, a->sizes, a->dts, a->cto, r->gop ? a->keys : NULL, NULL };
    return tr;
}

static inline void ib_arrays_free(ib_arrays_t *a)
{
    free(a->offsets);
    free(a->sizes);
    free(a->dts);
    free(a->cto);
    free(a->keys);
    memset(a, 0, sizeof(*a));
}

/* One-track index with a regular pattern. */
static inline mp_index_t *ib_regular_index(const ib_regular_t *r)
{
    ib_arrays_t a;
    ib_track_t t = ib_regular(r, &a);
    mp_index_t *ix = ib_build_index(&t, 1);
    ib_arrays_free(&a);
    return ix;
}

#endif
