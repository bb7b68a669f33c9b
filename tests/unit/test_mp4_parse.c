/*
 * test_mp4_parse.c — the MP4 reader (mp4_find_moov, mp4_parse_moov,
 * mp4_index_file) on synthetic files written in memory by a tiny box writer:
 * ftyp, moov (mvhd, trak: tkhd, edts/elst, mdia: mdhd, hdlr, minf/stbl with
 * stsd avc1+avcC / hvc1+hvcC / mp4a+esds / ac-3+dac3, stts, ctts, stss, stsc,
 * stsz or stz2, stco or co64), mdat, in either order.  The resulting index is
 * checked sample by sample against what the tables say; broken tables,
 * truncated or oversized boxes must be refused with a reason; fragmented
 * files (moov + mvex, moof/mdat in several layouts) must index to the same
 * samples as the progressive reference, and malformed fragments be
 * refused; mp_index_check must accept every index the parser builds and
 * reject corrupted copies.
 */
#define _GNU_SOURCE                 /* memmem */
#include "unit_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp4/mp4_ingest.h"
#include "mp4/mp4_parse.h"

/* avcC with one SPS (67 64 00 1f) and one PPS (68 ee): avc1.64001f, 4-byte NAL lengths. */
static const uint8_t avcc[] = { 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67, 0x64,
                                0x00, 0x1f, 0x01, 0x00, 0x02, 0x68, 0xee };
/* AudioSpecificConfig: AAC LC (2), 48 kHz, stereo. */
static const uint8_t asc[] = { 0x11, 0x90 };
/* hvcC: Main profile (1), compatibility flags 0x60000000, constraint 0x90, level 93. */
static const uint8_t hvcc[] = { 0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00,
                                0x00, 0x00, 93, 0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8, 0x00,
                                0x00, 0x0f, 0x00 };
static const uint8_t dac3[] = { 0x10, 0x3d, 0xe0 };

enum { C_AVC = 1, C_AAC, C_HEVC, C_AC3, C_OPUS, C_MP3 };

/* ---- a tiny MP4 writer ---------------------------------------------------- */

typedef struct {
    uint32_t handler;             /* 'vide', 'soun', 'text' */
    int codec;                    /* C_* */
    uint32_t track_id, timescale;
    const char *lang;             /* NULL: packed 0 ("und") */
    /* edit list: written when elst != 0; media_time -1 entries are empty edits */
    int elst, elst_v1;
    uint64_t empty;               /* movie timescale; 0: no empty edit */
    int64_t media_time;           /* -1: no non-empty edit */
    int64_t media_time2;          /* != 0: a second non-empty edit (ignored by the parser) */
    int mdhd_v1;
    const uint32_t *stts;         /* (count, delta) pairs */
    uint32_t stts_n;
    const uint32_t *ctts;         /* (count, offset) pairs; NULL: no ctts */
    uint32_t ctts_n;
    const uint32_t *stss;         /* 1-based sample numbers; NULL: no stss */
    uint32_t stss_n;
    const uint32_t *stsc;         /* (first_chunk, samples_per_chunk, sdi) triples */
    uint32_t stsc_n;
    const uint32_t *sizes;        /* per sample; NULL with fixed_size */
    uint32_t sample_count, fixed_size;
    int stz2;                     /* field size 4, 8 or 16: write stz2 instead of stsz */
    int stz2_short;               /* drop the last byte of the stz2 table */
    const uint64_t *chunks;       /* chunk offsets relative to the mdat payload */
    uint32_t chunk_n;
    int co64;
    int omit;                     /* leave out one box: MP_FOURCC of it */
} mt_track_t;

typedef struct {
    uint32_t movie_timescale;
    uint32_t ntracks;
    const mt_track_t *tracks;
    uint64_t mdat_len;            /* payload bytes */
    int moov_last;                /* ftyp, mdat, moov */
    int mvex;                     /* add moov/mvex (fragmented) */
    int moof_first;               /* ftyp, moof, mdat (no moov) */
    uint64_t base;                /* chunk offset base override for moov-only tests */
} mt_file_t;

static void mt_u32s(mp_wr_t *w, const uint32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mp_wr_u32(w, v[i]);
    }
}

static void mt_sample_entry(mp_wr_t *w, const mt_track_t *t)
{
    static const uint32_t types[] = { 0, MP_FOURCC('a', 'v', 'c', '1'), MP_FOURCC('m', 'p', '4', 'a'),
                                      MP_FOURCC('h', 'v', 'c', '1'), MP_FOURCC('a', 'c', '-', '3'),
                                      MP_FOURCC('O', 'p', 'u', 's'), MP_FOURCC('m', 'p', '4', 'a') };
    size_t e = mp_box_begin(w, types[t->codec]);
    mp_wr_zero(w, 6);
    mp_wr_u16(w, 1);                          /* data_reference_index */
    if (t->codec == C_AVC || t->codec == C_HEVC) {
        mp_wr_zero(w, 16);
        mp_wr_u16(w, 1280);
        mp_wr_u16(w, 720);
        mp_wr_u32(w, 0x00480000);
        mp_wr_u32(w, 0x00480000);
        mp_wr_u32(w, 0);
        mp_wr_u16(w, 1);
        mp_wr_zero(w, 32);
        mp_wr_u16(w, 0x18);
        mp_wr_u16(w, 0xffff);
        size_t c = mp_box_begin(w, t->codec == C_AVC ? MP_FOURCC('a', 'v', 'c', 'C')
                                                     : MP_FOURCC('h', 'v', 'c', 'C'));
        if (t->codec == C_AVC) {
            mp_wr_bytes(w, avcc, sizeof(avcc));
        } else {
            mp_wr_bytes(w, hvcc, sizeof(hvcc));
        }
        mp_box_end(w, c);
    } else {
        mp_wr_zero(w, 8);                     /* version, revision, vendor */
        mp_wr_u16(w, 2);                      /* channels */
        mp_wr_u16(w, 16);
        mp_wr_zero(w, 4);
        mp_wr_u32(w, 48000u << 16);
        if (t->codec == C_AAC || t->codec == C_MP3) {
            size_t c = mp_fullbox_begin(w, MP_FOURCC('e', 's', 'd', 's'), 0, 0);
            mp_wr_u8(w, 0x03);                /* ES_Descriptor */
            mp_wr_u8(w, 25);
            mp_wr_u16(w, 1);
            mp_wr_u8(w, 0);
            mp_wr_u8(w, 0x04);                /* DecoderConfigDescriptor */
            mp_wr_u8(w, 17);
            mp_wr_u8(w, t->codec == C_AAC ? 0x40 : 0x6b);
            mp_wr_u8(w, 0x15);
            mp_wr_zero(w, 3 + 4 + 4);
            mp_wr_u8(w, 0x05);                /* DecoderSpecificInfo */
            mp_wr_u8(w, 2);
            mp_wr_bytes(w, asc, sizeof(asc));
            mp_wr_u8(w, 0x06);                /* SLConfigDescriptor */
            mp_wr_u8(w, 1);
            mp_wr_u8(w, 2);
            mp_box_end(w, c);
        } else if (t->codec == C_AC3) {
            size_t c = mp_box_begin(w, MP_FOURCC('d', 'a', 'c', '3'));
            mp_wr_bytes(w, dac3, sizeof(dac3));
            mp_box_end(w, c);
        }
    }
    mp_box_end(w, e);
}

static void mt_stbl(mp_wr_t *w, const mt_track_t *t, uint64_t base)
{
    size_t stbl = mp_box_begin(w, MP_FOURCC('s', 't', 'b', 'l'));
    if (t->omit != (int) MP_FOURCC('s', 't', 's', 'd')) {
        size_t b = mp_fullbox_begin(w, MP_FOURCC('s', 't', 's', 'd'), 0, 0);
        mp_wr_u32(w, 1);
        mt_sample_entry(w, t);
        mp_box_end(w, b);
    }
    size_t b = mp_fullbox_begin(w, MP_FOURCC('s', 't', 't', 's'), 0, 0);
    mp_wr_u32(w, t->stts_n);
    mt_u32s(w, t->stts, 2 * (size_t) t->stts_n);
    mp_box_end(w, b);
    if (t->ctts) {
        b = mp_fullbox_begin(w, MP_FOURCC('c', 't', 't', 's'), 0, 0);
        mp_wr_u32(w, t->ctts_n);
        mt_u32s(w, t->ctts, 2 * (size_t) t->ctts_n);
        mp_box_end(w, b);
    }
    if (t->stss) {
        b = mp_fullbox_begin(w, MP_FOURCC('s', 't', 's', 's'), 0, 0);
        mp_wr_u32(w, t->stss_n);
        mt_u32s(w, t->stss, t->stss_n);
        mp_box_end(w, b);
    }
    if (t->omit != (int) MP_FOURCC('s', 't', 's', 'c')) {
        b = mp_fullbox_begin(w, MP_FOURCC('s', 't', 's', 'c'), 0, 0);
        mp_wr_u32(w, t->stsc_n);
        mt_u32s(w, t->stsc, 3 * (size_t) t->stsc_n);
        mp_box_end(w, b);
    }
    if (t->stz2) {
        b = mp_fullbox_begin(w, MP_FOURCC('s', 't', 'z', '2'), 0, 0);
        mp_wr_u24(w, 0);
        mp_wr_u8(w, (uint32_t) t->stz2);
        mp_wr_u32(w, t->sample_count);
        for (uint32_t i = 0; i < t->sample_count; i++) {
            if (t->stz2 == 16) {
                mp_wr_u16(w, t->sizes[i]);
            } else if (t->stz2 == 8) {
                mp_wr_u8(w, t->sizes[i]);
            } else if (i % 2 == 0) {
                uint32_t next = i + 1 < t->sample_count ? t->sizes[i + 1] : 0;
                mp_wr_u8(w, (t->sizes[i] << 4) | (next & 15));
            }
        }
        if (t->stz2_short) {
            w->pos--;
        }
        mp_box_end(w, b);
    } else {
        b = mp_fullbox_begin(w, MP_FOURCC('s', 't', 's', 'z'), 0, 0);
        mp_wr_u32(w, t->fixed_size);
        mp_wr_u32(w, t->sample_count);
        if (t->fixed_size == 0) {
            mt_u32s(w, t->sizes, t->sample_count);
        }
        mp_box_end(w, b);
    }
    if (t->omit != (int) MP_FOURCC('s', 't', 'c', 'o')) {
        b = mp_fullbox_begin(w, t->co64 ? MP_FOURCC('c', 'o', '6', '4') : MP_FOURCC('s', 't', 'c', 'o'), 0, 0);
        mp_wr_u32(w, t->chunk_n);
        for (uint32_t i = 0; i < t->chunk_n; i++) {
            if (t->co64) {
                mp_wr_u64(w, base + t->chunks[i]);
            } else {
                mp_wr_u32(w, (uint32_t) (base + t->chunks[i]));
            }
        }
        mp_box_end(w, b);
    }
    mp_box_end(w, stbl);
}

static uint32_t mt_lang(const char *l)
{
    return l ? (uint32_t) ((l[0] - 0x60) << 10 | (l[1] - 0x60) << 5 | (l[2] - 0x60)) : 0;
}

static void mt_trak(mp_wr_t *w, const mt_track_t *t, uint64_t base)
{
    size_t trak = mp_box_begin(w, MP_FOURCC('t', 'r', 'a', 'k'));
    size_t b = mp_fullbox_begin(w, MP_FOURCC('t', 'k', 'h', 'd'), 0, 7);
    mp_wr_zero(w, 8);
    mp_wr_u32(w, t->track_id);
    mp_wr_zero(w, 4 + 4 + 8 + 8 + 36);
    mp_wr_u32(w, 1280u << 16);
    mp_wr_u32(w, 720u << 16);
    mp_box_end(w, b);
    if (t->elst) {
        size_t edts = mp_box_begin(w, MP_FOURCC('e', 'd', 't', 's'));
        b = mp_fullbox_begin(w, MP_FOURCC('e', 'l', 's', 't'), t->elst_v1 ? 1 : 0, 0);
        uint32_t n = (t->empty ? 1 : 0) + (t->media_time != -1 ? 1 : 0) + (t->media_time2 ? 1 : 0);
        mp_wr_u32(w, n);
        for (int k = 0; k < 3; k++) {
            if ((k == 0 && !t->empty) || (k == 1 && t->media_time == -1) || (k == 2 && !t->media_time2)) {
                continue;
            }
            uint64_t dur = k == 0 ? t->empty : 1000;
            int64_t mt = k == 0 ? -1 : k == 1 ? t->media_time : t->media_time2;
            if (t->elst_v1) {
                mp_wr_u64(w, dur);
                mp_wr_u64(w, (uint64_t) mt);
            } else {
                mp_wr_u32(w, (uint32_t) dur);
                mp_wr_u32(w, (uint32_t) mt);
            }
            mp_wr_u32(w, 0x00010000);
        }
        mp_box_end(w, b);
        mp_box_end(w, edts);
    }
    size_t mdia = mp_box_begin(w, MP_FOURCC('m', 'd', 'i', 'a'));
    b = mp_fullbox_begin(w, MP_FOURCC('m', 'd', 'h', 'd'), t->mdhd_v1 ? 1 : 0, 0);
    mp_wr_zero(w, t->mdhd_v1 ? 16 : 8);
    mp_wr_u32(w, t->timescale);
    if (t->mdhd_v1) {
        mp_wr_u64(w, 0);
    } else {
        mp_wr_u32(w, 0);
    }
    mp_wr_u16(w, mt_lang(t->lang));
    mp_wr_u16(w, 0);
    mp_box_end(w, b);
    b = mp_fullbox_begin(w, MP_FOURCC('h', 'd', 'l', 'r'), 0, 0);
    mp_wr_u32(w, 0);
    mp_wr_u32(w, t->handler);
    mp_wr_zero(w, 12);
    mp_wr_str(w, "test");
    mp_wr_u8(w, 0);
    mp_box_end(w, b);
    size_t minf = mp_box_begin(w, MP_FOURCC('m', 'i', 'n', 'f'));
    mt_stbl(w, t, base);
    mp_box_end(w, minf);
    mp_box_end(w, mdia);
    mp_box_end(w, trak);
}

static void mt_moov(mp_wr_t *w, const mt_file_t *f, uint64_t base)
{
    size_t moov = mp_box_begin(w, MP_FOURCC('m', 'o', 'o', 'v'));
    size_t b = mp_fullbox_begin(w, MP_FOURCC('m', 'v', 'h', 'd'), 0, 0);
    mp_wr_zero(w, 8);
    mp_wr_u32(w, f->movie_timescale);
    mp_wr_u32(w, 4321);
    mp_wr_u32(w, 0x00010000);
    mp_wr_u16(w, 0x0100);
    mp_wr_zero(w, 10 + 36 + 24);
    mp_wr_u32(w, f->ntracks + 1);
    mp_box_end(w, b);
    for (uint32_t i = 0; i < f->ntracks; i++) {
        mt_trak(w, &f->tracks[i], base);
    }
    if (f->mvex) {
        size_t mvex = mp_box_begin(w, MP_FOURCC('m', 'v', 'e', 'x'));
        size_t b2 = mp_fullbox_begin(w, MP_FOURCC('m', 'e', 'h', 'd'), 1, 0);
        mp_wr_u64(w, 7777);
        mp_box_end(w, b2);
        for (uint32_t i = 0; i < f->ntracks; i++) {
            b2 = mp_fullbox_begin(w, MP_FOURCC('t', 'r', 'e', 'x'), 0, 0);
            mp_wr_u32(w, f->tracks[i].track_id);
            mp_wr_u32(w, 1);
            mp_wr_u32(w, f->tracks[i].handler == MP_FOURCC('s', 'o', 'u', 'n') ? 1024 : 0);
            mp_wr_u32(w, 0);
            mp_wr_u32(w, f->tracks[i].handler == MP_FOURCC('s', 'o', 'u', 'n') ? 0x02000000 : 0x01010000);
            mp_box_end(w, b2);
        }
        mp_box_end(w, mvex);
    }
    mp_box_end(w, moov);
}

static void mt_mdat(mp_wr_t *w, uint64_t len)
{
    mp_wr_u32(w, (uint32_t) (len + 8));
    mp_wr_str(w, "mdat");
    for (uint64_t i = 0; i < len; i++) {
        mp_wr_u8(w, (uint8_t) (i * 7 + 3));
    }
}

#define FTYP_SIZE 24

static void mt_ftyp(mp_wr_t *w)
{
    size_t b = mp_box_begin(w, MP_FOURCC('f', 't', 'y', 'p'));
    mp_wr_str(w, "isom");
    mp_wr_u32(w, 0x200);
    mp_wr_str(w, "isomiso2");
    mp_box_end(w, b);
}

/* The whole file; *moov_off and *moov_size locate its moov (when any). */
static uint8_t *mt_build(const mt_file_t *f, size_t *len, uint64_t *moov_off, uint64_t *moov_size)
{
    mp_wr_t count, w;
    mp_wr_init_count(&count);
    mt_moov(&count, f, 0);
    uint64_t msize = count.pos;
    uint64_t base = f->moov_last ? FTYP_SIZE + 8 : FTYP_SIZE + msize + 8;
    mp_wr_init_dynamic(&w);
    mt_ftyp(&w);
    if (f->moof_first) {
        size_t b = mp_box_begin(&w, MP_FOURCC('m', 'o', 'o', 'f'));
        mp_box_end(&w, b);
        mt_mdat(&w, f->mdat_len);
    } else if (f->moov_last) {
        mt_mdat(&w, f->mdat_len);
        *moov_off = w.pos;
        mt_moov(&w, f, base);
    } else {
        *moov_off = w.pos;
        mt_moov(&w, f, base);
        mt_mdat(&w, f->mdat_len);
    }
    *moov_size = msize;
    assert_false(w.failed);
    *len = w.pos;
    return w.p;
}

/* Only the moov box, in a buffer of exactly its size (ASan sees over-reads). */
static uint8_t *mt_build_moov(const mt_file_t *f, size_t *len)
{
    mp_wr_t w;
    mp_wr_init_dynamic(&w);
    mt_moov(&w, f, f->base);
    assert_false(w.failed);
    uint8_t *moov = malloc(w.pos);
    assert_non_null(moov);
    memcpy(moov, w.p, w.pos);
    *len = w.pos;
    mp_wr_free(&w);
    return moov;
}

/* ---- reading it back ------------------------------------------------------ */

typedef struct {
    const uint8_t *data;
    size_t len;
    int fail;
    int reads;
} mem_src_t;

static int mem_read(mp_source_t *r, void *buf, size_t len, uint64_t off)
{
    mem_src_t *s = r->ctx;
    s->reads++;
    if (s->fail || off > s->len || len > s->len - off) {
        return MP_ERR_IO;
    }
    memcpy(buf, s->data + off, len);
    return MP_OK;
}

/* a source view over the same memory: the file "mapped" in place. */
static int mem_map(mp_source_t *m, uint64_t off, size_t need, size_t want, const uint8_t **p,
                   size_t *got)
{
    mem_src_t *s = m->ctx;
    s->reads++;
    if (s->fail || off > s->len || need > s->len - off) {
        return MP_ERR_IO;
    }
    *p = s->data + off;
    *got = want < s->len - off ? want : (size_t) (s->len - off);
    return MP_OK;
}

/* Index a file through reads and through a view: both paths must give
 * the same blob, or fail with the same reason. */
static mp_index_t *index_of(const uint8_t *file, size_t len, char *err, size_t err_len)
{
    mem_src_t src = { file, len, 0, 0 };
    mp_source_t r = { .read = mem_read, .ctx = &src };
    mp_index_t *ix = mp4_index_file(&r, len, 0, err, err_len);
    mp_source_t m = { .ctx = &src, .view = mem_map };
    char map_err[MP_ERR_LEN];
    mp_index_t *mapped = mp4_index_source(&m, len, 0, NULL, map_err, sizeof(map_err));
    /* both, as the origin's sources: moov viewed, a fragmented file's moofs read */
    mp_source_t both = { .ctx = &src, .view = mem_map, .read = mem_read };
    char both_err[MP_ERR_LEN];
    mp_index_t *mixed = mp4_index_source(&both, len, 0, NULL, both_err, sizeof(both_err));
    if (ix != NULL) {
        assert_int_equal(mp_index_check(ix, ix->total_size), MP_OK);
        assert_non_null(mapped);
        assert_int_equal(mapped->total_size, ix->total_size);
        assert_memory_equal(mapped, ix, ix->total_size);
        assert_non_null(mixed);
        assert_memory_equal(mixed, ix, ix->total_size);
    } else {
        assert_null(mapped);
        assert_string_equal(map_err, err);
        assert_null(mixed);
        assert_string_equal(both_err, err);
    }
    free(mapped);
    free(mixed);
    return ix;
}

static mp_index_t *index_file(const mt_file_t *f)
{
    size_t len;
    uint64_t moov_off, moov_size;
    uint8_t *file = mt_build(f, &len, &moov_off, &moov_size);
    char err[MP_ERR_LEN];
    mp_index_t *ix = index_of(file, len, err, sizeof(err));
    if (ix == NULL) {
        fail_msg("index failed: %s", err);
    }
    free(file);
    return ix;
}

/* Parse a file that must be refused; the reason must contain want. */
static void expect_error(const mt_file_t *f, const char *want)
{
    size_t len;
    uint64_t moov_off, moov_size;
    uint8_t *file = mt_build(f, &len, &moov_off, &moov_size);
    char err[MP_ERR_LEN];
    mp_index_t *ix = index_of(file, len, err, sizeof(err));
    if (ix != NULL) {
        fail_msg("expected an error containing \"%s\", got an index", want);
    }
    if (strstr(err, want) == NULL) {
        fail_msg("expected an error containing \"%s\", got \"%s\"", want, err);
    }
    free(file);
}

/* Same for a moov alone in an exact-size buffer, parsed with a given file size. */
static void expect_moov_error(const mt_file_t *f, uint64_t file_size, const char *want)
{
    size_t len;
    uint8_t *moov = mt_build_moov(f, &len);
    char err[MP_ERR_LEN];
    mp_index_t *ix = mp4_parse_moov(moov, len, file_size, err, sizeof(err));
    if (ix != NULL) {
        fail_msg("expected an error containing \"%s\", got an index", want);
    }
    if (strstr(err, want) == NULL) {
        fail_msg("expected an error containing \"%s\", got \"%s\"", want, err);
    }
    free(moov);
}

/* ---- the reference file ---------------------------------------------------
 * Video: 10 frames at 12800 Hz, stts runs 512 x4, 1024, 512 x5; B-frame ctts;
 * key frames 1 and 6; chunks of 3, 3, 2, 2 samples (two stsc runs); a 500 ms
 * empty edit then media_time 1024.  Audio: 12 AAC frames at 48 kHz in three
 * chunks of 4 interleaved with the video, English, media_time 1024 (priming).
 */

static const uint32_t v_stts[] = { 4, 512, 1, 1024, 5, 512 };
static const uint32_t v_ctts[] = { 1, 1024, 1, 2560, 2, 0, 1, 1536, 5, 512 };
static const uint32_t v_stss[] = { 1, 6 };
static const uint32_t v_stsc[] = { 1, 3, 1, 3, 2, 1 };
static const uint32_t v_sizes[] = { 900, 110, 120, 130, 140, 800, 160, 170, 180, 190 };
static const uint64_t v_chunks[] = { 0, 4000, 9000, 12000 };
static const uint32_t a_stts[] = { 12, 1024 };
static const uint32_t a_stsc[] = { 1, 4, 1 };
static const uint32_t a_sizes[] = { 300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310, 311 };
static const uint64_t a_chunks[] = { 2000, 6000, 10000 };

#define MDAT_LEN 14000

static mt_track_t ref_video(void)
{
    mt_track_t t = { .handler = MP_FOURCC('v', 'i', 'd', 'e'), .codec = C_AVC, .track_id = 1,
                     .timescale = 12800, .elst = 1, .empty = 500, .media_time = 1024,
                     .stts = v_stts, .stts_n = 3, .ctts = v_ctts, .ctts_n = 5,
                     .stss = v_stss, .stss_n = 2, .stsc = v_stsc, .stsc_n = 2,
                     .sizes = v_sizes, .sample_count = 10, .chunks = v_chunks, .chunk_n = 4 };
    return t;
}

static mt_track_t ref_audio(void)
{
    mt_track_t t = { .handler = MP_FOURCC('s', 'o', 'u', 'n'), .codec = C_AAC, .track_id = 2,
                     .timescale = 48000, .lang = "eng", .elst = 1, .media_time = 1024,
                     .stts = a_stts, .stts_n = 1, .stsc = a_stsc, .stsc_n = 1,
                     .sizes = a_sizes, .sample_count = 12, .chunks = a_chunks, .chunk_n = 3 };
    return t;
}

static mt_file_t ref_file(mt_track_t *tracks)
{
    tracks[0] = ref_video();
    tracks[1] = ref_audio();
    mt_file_t f = { .movie_timescale = 1000, .ntracks = 2, .tracks = tracks, .mdat_len = MDAT_LEN };
    return f;
}

/* Expected file offsets of the reference video samples, given the mdat payload start. */
static void ref_video_offsets(uint64_t base, uint64_t *out)
{
    static const uint32_t chunk_of[] = { 0, 0, 0, 1, 1, 1, 2, 2, 3, 3 };
    uint64_t pos = 0;
    for (uint32_t i = 0; i < 10; i++) {
        if (i == 0 || chunk_of[i] != chunk_of[i - 1]) {
            pos = base + v_chunks[chunk_of[i]];
        }
        out[i] = pos;
        pos += v_sizes[i];
    }
}

static void check_ref_index(const mp_index_t *ix, uint64_t base)
{
    assert_int_equal(ix->magic, MP_INDEX_MAGIC);
    assert_int_equal(ix->track_count, 2);
    assert_int_equal(ix->movie_timescale, 1000);
    assert_int_equal(ix->movie_duration, 4321);

    const mp_track_t *v = mp_index_track(ix, 0);
    assert_int_equal(v->type, MP_TRACK_VIDEO);
    assert_int_equal(v->codec, MP_CODEC_AVC);
    assert_int_equal(v->fourcc, MP_FOURCC('a', 'v', 'c', '1'));
    assert_int_equal(v->track_id, 1);
    assert_int_equal(v->timescale, 12800);
    assert_int_equal(v->sample_count, 10);
    assert_int_equal(v->key_count, 2);
    assert_int_equal(v->nal_length_size, 4);
    assert_int_equal(v->width, 1280);
    assert_int_equal(v->height, 720);
    assert_string_equal(v->codecs, "avc1.64001f");
    assert_string_equal(v->language, "und");
    assert_int_equal(v->duration, 11 * 512);
    assert_int_equal(v->pres_offset, 500 * 12800 / 1000 - 1024);
    assert_int_equal(v->max_sample_size, 900);
    uint64_t vbytes = 0;
    for (int i = 0; i < 10; i++) {
        vbytes += v_sizes[i];
    }
    assert_int_equal(v->total_bytes, vbytes);
    assert_int_equal(v->avg_bitrate, (uint32_t) ((vbytes * 8 * 12800 + 11 * 512 / 2) / (11 * 512)));
    assert_int_equal(v->frame_rate_milli, (uint32_t) ((10ULL * 1000 * 12800 + 11 * 256) / (11 * 512)));
    assert_int_equal(v->config_len, sizeof(avcc));
    assert_memory_equal(mp_track_config(ix, v), avcc, sizeof(avcc));
    assert_int_equal(mp_rd32(mp_track_entry(ix, v) + 4), MP_FOURCC('a', 'v', 'c', '1'));
    assert_int_equal(mp_rd32(mp_track_entry(ix, v)), v->entry_len);

    uint64_t offs[10];
    ref_video_offsets(base, offs);
    static const uint64_t dts[] = { 0, 512, 1024, 1536, 2048, 3072, 3584, 4096, 4608, 5120, 5632 };
    static const int32_t cto[] = { 1024, 2560, 0, 0, 1536, 512, 512, 512, 512, 512 };
    for (uint32_t i = 0; i < 10; i++) {
        assert_int_equal(mp_sample_offset(ix, v, i), offs[i]);
        assert_int_equal(mp_sample_size(ix, v, i), v_sizes[i]);
        assert_int_equal(mp_sample_dts(ix, v, i), dts[i]);
        assert_int_equal(mp_sample_cto(ix, v, i), cto[i]);
        assert_int_equal(mp_sample_is_key(ix, v, i), i == 0 || i == 5);
    }
    assert_int_equal(mp_sample_dts(ix, v, 10), dts[10]);
    assert_int_equal(mp_key_sample(ix, v, 1), 5);

    const mp_track_t *a = mp_index_track(ix, 1);
    assert_int_equal(a->type, MP_TRACK_AUDIO);
    assert_int_equal(a->codec, MP_CODEC_AAC);
    assert_int_equal(a->track_id, 2);
    assert_int_equal(a->timescale, 48000);
    assert_int_equal(a->sample_count, 12);
    assert_int_equal(a->key_count, 0);
    assert_int_equal(a->sample_rate, 48000);
    assert_int_equal(a->channels, 2);
    assert_int_equal(a->sample_size_bits, 16);
    assert_string_equal(a->codecs, "mp4a.40.2");
    assert_string_equal(a->language, "eng");
    assert_int_equal(a->pres_offset, -1024);
    assert_int_equal(a->duration, 12 * 1024);
    assert_int_equal(a->cto_off, 0);
    assert_int_equal(a->config_len, sizeof(asc));
    assert_memory_equal(mp_track_config(ix, a), asc, sizeof(asc));
    uint64_t pos = 0;
    for (uint32_t i = 0; i < 12; i++) {
        pos = i % 4 == 0 ? base + a_chunks[i / 4] : pos;
        assert_int_equal(mp_sample_offset(ix, a, i), pos);
        pos += a_sizes[i];
        assert_int_equal(mp_sample_size(ix, a, i), a_sizes[i]);
        assert_int_equal(mp_sample_dts(ix, a, i), 1024ULL * i);
        assert_true(mp_sample_is_key(ix, a, i));
    }
    assert_int_equal(mp_sample_offset(ix, a, 6), base + 6000 + 304 + 305);
    assert_int_equal(mp_sample_at_or_after(ix, a, 1025), 2);
}

/* Same content (the blob's alignment padding is not initialised). */
static void assert_same_index(const mp_index_t *a, const mp_index_t *b)
{
    assert_int_equal(a->total_size, b->total_size);
    assert_int_equal(a->track_count, b->track_count);
    assert_memory_equal(mp_index_track(a, 0), mp_index_track(b, 0), a->track_count * sizeof(mp_track_t));
    const uint8_t *pa = (const uint8_t *) a, *pb = (const uint8_t *) b;
    for (uint32_t i = 0; i < a->track_count; i++) {
        const mp_track_t *t = mp_index_track(a, i);
        size_t n = t->sample_count;
        assert_memory_equal(pa + t->entry_off, pb + t->entry_off, t->entry_len);
        assert_memory_equal(pa + t->config_off, pb + t->config_off, t->config_len);
        assert_memory_equal(pa + t->offsets_off, pb + t->offsets_off, mp_offset_width(t) * n);
        assert_memory_equal(pa + t->sizes_off, pb + t->sizes_off, 4 * n);
        assert_memory_equal(pa + t->dts_off, pb + t->dts_off, mp_dts_bytes(t));
        if (t->cto_off) {
            assert_memory_equal(pa + t->cto_off, pb + t->cto_off, 4 * n);
        }
        if (t->key_count) {
            assert_memory_equal(pa + t->keys_off, pb + t->keys_off, 4 * (size_t) t->key_count);
        }
    }
}

static void test_faststart(void **state)
{
    (void) state;
    mt_track_t tr[2];
    mt_file_t f = ref_file(tr);
    size_t len;
    uint64_t moov_off, moov_size;
    uint8_t *file = mt_build(&f, &len, &moov_off, &moov_size);
    char err[MP_ERR_LEN];
    mp_index_t *ix = index_of(file, len, err, sizeof(err));
    assert_non_null(ix);
    check_ref_index(ix, FTYP_SIZE + moov_size + 8);

    /* the moov parsed alone gives the same blob */
    mp_index_t *ix2 = mp4_parse_moov(file + moov_off, moov_size, len, err, sizeof(err));
    assert_non_null(ix2);
    assert_same_index(ix, ix2);

    /* find_moov on the whole file */
    uint64_t off = 0, size = 0, next = 0;
    assert_int_equal(mp4_find_moov(file, len, 0, len, &off, &size, &next, err, sizeof(err)), MP_OK);
    assert_int_equal(off, FTYP_SIZE);
    assert_int_equal(size, moov_size);
    free(ix2);
    free(ix);
    free(file);
}

static void test_moov_at_end(void **state)
{
    (void) state;
    mt_track_t tr[2];
    mt_file_t f = ref_file(tr);
    f.moov_last = 1;
    f.mdat_len = 100000;            /* moov beyond the first 64 KiB probe */
    size_t len;
    uint64_t moov_off, moov_size;
    uint8_t *file = mt_build(&f, &len, &moov_off, &moov_size);
    assert_int_equal(moov_off, FTYP_SIZE + 8 + 100000);
    char err[MP_ERR_LEN];

    /* box by box, as the nginx glue does: ftyp, then mdat's header, then moov */
    uint64_t off = 0, size = 0, next = 0;
    assert_int_equal(mp4_find_moov(file, 16, 0, len, &off, &size, &next, err, sizeof(err)),
                     MP_ERR_NEED_MORE);
    assert_int_equal(next, FTYP_SIZE);
    assert_int_equal(mp4_find_moov(file + next, 16, next, len, &off, &size, &next, err, sizeof(err)),
                     MP_ERR_NEED_MORE);
    assert_int_equal(next, moov_off);
    assert_int_equal(mp4_find_moov(file + next, 16, next, len, &off, &size, &next, err, sizeof(err)),
                     MP_OK);
    assert_int_equal(off, moov_off);
    assert_int_equal(size, moov_size);

    mem_src_t src = { file, len, 0, 0 };
    mp_source_t r = { .read = mem_read, .ctx = &src };
    mp_index_t *ix = mp4_index_file(&r, len, 0, err, sizeof(err));
    assert_non_null(ix);
    assert_true(src.reads >= 2);    /* the probe, then the moov itself */
    assert_int_equal(mp_index_check(ix, ix->total_size), MP_OK);
    check_ref_index(ix, FTYP_SIZE + 8);
    free(ix);

    /* the moov size limit */
    ix = mp4_index_file(&r, len, moov_size - 1, err, sizeof(err));
    assert_null(ix);
    assert_non_null(strstr(err, "exceeds the limit"));
    ix = mp4_index_file(&r, len, moov_size, err, sizeof(err));
    assert_non_null(ix);
    free(ix);

    /* the same through a view: probe window, then the moov in place */
    mp_source_t m = { .ctx = &src, .view = mem_map };
    src.reads = 0;
    ix = mp4_index_source(&m, len, 0, NULL, err, sizeof(err));
    assert_non_null(ix);
    assert_true(src.reads >= 2);
    check_ref_index(ix, FTYP_SIZE + 8);
    free(ix);
    ix = mp4_index_source(&m, len, moov_size - 1, NULL, err, sizeof(err));
    assert_null(ix);
    assert_non_null(strstr(err, "exceeds the limit"));

    /* a read error */
    src.fail = 1;
    ix = mp4_index_file(&r, len, 0, err, sizeof(err));
    assert_null(ix);
    assert_string_equal(err, "read error");
    ix = mp4_index_source(&m, len, 0, NULL, err, sizeof(err));
    assert_null(ix);
    assert_string_equal(err, "read error");
    free(file);
}

/* A moov-only parse with 64-bit chunk offsets beyond 4 GiB. */
static void test_co64(void **state)
{
    (void) state;
    mt_track_t tr[2];
    mt_file_t f = ref_file(tr);
    tr[0].co64 = tr[1].co64 = 1;
    f.base = 5000000000ULL;
    size_t len;
    uint8_t *moov = mt_build_moov(&f, &len);
    char err[MP_ERR_LEN];
    mp_index_t *ix = mp4_parse_moov(moov, len, f.base + MDAT_LEN, err, sizeof(err));
    assert_non_null(ix);
    assert_int_equal(mp_index_check(ix, ix->total_size), MP_OK);
    check_ref_index(ix, f.base);
    for (uint32_t i = 0; i < 2; i++) {   /* offsets past 4 GiB: 64-bit array */
        assert_int_equal(mp_index_track(ix, i)->flags & MP_TRACK_OFFSETS32, 0);
    }
    free(ix);
    /* one byte short: the last video sample ends past the end of the file */
    ix = mp4_parse_moov(moov, len, f.base + 12000 + 180 + 190 - 1, err, sizeof(err));
    assert_null(ix);
    assert_non_null(strstr(err, "track 1: sample 9 lies beyond the end of the file"));
    free(moov);
}

/* Decode times in the smallest form: runs for few stts entries (merged
 * when adjacent ones have the same duration), otherwise an array, 32-bit
 * where every value fits, 64-bit for tracks longer than 2^32 ticks;
 * offsets of a small file are 32-bit. */
static void check_widths(const uint32_t *stts, uint32_t stts_n, uint32_t flags, uint32_t runs,
                         const uint64_t *dts)
{
    mt_track_t tr[2];
    mt_file_t f = ref_file(tr);
    tr[0].stts = stts;
    tr[0].stts_n = stts_n;
    mp_index_t *ix = index_file(&f);
    const mp_track_t *v = mp_index_track(ix, 0), *a = mp_index_track(ix, 1);
    assert_int_equal(v->flags, flags);
    assert_int_equal(v->dts_runs, runs);
    assert_int_equal(a->flags, MP_TRACK_OFFSETS32 | MP_TRACK_DTS32 | MP_TRACK_DTS_RUNS);
    for (uint32_t i = 0; i <= 10; i++) {
        assert_int_equal(mp_sample_dts(ix, v, i), dts[i]);
        assert_int_equal(mp_sample_at_or_after(ix, v, dts[i]), i);
        if (i > 0) {
            assert_int_equal(mp_sample_at_or_after(ix, v, dts[i] - 1), i);
        }
    }
    assert_int_equal(v->duration, dts[10]);
    uint64_t offs[10];
    ref_video_offsets(mp_sample_offset(ix, v, 0), offs);
    for (uint32_t i = 0; i < 10; i++) {
        assert_int_equal(mp_sample_offset(ix, v, i), offs[i]);
    }
    assert_int_equal(mp_index_check(ix, ix->total_size), MP_OK);
    free(ix);
}

static void test_index_widths(void **state)
{
    (void) state;
    enum { G = 0x40000000 };
    uint64_t dts[11];
    /* 2^30 ticks per sample in two stts entries, then 7: two runs */
    static const uint32_t runs2[] = { 4, G, 5, G, 1, 7 };
    for (uint32_t i = 0; i < 10; i++) {
        dts[i] = (uint64_t) i * G;
    }
    dts[10] = 9ull * G + 7;
    check_widths(runs2, 3, MP_TRACK_OFFSETS32 | MP_TRACK_DTS_RUNS, 2, dts);
    /* a duration per sample, 2^30 + k: a 64-bit array beats 10 runs */
    uint32_t each[20];
    dts[0] = 0;
    for (uint32_t i = 0; i < 10; i++) {
        each[2 * i] = 1;
        each[2 * i + 1] = G + i;
        dts[i + 1] = dts[i] + G + i;
    }
    check_widths(each, 10, MP_TRACK_OFFSETS32, 0, dts);
    /* small durations, one per sample: a 32-bit array */
    for (uint32_t i = 0; i < 10; i++) {
        each[2 * i + 1] = 100 + i;
        dts[i + 1] = dts[i] + 100 + i;
    }
    check_widths(each, 10, MP_TRACK_OFFSETS32 | MP_TRACK_DTS32, 0, dts);
    /* a run of zero durations at the end: searches land on its first
     * sample, or past the track */
    static const uint32_t zero_tail[] = { 6, 50, 4, 0 };
    mt_track_t tr[2];
    mt_file_t f = ref_file(tr);
    tr[0].stts = zero_tail;
    tr[0].stts_n = 2;
    mp_index_t *ix = index_file(&f);
    const mp_track_t *v = mp_index_track(ix, 0);
    assert_int_equal(v->flags, MP_TRACK_OFFSETS32 | MP_TRACK_DTS32 | MP_TRACK_DTS_RUNS);
    assert_int_equal(mp_sample_dts(ix, v, 9), 300);
    assert_int_equal(mp_sample_dts(ix, v, 10), 300);
    assert_int_equal(mp_sample_at_or_after(ix, v, 0), 0);
    assert_int_equal(mp_sample_at_or_after(ix, v, 51), 2);
    assert_int_equal(mp_sample_at_or_after(ix, v, 300), 6);
    assert_int_equal(mp_sample_at_or_after(ix, v, 301), 10);
    free(ix);
}

static void test_fixed_size_and_stz2(void **state)
{
    (void) state;
    static const uint32_t stts[] = { 5, 1000 };
    static const uint32_t stsc[] = { 1, 5, 1 };
    static const uint32_t sizes[] = { 9, 3, 15, 1, 7 };
    static const uint64_t chunks[] = { 100 };
    mt_track_t t = { .handler = MP_FOURCC('s', 'o', 'u', 'n'), .codec = C_AAC, .track_id = 7,
                     .timescale = 44100, .lang = "fra", .stts = stts, .stts_n = 1,
                     .stsc = stsc, .stsc_n = 1, .fixed_size = 200, .sample_count = 5,
                     .chunks = chunks, .chunk_n = 1, .mdhd_v1 = 1 };
    mt_file_t f = { .movie_timescale = 600, .ntracks = 1, .tracks = &t, .mdat_len = 1200 };
    mp_index_t *ix = index_file(&f);
    const mp_track_t *a = mp_index_track(ix, 0);
    assert_int_equal(a->track_id, 7);
    assert_string_equal(a->language, "fra");
    assert_int_equal(a->timescale, 44100);
    assert_int_equal(a->pres_offset, 0);      /* no edit list */
    uint64_t base = mp_sample_offset(ix, a, 0);
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(mp_sample_size(ix, a, i), 200);
        assert_int_equal(mp_sample_offset(ix, a, i), base + 200 * i);
    }
    assert_int_equal(a->total_bytes, 1000);
    free(ix);

    /* stz2 with 16-, 8- and 4-bit fields (odd count: the last nibble is padding) */
    static const int fields[] = { 16, 8, 4 };
    for (int k = 0; k < 3; k++) {
        t.fixed_size = 0;
        t.sizes = sizes;
        t.stz2 = fields[k];
        size_t len;
        uint8_t *moov = mt_build_moov(&f, &len);
        char err[MP_ERR_LEN];
        ix = mp4_parse_moov(moov, len, 1000, err, sizeof(err));
        if (ix == NULL) {
            fail_msg("stz2 field %d: %s", fields[k], err);
        }
        a = mp_index_track(ix, 0);
        uint64_t off = 100;
        for (uint32_t i = 0; i < 5; i++) {
            assert_int_equal(mp_sample_size(ix, a, i), sizes[i]);
            assert_int_equal(mp_sample_offset(ix, a, i), off);
            off += sizes[i];
        }
        free(ix);
        free(moov);
    }
}

/* HEVC and AC-3 codec strings; unsupported codecs (Opus, MP3 in mp4a) and
 * non-media tracks are skipped, not fatal. */
static void test_codecs_and_skipped_tracks(void **state)
{
    (void) state;
    mt_track_t tr[5];
    mt_file_t f = ref_file(tr);
    tr[0].codec = C_HEVC;
    tr[1].codec = C_AC3;
    tr[2] = ref_audio();
    tr[2].codec = C_OPUS;
    tr[2].track_id = 3;
    tr[3] = ref_audio();
    tr[3].codec = C_MP3;
    tr[3].track_id = 4;
    tr[4] = ref_audio();
    tr[4].handler = MP_FOURCC('t', 'e', 'x', 't');
    tr[4].track_id = 5;
    f.ntracks = 5;
    mp_index_t *ix = index_file(&f);
    assert_int_equal(ix->track_count, 2);
    const mp_track_t *v = mp_index_track(ix, 0), *a = mp_index_track(ix, 1);
    assert_int_equal(v->codec, MP_CODEC_HEVC);
    assert_string_equal(v->codecs, "hvc1.1.6.L93.90");
    assert_int_equal(v->nal_length_size, 4);
    assert_int_equal(v->config_len, sizeof(hvcc));
    assert_int_equal(a->codec, MP_CODEC_AC3);
    assert_string_equal(a->codecs, "ac-3");
    assert_memory_equal(mp_track_config(ix, a), dac3, sizeof(dac3));
    free(ix);

    /* nothing left to package */
    tr[0] = tr[2];
    f.ntracks = 1;
    expect_error(&f, "no audio or video track in a supported codec");
}

/* Edit lists: v1 boxes, empty edit only, media_time only. */
static void test_edit_lists(void **state)
{
    (void) state;
    mt_track_t tr[2];
    mt_file_t f = ref_file(tr);
    tr[0].elst_v1 = 1;
    tr[0].empty = 250;              /* ms */
    tr[0].media_time = -1;          /* only a dwell */
    tr[1].elst_v1 = 1;
    tr[1].media_time = 2112;
    tr[1].media_time2 = 96000;      /* later edits do not change the start */
    mp_index_t *ix = index_file(&f);
    assert_int_equal(mp_index_track(ix, 0)->pres_offset, 3200);
    assert_int_equal(mp_index_track(ix, 1)->pres_offset, -2112);
    free(ix);

    tr[0].elst = 0;
    tr[1].empty = 1000;
    tr[1].media_time = 0;
    tr[1].elst_v1 = 0;
    ix = index_file(&f);
    assert_int_equal(mp_index_track(ix, 0)->pres_offset, 0);
    assert_int_equal(mp_index_track(ix, 1)->pres_offset, 48000);
    free(ix);
}

static void test_table_errors(void **state)
{
    (void) state;
    mt_track_t tr[2];
    mt_file_t f;

    /* stts covers 11 samples, stsz has 10 */
    static const uint32_t stts_long[] = { 4, 512, 1, 1024, 6, 512 };
    f = ref_file(tr);
    tr[0].stts = stts_long;
    expect_error(&f, "track 1: stts covers 11 samples, stsz has 10");

    /* stts entry count beyond the box */
    f = ref_file(tr);
    tr[0].stts_n = 0x40000000;
    tr[0].stts = v_stts;
    {
        /* write the real 3 entries but claim 2^30: patch after building */
        size_t len;
        uint64_t mo, ms;
        tr[0].stts_n = 3;
        uint8_t *file = mt_build(&f, &len, &mo, &ms);
        uint8_t *p = memmem(file, len, "stts", 4);
        assert_non_null(p);
        p[8] = 0x40;                /* entry count 0x40000003 */
        char err[MP_ERR_LEN];
        assert_null(index_of(file, len, err, sizeof(err)));
        assert_non_null(strstr(err, "stts"));
        free(file);
    }

    /* chunk offsets past the end of the file */
    static const uint64_t far_chunks[] = { 0, 4000, 9000, MDAT_LEN + 10 };
    f = ref_file(tr);
    tr[0].chunks = far_chunks;
    expect_error(&f, "track 1: sample 8 lies beyond the end of the file");

    /* stss out of order, out of range, empty */
    static const uint32_t stss_bad[] = { 6, 1 };
    static const uint32_t stss_range[] = { 1, 11 };
    f = ref_file(tr);
    tr[0].stss = stss_bad;
    expect_error(&f, "track 1: stss entry 1 out of order or range");
    tr[0].stss = stss_range;
    expect_error(&f, "track 1: stss entry 11 out of order or range");
    tr[0].stss_n = 0;
    expect_error(&f, "track 1 has no sync samples");

    /* ctts covering too few samples */
    static const uint32_t ctts_short[] = { 9, 0 };
    f = ref_file(tr);
    tr[0].ctts = ctts_short;
    tr[0].ctts_n = 1;
    expect_error(&f, "track 1: ctts covers 9 of 10 samples");

    /* stsc: first_chunk 0, and chunks that hold too few samples */
    static const uint32_t stsc_zero[] = { 0, 3, 1 };
    static const uint32_t stsc_few[] = { 1, 2, 1 };
    f = ref_file(tr);
    tr[1].stsc = stsc_zero;
    expect_error(&f, "track 2: malformed stsc entry 0");
    tr[1].stsc = stsc_few;
    expect_error(&f, "track 2: chunks hold 6 of 12 samples");

    /* missing tables */
    f = ref_file(tr);
    tr[1].omit = (int) MP_FOURCC('s', 't', 'c', 'o');
    expect_error(&f, "track 2: missing chunk offsets");
    tr[1].omit = (int) MP_FOURCC('s', 't', 's', 'c');
    expect_error(&f, "track 2: missing or empty stsc");
    tr[1].omit = (int) MP_FOURCC('s', 't', 's', 'd');
    expect_error(&f, "track 2 has no sample description");

    /* timescale 0, zero duration */
    static const uint32_t stts_zero[] = { 12, 0 };
    f = ref_file(tr);
    tr[1].timescale = 0;
    expect_error(&f, "track 2 has timescale 0");
    tr[1].timescale = 48000;
    tr[1].stts = stts_zero;
    expect_error(&f, "track 2 has zero duration");
}

static void test_structure_errors(void **state)
{
    (void) state;
    mt_track_t tr[2];
    mt_file_t f = ref_file(tr);
    char err[MP_ERR_LEN];
    size_t len;
    uint64_t moov_off, moov_size;

    /* no moov at all */
    f.moof_first = 1;
    expect_error(&f, "fragmented MP4 input (moof before moov) is not supported");
    {
        /* mp4_find_moov fills err whatever the buffer held before */
        uint8_t *file = mt_build(&f, &len, &moov_off, &moov_size);
        uint64_t off, size, next;
        memset(err, 'x', sizeof(err));
        assert_int_equal(mp4_find_moov(file, len, 0, len, &off, &size, &next, err, sizeof(err)),
                         MP_ERR_BAD_MEDIA);
        assert_non_null(strstr(err, "moof before moov"));
        free(file);
    }
    {
        uint8_t *file = mt_build(&f, &len, &moov_off, &moov_size);
        memcpy(file + FTYP_SIZE + 4, "free", 4);         /* moof -> free */
        assert_null(index_of(file, len, err, sizeof(err)));
        assert_string_equal(err, "no moov box in file");
        free(file);
    }
    f.moof_first = 0;
    /* an mvex without any moof: every track is empty */
    f.mvex = 1;
    expect_error(&f, "no audio or video track in a supported codec");
    {
        size_t mlen;
        uint8_t *moov = mt_build_moov(&f, &mlen);
        assert_null(mp4_parse_moov(moov, mlen, 100000, err, sizeof(err)));
        assert_non_null(strstr(err, "fragmented MP4: the moov alone describes no samples"));
        free(moov);
    }
    f.mvex = 0;

    uint8_t *file = mt_build(&f, &len, &moov_off, &moov_size);

    /* a file cut inside the moov: the top-level box is truncated */
    assert_null(index_of(file, moov_off + moov_size - 1, err, sizeof(err)));
    assert_string_equal(err, "top-level box at offset 24 is truncated or malformed");

    /* a box inside the moov larger than its container */
    uint8_t *copy = malloc(len);
    memcpy(copy, file, len);
    uint8_t *trak = memmem(copy, len, "trak", 4) - 4;
    trak[0] = 0x7f;
    assert_null(index_of(copy, len, err, sizeof(err)));
    assert_non_null(strstr(err, "box 'trak' size 2130"));
    assert_non_null(strstr(err, "exceeds its container"));

    /* a 64-bit box size that overflows, at top level */
    memcpy(copy, file, len);
    static const uint8_t huge[] = { 0, 0, 0, 1, 'f', 'r', 'e', 'e', 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0xf0 };
    memcpy(copy, huge, sizeof(huge));
    assert_null(index_of(copy, len, err, sizeof(err)));
    assert_string_equal(err, "top-level box at offset 0 is truncated or malformed");
    /* a box size below the header size */
    memcpy(copy, file, len);
    copy[3] = 4;
    assert_null(index_of(copy, len, err, sizeof(err)));
    assert_string_equal(err, "top-level box at offset 0 is truncated or malformed");

    /* stsz claiming more samples than it holds */
    memcpy(copy, file, len);
    uint8_t *stsz = memmem(copy, len, "stsz", 4);
    stsz[12] = 0x10;
    assert_null(index_of(copy, len, err, sizeof(err)));
    assert_non_null(strstr(err, "stsz sample count"));
    assert_non_null(strstr(err, "exceeds box size"));

    /* elst entry count beyond the box */
    memcpy(copy, file, len);
    uint8_t *elst = memmem(copy, len, "elst", 4);
    elst[8] = 0xff;
    assert_null(index_of(copy, len, err, sizeof(err)));
    assert_non_null(strstr(err, "elst entry count"));

    /* mp4_parse_moov given something else */
    assert_null(mp4_parse_moov(file, FTYP_SIZE, len, err, sizeof(err)));
    assert_string_equal(err, "not a moov box");

    /* an empty file */
    assert_null(index_of(file, 0, err, sizeof(err)));
    assert_string_equal(err, "empty file");
    free(copy);
    free(file);
}

/* Boxes at the very end of an exact-size moov buffer: an empty tkhd, mdhd,
 * hdlr, elst or mvhd body must be refused without reading past the buffer. */
static void test_short_boxes_at_end(void **state)
{
    (void) state;
    static const char *paths[][4] = {
        { "mvhd" }, { "trak", "tkhd" }, { "trak", "edts", "elst" }, { "trak", "mdia", "mdhd" },
        { "trak", "mdia", "hdlr" },
    };
    for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
        mp_wr_t w;
        size_t open[5];
        int depth = 0;
        mp_wr_init_dynamic(&w);
        open[depth++] = mp_box_begin(&w, MP_FOURCC('m', 'o', 'o', 'v'));
        for (int i = 0; i < 4 && paths[k][i]; i++) {
            const char *n = paths[k][i];
            open[depth++] = mp_box_begin(&w, MP_FOURCC(n[0], n[1], n[2], n[3]));
        }
        while (depth > 0) {
            mp_box_end(&w, open[--depth]);
        }
        uint8_t *buf = malloc(w.pos);
        memcpy(buf, w.p, w.pos);
        char err[MP_ERR_LEN];
        assert_null(mp4_parse_moov(buf, w.pos, 1000, err, sizeof(err)));
        if (strstr(err, "too short") == NULL) {
            fail_msg("empty %s: unexpected error \"%s\"", paths[k][0], err);
        }
        free(buf);
        mp_wr_free(&w);
    }
}

/* stz2 whose 4-bit table is one nibble short of its sample count. */
static void test_stz2_short(void **state)
{
    (void) state;
    static const uint32_t stts[] = { 3, 1000 };
    static const uint32_t stsc[] = { 1, 3, 1 };
    static const uint32_t sizes[] = { 9, 3, 15 };
    static const uint64_t chunks[] = { 0 };
    mt_track_t t = { .handler = MP_FOURCC('s', 'o', 'u', 'n'), .codec = C_AAC, .track_id = 1,
                     .timescale = 44100, .stts = stts, .stts_n = 1, .stsc = stsc, .stsc_n = 1,
                     .sizes = sizes, .sample_count = 3, .stz2 = 4, .stz2_short = 1,
                     .chunks = chunks, .chunk_n = 1 };
    mt_file_t f = { .movie_timescale = 600, .ntracks = 1, .tracks = &t };
    expect_moov_error(&f, 1000, "malformed stz2 box");
}

/* Hostile numbers: edit lists far out of range (the presentation arithmetic
 * must not overflow), 64-bit chunk offsets that wrap around, sample counts
 * no file of this size can hold. */
static void test_hostile_numbers(void **state)
{
    (void) state;
    mt_track_t tr[2];
    mt_file_t f = ref_file(tr);
    tr[1].elst_v1 = 1;
    tr[1].media_time = INT64_MIN;
    expect_error(&f, "track 2: edit list out of range");
    tr[1].media_time = -2;
    expect_error(&f, "track 2: edit list out of range");
    tr[1].media_time = (int64_t) 48000 << 30;
    expect_error(&f, "track 2: edit list out of range");
    tr[1].media_time = (int64_t) 48000 * 3600 * 24 * 30;    /* 30 days: odd, but accepted */
    mp_index_t *ix = index_file(&f);
    assert_int_equal(mp_index_track(ix, 1)->pres_offset, -(int64_t) 48000 * 3600 * 24 * 30);
    free(ix);
    f = ref_file(tr);
    tr[0].elst_v1 = 1;
    tr[0].empty = UINT64_MAX - 5;
    expect_error(&f, "track 1: edit list out of range");

    /* co64 offsets just below 2^64: offset + size wraps to a small number */
    static const uint64_t wrap_chunks[] = { 0, 4000, 9000, UINT64_MAX - 100 };
    f = ref_file(tr);
    tr[0].co64 = 1;
    tr[0].chunks = wrap_chunks;
    expect_moov_error(&f, 1 << 20, "track 1: sample 8 lies beyond the end of the file");

    /* 2^32-1 one-byte samples in one chunk, announced by a 200-byte moov */
    static const uint32_t many_stts[] = { 0xffffffffu, 1 };
    static const uint32_t many_stsc[] = { 1, 0xffffffffu, 1 };
    static const uint64_t one_chunk[] = { 0 };
    mt_track_t t = { .handler = MP_FOURCC('s', 'o', 'u', 'n'), .codec = C_AAC, .track_id = 1,
                     .timescale = 48000, .stts = many_stts, .stts_n = 1, .stsc = many_stsc,
                     .stsc_n = 1, .fixed_size = 1, .sample_count = 0xffffffffu,
                     .chunks = one_chunk, .chunk_n = 1 };
    mt_file_t many = { .movie_timescale = 1000, .ntracks = 1, .tracks = &t, .mdat_len = 64 };
    expect_error(&many, "track 1: 4294967295 samples cannot fit in a");
}

/* ---- bounds on what one file may cost (mp4_limits_t) ---------------------- */

/* Index the file with limits through a view; NULL with err on refusal. */
static mp_index_t *index_limited(const uint8_t *file, size_t len, uint64_t file_size,
                                 const mp4_limits_t *lim, mp_allocator_t *a, char *err,
                                 size_t err_len)
{
    mem_src_t src = { file, len, 0, 0 };
    mp_source_t m = { .ctx = &src, .view = mem_map };
    return mp4_index_source_limited(&m, file_size, lim, a, err, err_len);
}

static void expect_limited(const mt_file_t *f, const mp4_limits_t *lim, const char *want)
{
    size_t len;
    uint64_t moov_off, moov_size;
    uint8_t *file = mt_build(f, &len, &moov_off, &moov_size);
    char err[MP_ERR_LEN] = "";
    mp_index_t *ix = index_limited(file, len, len, lim, NULL, err, sizeof(err));
    if (want == NULL) {
        if (ix == NULL) {
            fail_msg("expected an index, got \"%s\"", err);
        }
    } else if (ix != NULL || strstr(err, want) == NULL) {
        fail_msg("expected an error containing \"%s\", got \"%s\"", want, err);
    }
    free(ix);
    free(file);
}

static void test_index_limits_at_the_bound(void **state)
{
    (void) state;
    mt_track_t tr[2];
    mt_file_t f = ref_file(tr);
    mp_index_t *ix = index_file(&f);
    uint64_t total = ix->total_size;
    free(ix);
    /* the reference has 10 video and 12 audio samples, 2 tracks */
    expect_limited(&f, &(mp4_limits_t) { .max_samples = 12 }, NULL);
    expect_limited(&f, &(mp4_limits_t) { .max_samples = 11 },
                   "track 2: 12 samples exceed the limit of 11 (mediaplane_max_samples)");
    expect_limited(&f, &(mp4_limits_t) { .max_tracks = 2 }, NULL);
    expect_limited(&f, &(mp4_limits_t) { .max_tracks = 1 }, "more than 1 media tracks (mediaplane_max_tracks)");
    expect_limited(&f, &(mp4_limits_t) { .max_index = total }, NULL);
    char want[128];
    snprintf(want, sizeof(want), "index of %llu bytes exceeds the limit of %llu (mediaplane_max_index_size)",
             (unsigned long long) total, (unsigned long long) total - 1);
    expect_limited(&f, &(mp4_limits_t) { .max_index = total - 1 }, want);
}

typedef struct {
    size_t largest;
} counting_alloc_t;

static void *counting_alloc(mp_allocator_t *a, size_t size)
{
    counting_alloc_t *c = a->ctx;
    c->largest = size > c->largest ? size : c->largest;
    return malloc(size);
}

static void counting_free(mp_allocator_t *a, void *p)
{
    (void) a;
    free(p);
}

/* The file: a video track claiming 300,000,000 one-byte samples in a
 * moov of a few hundred bytes, the file 300 MB (sparse).  Refused from the
 * tables alone: nothing near the claimed size is ever allocated. */
static void test_tiny_moov_many_samples(void **state)
{
    (void) state;
    static const uint32_t stts[] = { 300000000u, 512 };
    static const uint32_t stsc[] = { 1, 300000000u, 1 };
    static const uint64_t chunk[] = { 0 };
    static const uint32_t key[] = { 1 };
    mt_track_t t = ref_video();
    t.ctts = NULL;
    t.elst = 0;
    t.stts = stts, t.stts_n = 1, t.stsc = stsc, t.stsc_n = 1, t.stss = key, t.stss_n = 1;
    t.sizes = NULL, t.fixed_size = 1, t.sample_count = 300000000u, t.chunks = chunk, t.chunk_n = 1;
    mt_file_t f = { .movie_timescale = 1000, .ntracks = 1, .tracks = &t, .mdat_len = 16 };
    size_t len;
    uint64_t moov_off, moov_size;
    uint8_t *built = mt_build(&f, &len, &moov_off, &moov_size);
    assert_true(moov_size < 1024);
    uint64_t file_size = 300000000ull + len;
    /* the first 128 KiB of the sparse file: what the parser may probe */
    uint8_t *file = calloc(1, 128 << 10);
    assert_non_null(file);
    memcpy(file, built, len);
    free(built);
    len = 128 << 10;
    counting_alloc_t count = { 0 };
    mp_allocator_t a = { counting_alloc, counting_free, &count };
    char err[MP_ERR_LEN];
    mp4_limits_t lim = { .max_samples = 10000000 };
    assert_null(index_limited(file, len, file_size, &lim, &a, err, sizeof(err)));
    if (strstr(err, "300000000 samples exceed the limit of 10000000") == NULL) fail_msg("%s", err);
    lim = (mp4_limits_t) { .max_index = 128u << 20 };
    assert_null(index_limited(file, len, file_size, &lim, &a, err, sizeof(err)));
    assert_non_null(strstr(err, "(mediaplane_max_index_size)"));
    assert_int_equal(count.largest, 0);               /* no allocation at all */
    free(file);
}

/* mp_index_check accepts what the parser builds and rejects corrupted copies. */
static void test_index_check(void **state)
{
    (void) state;
    mt_track_t tr[2];
    mt_file_t f = ref_file(tr);
    mp_index_t *ix = index_file(&f);
    size_t size = ix->total_size;
    assert_int_equal(mp_index_check(ix, size), MP_OK);
    assert_int_equal(mp_index_check(ix, size - 1), MP_ERR_BAD_MEDIA);
    assert_int_equal(mp_index_check(ix, sizeof(mp_index_t) - 1), MP_ERR_BAD_MEDIA);

    mp_index_t *c = malloc(size);
    assert_non_null(c);
    mp_track_t *t = (mp_track_t *) ((uint8_t *) c + ix->tracks_off);
#define CORRUPT(stmt)                                                   \
    do {                                                                \
        memcpy(c, ix, size);                                            \
        assert_int_equal(mp_index_check(c, size), MP_OK);               \
        stmt;                                                           \
        assert_int_equal(mp_index_check(c, size), MP_ERR_BAD_MEDIA);    \
    } while (0)
    CORRUPT(c->magic ^= 1);
    CORRUPT(c->version = MP_INDEX_VERSION + 1);
    CORRUPT(c->total_size = size + 8);
    CORRUPT(c->track_count = 0);
    CORRUPT(c->track_count = MP_MAX_TRACKS + 1);
    CORRUPT(c->tracks_off = size - sizeof(mp_track_t));
    CORRUPT(t[1].sample_count = 0);
    CORRUPT(t[1].sample_count = 1u << 30);
    CORRUPT(t[0].timescale = 0);
    CORRUPT(t[0].entry_off = (uint32_t) size);
    CORRUPT(t[0].entry_len = (uint32_t) size);
    CORRUPT(t[0].config_off = (uint32_t) size - 1);
    CORRUPT(t[1].offsets_off = size - mp_offset_width(&t[1]));
    CORRUPT(t[1].sizes_off = UINT64_MAX - 3);
    CORRUPT(t[0].dts_off = size - mp_dts_bytes(&t[0]) + 4);    /* one entry short */
    CORRUPT(t[1].dts_off = size - mp_dts_bytes(&t[1]) + 8);    /* a run short */
    CORRUPT(t[1].dts_runs = 0);
    CORRUPT(t[1].dts_runs = t[1].sample_count + 1);
    CORRUPT(((mp_dts_run_t *) ((uint8_t *) c + t[1].dts_off))->first = 1);
    CORRUPT(t[0].flags |= 4);                 /* unknown array layout */
    CORRUPT(t[0].cto_off = size - 4);
    CORRUPT(t[0].keys_off = size - 4);
    CORRUPT(t[0].key_count = 1u << 31);
#undef CORRUPT
    free(c);
    free(ix);
}

/* ---- fragmented files ------------------------------------------------------
 * The reference tracks' samples (same sizes, durations, composition offsets
 * and key frames) written as movie fragments: a moov with empty tables and
 * mvex/trex defaults (audio: duration 1024, sync; video: non-sync), then
 * moof/mdat pairs in one of several layouts.  Each sample's bytes are
 * (track_id * 32 + sample number), so offsets are checked through the data.
 */

enum {
    FL_MOOF_BASE = 0,     /* tfhd default-base-is-moof, trun data offsets */
    FL_EXPLICIT_BASE,     /* tfhd base-data-offset, truns without data offset */
    FL_CHAINED            /* one moof, both trafs, no base flags: the audio traf
                             starts where the video one's data ended */
};

typedef struct {
    int layout;
    int tfdt_v1, trun_v1;
    int tfxd;             /* Smooth tfxd instead of tfdt */
    int no_time;          /* neither: decode times continue */
    int tfhd_defaults;    /* video: tfhd default flags + trun first-sample-flags */
    int two_truns;        /* video traf in two truns (the second without data offset) */
    int extra_boxes;      /* styp + sidx before each moof, mfra at the end, free boxes */
    int empty_traf;       /* an extra moof whose video traf has a trun of 0 samples */
    int64_t audio_start;  /* audio's first decode time (tfdt / tfxd) */
    uint64_t video_gap;   /* added to the second video fragment's tfdt */
    /* damage */
    int bad_count;        /* first video trun claims this many samples more */
    int64_t bad_data_offset;  /* != 0: first video trun's data offset */
    uint32_t bad_size;    /* != 0: first video sample size */
    uint32_t bad_track;   /* != 0: first traf names this track */
    int no_tfhd;
} mf_opts_t;

typedef struct {
    uint64_t voff[10], aoff[12];
    uint32_t moofs;
} mf_layout_t;

static const uint64_t mf_vdts[] = { 0, 512, 1024, 1536, 2048, 3072, 3584, 4096, 4608, 5120, 5632 };
static const int32_t mf_vcto[] = { 1024, 2560, 0, 0, 1536, 512, 512, 512, 512, 512 };

static void mf_patch32(mp_wr_t *w, size_t at, uint32_t v)
{
    w->p[at] = (uint8_t) (v >> 24);
    w->p[at + 1] = (uint8_t) (v >> 16);
    w->p[at + 2] = (uint8_t) (v >> 8);
    w->p[at + 3] = (uint8_t) v;
}

static void mf_time_box(mp_wr_t *w, const mf_opts_t *o, int64_t t)
{
    if (o->no_time) {
        return;
    }
    if (o->tfxd) {
        static const uint8_t uuid[16] = { 0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6,
                                          0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2 };
        size_t b = mp_box_begin(w, MP_FOURCC('u', 'u', 'i', 'd'));
        mp_wr_bytes(w, uuid, 16);
        mp_wr_u32(w, 0x01000000);
        mp_wr_u64(w, (uint64_t) t);
        mp_wr_u64(w, 0);
        mp_box_end(w, b);
        return;
    }
    size_t b = mp_fullbox_begin(w, MP_FOURCC('t', 'f', 'd', 't'), o->tfdt_v1 ? 1 : 0, 0);
    if (o->tfdt_v1) {
        mp_wr_u64(w, (uint64_t) t);
    } else {
        mp_wr_u32(w, (uint32_t) t);
    }
    mp_box_end(w, b);
}

/* A video traf of samples [first, end); returns where its data offsets go. */
static void mf_video_traf(mp_wr_t *w, const mf_opts_t *o, uint32_t first, uint32_t end,
                          size_t *patch, int *npatch, int damage)
{
    size_t traf = mp_box_begin(w, MP_FOURCC('t', 'r', 'a', 'f'));
    if (!o->no_tfhd || !damage) {
        uint32_t flags = o->layout == FL_MOOF_BASE ? 0x020000 : o->layout == FL_EXPLICIT_BASE ? 0x1 : 0;
        flags |= o->tfhd_defaults ? 0x20 | 0x8 : 0;
        size_t b = mp_fullbox_begin(w, MP_FOURCC('t', 'f', 'h', 'd'), 0, flags);
        mp_wr_u32(w, damage && o->bad_track ? o->bad_track : 1);
        if (flags & 1) {
            patch[(*npatch)++] = w->pos | ((size_t) 1 << 62);    /* 64-bit base */
            mp_wr_u64(w, 0);
        }
        if (flags & 0x8) {
            mp_wr_u32(w, 512);
        }
        if (flags & 0x20) {
            mp_wr_u32(w, 0x01010000);
        }
        mp_box_end(w, b);
    }
    mf_time_box(w, o, (int64_t) mf_vdts[first] + (first > 0 ? (int64_t) o->video_gap : 0));
    uint32_t split = o->two_truns ? first + (end - first) / 2 : end;
    for (int part = 0; part < (o->two_truns ? 2 : 1); part++) {
        uint32_t a = part == 0 ? first : split, z = part == 0 ? split : end;
        int with_offset = o->layout != FL_EXPLICIT_BASE && part == 0;
        uint32_t flags = 0x200 | 0x800 | (with_offset ? 1 : 0)
                         | (o->tfhd_defaults ? 0x4 : 0x400) | 0x100;
        size_t b = mp_fullbox_begin(w, MP_FOURCC('t', 'r', 'u', 'n'), o->trun_v1 ? 1 : 0, flags);
        mp_wr_u32(w, z - a + (damage && part == 0 ? (uint32_t) o->bad_count : 0));
        if (with_offset) {
            patch[(*npatch)++] = w->pos;
            mp_wr_u32(w, 0);
        }
        if (flags & 0x4) {
            mp_wr_u32(w, a == 0 || a == 5 ? 0x02000000 : 0x01010000);
        }
        for (uint32_t i = a; i < z; i++) {
            mp_wr_u32(w, (uint32_t) (mf_vdts[i + 1] - mf_vdts[i]));
            mp_wr_u32(w, damage && i == 0 && o->bad_size ? o->bad_size : v_sizes[i]);
            if (flags & 0x400) {
                mp_wr_u32(w, i == 0 || i == 5 ? 0x02000000 : 0x01010000);
            }
            mp_wr_u32(w, (uint32_t) mf_vcto[i]);
        }
        mp_box_end(w, b);
        if (o->tfhd_defaults && a != 0 && a != 5 && part == 1) {
            /* first-sample-flags made the split sample sync: keep it non-sync */
            mf_patch32(w, b + 16 + (with_offset ? 4 : 0), 0x01010000);
        }
    }
    mp_box_end(w, traf);
}

static void mf_audio_traf(mp_wr_t *w, const mf_opts_t *o, uint32_t first, uint32_t end,
                          size_t *patch, int *npatch)
{
    size_t traf = mp_box_begin(w, MP_FOURCC('t', 'r', 'a', 'f'));
    uint32_t flags = o->layout == FL_MOOF_BASE ? 0x020000 : o->layout == FL_EXPLICIT_BASE ? 0x1 : 0;
    size_t b = mp_fullbox_begin(w, MP_FOURCC('t', 'f', 'h', 'd'), 0, flags);
    mp_wr_u32(w, 2);
    if (flags & 1) {
        patch[(*npatch)++] = w->pos | ((size_t) 1 << 62);
        mp_wr_u64(w, 0);
    }
    mp_box_end(w, b);
    mf_time_box(w, o, o->audio_start + 1024 * (int64_t) first);
    int with_offset = o->layout == FL_MOOF_BASE;
    b = mp_fullbox_begin(w, MP_FOURCC('t', 'r', 'u', 'n'), 0, 0x200 | (with_offset ? 1 : 0));
    mp_wr_u32(w, end - first);
    if (with_offset) {
        patch[(*npatch)++] = w->pos;
        mp_wr_u32(w, 0);
    }
    for (uint32_t i = first; i < end; i++) {
        mp_wr_u32(w, a_sizes[i]);
    }
    mp_box_end(w, b);
    mp_box_end(w, traf);
}

static void mf_extra_before(mp_wr_t *w, const mf_opts_t *o)
{
    if (!o->extra_boxes) {
        return;
    }
    size_t b = mp_box_begin(w, MP_FOURCC('s', 't', 'y', 'p'));
    mp_wr_str(w, "msdh");
    mp_wr_u32(w, 0);
    mp_box_end(w, b);
    b = mp_fullbox_begin(w, MP_FOURCC('s', 'i', 'd', 'x'), 0, 0);
    mp_wr_zero(w, 24);
    mp_box_end(w, b);
}

/* moof [+ video traf of vs..ve] [+ audio traf of as..ae], then its mdat;
 * the samples' file offsets are recorded in l. */
static void mf_fragment(mp_wr_t *w, const mf_opts_t *o, mf_layout_t *l, uint32_t vs, uint32_t ve,
                        uint32_t as, uint32_t ae)
{
    size_t patch[8];
    int npatch = 0, nvideo = 0;
    mf_extra_before(w, o);
    size_t moof = mp_box_begin(w, MP_FOURCC('m', 'o', 'o', 'f'));
    size_t b = mp_fullbox_begin(w, MP_FOURCC('m', 'f', 'h', 'd'), 0, 0);
    mp_wr_u32(w, ++l->moofs);
    mp_box_end(w, b);
    if (ve > vs || (o->empty_traf && as == ae)) {
        mf_video_traf(w, o, vs, ve, patch, &npatch, vs == 0);
        nvideo = npatch;
    }
    if (ae > as) {
        mf_audio_traf(w, o, as, ae, patch, &npatch);
    }
    mp_box_end(w, moof);
    size_t mdat = mp_box_begin(w, MP_FOURCC('m', 'd', 'a', 't'));
    uint64_t vdata = w->pos;
    for (uint32_t i = vs; i < ve; i++) {
        l->voff[i] = w->pos;
        for (uint32_t k = 0; k < v_sizes[i]; k++) {
            mp_wr_u8(w, 32 + i);
        }
    }
    uint64_t adata = w->pos;
    for (uint32_t i = as; i < ae; i++) {
        l->aoff[i] = w->pos;
        for (uint32_t k = 0; k < a_sizes[i]; k++) {
            mp_wr_u8(w, 64 + i);
        }
    }
    mp_box_end(w, mdat);
    for (int k = 0; k < npatch; k++) {
        uint64_t target = k < nvideo ? vdata : adata;
        size_t at = patch[k] & ~((size_t) 1 << 62);
        if (patch[k] >> 62) {
            mf_patch32(w, at, (uint32_t) (target >> 32));
            mf_patch32(w, at + 4, (uint32_t) target);
        } else if (k == 0 && vs == 0 && o->bad_data_offset) {
            mf_patch32(w, at, (uint32_t) (int32_t) o->bad_data_offset);
        } else {
            mf_patch32(w, at, (uint32_t) (target - moof));
        }
    }
}

static uint8_t *mf_build(const mf_opts_t *o, size_t *len, mf_layout_t *l)
{
    static const uint32_t none[] = { 0 };
    mt_track_t tr[2];
    tr[0] = ref_video();
    tr[1] = ref_audio();
    for (int i = 0; i < 2; i++) {       /* empty sample tables, as ffmpeg's empty_moov */
        tr[i].stts_n = tr[i].ctts_n = tr[i].stss_n = tr[i].stsc_n = tr[i].chunk_n = 0;
        tr[i].sample_count = 0;
        tr[i].ctts = NULL;
        tr[i].stss = NULL;
        tr[i].stts = tr[i].stsc = tr[i].sizes = none;
    }
    mt_file_t f = { .movie_timescale = 1000, .ntracks = 2, .tracks = tr, .mvex = 1 };
    mp_wr_t w;
    mp_wr_init_dynamic(&w);
    mt_ftyp(&w);
    mt_moov(&w, &f, 0);
    memset(l, 0, sizeof(*l));
    if (o->layout == FL_CHAINED) {
        mf_fragment(&w, o, l, 0, 5, 0, 6);
        mf_fragment(&w, o, l, 5, 10, 6, 12);
    } else {
        mf_fragment(&w, o, l, 0, 5, 0, 0);
        mf_fragment(&w, o, l, 0, 0, 0, 6);
        if (o->empty_traf) {
            mf_fragment(&w, o, l, 5, 5, 6, 6);
        }
        mf_fragment(&w, o, l, 5, 10, 0, 0);
        mf_fragment(&w, o, l, 0, 0, 6, 12);
    }
    if (o->extra_boxes) {
        size_t b = mp_box_begin(&w, MP_FOURCC('m', 'f', 'r', 'a'));
        mp_box_end(&w, b);
        b = mp_box_begin(&w, MP_FOURCC('f', 'r', 'e', 'e'));
        mp_wr_zero(&w, 10);
        mp_box_end(&w, b);
    }
    assert_false(w.failed);
    *len = w.pos;
    return w.p;
}

/* The fragmented file indexes to the reference samples. */
static void mf_check(const mf_opts_t *o)
{
    size_t len;
    mf_layout_t l;
    uint8_t *file = mf_build(o, &len, &l);
    char err[MP_ERR_LEN];
    mp_index_t *ix = index_of(file, len, err, sizeof(err));
    if (ix == NULL) {
        fail_msg("layout %d: %s", o->layout, err);
    }
    assert_int_equal(ix->track_count, 2);
    assert_int_equal(ix->movie_duration, 4321);
    const mp_track_t *v = mp_index_track(ix, 0), *a = mp_index_track(ix, 1);
    assert_int_equal(v->sample_count, 10);
    assert_int_equal(v->key_count, 2);
    assert_string_equal(v->codecs, "avc1.64001f");
    assert_int_equal(v->pres_offset, 500 * 12800 / 1000 - 1024);
    assert_int_equal(v->duration, 11 * 512 + o->video_gap);
    assert_int_equal(v->max_sample_size, 900);
    for (uint32_t i = 0; i < 10; i++) {
        assert_int_equal(mp_sample_offset(ix, v, i), l.voff[i]);
        assert_int_equal(mp_sample_size(ix, v, i), v_sizes[i]);
        assert_int_equal(file[mp_sample_offset(ix, v, i)], 32 + i);
        assert_int_equal(mp_sample_dts(ix, v, i), mf_vdts[i] + (i >= 5 ? o->video_gap : 0));
        assert_int_equal(mp_sample_cto(ix, v, i), mf_vcto[i]);
        assert_int_equal(mp_sample_is_key(ix, v, i), i == 0 || i == 5);
    }
    assert_int_equal(a->sample_count, 12);
    assert_int_equal(a->key_count, 0);
    assert_int_equal(a->cto_off, 0);
    assert_int_equal(a->duration, 12 * 1024);
    assert_int_equal(a->pres_offset, -1024 + (o->no_time ? 0 : o->audio_start));
    assert_string_equal(a->language, "eng");
    for (uint32_t i = 0; i < 12; i++) {
        assert_int_equal(mp_sample_offset(ix, a, i), l.aoff[i]);
        assert_int_equal(mp_sample_size(ix, a, i), a_sizes[i]);
        assert_int_equal(file[mp_sample_offset(ix, a, i)], 64 + i);
        assert_int_equal(mp_sample_dts(ix, a, i), 1024ULL * i);
    }
    free(ix);
    free(file);
}

static void test_fragmented_layouts(void **state)
{
    (void) state;
    mf_check(&(mf_opts_t) { .layout = FL_MOOF_BASE });
    mf_check(&(mf_opts_t) { .layout = FL_MOOF_BASE, .tfdt_v1 = 1, .trun_v1 = 1, .extra_boxes = 1 });
    mf_check(&(mf_opts_t) { .layout = FL_EXPLICIT_BASE, .tfhd_defaults = 1 });
    mf_check(&(mf_opts_t) { .layout = FL_EXPLICIT_BASE, .two_truns = 1, .empty_traf = 1 });
    mf_check(&(mf_opts_t) { .layout = FL_CHAINED });
    mf_check(&(mf_opts_t) { .layout = FL_CHAINED, .two_truns = 1, .tfhd_defaults = 1 });
    mf_check(&(mf_opts_t) { .layout = FL_MOOF_BASE, .empty_traf = 1, .no_time = 1 });
    /* Smooth tfxd, AAC priming before 0 (as ffmpeg's ismv writes it) */
    mf_check(&(mf_opts_t) { .layout = FL_MOOF_BASE, .tfxd = 1, .audio_start = -1024 });
    mf_check(&(mf_opts_t) { .layout = FL_MOOF_BASE, .tfdt_v1 = 1, .audio_start = 2048 });
    /* a tfdt ahead of the samples so far: a gap in decode times */
    mf_check(&(mf_opts_t) { .layout = FL_MOOF_BASE, .video_gap = 700 });
}

static void mf_expect_error(const mf_opts_t *o, const mp4_limits_t *lim, size_t cut, const char *want)
{
    size_t len;
    mf_layout_t l;
    uint8_t *file = mf_build(o, &len, &l);
    len = cut ? cut : len;
    char err[MP_ERR_LEN] = "";
    mp_index_t *ix = lim ? index_limited(file, len, len, lim, NULL, err, sizeof(err))
                         : index_of(file, len, err, sizeof(err));
    if (want == NULL) {
        if (ix == NULL) {
            fail_msg("expected an index, got \"%s\"", err);
        }
    } else if (ix != NULL || strstr(err, want) == NULL) {
        fail_msg("expected an error containing \"%s\", got \"%s\"", want, ix ? "an index" : err);
    }
    free(ix);
    free(file);
}

static void test_fragmented_errors(void **state)
{
    (void) state;
    mf_opts_t o = { .layout = FL_MOOF_BASE };
    size_t len;
    mf_layout_t l;
    uint8_t *file = mf_build(&o, &len, &l);
    free(file);
    /* cut inside the last moof, and inside the last mdat */
    mf_expect_error(&o, NULL, (size_t) l.aoff[6] - 40, "is truncated or malformed");
    mf_expect_error(&o, NULL, len - 1, "is truncated or malformed");
    mf_expect_error(&(mf_opts_t) { .bad_size = 2000 }, NULL, 0, "trun runs past the end of its mdat");
    mf_expect_error(&(mf_opts_t) { .bad_size = 0xfffffff0u }, NULL, 0, "beyond the end of the file");
    mf_expect_error(&(mf_opts_t) { .bad_data_offset = 0x7fffff00 }, NULL, 0, "beyond the end of the file");
    mf_expect_error(&(mf_opts_t) { .bad_data_offset = -0x7fffff00 }, NULL, 0, "trun data offset outside the file");
    mf_expect_error(&(mf_opts_t) { .bad_count = 1 }, NULL, 0, "trun sample count 6 exceeds its box");
    mf_expect_error(&(mf_opts_t) { .bad_track = 9 }, NULL, 0,
                    "track fragment for track 9, which the moov does not have");
    mf_expect_error(&(mf_opts_t) { .no_tfhd = 1 }, NULL, 0, "traf without tfhd");
    mf_expect_error(&(mf_opts_t) { .video_gap = 12800ull << 25, .tfdt_v1 = 1 }, NULL, 0, "is out of range");
    mf_expect_error(&(mf_opts_t) { .audio_start = -(48000ll << 25), .tfdt_v1 = 1 }, NULL, 0,
                    "is out of range");
}

/* A trun without per-sample fields claims 2^32 - 1 samples of the defaults:
 * bounded by the file's bytes and by max_samples before any is expanded. */
static uint32_t total_samples(const mp_index_t *ix)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ix->track_count; i++) {
        n += mp_index_track(ix, i)->sample_count;
    }
    return n;
}

/* A growing file (a live archive being written): cut anywhere in its
 * fragments, it indexes up to its last whole moof+mdat (what an ordinary
 * file refuses as truncated), never more samples than the whole file, and
 * more as it grows; whole, it is the same as an ordinary file. */
static void test_fragmented_growing_file(void **state)
{
    (void) state;
    mf_opts_t o = { .layout = FL_MOOF_BASE };
    mp4_limits_t growing = { .growing = 1 };
    size_t len;
    mf_layout_t l;
    uint8_t *file = mf_build(&o, &len, &l);
    char err[MP_ERR_LEN] = "";
    mp_index_t *whole = index_of(file, len, err, sizeof(err));
    assert_non_null(whole);
    mp_index_t *grown = index_limited(file, len, len, &growing, NULL, err, sizeof(err));
    assert_non_null(grown);
    assert_int_equal(total_samples(grown), total_samples(whole));
    free(grown);
    uint32_t prev = 0, indexed = 0;
    for (size_t cut = (size_t) l.voff[0]; cut < len; cut++) {
        mp_index_t *ix = index_limited(file, cut, cut, &growing, NULL, err, sizeof(err));
        if (ix == NULL) {
            continue;      /* no whole fragment yet: the origin answers 404 then */
        }
        indexed++;
        assert_true(total_samples(ix) >= prev);
        assert_true(total_samples(ix) < total_samples(whole));
        prev = total_samples(ix);
        free(ix);
    }
    assert_true(indexed > 0 && prev > 0);
    /* the same cut in an ordinary file is refused */
    assert_null(index_of(file, len - 1, err, sizeof(err)));
    free(whole);
    free(file);
}

static void test_fragmented_sample_count_overflow(void **state)
{
    (void) state;
    size_t len;
    mf_layout_t l;
    uint8_t *file = mf_build(&(mf_opts_t) { 0 }, &len, &l);
    uint8_t *trun = memmem(file, len, "trun", 4);
    assert_non_null(trun);
    /* version 0, flags: data offset only; count 0xffffffff */
    trun[4] = 0;
    trun[5] = 0;
    trun[6] = 0;
    trun[7] = 1;
    memset(trun + 8, 0xff, 4);
    char err[MP_ERR_LEN];
    assert_null(index_of(file, len, err, sizeof(err)));
    assert_non_null(strstr(err, "4294967295 samples cannot fit in a"));
    free(file);
}

static void test_fragmented_limits_at_the_bound(void **state)
{
    (void) state;
    mf_opts_t o = { .layout = FL_MOOF_BASE };
    mf_expect_error(&o, &(mp4_limits_t) { .max_fragments = 4 }, 0, NULL);
    mf_expect_error(&o, &(mp4_limits_t) { .max_fragments = 3 }, 0,
                    "more than 3 fragments (mediaplane_max_fragments)");
    mf_expect_error(&o, &(mp4_limits_t) { .max_samples = 12 }, 0, NULL);
    mf_expect_error(&o, &(mp4_limits_t) { .max_samples = 11 }, 0,
                    "track 2: 12 samples exceed the limit of 11 (mediaplane_max_samples)");
    /* a moof is bounded by the moov size limit */
    size_t len;
    mf_layout_t l;
    uint8_t *file = mf_build(&o, &len, &l);
    const uint8_t *moof = memmem(file, len, "moof", 4);
    uint32_t moof_size = mp_rd32(moof - 4);
    uint64_t moov_size = mp_rd32((const uint8_t *) memmem(file, len, "moov", 4) - 4);
    free(file);
    uint64_t bound = moof_size > moov_size ? moof_size : moov_size;
    mf_expect_error(&o, &(mp4_limits_t) { .max_moov = bound }, 0, NULL);
    char want[128];
    if (moof_size > moov_size) {
        snprintf(want, sizeof(want), "moof of %u bytes exceeds the limit of %u (mediaplane_max_moov_size)",
                 moof_size, moof_size - 1);
        mf_expect_error(&o, &(mp4_limits_t) { .max_moov = moof_size - 1 }, 0, want);
    }
    /* the index bound applies as for progressive files */
    mf_expect_error(&o, &(mp4_limits_t) { .max_index = 64 }, 0, "(mediaplane_max_index_size)");
}

/* ---- Smooth ingest (mp4_ingest.c) -----------------------------------------
 * A two-track fragmented push (tfxd times, one traf per moof) taken apart as
 * the daemon's receiver does: each track's own header (ftyp + its moov,
 * renumbered 1) followed by its fragments (tfhd renumbered 1) indexes to the
 * reference track's samples, bytes included; two trafs in a moof and a tfhd
 * base-data-offset are refused. */

typedef struct {
    const uint8_t *p;
    size_t len;
    uint32_t type;
} ing_box_t;

static size_t ing_boxes(const uint8_t *file, size_t len, ing_box_t *out, size_t max)
{
    size_t n = 0;
    for (size_t off = 0; off + 8 <= len && n < max; ) {
        uint64_t size;
        uint32_t type;
        assert_int_not_equal(mp4_box_header(file + off, len - off, &size, &type), 0);
        out[n++] = (ing_box_t) { file + off, (size_t) size, type };
        off += (size_t) size;
    }
    return n;
}

/* Track id's archive file: its header, then its fragments renumbered 1. */
static uint8_t *ing_track_file(const uint8_t *file, size_t len, uint32_t id, uint32_t want_frags,
                               size_t *out_len)
{
    ing_box_t b[32];
    size_t n = ing_boxes(file, len, b, 32), at = 0;
    uint8_t *out = malloc(len);
    char err[256];
    uint32_t frags = 0;
    int64_t last = -1;

    assert_non_null(out);
    assert_true(n >= 2 && b[0].type == MP_FOURCC('f', 't', 'y', 'p')
                && b[1].type == MP_FOURCC('m', 'o', 'o', 'v'));
    memcpy(out, b[0].p, b[0].len);
    at = b[0].len;
    size_t m = mp4_ingest_track_moov(b[1].p, b[1].len, id, out + at, b[1].len, err, sizeof(err));
    assert_true(m > 0 && m < b[1].len);
    mp4_ingest_track_t t[MP4_INGEST_MAX_TRACKS];
    assert_int_equal(mp4_ingest_tracks(out + at, m, t, MP4_INGEST_MAX_TRACKS, err, sizeof(err)), 1);
    assert_int_equal(t[0].track_id, 1);
    at += m;
    size_t header = at;
    for (size_t i = 2; i + 1 < n; i++) {
        mp4_ingest_moof_t info;
        if (b[i].type != MP_FOURCC('m', 'o', 'o', 'f')) {
            continue;
        }
        assert_int_equal(mp4_ingest_read_moof(b[i].p, b[i].len, &info, err, sizeof(err)), 0);
        if (info.track_id != id) {
            continue;
        }
        assert_true(info.has_time && info.time > last);
        last = info.time;
        memcpy(out + at, b[i].p, b[i].len + b[i + 1].len);      /* moof + mdat */
        mf_patch32(&(mp_wr_t) { .p = out + at }, info.track_id_at, 1);
        uint8_t *check = malloc(header + b[i].len + b[i + 1].len);
        assert_non_null(check);
        memcpy(check, out, header);
        memcpy(check + header, out + at, b[i].len + b[i + 1].len);
        if (mp4_ingest_check(check, header + b[i].len + b[i + 1].len, err, sizeof(err)) != 0) {
            fail_msg("fragment of track %u: %s", id, err);
        }
        free(check);
        at += b[i].len + b[i + 1].len;
        frags++;
    }
    assert_int_equal(frags, want_frags);
    *out_len = at;
    return out;
}

static void test_ingest_split_per_track(void **state)
{
    (void) state;
    mf_opts_t o = { .layout = FL_MOOF_BASE, .tfxd = 1 };
    mf_layout_t l;
    size_t len, vlen, alen;
    uint8_t *file = mf_build(&o, &len, &l);
    char err[MP_ERR_LEN];
    ing_box_t b[32];

    assert_true(ing_boxes(file, len, b, 32) >= 2);
    mp4_ingest_track_t t[MP4_INGEST_MAX_TRACKS];
    assert_int_equal(mp4_ingest_tracks(b[1].p, b[1].len, t, MP4_INGEST_MAX_TRACKS, err, sizeof(err)), 2);
    assert_int_equal(t[0].handler, MP_FOURCC('v', 'i', 'd', 'e'));
    assert_int_equal(t[1].handler, MP_FOURCC('s', 'o', 'u', 'n'));
    assert_int_equal(mp4_ingest_tracks(b[1].p, b[1].len, t, 1, err, sizeof(err)), -1);

    uint8_t *video = ing_track_file(file, len, t[0].track_id, 2, &vlen);
    mp_index_t *ix = index_of(video, vlen, err, sizeof(err));
    if (ix == NULL) {
        fail_msg("video: %s", err);
    }
    assert_int_equal(ix->track_count, 1);
    const mp_track_t *v = mp_index_track(ix, 0);
    assert_int_equal(v->track_id, 1);
    assert_int_equal(v->sample_count, 10);
    for (uint32_t i = 0; i < 10; i++) {
        assert_int_equal(mp_sample_size(ix, v, i), v_sizes[i]);
        assert_int_equal(video[mp_sample_offset(ix, v, i)], 32 + i);
        assert_int_equal(mp_sample_dts(ix, v, i), mf_vdts[i]);
    }
    free(ix);

    uint8_t *audio = ing_track_file(file, len, t[1].track_id, 2, &alen);
    ix = index_of(audio, alen, err, sizeof(err));
    if (ix == NULL) {
        fail_msg("audio: %s", err);
    }
    const mp_track_t *a = mp_index_track(ix, 0);
    assert_int_equal(a->sample_count, 12);
    for (uint32_t i = 0; i < 12; i++) {
        assert_int_equal(audio[mp_sample_offset(ix, a, i)], 64 + i);
    }
    free(ix);
    free(video);
    free(audio);
    free(file);
}

static void test_ingest_refusals(void **state)
{
    (void) state;
    mp4_ingest_moof_t info;
    char err[256];
    mf_layout_t l;
    size_t len;
    ing_box_t b[32];

    mf_opts_t chained = { .layout = FL_CHAINED, .tfxd = 1 };
    uint8_t *file = mf_build(&chained, &len, &l);
    assert_true(ing_boxes(file, len, b, 32) >= 3 && b[2].type == MP_FOURCC('m', 'o', 'o', 'f'));
    assert_int_equal(mp4_ingest_read_moof(b[2].p, b[2].len, &info, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "more than one traf"));
    free(file);

    mf_opts_t explicit_base = { .layout = FL_EXPLICIT_BASE };
    file = mf_build(&explicit_base, &len, &l);
    assert_true(ing_boxes(file, len, b, 32) >= 3);
    assert_int_equal(mp4_ingest_read_moof(b[2].p, b[2].len, &info, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "base-data-offset"));
    /* a moov that is no moov, a moof that is no moof, a box past its end */
    assert_int_equal(mp4_ingest_track_moov(b[2].p, b[2].len, 1, (uint8_t *) err, 0, err,
                                           sizeof(err)), 0);
    assert_int_equal(mp4_ingest_read_moof(b[1].p, b[1].len, &info, err, sizeof(err)), -1);
    uint8_t bad[16] = { 0, 0, 0, 16, 'm', 'o', 'o', 'f', 0, 0, 0, 99, 't', 'r', 'a', 'f' };
    assert_int_equal(mp4_ingest_read_moof(bad, sizeof(bad), &info, err, sizeof(err)), -1);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faststart),
        cmocka_unit_test(test_moov_at_end),
        cmocka_unit_test(test_co64),
        cmocka_unit_test(test_fixed_size_and_stz2),
        cmocka_unit_test(test_codecs_and_skipped_tracks),
        cmocka_unit_test(test_edit_lists),
        cmocka_unit_test(test_table_errors),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_short_boxes_at_end),
        cmocka_unit_test(test_stz2_short),
        cmocka_unit_test(test_hostile_numbers),
        cmocka_unit_test(test_index_limits_at_the_bound),
        cmocka_unit_test(test_tiny_moov_many_samples),
        cmocka_unit_test(test_index_check),
        cmocka_unit_test(test_index_widths),
        cmocka_unit_test(test_fragmented_layouts),
        cmocka_unit_test(test_fragmented_errors),
        cmocka_unit_test(test_fragmented_growing_file),
        cmocka_unit_test(test_fragmented_sample_count_overflow),
        cmocka_unit_test(test_fragmented_limits_at_the_bound),
        cmocka_unit_test(test_ingest_split_per_track),
        cmocka_unit_test(test_ingest_refusals),
    };
    return cmocka_run_group_tests_name("mp4_parse", tests, NULL, NULL);
}
