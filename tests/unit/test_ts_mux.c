/*
 * test_ts_mux.c — the MPEG-2 TS segment muxer against synthetic media: an
 * index blob laid out by hand (AVC track with a fake avcC and length-prefixed
 * NAL samples, AAC track) over an in-memory "file".  The output is demuxed by
 * an independent little TS parser that checks packet structure, PSI CRCs,
 * continuity counters, adaptation fields, PES headers, the Annex B stream
 * (AUD, SPS/PPS on key frames) and ADTS framing against the source samples.
 */
#include "unit_helpers.h"

#include <stdlib.h>

#include "ts/ts_mux.h"

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

/* ---- in-memory file and reader ------------------------------------------ */

typedef struct {
    const uint8_t *data;
    size_t len;
    int fail;
} mem_src_t;

static int mem_read(mp_reader_t *r, void *buf, size_t len, uint64_t off)
{
    mem_src_t *s = r->ctx;
    if (s->fail || off > s->len || len > s->len - off) {
        return MP_ERR_IO;
    }
    memcpy(buf, s->data + off, len);
    return MP_OK;
}

/* ---- index blob builder ------------------------------------------------- */

typedef struct {
    mp_track_t t;             /* type, codec, timescale, sample_count, ... */
    const uint8_t *config;
    const uint64_t *offsets;
    const uint32_t *sizes;
    const uint64_t *dts;      /* sample_count + 1 */
    const int32_t *cto;       /* NULL: none */
    const uint32_t *keys;     /* t.key_count entries */
} fx_track_t;

/* Append len bytes at the next 8-aligned position (blob NULL: layout only). */
static uint64_t blob_put(uint8_t *blob, size_t *pos, const void *src, size_t len)
{
    size_t off = (*pos + 7) & ~(size_t) 7;
    if (blob != NULL && len) {
        memcpy(blob + off, src, len);
    }
    *pos = off + len;
    return off;
}

static size_t blob_layout(uint8_t *blob, const fx_track_t *tr, uint32_t n)
{
    size_t pos = sizeof(mp_index_t) + n * sizeof(mp_track_t);
    for (uint32_t i = 0; i < n; i++) {
        mp_track_t t = tr[i].t;
        uint32_t c = t.sample_count;
        t.config_off = (uint32_t) blob_put(blob, &pos, tr[i].config, t.config_len);
        t.offsets_off = blob_put(blob, &pos, tr[i].offsets, 8 * (size_t) c);
        t.sizes_off = blob_put(blob, &pos, tr[i].sizes, 4 * (size_t) c);
        t.dts_off = blob_put(blob, &pos, tr[i].dts, 8 * ((size_t) c + 1));
        t.cto_off = tr[i].cto ? blob_put(blob, &pos, tr[i].cto, 4 * (size_t) c) : 0;
        t.keys_off = t.key_count ? blob_put(blob, &pos, tr[i].keys, 4 * (size_t) t.key_count) : 0;
        if (blob != NULL) {
            memcpy(blob + sizeof(mp_index_t) + i * sizeof(mp_track_t), &t, sizeof(t));
        }
    }
    return pos;
}

static mp_index_t *build_index(const fx_track_t *tr, uint32_t n)
{
    size_t size = blob_layout(NULL, tr, n);
    uint8_t *blob = calloc(1, size);
    assert_non_null(blob);
    blob_layout(blob, tr, n);
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
    mem_src_t src;
    mp_reader_t reader;
    mp_index_t *ix;
    mp_pres_track_t v, a;
    mp_seg_t vs, as;
    ts_segment_params_t p;
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
    for (size_t k = 1; k < len; k++) {
        mp_wr_u8(w, (uint8_t) (seed * 31 + k * 7));
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

static void video_track(fixture_t *f, const fx_opts_t *o, fx_track_t *tr, fx_arrays_t *a)
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
    *tr = (fx_track_t) { t, f->avcc, a->offsets, a->sizes, a->dts, a->cto, a->keys };
}

static void audio_track(fixture_t *f, const fx_opts_t *o, fx_track_t *tr, fx_arrays_t *a)
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
    *tr = (fx_track_t) { t, asc, a->offsets, a->sizes, a->dts, NULL, NULL };
}

static void fixture_init(fixture_t *f, const fx_opts_t *o)
{
    fx_track_t tr[2];
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
    f->ix = build_index(tr, n);
    f->src = (mem_src_t) { f->file.p, f->file.pos, 0 };
    f->reader = (mp_reader_t) { mem_read, &f->src };
    uint32_t k = 0;
    if (o->nls) {
        f->v = (mp_pres_track_t) { .index = f->ix, .track = mp_index_track(f->ix, k++) };
        f->vs = (mp_seg_t) { .first = 0, .end = f->v.track->sample_count };
        f->p.video = &f->v;
        f->p.video_seg = &f->vs;
        f->p.video_reader = &f->reader;
    }
    if (o->audio) {
        f->a = (mp_pres_track_t) { .index = f->ix, .track = mp_index_track(f->ix, k++),
                                   .shift = AUDIO_SHIFT };
        f->as = (mp_seg_t) { .first = 0, .end = AUDIO_FRAMES };
        f->p.audio = &f->a;
        f->p.audio_seg = &f->as;
        f->p.audio_reader = &f->reader;
    }
}

static void fixture_free(fixture_t *f)
{
    mp_wr_free(&f->file);
    free(f->ix);
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
    size_t len;
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
        d->pes[d->count++] = (pes_t) { pid, NULL, 0, pcr, rai, pcr_base };
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
    pes->data = realloc(pes->data, pes->len + n);
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
    const uint8_t *s = f->file.p + mp_sample_offset(f->ix, t, i);
    size_t size = mp_sample_size(f->ix, t, i), nls = t->nal_length_size;
    mp_wr_t w;
    mp_wr_init_dynamic(&w);
    mp_wr_bytes(&w, "\0\0\0\1\x09\xF0", 6);
    if (mp_sample_is_key(f->ix, t, i)) {
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
        assert_int_equal(pts, to_90k(t + mp_sample_cto(f->ix, f->v.track, i), VIDEO_TIMESCALE));
        assert_true(pes->pcr);
        assert_true(pes->pcr_base <= dts);
        assert_int_equal(pes->rai, mp_sample_is_key(f->ix, f->v.track, i));
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
            size_t size = mp_sample_size(f->ix, f->a.track, i);
            assert_int_equal(flen, 7 + size);
            assert_memory_equal(es + 7, f->file.p + mp_sample_offset(f->ix, f->a.track, i), size);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
