/*
 * test_ts_mux.c — the MPEG-2 TS segment muxer against synthetic media: an
 * index blob from index_builder.h (AVC track with a fake avcC and length-
 * prefixed NAL samples, AAC track) over an in-memory "file".  The output is demuxed by
 * an independent little TS parser that checks packet structure, PSI CRCs,
 * continuity counters, adaptation fields, PES headers, the Annex B stream
 * (AUD, SPS/PPS on key frames) and ADTS framing against the source samples.
 */
#include "unit_helpers.h"

#include <stdlib.h>

#include "ts/ts_mux.h"
#include "index_builder.h"

#define TS 188
#define VIDEO_PID 0x100
#define AUDIO_PID 0x101
#define PMT_PID 0x1000
#define VIDEO_FRAMES 30
#define MAX_FRAMES 256
#define VIDEO_TIMESCALE 15360
#define VIDEO_DURATION 512
#define AUDIO_FRAMES 47
#define AUDIO_TIMESCALE 48000
#define AUDIO_SHIFT 1024
#define GOP 10
#define CORRUPT_SAMPLE 5

static const uint8_t sps[] = { 0x67, 0x64, 0x00, 0x1F, 0xAC, 0xD9 };
static const uint8_t pps[] = { 0x68, 0xEE, 0x3C, 0x80 };
static const uint8_t asc_lc_48k_stereo[] = { 0x11, 0x90 };

/* ---- fixture: synthetic AVC + AAC presentation ------------------------- */

typedef struct {
    uint32_t nls;             /* 0: no video track */
    int audio;
    uint32_t video_codec;     /* 0: AVC */
    uint32_t audio_codec;     /* 0: AAC */
    const uint8_t *asc;       /* NULL: AAC LC 48 kHz stereo */
    size_t asc_len;
    int corrupt;              /* CORRUPT_SAMPLE's first NAL length overruns it */
    uint32_t sweep;           /* > 0: that many video frames of sizes 100, 101, ... */
} fx_opts_t;

typedef struct {
    mp_wr_t file;
    ib_mem_src_t src;
    mp_source_t reader;
    mp_index_t *ix;
    mp_pres_track_t v, a;
    mp_seg_t vs, as;
    ts_segment_params_t p;
    mp_index_t *ix2;          /* split layouts: audio's own index, file and reader */
    mp_wr_t afile;
    ib_mem_src_t asrc;
    mp_source_t areader;
    uint8_t avcc[64];
    size_t avcc_len;
} fixture_t;

static void put_nal(mp_wr_t *w, uint32_t nls, uint8_t type, size_t len, uint32_t seed)
{
    uint8_t len_bytes[4] = { (uint8_t) (len >> 24), (uint8_t) (len >> 16), (uint8_t) (len >> 8),
                             (uint8_t) len };
    mp_wr_bytes(w, len_bytes + 4 - nls, nls);
    if (len == 0) {
        return;
    }
    mp_wr_u8(w, type);
    uint8_t chunk[4096];
    for (size_t k = 1; k < len;) {
        size_t n = 0;
        for (; n < sizeof(chunk) && k < len; n++, k++) {
            chunk[n] = (uint8_t) (seed * 31 + k * 7);
        }
        mp_wr_bytes(w, chunk, n);
    }
}

/* Key frames: SEI + IDR slice; others one slice; sample 3 opens with its
 * own AUD and sample 4 carries an empty NAL unit (both blanked in TS). */
static void put_video_sample(mp_wr_t *w, const fx_opts_t *o, uint32_t i)
{
    uint32_t nls = o->nls;
    size_t len = o->sweep ? 100 + i : 40 + (i * 397) % (nls == 1 ? 200 : 2500);
    if (i % GOP == 0) {
        put_nal(w, nls, 0x06, 20, i);
        put_nal(w, nls, 0x65, len, i);
        return;
    }
    if (i == 3) {
        put_nal(w, nls, 0x09, 2, i);
    }
    if (i == 4) {
        put_nal(w, nls, 0x01, 0, i);
    }
    put_nal(w, nls, 0x41, len, i);
}

static void build_avcc(fixture_t *f, uint32_t nls)
{
    mp_wr_t w;
    mp_wr_init_fixed(&w, f->avcc, sizeof(f->avcc));
    mp_wr_u8(&w, 1);
    mp_wr_bytes(&w, sps + 1, 3);
    mp_wr_u8(&w, 0xFC | (nls - 1));
    mp_wr_u8(&w, 0xE1);
    mp_wr_u16(&w, sizeof(sps));
    mp_wr_bytes(&w, sps, sizeof(sps));
    mp_wr_u8(&w, 1);
    mp_wr_u16(&w, sizeof(pps));
    mp_wr_bytes(&w, pps, sizeof(pps));
    assert_false(w.failed);
    f->avcc_len = w.pos;
}

typedef struct {
    uint64_t offsets[MAX_FRAMES];
    uint32_t sizes[MAX_FRAMES];
    uint64_t dts[MAX_FRAMES + 1];
    int32_t cto[MAX_FRAMES];
    uint32_t keys[MAX_FRAMES / GOP + 1];
} fx_arrays_t;

static void video_track(fixture_t *f, const fx_opts_t *o, ib_track_t *tr, fx_arrays_t *a)
{
    uint32_t keys = 0, frames = o->sweep ? o->sweep : VIDEO_FRAMES;
    build_avcc(f, o->nls);
    for (uint32_t i = 0; i < frames; i++) {
        a->offsets[i] = f->file.pos;
        put_video_sample(&f->file, o, i);
        a->sizes[i] = (uint32_t) (f->file.pos - a->offsets[i]);
        a->dts[i] = (uint64_t) i * VIDEO_DURATION;
        a->cto[i] = (i % GOP == 0) ? VIDEO_DURATION : (int32_t) (i % 3) * VIDEO_DURATION;
        if (i % GOP == 0) {
            a->keys[keys++] = i;
        }
    }
    a->dts[frames] = (uint64_t) frames * VIDEO_DURATION;
    if (o->corrupt) {
        f->file.p[a->offsets[CORRUPT_SAMPLE] + o->nls - 1] = 0xFF;
    }
    mp_track_t t = { .type = MP_TRACK_VIDEO,
                     .codec = o->video_codec ? o->video_codec : MP_CODEC_AVC,
                     .timescale = VIDEO_TIMESCALE, .sample_count = frames,
                     .key_count = keys, .nal_length_size = o->nls,
                     .config_len = (uint32_t) f->avcc_len };
    *tr = (ib_track_t) { t, f->avcc, a->offsets, a->sizes, a->dts, a->cto, a->keys, NULL };
}

static void audio_track(fixture_t *f, const fx_opts_t *o, ib_track_t *tr, fx_arrays_t *a)
{
    for (uint32_t i = 0; i < AUDIO_FRAMES; i++) {
        a->offsets[i] = f->file.pos;
        size_t len = 150 + (i * 53) % 300;
        for (size_t k = 0; k < len; k++) {
            mp_wr_u8(&f->file, (uint8_t) (i + k));
        }
        a->sizes[i] = (uint32_t) len;
        a->dts[i] = (uint64_t) i * 1024;
    }
    a->dts[AUDIO_FRAMES] = (uint64_t) AUDIO_FRAMES * 1024;
    const uint8_t *asc = o->asc ? o->asc : asc_lc_48k_stereo;
    size_t asc_len = o->asc ? o->asc_len : sizeof(asc_lc_48k_stereo);
    mp_track_t t = { .type = MP_TRACK_AUDIO,
                     .codec = o->audio_codec ? o->audio_codec : MP_CODEC_AAC,
                     .timescale = AUDIO_TIMESCALE, .sample_count = AUDIO_FRAMES,
                     .config_len = (uint32_t) asc_len };
    *tr = (ib_track_t) { t, asc, a->offsets, a->sizes, a->dts, NULL, NULL, NULL };
}

static void fixture_init(fixture_t *f, const fx_opts_t *o)
{
    ib_track_t tr[2];
    fx_arrays_t va, aa;
    uint32_t n = 0;
    memset(f, 0, sizeof(*f));
    mp_wr_init_dynamic(&f->file);
    if (o->nls) {
        video_track(f, o, &tr[n++], &va);
    }
    if (o->audio) {
        audio_track(f, o, &tr[n++], &aa);
    }
    assert_false(f->file.failed);
    f->ix = ib_build_index(tr, n);
    f->src = (ib_mem_src_t) { f->file.p, f->file.pos, 0 };
    f->reader = ib_mem_source(&f->src);
    uint32_t k = 0;
    if (o->nls) {
        f->v = (mp_pres_track_t) { .index = f->ix, .track = mp_index_track(f->ix, k++) };
        f->vs = (mp_seg_t) { .first = 0, .end = f->v.track->sample_count };
        f->p.video = &f->v;
        f->p.video_seg = &f->vs;
        f->p.video_source = &f->reader;
    }
    if (o->audio) {
        f->a = (mp_pres_track_t) { .index = f->ix, .track = mp_index_track(f->ix, k++),
                                   .shift = AUDIO_SHIFT };
        f->as = (mp_seg_t) { .first = 0, .end = AUDIO_FRAMES };
        f->p.audio = &f->a;
        f->p.audio_seg = &f->as;
        f->p.audio_source = &f->reader;
    }
}

static void fixture_free(fixture_t *f)
{
    mp_wr_free(&f->file);
    mp_wr_free(&f->afile);
    free(f->ix);
    free(f->ix2);
}

/* ---- muxing helpers ------------------------------------------------------ */

/* Mux the whole segment reading at most cap bytes per call. */
static uint8_t *mux_all(const ts_segment_params_t *p, size_t cap, size_t *len)
{
    ts_muxer_t *m;
    uint64_t total = 0;
    assert_int_equal(ts_mux_open(&m, p, &total), MP_OK);
    uint8_t *out = malloc(total + cap);
    assert_non_null(out);
    size_t n = 0;
    int done = 0;
    while (!done) {
        size_t w = 0;
        assert_int_equal(ts_mux_read(m, out + n, cap, &w, &done), MP_OK);
        assert_true(w <= cap);
        assert_true(w == cap || done);
        n += w;
        assert_true(n <= total);
    }
    ts_mux_close(m);
    assert_int_equal(n, total);
    *len = n;
    return out;
}

/* ---- an independent TS demuxer ----------------------------------------- */

static uint32_t crc32_mpeg(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        for (int b = 7; b >= 0; b--) {
            uint32_t bit = ((crc >> 31) ^ (p[i] >> b)) & 1;
            crc = (crc << 1) ^ (bit ? 0x04C11DB7u : 0);
        }
    }
    return crc;
}

typedef struct {
    uint16_t pid;
    uint8_t *data;
    size_t len, cap;
    int pcr, rai;             /* first packet's adaptation field */
    uint64_t pcr_base;
} pes_t;

typedef struct {
    pes_t pes[512];
    uint32_t count;
    uint16_t pcr_pid;
    uint16_t pids[4];         /* from the PMT */
    uint8_t types[4];
    uint32_t streams;
    int cc[0x2000];
} demux_t;

/* A PSI section at payload p: pointer_field 0 and a valid CRC. */
static const uint8_t *check_section(const uint8_t *p, uint8_t table_id, size_t *len)
{
    assert_int_equal(p[0], 0);
    const uint8_t *s = p + 1;
    assert_int_equal(s[0], table_id);
    *len = 3 + (((size_t) (s[1] & 0x0F) << 8) | s[2]);
    assert_true(*len <= TS - 5);
    assert_int_equal(crc32_mpeg(s, *len), 0);   /* CRC over section + CRC is 0 */
    return s;
}

static void parse_pat(const uint8_t *payload)
{
    size_t len;
    const uint8_t *s = check_section(payload, 0x00, &len);
    assert_int_equal(len, 16);
    assert_int_equal(mp_rd16(s + 8), 1);
    assert_int_equal(mp_rd16(s + 10) & 0x1FFF, PMT_PID);
}

static void parse_pmt(demux_t *d, const uint8_t *payload)
{
    size_t len;
    const uint8_t *s = check_section(payload, 0x02, &len);
    d->pcr_pid = mp_rd16(s + 8) & 0x1FFF;
    assert_int_equal(mp_rd16(s + 10) & 0x0FFF, 0);
    for (size_t o = 12; o + 4 < len; o += 5 + (mp_rd16(s + o + 3) & 0x0FFF)) {
        assert_true(d->streams < 4);
        d->types[d->streams] = s[o];
        d->pids[d->streams++] = mp_rd16(s + o + 1) & 0x1FFF;
    }
}

/* Adaptation field: returns its total size; stuffing must be 0xFF. */
static size_t parse_af(const uint8_t *a, int *pcr, int *rai, uint64_t *pcr_base)
{
    size_t len = 1 + a[0];
    *pcr = *rai = 0;
    if (len == 1) {
        return 1;
    }
    *rai = (a[1] & 0x40) != 0;
    *pcr = (a[1] & 0x10) != 0;
    size_t o = 2;
    if (*pcr) {
        *pcr_base = ((uint64_t) mp_rd32(a + 2) << 1) | (a[6] >> 7);
        o = 8;
    }
    for (; o < len; o++) {
        assert_int_equal(a[o], 0xFF);
    }
    return len;
}

static void append_pes(demux_t *d, const uint8_t *pkt, int pusi, size_t af_len, int pcr,
                       int rai, uint64_t pcr_base, uint16_t pid)
{
    if (pusi) {
        assert_true(d->count < 512);
        d->pes[d->count++] = (pes_t) { pid, NULL, 0, 0, pcr, rai, pcr_base };
    } else {
        assert_false(pcr || rai);
    }
    pes_t *pes = NULL;
    for (uint32_t i = d->count; i-- > 0;) {
        if (d->pes[i].pid == pid) {
            pes = &d->pes[i];
            break;
        }
    }
    assert_non_null(pes);
    size_t n = TS - 4 - af_len;
    if (pes->len + n > pes->cap) {
        pes->cap = 2 * (pes->len + n);
        pes->data = realloc(pes->data, pes->cap);
        assert_non_null(pes->data);
    }
    memcpy(pes->data + pes->len, pkt + 4 + af_len, n);
    pes->len += n;
}

static void demux(demux_t *d, const uint8_t *ts, size_t len)
{
    memset(d, 0, sizeof(*d));
    memset(d->cc, 0xFF, sizeof(d->cc));
    assert_int_equal(len % TS, 0);
    for (size_t off = 0; off < len; off += TS) {
        const uint8_t *pkt = ts + off;
        assert_int_equal(pkt[0], 0x47);
        uint16_t pid = mp_rd16(pkt + 1) & 0x1FFF;
        int pusi = (pkt[1] & 0x40) != 0;
        int afc = (pkt[3] >> 4) & 3, cc = pkt[3] & 0x0F;
        assert_true(afc & 1);                   /* every packet carries payload */
        if (d->cc[pid] >= 0) {
            assert_int_equal(cc, (d->cc[pid] + 1) & 0x0F);
        }
        d->cc[pid] = cc;
        int pcr = 0, rai = 0;
        uint64_t pcr_base = 0;
        size_t af_len = (afc & 2) ? parse_af(pkt + 4, &pcr, &rai, &pcr_base) : 0;
        if (off == 0) {
            assert_int_equal(pid, 0);
            parse_pat(pkt + 4);
        } else if (off == TS) {
            assert_int_equal(pid, PMT_PID);
            parse_pmt(d, pkt + 4);
        } else {
            assert_true(pid == VIDEO_PID || pid == AUDIO_PID);
            append_pes(d, pkt, pusi, af_len, pcr, rai, pcr_base, pid);
        }
    }
}

static void demux_free(demux_t *d)
{
    for (uint32_t i = 0; i < d->count; i++) {
        free(d->pes[i].data);
    }
}

static uint64_t read_time(const uint8_t *p)
{
    return ((uint64_t) (p[0] & 0x0E) << 29) | ((uint64_t) p[1] << 22)
           | ((uint64_t) (p[2] >> 1) << 15)
           | ((uint64_t) p[3] << 7) | (p[4] >> 1);
}

/* PES header checks; returns the ES start and the PTS/DTS (DTS = PTS if absent). */
static const uint8_t *pes_es(const pes_t *pes, uint64_t *pts, uint64_t *dts)
{
    const uint8_t *d = pes->data;
    assert_true(pes->len > 9);
    assert_int_equal(mp_rd24(d), 1);
    assert_int_equal(d[3], pes->pid == VIDEO_PID ? 0xE0 : 0xC0);
    if (mp_rd16(d + 4) != 0) {
        assert_int_equal(mp_rd16(d + 4), pes->len - 6);
    }
    assert_true(d[7] & 0x80);
    *pts = read_time(d + 9);
    *dts = (d[7] & 0x40) ? read_time(d + 14) : *pts;
    assert_int_equal(d[8], (d[7] & 0x40) ? 10 : 5);
    return d + 9 + d[8];
}

/* ---- expectations from the source ------------------------------------- */

static uint64_t to_90k(uint64_t t, uint32_t timescale)
{
    return (t * 90000 + timescale / 2) / timescale;
}

/* The Annex B access unit the muxer should produce for video sample i. */
static uint8_t *expected_au(const fixture_t *f, uint32_t i, size_t *len)
{
    const mp_track_t *t = f->v.track;
    const mp_index_t *ix = f->v.index;
    const uint8_t *s = f->file.p + mp_sample_offset(ix, t, i);
    size_t size = mp_sample_size(ix, t, i), nls = t->nal_length_size;
    mp_wr_t w;
    mp_wr_init_dynamic(&w);
    mp_wr_bytes(&w, "\0\0\0\1\x09\xF0", 6);
    if (mp_sample_is_key(ix, t, i)) {
        mp_wr_bytes(&w, "\0\0\0\1", 4);
        mp_wr_bytes(&w, sps, sizeof(sps));
        mp_wr_bytes(&w, "\0\0\0\1", 4);
        mp_wr_bytes(&w, pps, sizeof(pps));
    }
    for (size_t pos = 0; pos < size;) {
        size_t n = 0;
        for (size_t k = 0; k < nls; k++) {
            n = (n << 8) | s[pos + k];
        }
        pos += nls;
        if (n == 0 || (s[pos] & 0x1F) == 9) {
            mp_wr_zero(&w, 4 + n);
        } else {
            mp_wr_bytes(&w, "\0\0\0\1", 4);
            mp_wr_bytes(&w, s + pos, n);
        }
        pos += n;
    }
    *len = w.pos;
    return w.p;
}

static void check_video(const fixture_t *f, const demux_t *d)
{
    uint32_t i = f->vs.first;
    for (uint32_t k = 0; k < d->count; k++) {
        const pes_t *pes = &d->pes[k];
        if (pes->pid != VIDEO_PID) {
            continue;
        }
        uint64_t pts, dts;
        const uint8_t *es = pes_es(pes, &pts, &dts);
        uint64_t t = mp_pt_time(&f->v, i);
        assert_int_equal(dts, to_90k(t, VIDEO_TIMESCALE));
        assert_int_equal(pts, to_90k(t + mp_sample_cto(f->v.index, f->v.track, i), VIDEO_TIMESCALE));
        assert_true(pes->pcr);
        assert_true(pes->pcr_base <= dts);
        assert_int_equal(pes->rai, mp_sample_is_key(f->v.index, f->v.track, i));
        size_t len;
        uint8_t *au = expected_au(f, i, &len);
        assert_int_equal((size_t) (pes->data + pes->len - es), len);
        assert_memory_equal(es, au, len);
        free(au);
        i++;
    }
    assert_int_equal(i, f->vs.end);
}

/* Audio PES carry ADTS frames equal to the source frames, in order. */
static void check_audio(const fixture_t *f, const demux_t *d, int pcr)
{
    uint32_t i = f->as.first;
    for (uint32_t k = 0; k < d->count; k++) {
        const pes_t *pes = &d->pes[k];
        if (pes->pid != AUDIO_PID) {
            continue;
        }
        uint64_t pts, dts;
        const uint8_t *es = pes_es(pes, &pts, &dts), *end = pes->data + pes->len;
        assert_int_equal(pts, to_90k(mp_pt_time(&f->a, i), AUDIO_TIMESCALE));
        assert_int_equal(pes->pcr, pcr);
        while (es < end) {
            assert_true(end - es >= 7);
            assert_int_equal(mp_rd16(es) & 0xFFF6, 0xFFF0);        /* sync, layer 0 */
            assert_int_equal(es[2], (1 << 6) | (3 << 2) | 0);       /* LC, 48 kHz */
            assert_int_equal(es[3] >> 6, 2);                        /* stereo */
            size_t flen = ((size_t) (es[3] & 3) << 11) | ((size_t) es[4] << 3) | (es[5] >> 5);
            size_t size = mp_sample_size(f->a.index, f->a.track, i);
            assert_int_equal(flen, 7 + size);
            const uint8_t *file = f->afile.p ? f->afile.p : f->file.p;
            assert_memory_equal(es + 7, file + mp_sample_offset(f->a.index, f->a.track, i), size);
            es += flen;
            i++;
        }
    }
    assert_int_equal(i, f->as.end);
}

/* PES start times (video DTS, audio PTS) never go backwards. */
static void check_interleave(const demux_t *d)
{
    uint64_t last = 0;
    for (uint32_t k = 0; k < d->count; k++) {
        uint64_t pts, dts;
        pes_es(&d->pes[k], &pts, &dts);
        assert_true(dts >= last);
        last = dts;
    }
}

/* ---- tests ---------------------------------------------------------------- */

static void run_av(uint32_t nls)
{
    fixture_t f;
    fx_opts_t o = { .nls = nls, .audio = 1 };
    fixture_init(&f, &o);
    size_t len;
    uint8_t *ts = mux_all(&f.p, 1 << 20, &len);
    demux_t *d = malloc(sizeof(*d));
    demux(d, ts, len);
    assert_int_equal(d->pcr_pid, VIDEO_PID);
    assert_int_equal(d->streams, 2);
    assert_int_equal(d->types[0], 0x1B);
    assert_int_equal(d->pids[0], VIDEO_PID);
    assert_int_equal(d->types[1], 0x0F);
    assert_int_equal(d->pids[1], AUDIO_PID);
    check_video(&f, d);
    check_audio(&f, d, 0);
    check_interleave(d);
    assert_true(d->count < VIDEO_FRAMES + AUDIO_FRAMES);   /* audio frames are grouped */
    demux_free(d);
    free(d);
    free(ts);
    fixture_free(&f);
}

static void test_av_nal_length_4(void **state)
{
    (void) state;
    run_av(4);
}

static void test_av_nal_length_2(void **state)
{
    (void) state;
    run_av(2);
}

static void test_av_nal_length_1(void **state)
{
    (void) state;
    run_av(1);
}

/* Consecutive PES sizes across packet boundaries (first packet 176 bytes
 * with the PCR, then 184): the size from open must match every one. */
static void test_size_sweep(void **state)
{
    (void) state;
    fixture_t f;
    fx_opts_t o = { .nls = 4, .audio = 1, .sweep = MAX_FRAMES };
    fixture_init(&f, &o);
    size_t len;
    uint8_t *ts = mux_all(&f.p, 1000, &len);
    demux_t *d = malloc(sizeof(*d));
    demux(d, ts, len);
    check_video(&f, d);
    check_audio(&f, d, 0);
    demux_free(d);
    free(d);
    free(ts);
    fixture_free(&f);
}

static void test_chunked_reads(void **state)
{
    (void) state;
    static const size_t caps[] = { 188, 376, 1000, 1, 7, 189 };
    fixture_t f;
    fx_opts_t o = { .nls = 4, .audio = 1 };
    fixture_init(&f, &o);
    size_t len;
    uint8_t *whole = mux_all(&f.p, 1 << 20, &len);
    for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
        size_t n;
        uint8_t *part = mux_all(&f.p, caps[c], &n);
        assert_int_equal(n, len);
        assert_memory_equal(part, whole, len);
        free(part);
    }
    free(whole);
    fixture_free(&f);
}

static void test_audio_only(void **state)
{
    (void) state;
    fixture_t f;
    fx_opts_t o = { .audio = 1 };
    fixture_init(&f, &o);
    size_t len;
    uint8_t *ts = mux_all(&f.p, 4096, &len);
    demux_t *d = malloc(sizeof(*d));
    demux(d, ts, len);
    assert_int_equal(d->pcr_pid, AUDIO_PID);
    assert_int_equal(d->streams, 1);
    assert_int_equal(d->pids[0], AUDIO_PID);
    check_audio(&f, d, 1);
    demux_free(d);
    free(d);
    free(ts);
    fixture_free(&f);
}

static void test_video_only(void **state)
{
    (void) state;
    fixture_t f;
    fx_opts_t o = { .nls = 4 };
    fixture_init(&f, &o);
    size_t len;
    uint8_t *ts = mux_all(&f.p, 4096, &len);
    demux_t *d = malloc(sizeof(*d));
    demux(d, ts, len);
    assert_int_equal(d->streams, 1);
    assert_int_equal(d->pids[0], VIDEO_PID);
    assert_int_equal(d->count, VIDEO_FRAMES);
    check_video(&f, d);
    demux_free(d);
    free(d);
    free(ts);
    fixture_free(&f);
}

/* A middle segment: counters seeded from the segment number, first PES
 * of each PID at the segment's first sample. */
static void test_middle_segment(void **state)
{
    (void) state;
    fixture_t f;
    fx_opts_t o = { .nls = 4, .audio = 1 };
    fixture_init(&f, &o);
    f.vs = (mp_seg_t) { .first = 10, .end = 20 };
    f.as = (mp_seg_t) { .first = 15, .end = 31 };
    f.p.segment_number = 5;
    size_t len;
    uint8_t *ts = mux_all(&f.p, 1000, &len);
    assert_int_equal(ts[3] & 0x0F, 5);
    demux_t *d = malloc(sizeof(*d));
    demux(d, ts, len);
    check_video(&f, d);
    check_audio(&f, d, 0);
    check_interleave(d);
    demux_free(d);
    free(d);
    free(ts);
    fixture_free(&f);
}

static void test_corrupt_nal_length(void **state)
{
    (void) state;
    fixture_t f;
    fx_opts_t o = { .nls = 4, .audio = 1, .corrupt = 1 };
    fixture_init(&f, &o);
    ts_muxer_t *m;
    uint64_t total;
    assert_int_equal(ts_mux_open(&m, &f.p, &total), MP_OK);   /* sizes need no reads */
    uint8_t *buf = malloc(total);
    size_t w;
    int done = 0, rc = MP_OK;
    for (size_t n = 0; rc == MP_OK && !done; n += w) {
        rc = ts_mux_read(m, buf + n, 376, &w, &done);
    }
    assert_int_equal(rc, MP_ERR_BAD_MEDIA);
    assert_int_equal(ts_mux_read(m, buf, 376, &w, &done), MP_ERR_BAD_MEDIA);   /* sticky */
    ts_mux_close(m);
    free(buf);
    fixture_free(&f);

    o.nls = 2;                                                   /* sizes need reads */
    fixture_init(&f, &o);
    assert_int_equal(ts_mux_open(&m, &f.p, &total), MP_ERR_BAD_MEDIA);
    assert_null(m);
    fixture_free(&f);
}

static void expect_open(const fx_opts_t *o, int expected)
{
    fixture_t f;
    ts_muxer_t *m;
    uint64_t total;
    fixture_init(&f, o);
    assert_int_equal(ts_mux_open(&m, &f.p, &total), expected);
    ts_mux_close(m);
    fixture_free(&f);
}

static void test_unsupported(void **state)
{
    (void) state;
    static const uint8_t asc_pce[] = { 0x11, 0x80 };           /* channel config 0 */
    static const uint8_t asc_escape[] = { 0xF8, 0x00 };        /* object type 32 */
    static const uint8_t asc_he_v1[] = { 0x2B, 0x11, 0x88, 0x00 };   /* SBR over LC */
    expect_open(&(fx_opts_t) { .nls = 4, .video_codec = MP_CODEC_HEVC }, MP_ERR_BAD_MEDIA);
    expect_open(&(fx_opts_t) { .audio = 1, .audio_codec = MP_CODEC_AC3 }, MP_ERR_BAD_MEDIA);
    expect_open(&(fx_opts_t) { .audio = 1, .audio_codec = MP_CODEC_EAC3 }, MP_ERR_BAD_MEDIA);
    expect_open(&(fx_opts_t) { .audio = 1, .asc = asc_pce, .asc_len = 2 }, MP_ERR_BAD_MEDIA);
    expect_open(&(fx_opts_t) { .audio = 1, .asc = asc_escape, .asc_len = 2 }, MP_ERR_BAD_MEDIA);
    expect_open(&(fx_opts_t) { .audio = 1, .asc = asc_pce, .asc_len = 1 }, MP_ERR_BAD_MEDIA);
    expect_open(&(fx_opts_t) { .audio = 1, .asc = asc_he_v1, .asc_len = 4 }, MP_OK);
}

static void test_read_error(void **state)
{
    (void) state;
    fixture_t f;
    fx_opts_t o = { .nls = 4, .audio = 1 };
    fixture_init(&f, &o);
    ts_muxer_t *m;
    uint64_t total;
    assert_int_equal(ts_mux_open(&m, &f.p, &total), MP_OK);
    f.src.fail = 1;
    uint8_t buf[TS * 4];
    size_t w;
    int done;
    assert_int_equal(ts_mux_read(m, buf, sizeof(buf), &w, &done), MP_ERR_IO);
    ts_mux_close(m);
    fixture_free(&f);
}

/* ---- staging windows: layouts, large samples, reads ------------------- */

/* The muxer reads samples through a window of TS_WIN_VIDEO (256 KB) per
 * track; these sizes sit on and around it. */
#define WIN (256 * 1024)

enum { LAY_SEQ, LAY_INTERLEAVED, LAY_CHUNKS, LAY_GAPS, LAY_REVERSE, LAY_COUNT };

typedef struct {
    uint32_t nls;
    uint32_t frames;                      /* video frames */
    size_t (*size)(uint32_t i);           /* video sample i's size */
    size_t (*split_at)(uint32_t i);       /* != 0: where sample i's second slice starts */
    uint32_t slices;                      /* slice NAL units per frame (at least) */
    int layout;
    int split;                            /* audio in a file (and index) of its own */
} lay_opts_t;

static size_t size_small(uint32_t i)
{
    return 60 + (i * 397) % 2500;
}

/* 30-60 KB: a window holds a few, audio interleaved between them. */
static size_t size_mid(uint32_t i)
{
    return 30000 + (i * 7919) % 30000;
}

static size_t size_100k(uint32_t i)
{
    return 100000 + i;
}

/* On, just under and just over the window, far over it, small, mid-size. */
static size_t size_window(uint32_t i)
{
    static const size_t s[] = { WIN + 1, WIN, WIN - 1, 3 * WIN + 12345, 100, 70000 };
    return s[i % 6] + (i % 6 >= 4 ? i * 1000 : 0);
}

/* Samples over the window whose second NAL length prefix straddles the end
 * of the first window read (which starts at the sample). */
static size_t size_straddle(uint32_t i)
{
    return WIN + 5000 + i;
}

static size_t split_straddle(uint32_t i)
{
    return WIN - 1 - i % 4;
}

/* Sample i: SEI on key frames, an AUD in sample 3, an empty NAL unit in
 * sample 4, then slices filling it to exactly total bytes. */
static void lay_video_sample(mp_wr_t *w, const lay_opts_t *o, uint32_t i)
{
    uint32_t nls = o->nls;
    size_t total = o->size(i), used = 0;
    size_t max = nls == 1 ? 0xFF : nls == 2 ? 0xFFFF : 0x7FFFFFFF;
    uint8_t type = i % GOP == 0 ? 0x65 : 0x41;
    if (i % GOP == 0) {
        put_nal(w, nls, 0x06, 20, i);
        used += nls + 20;
    }
    if (i == 3) {
        put_nal(w, nls, 0x09, 2, i);
        used += nls + 2;
    }
    if (i == 4) {
        put_nal(w, nls, 0x01, 0, i);
        used += nls;
    }
    if (o->split_at && o->split_at(i) && nls == 4) {
        size_t first = o->split_at(i) - used - nls;
        put_nal(w, nls, type, first, i);
        used += nls + first;
    }
    size_t rest = total - used;
    size_t k = o->slices ? o->slices : 1;
    if (k < (rest + nls + max - 1) / (nls + max)) {
        k = (rest + nls + max - 1) / (nls + max);
    }
    assert_true(rest >= k * (nls + 1));
    size_t payload = rest - k * nls;
    for (size_t j = 0; j < k; j++) {
        put_nal(w, nls, type, payload / k + (j < payload % k), i + (uint32_t) j);
    }
}

static void lay_audio_frame(mp_wr_t *w, uint32_t i)
{
    size_t len = 150 + (i * 53) % 300;
    for (size_t k = 0; k < len; k++) {
        mp_wr_u8(w, (uint8_t) (i + k));
    }
}

/* File order of the samples: (video?, index) pairs. */
static uint32_t lay_order(const lay_opts_t *o, uint8_t *is_video, uint32_t *idx)
{
    uint32_t n = 0, v = 0, a = 0, V = o->frames, A = AUDIO_FRAMES;
    switch (o->layout) {
    case LAY_SEQ:
        for (; v < V; v++, n++) { is_video[n] = 1; idx[n] = v; }
        for (; a < A; a++, n++) { is_video[n] = 0; idx[n] = a; }
        break;
    case LAY_CHUNKS:
        while (v < V || a < A) {
            for (uint32_t k = 0; k < 4 && v < V; k++, n++) { is_video[n] = 1; idx[n] = v++; }
            for (uint32_t k = 0; k < 7 && a < A; k++, n++) { is_video[n] = 0; idx[n] = a++; }
        }
        break;
    case LAY_REVERSE:
        while (v < V || a < A) {
            if (v < V) { is_video[n] = 1; idx[n++] = V - 1 - v++; }
            if (a < A) { is_video[n] = 0; idx[n++] = A - 1 - a++; }
        }
        break;
    default:                                    /* by decode time */
        while (v < V || a < A) {
            uint64_t tv = (uint64_t) v * VIDEO_DURATION * AUDIO_TIMESCALE;
            uint64_t ta = (uint64_t) a * 1024 * VIDEO_TIMESCALE;
            int video = a >= A || (v < V && tv <= ta);
            is_video[n] = (uint8_t) video;
            idx[n++] = video ? v++ : a++;
        }
        break;
    }
    return n;
}

static void lay_init(fixture_t *f, const lay_opts_t *o, fx_arrays_t *va, fx_arrays_t *aa)
{
    static const size_t gaps[] = { 0, 1, 100, 5000, 8192, 8193, 20000, 70000, 300000 };
    uint8_t is_video[MAX_FRAMES + AUDIO_FRAMES];
    uint32_t idx[MAX_FRAMES + AUDIO_FRAMES], keys = 0;
    memset(f, 0, sizeof(*f));
    assert_true(o->frames <= MAX_FRAMES);
    mp_wr_init_dynamic(&f->file);
    mp_wr_init_dynamic(&f->afile);
    build_avcc(f, o->nls);
    uint32_t n = lay_order(o, is_video, idx);
    for (uint32_t k = 0; k < n; k++) {
        size_t gap = o->layout == LAY_GAPS ? gaps[k % 9] : o->layout == LAY_REVERSE ? 3 : 0;
        mp_wr_t *file = o->split && !is_video[k] ? &f->afile : &f->file;
        static const uint8_t junk[4096] = { 0xA5, 0x5A, 0xA5, 0x5A };
        for (size_t g = 0; g < gap; g += sizeof(junk)) {
            mp_wr_bytes(file, junk, gap - g < sizeof(junk) ? gap - g : sizeof(junk));
        }
        fx_arrays_t *arr = is_video[k] ? va : aa;
        uint32_t i = idx[k];
        arr->offsets[i] = file->pos;
        if (is_video[k]) {
            lay_video_sample(file, o, i);
        } else {
            lay_audio_frame(file, i);
        }
        arr->sizes[i] = (uint32_t) (file->pos - arr->offsets[i]);
    }
    assert_false(f->file.failed || f->afile.failed);
    for (uint32_t i = 0; i < o->frames; i++) {
        va->dts[i] = (uint64_t) i * VIDEO_DURATION;
        va->cto[i] = (i % GOP == 0) ? VIDEO_DURATION : (int32_t) (i % 3) * VIDEO_DURATION;
        if (i % GOP == 0) {
            va->keys[keys++] = i;
        }
    }
    va->dts[o->frames] = (uint64_t) o->frames * VIDEO_DURATION;
    for (uint32_t i = 0; i <= AUDIO_FRAMES; i++) {
        aa->dts[i] = (uint64_t) i * 1024;
    }
    mp_track_t vt = { .type = MP_TRACK_VIDEO, .codec = MP_CODEC_AVC,
                      .timescale = VIDEO_TIMESCALE, .sample_count = o->frames,
                      .key_count = keys, .nal_length_size = o->nls,
                      .config_len = (uint32_t) f->avcc_len };
    mp_track_t at = { .type = MP_TRACK_AUDIO, .codec = MP_CODEC_AAC,
                      .timescale = AUDIO_TIMESCALE, .sample_count = AUDIO_FRAMES,
                      .config_len = sizeof(asc_lc_48k_stereo) };
    ib_track_t tr[2] = {
        { vt, f->avcc, va->offsets, va->sizes, va->dts, va->cto, va->keys, NULL },
        { at, asc_lc_48k_stereo, aa->offsets, aa->sizes, aa->dts, NULL, NULL, NULL },
    };
    f->ix = ib_build_index(tr, o->split ? 1 : 2);
    const mp_index_t *aix = f->ix;
    if (o->split) {
        f->ix2 = ib_build_index(tr + 1, 1);
        aix = f->ix2;
    }
    f->src = (ib_mem_src_t) { f->file.p, f->file.pos, 0 };
    f->reader = ib_mem_source(&f->src);
    f->asrc = (ib_mem_src_t) { f->afile.p, f->afile.pos, 0 };
    f->areader = ib_mem_source(&f->asrc);
    f->v = (mp_pres_track_t) { .index = f->ix, .track = mp_index_track(f->ix, 0) };
    f->a = (mp_pres_track_t) { .index = aix, .track = mp_index_track(aix, o->split ? 0 : 1),
                               .shift = AUDIO_SHIFT };
    f->vs = (mp_seg_t) { .first = 0, .end = o->frames };
    f->as = (mp_seg_t) { .first = 0, .end = AUDIO_FRAMES };
    f->p = (ts_segment_params_t) { &f->v, &f->vs, &f->reader, &f->a, &f->as,
                                   o->split ? &f->areader : &f->reader, 0, 0 };
}

/* Sources over the fixture's files counting the reads through them (both
 * tracks' together) and failing the fail_at-th (1-based; 0: never); with
 * again_every, every again_every-th read while nowait is set answers
 * MP_ERR_AGAIN instead (a page-cache miss of the event loop's reads). */
typedef struct count_reader_s count_reader_t;

typedef struct {
    mp_source_t r;            /* first: the muxer calls r.read(&r, ...) */
    mp_source_t *inner;
    count_reader_t *c;
} count_rd_t;

struct count_reader_s {
    uint32_t reads, fail_at, again_every, agains;
    uint64_t bytes;
    count_rd_t rd[2];
};

static int count_check(count_rd_t *d)
{
    if (d->c->again_every && d->r.nowait && ++d->c->agains % d->c->again_every == 0) {
        return MP_ERR_AGAIN;
    }
    return ++d->c->reads == d->c->fail_at ? MP_ERR_IO : MP_OK;
}

static int count_read(mp_source_t *r, void *buf, size_t len, uint64_t off)
{
    count_rd_t *d = (count_rd_t *) r;
    int rc = count_check(d);
    if (rc != MP_OK) {
        return rc;
    }
    d->c->bytes += len;
    return d->inner->read(d->inner, buf, len, off);
}

static int count_readv(mp_source_t *r, const struct iovec *iov, int count, uint64_t off)
{
    count_rd_t *d = (count_rd_t *) r;
    int rc = count_check(d);
    if (rc != MP_OK) {
        return rc;
    }
    for (int i = 0; i < count; i++) {
        d->c->bytes += iov[i].iov_len;
    }
    return d->inner->readv(d->inner, iov, count, off);
}

static void count_reader(count_reader_t *c, fixture_t *f, uint32_t fail_at)
{
    mp_source_t *audio = f->afile.pos ? &f->areader : &f->reader;
    memset(c, 0, sizeof(*c));
    c->fail_at = fail_at;
    c->rd[0] = (count_rd_t) { { .read = count_read, .readv = count_readv }, &f->reader, c };
    c->rd[1] = (count_rd_t) { { .read = count_read, .readv = count_readv }, audio, c };
    f->p.video_source = &c->rd[0].r;
    f->p.audio_source = f->afile.pos ? &c->rd[1].r : &c->rd[0].r;   /* one source per file */
}

static void check_demuxed(const fixture_t *f, const uint8_t *ts, size_t len)
{
    demux_t *d = malloc(sizeof(*d));
    demux(d, ts, len);
    check_video(f, d);
    check_audio(f, d, 0);
    check_interleave(d);
    demux_free(d);
    free(d);
}

/* Every layout of the same samples, with one index or two, gives the bytes
 * of the plain sequential layout, which pass the demuxer's checks. */
static void run_layouts(lay_opts_t o)
{
    static const size_t caps[] = { 1 << 20, TS * 5, 1000 };
    fixture_t f;
    fx_arrays_t *va = calloc(1, sizeof(*va)), *aa = calloc(1, sizeof(*aa));
    assert_true(va && aa);
    o.layout = LAY_SEQ;
    o.split = 0;
    lay_init(&f, &o, va, aa);
    size_t ref_len;
    uint8_t *ref = mux_all(&f.p, 1 << 20, &ref_len);
    check_demuxed(&f, ref, ref_len);
    fixture_free(&f);
    for (int layout = 0; layout < LAY_COUNT; layout++) {
        for (int split = 0; split < 2; split++) {
            o.layout = layout;
            o.split = split;
            lay_init(&f, &o, va, aa);
            count_reader_t c;
            count_reader(&c, &f, 0);
            size_t len;
            uint8_t *ts = mux_all(&f.p, caps[(layout + split) % 3], &len);
            assert_int_equal(len, ref_len);
            assert_true(memcmp(ts, ref, len) == 0);       /* (cmocka's compares bytewise) */
            /* bytes read: each sample once, or twice when NAL length size
             * != 4 (sized at open), plus the gaps vectored reads skip */
            assert_true(c.bytes <= (o.nls == 4 ? 2 : 3) * (uint64_t) (f.file.pos + f.afile.pos));
            free(ts);
            fixture_free(&f);
        }
    }
    free(ref);
    free(va);
    free(aa);
}

static void test_layouts_small(void **state)
{
    (void) state;
    for (uint32_t nls = 1; nls <= 4; nls *= 2) {
        run_layouts((lay_opts_t) { .nls = nls, .frames = VIDEO_FRAMES, .size = size_small });
    }
}

/* Samples on both sides of the window size, streamed through it when
 * larger, with one and with many (nls 1: <= 255-byte) NAL units. */
static void test_layouts_large_samples(void **state)
{
    (void) state;
    run_layouts((lay_opts_t) { .nls = 4, .frames = VIDEO_FRAMES, .size = size_mid });
    run_layouts((lay_opts_t) { .nls = 4, .frames = 12, .size = size_window, .slices = 3 });
    run_layouts((lay_opts_t) { .nls = 4, .frames = 6, .size = size_window, .slices = 1 });
    run_layouts((lay_opts_t) { .nls = 2, .frames = 12, .size = size_window });
    run_layouts((lay_opts_t) { .nls = 1, .frames = 7, .size = size_window });
    run_layouts((lay_opts_t) { .nls = 4, .frames = 8, .size = size_straddle,
                               .split_at = split_straddle, .slices = 2 });
}

/* Samples that lie close together in a file take one read per refill of
 * the input, whatever order the muxer needs them in. */
static void test_window_reads(void **state)
{
    (void) state;
    static const int layouts[] = { LAY_SEQ, LAY_INTERLEAVED, LAY_CHUNKS };
    fx_arrays_t *va = calloc(1, sizeof(*va)), *aa = calloc(1, sizeof(*aa));
    assert_true(va && aa);
    for (size_t l = 0; l < 3; l++) {
        for (int split = 0; split < 2; split++) {
            fixture_t f;
            lay_opts_t o = { .nls = 4, .frames = VIDEO_FRAMES, .size = size_small,
                             .layout = layouts[l], .split = split };
            lay_init(&f, &o, va, aa);
            count_reader_t c;
            count_reader(&c, &f, 0);
            size_t len;
            free(mux_all(&f.p, TS * 7, &len));
            /* the whole file fits the input: one read per file */
            assert_true(c.reads >= 1 && c.reads <= 2);
            assert_true(c.bytes <= f.file.pos + f.afile.pos);
            fixture_free(&f);
        }
    }
    /* a 6 MB video-only segment of 100 KB samples: one read per refill of
     * the input buffer */
    fixture_t f;
    lay_opts_t o = { .nls = 4, .frames = 60, .size = size_100k };
    lay_init(&f, &o, va, aa);
    f.p.audio = NULL;
    count_reader_t c;
    count_reader(&c, &f, 0);
    size_t len;
    free(mux_all(&f.p, 1 << 17, &len));
    uint64_t video_bytes = 0;
    for (uint32_t i = 0; i < o.frames; i++) {
        video_bytes += va->sizes[i];
    }
    assert_true(c.reads <= video_bytes / (TS_INPUT_SIZE - TS) + 2);
    assert_int_equal(c.bytes, video_bytes);
    fixture_free(&f);
    free(va);
    free(aa);
}

/* The last NAL length of a sample larger than the input buffer overruns it
 * (or the sample has bytes after its last NAL unit): the segment fails when
 * the packetiser reaches that NAL unit, with whole packets before it (nls
 * 4), or at open (other sizes, which are measured then). */
static void test_large_sample_corrupt(void **state)
{
    (void) state;
    fx_arrays_t *va = calloc(1, sizeof(*va)), *aa = calloc(1, sizeof(*aa));
    assert_true(va && aa);
    for (int trailing = 0; trailing < 2; trailing++) {
        for (uint32_t nls = 2; nls <= 4; nls += 2) {
            fixture_t f;
            lay_opts_t o = { .nls = nls, .frames = 12, .size = size_window, .slices = 3,
                             .layout = LAY_INTERLEAVED };
            lay_init(&f, &o, va, aa);
            const uint32_t bad = 3;                       /* 3 * WIN + 12345 bytes */
            uint8_t *s = f.file.p + va->offsets[bad];
            size_t pos = 0, last = 0, n = 0;
            while (pos < va->sizes[bad]) {
                last = pos;
                n = 0;
                for (uint32_t k = 0; k < nls; k++) {
                    n = (n << 8) | s[pos + k];
                }
                pos += nls + n;
            }
            assert_int_equal(pos, va->sizes[bad]);
            if (trailing) {
                /* shorten the last NAL unit: 2 bytes follow it, too few for a prefix */
                n -= 2;
            } else {
                n += 1;
            }
            for (uint32_t k = 0; k < nls; k++) {
                s[last + k] = (uint8_t) (n >> (8 * (nls - 1 - k)));
            }
            ts_muxer_t *m;
            uint64_t total;
            int rc = ts_mux_open(&m, &f.p, &total);
            if (nls != 4) {
                assert_int_equal(rc, MP_ERR_BAD_MEDIA);
                assert_null(m);
                fixture_free(&f);
                continue;
            }
            assert_int_equal(rc, MP_OK);
            uint8_t *buf = malloc(total);
            size_t w, got = 0;
            int done = 0;
            while (rc == MP_OK && !done) {
                rc = ts_mux_read(m, buf + got, TS, &w, &done);
                got += w;
            }
            assert_int_equal(rc, MP_ERR_BAD_MEDIA);
            assert_int_equal(ts_mux_read(m, buf, TS, &w, &done), MP_ERR_BAD_MEDIA);
            /* whole packets, ending inside the bad PES: the good ones before
             * it are all there */
            assert_int_equal(got % TS, 0);
            assert_true(got >= 2 * TS);
            uint32_t starts = 0;
            for (size_t k = 0; k < got; k += TS) {
                starts += (buf[k + 1] & 0x40) && ((buf[k + 1] & 0x1F) << 8 | buf[k + 2]) == VIDEO_PID;
            }
            assert_int_equal(starts, bad + 1);
            free(buf);
            ts_mux_close(m);
            fixture_free(&f);
        }
    }
    free(va);
    free(aa);
}

/* A read failing anywhere (window fills, NAL headers of a large sample,
 * refills while streaming it) is MP_ERR_IO, and sticky. */
static void test_large_sample_read_errors(void **state)
{
    (void) state;
    fx_arrays_t *va = calloc(1, sizeof(*va)), *aa = calloc(1, sizeof(*aa));
    assert_true(va && aa);
    for (uint32_t nls = 2; nls <= 4; nls += 2) {
        fixture_t f;
        lay_opts_t o = { .nls = nls, .frames = 8, .size = size_window, .slices = 3,
                         .layout = LAY_INTERLEAVED };
        lay_init(&f, &o, va, aa);
        count_reader_t c;
        count_reader(&c, &f, 0);
        size_t len;
        free(mux_all(&f.p, 1 << 17, &len));
        uint32_t reads = c.reads;
        assert_true(reads > 8);
        for (uint32_t at = 1; at <= reads; at += 1 + at / 3) {
            count_reader(&c, &f, at);
            ts_muxer_t *m;
            uint64_t total;
            int rc = ts_mux_open(&m, &f.p, &total);
            if (rc != MP_OK) {
                assert_int_equal(rc, MP_ERR_IO);
                assert_null(m);
                continue;
            }
            uint8_t *buf = malloc(1 << 17);
            size_t w;
            int done = 0;
            while (rc == MP_OK && !done) {
                rc = ts_mux_read(m, buf, 1 << 17, &w, &done);
            }
            assert_int_equal(rc, MP_ERR_IO);
            assert_int_equal(ts_mux_read(m, buf, 1 << 17, &w, &done), MP_ERR_IO);
            free(buf);
            ts_mux_close(m);
        }
        fixture_free(&f);
    }
    free(va);
    free(aa);
}

/* Reads that would block (MP_ERR_AGAIN while nowait is set) stop the muxer
 * between packets; called again without nowait it continues exactly there:
 * the same bytes as one muxing without interruptions, for every layout,
 * NAL length size and chunk size. */
static void test_again_resumes(void **state)
{
    (void) state;
    fx_arrays_t *va = calloc(1, sizeof(*va)), *aa = calloc(1, sizeof(*aa));
    assert_true(va && aa);
    static const size_t caps[] = { 1 << 18, TS * 3, 100 };
    for (uint32_t nls = 1; nls <= 4; nls *= 2) {
        for (int layout = 0; layout < LAY_COUNT; layout++) {
            fixture_t f;
            lay_opts_t o = { .nls = nls, .frames = 12, .size = size_mid, .layout = layout,
                             .split = layout % 2 };
            lay_init(&f, &o, va, aa);
            size_t ref_len;
            uint8_t *ref = mux_all(&f.p, 1 << 20, &ref_len);
            for (uint32_t every = 1; every <= 3; every++) {
                count_reader_t c;
                count_reader(&c, &f, 0);
                c.again_every = every;
                size_t cap = caps[every - 1];
                ts_muxer_t *m = NULL;
                uint64_t total = 0;
                int rc, agains = 0;
                c.rd[0].r.nowait = c.rd[1].r.nowait = 1;
                while ((rc = ts_mux_open(&m, &f.p, &total)) == MP_ERR_AGAIN) {
                    assert_null(m);
                    c.rd[0].r.nowait = c.rd[1].r.nowait = 0;    /* "in a thread" */
                    agains++;
                }
                assert_int_equal(rc, MP_OK);
                assert_int_equal(total, ref_len);
                uint8_t *out = malloc(ref_len + cap);
                size_t n = 0;
                int done = 0;
                while (!done) {
                    size_t w = 0;
                    rc = ts_mux_read(m, out + n, cap, &w, &done);
                    assert_true(rc == MP_OK || rc == MP_ERR_AGAIN);
                    assert_true(w <= cap);
                    n += w;
                    assert_true(n <= ref_len);
                    /* after a miss one read blocks, then the event loop again */
                    c.rd[0].r.nowait = c.rd[1].r.nowait = rc == MP_OK;
                    agains += rc == MP_ERR_AGAIN;
                }
                assert_true(agains > 0);
                assert_int_equal(n, ref_len);
                assert_true(memcmp(out, ref, ref_len) == 0);
                ts_mux_close(m);
                free(out);
            }
            free(ref);
            fixture_free(&f);
        }
    }
    free(va);
    free(aa);
}

/* Muxers open at the same time (as requests are) share nothing: several
 * read round-robin, closed and reopened in turn, each give the bytes of one
 * muxing alone (blocks of closed muxers may be reused, see ts_block_get). */
static void test_concurrent_muxers(void **state)
{
    (void) state;
    enum { N = 3 };
    fx_arrays_t *va = calloc(1, sizeof(*va)), *aa = calloc(1, sizeof(*aa));
    assert_true(va && aa);
    fixture_t f;
    lay_opts_t o = { .nls = 4, .frames = 12, .size = size_window, .slices = 2,
                     .layout = LAY_INTERLEAVED };
    lay_init(&f, &o, va, aa);
    size_t ref_len;
    uint8_t *ref = mux_all(&f.p, 1 << 20, &ref_len);
    ts_muxer_t *m[N];
    uint8_t *out[N];
    size_t got[N];
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < N; k++) {
            uint64_t total;
            assert_int_equal(ts_mux_open(&m[k], &f.p, &total), MP_OK);
            assert_int_equal(total, ref_len);
            out[k] = malloc(ref_len);
            got[k] = 0;
        }
        for (int live = N; live > 0;) {
            live = 0;
            for (int k = 0; k < N; k++) {
                if (m[k] == NULL) {
                    continue;
                }
                size_t w;
                int done;
                size_t cap = (size_t) (k + 1) * 50000;
                cap = cap < ref_len - got[k] ? cap : ref_len - got[k];
                assert_int_equal(ts_mux_read(m[k], out[k] + got[k], cap, &w, &done), MP_OK);
                got[k] += w;
                if (done) {
                    assert_int_equal(got[k], ref_len);
                    assert_true(memcmp(out[k], ref, ref_len) == 0);
                    ts_mux_close(m[k]);
                    m[k] = NULL;
                    free(out[k]);
                } else {
                    live++;
                }
            }
        }
    }
    free(ref);
    fixture_free(&f);
    free(va);
    free(aa);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_av_nal_length_4),
        cmocka_unit_test(test_av_nal_length_2),
        cmocka_unit_test(test_av_nal_length_1),
        cmocka_unit_test(test_size_sweep),
        cmocka_unit_test(test_chunked_reads),
        cmocka_unit_test(test_audio_only),
        cmocka_unit_test(test_video_only),
        cmocka_unit_test(test_middle_segment),
        cmocka_unit_test(test_corrupt_nal_length),
        cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_layouts_small),
        cmocka_unit_test(test_layouts_large_samples),
        cmocka_unit_test(test_window_reads),
        cmocka_unit_test(test_large_sample_corrupt),
        cmocka_unit_test(test_large_sample_read_errors),
        cmocka_unit_test(test_concurrent_muxers),
        cmocka_unit_test(test_again_resumes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
