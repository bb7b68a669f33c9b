/*
 * test_fmp4.c — the fragmented MP4 writer (fmp4_write_init,
 * fmp4_write_fragment_header, fmp4_payload_ranges/size) on index blobs from
 * index_builder.h.  The output is walked box by box: every container must be
 * tiled exactly by its children; then the fields players rely on are checked
 * (track ids, timescales, language, the sample entry copied verbatim, trun
 * sample count, durations, sizes, flags and composition offsets, the
 * data_offset that must land on the first payload byte after the mdat
 * header, tfdt, and for Smooth the tfxd box at 10 MHz instead of tfdt).
 */
#include "unit_helpers.h"

#include <stdio.h>
#include <stdlib.h>

#include "cmaf/fmp4_mux.h"
#include "index_builder.h"

#define VTS 12800
#define VFRAME 512
#define VFRAMES 100
#define GOP 25
#define ATS 48000
#define AFRAMES 188

/* ---- a box walker ------------------------------------------------------- */

typedef struct {
    const uint8_t *p;       /* box start */
    size_t size;
    uint32_t type;
    const uint8_t *body;    /* after the 8-byte header */
    size_t body_len;
} box_t;

static int is_container(uint32_t type)
{
    static const uint32_t containers[] = {
        MP_FOURCC('m', 'o', 'o', 'v'), MP_FOURCC('t', 'r', 'a', 'k'), MP_FOURCC('m', 'd', 'i', 'a'),
        MP_FOURCC('m', 'i', 'n', 'f'), MP_FOURCC('d', 'i', 'n', 'f'), MP_FOURCC('s', 't', 'b', 'l'),
        MP_FOURCC('m', 'v', 'e', 'x'), MP_FOURCC('m', 'o', 'o', 'f'), MP_FOURCC('t', 'r', 'a', 'f'),
    };
    for (size_t i = 0; i < sizeof(containers) / sizeof(containers[0]); i++) {
        if (containers[i] == type) {
            return 1;
        }
    }
    return 0;
}

/* Every box in [p, p+len) fits, containers recursively; returns the box count. */
static int walk(const uint8_t *p, size_t len)
{
    int n = 0;
    while (len > 0) {
        assert_true(len >= 8);
        uint32_t size = mp_rd32(p), type = mp_rd32(p + 4);
        assert_true(size >= 8 && size <= len);
        if (is_container(type)) {
            walk(p + 8, size - 8);
        }
        p += size;
        len -= size;
        n++;
    }
    return n;
}

/* The box at path ("moov/trak/mdia/mdhd") under [p, p+len). */
static box_t find_box(const uint8_t *p, size_t len, const char *path)
{
    uint32_t want = MP_FOURCC(path[0], path[1], path[2], path[3]);
    while (len >= 8) {
        uint32_t size = mp_rd32(p), type = mp_rd32(p + 4);
        assert_true(size >= 8 && size <= len);
        if (type == want) {
            if (path[4] == '/') {
                return find_box(p + 8, size - 8, path + 5);
            }
            box_t b = { p, size, type, p + 8, size - 8 };
            return b;
        }
        p += size;
        len -= size;
    }
    fail_msg("no box %s", path);
    box_t none = { 0 };
    return none;
}

static int has_box(const uint8_t *p, size_t len, uint32_t want)
{
    while (len >= 8) {
        uint32_t size = mp_rd32(p);
        if (mp_rd32(p + 4) == want) {
            return 1;
        }
        p += size;
        len -= size;
    }
    return 0;
}

/* ---- fixture --------------------------------------------------------------- */

typedef struct {
    mp_index_t *ix;
    mp_presentation_t p;
    mp_timeline_t tl;
    uint8_t entry[128];
    size_t entry_len;
} fixture_t;

/* An avc1 sample entry with avcC, as the parser would have copied it. */
static void make_entry(fixture_t *f)
{
    mp_wr_t w;
    mp_wr_init_fixed(&w, f->entry, sizeof(f->entry));
    size_t e = mp_box_begin(&w, MP_FOURCC('a', 'v', 'c', '1'));
    mp_wr_zero(&w, 6);
    mp_wr_u16(&w, 1);
    mp_wr_zero(&w, 16);
    mp_wr_u16(&w, 1280);
    mp_wr_u16(&w, 720);
    mp_wr_zero(&w, 50);
    mp_wr_u16(&w, 0x18);
    mp_wr_u16(&w, 0xffff);
    size_t c = mp_box_begin(&w, MP_FOURCC('a', 'v', 'c', 'C'));
    mp_wr_bytes(&w, ib_avcc, sizeof(ib_avcc));
    mp_box_end(&w, c);
    mp_box_end(&w, e);
    assert_false(w.failed);
    f->entry_len = w.pos;
}

/* Video 25 fps, 1 s GOPs, B-frame ctts with one negative offset (sample 3);
 * samples 0-9 contiguous, then a 50-byte gap before every 5th sample.  AAC
 * with 1024-sample priming.  Both in one file, segmented at 2 s. */
static fixture_t *fx_new_offsets(int64_t video_pres_offset, int64_t audio_pres_offset);

static fixture_t *fx_new(void)
{
    return fx_new_offsets(-1024, -1024);
}

static fixture_t *fx_new_offsets(int64_t video_pres_offset, int64_t audio_pres_offset)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    make_entry(f);
    ib_regular_t vr = { .type = MP_TRACK_VIDEO, .timescale = VTS, .samples = VFRAMES,
                        .frame = VFRAME, .gop = GOP, .pres_offset = video_pres_offset, .cto = 1024,
                        .lang = "eng", .first_offset = 4096 };
    ib_regular_t ar = { .type = MP_TRACK_AUDIO, .timescale = ATS, .samples = AFRAMES,
                        .frame = 1024, .pres_offset = audio_pres_offset, .lang = "fra",
                        .first_offset = 1u << 20 };
    ib_arrays_t va, aa;
    ib_track_t t[2] = { ib_regular(&vr, &va), ib_regular(&ar, &aa) };
    va.cto[3] = -512;
    uint64_t gap = 0;
    for (uint32_t i = 1; i < VFRAMES; i++) {
        gap += (i >= 10 && i % 5 == 0) ? 50 : 0;
        va.offsets[i] = va.offsets[0] + gap;
        for (uint32_t k = 0; k < i; k++) {
            va.offsets[i] += va.sizes[k];
        }
    }
    t[0].entry = f->entry;
    t[0].t.entry_len = (uint32_t) f->entry_len;
    f->ix = ib_build_index(t, 2);
    ib_arrays_free(&va);
    ib_arrays_free(&aa);
    assert_int_equal(mp_presentation_add(&f->p, f->ix, 0, 0, 0, ""), MP_OK);
    assert_int_equal(mp_presentation_add(&f->p, f->ix, 1, 0, 0, ""), MP_OK);
    mp_presentation_finish(&f->p);
    assert_int_equal(mp_timeline_build(&f->p, 20000000, &f->tl), MP_OK);
    return f;
}

static void fx_free(fixture_t *f)
{
    mp_timeline_free(&f->tl);
    free(f->ix);
    free(f);
}

static const mp_pres_track_t *fx_video(fixture_t *f)
{
    return mp_presentation_find(&f->p, "video", 5, 0);
}

static const mp_pres_track_t *fx_audio(fixture_t *f)
{
    return mp_presentation_find(&f->p, "audio_fra", 9, 0);
}

/* Write the fragment header in dynamic mode; counting mode must agree. */
static mp_wr_t frag(const mp_pres_track_t *t, const mp_seg_t *seg, fmp4_flavor_t flavor, uint32_t seq)
{
    fmp4_frag_opts_t o = { flavor, seq, NULL };
    mp_wr_t w, count;
    mp_wr_init_dynamic(&w);
    mp_wr_init_count(&count);
    assert_int_equal(fmp4_write_fragment_header(&w, t, seg, &o), MP_OK);
    assert_int_equal(fmp4_write_fragment_header(&count, t, seg, &o), MP_OK);
    assert_int_equal(count.pos, w.pos);
    /* a fixed buffer one byte short reports the overflow */
    uint8_t *small = malloc(w.pos);
    mp_wr_t fixed;
    mp_wr_init_fixed(&fixed, small, w.pos - 1);
    assert_int_equal(fmp4_write_fragment_header(&fixed, t, seg, &o), MP_ERR_NO_MEMORY);
    mp_wr_init_fixed(&fixed, small, w.pos);
    assert_int_equal(fmp4_write_fragment_header(&fixed, t, seg, &o), MP_OK);
    assert_memory_equal(small, w.p, w.pos);
    free(small);
    return w;
}

/* ---- init segments ------------------------------------------------------- */

static void test_init_video(void **state)
{
    (void) state;
    fixture_t *f = fx_new();
    const mp_pres_track_t *v = fx_video(f);
    mp_wr_t w, count;
    mp_wr_init_dynamic(&w);
    mp_wr_init_count(&count);
    assert_int_equal(fmp4_write_init(&w, v), MP_OK);
    assert_int_equal(fmp4_write_init(&count, v), MP_OK);
    assert_int_equal(count.pos, w.pos);
    assert_int_equal(walk(w.p, w.pos), 2);         /* ftyp, moov */

    box_t ftyp = find_box(w.p, w.pos, "ftyp");
    assert_memory_equal(ftyp.body, "iso6", 4);
    box_t mvhd = find_box(w.p, w.pos, "moov/mvhd");
    assert_int_equal(mp_rd32(mvhd.body + 12), VTS);
    box_t tkhd = find_box(w.p, w.pos, "moov/trak/tkhd");
    assert_int_equal(mp_rd32(tkhd.body + 12), 1);                   /* track_ID */
    assert_int_equal(mp_rd32(tkhd.body + 76), 1280u << 16);
    assert_int_equal(mp_rd32(tkhd.body + 80), 720u << 16);
    assert_int_equal(tkhd.body_len, 84);
    assert_int_equal(mp_rd16(tkhd.body + 36), 0);                   /* video: volume 0 */
    box_t mdhd = find_box(w.p, w.pos, "moov/trak/mdia/mdhd");
    assert_int_equal(mp_rd32(mdhd.body + 12), VTS);
    assert_int_equal(mp_rd16(mdhd.body + 20), ('e' - 0x60) << 10 | ('n' - 0x60) << 5 | ('g' - 0x60));
    box_t hdlr = find_box(w.p, w.pos, "moov/trak/mdia/hdlr");
    assert_memory_equal(hdlr.body + 8, "vide", 4);
    find_box(w.p, w.pos, "moov/trak/mdia/minf/vmhd");
    find_box(w.p, w.pos, "moov/trak/mdia/minf/dinf/dref");
    box_t stsd = find_box(w.p, w.pos, "moov/trak/mdia/minf/stbl/stsd");
    assert_int_equal(mp_rd32(stsd.body + 4), 1);
    assert_int_equal(stsd.body_len, 8 + f->entry_len);
    assert_memory_equal(stsd.body + 8, f->entry, f->entry_len);      /* verbatim */
    static const char *empty[] = { "moov/trak/mdia/minf/stbl/stts", "moov/trak/mdia/minf/stbl/stsc",
                                   "moov/trak/mdia/minf/stbl/stco" };
    for (int i = 0; i < 3; i++) {
        box_t b = find_box(w.p, w.pos, empty[i]);
        assert_int_equal(b.body_len, 8);
        assert_int_equal(mp_rd32(b.body + 4), 0);
    }
    box_t stsz = find_box(w.p, w.pos, "moov/trak/mdia/minf/stbl/stsz");
    assert_int_equal(mp_rd32(stsz.body + 8), 0);
    box_t trex = find_box(w.p, w.pos, "moov/mvex/trex");
    assert_int_equal(mp_rd32(trex.body + 4), 1);                    /* track_ID */
    assert_int_equal(mp_rd32(trex.body + 8), 1);                    /* sample description */
    mp_wr_free(&w);
    fx_free(f);
}

static void test_init_audio(void **state)
{
    (void) state;
    fixture_t *f = fx_new();
    const mp_pres_track_t *a = fx_audio(f);
    mp_wr_t w;
    mp_wr_init_dynamic(&w);
    assert_int_equal(fmp4_write_init(&w, a), MP_OK);
    assert_int_equal(walk(w.p, w.pos), 2);
    box_t mdhd = find_box(w.p, w.pos, "moov/trak/mdia/mdhd");
    assert_int_equal(mp_rd32(mdhd.body + 12), ATS);
    assert_int_equal(mp_rd16(mdhd.body + 20), ('f' - 0x60) << 10 | ('r' - 0x60) << 5 | ('a' - 0x60));
    box_t hdlr = find_box(w.p, w.pos, "moov/trak/mdia/hdlr");
    assert_memory_equal(hdlr.body + 8, "soun", 4);
    find_box(w.p, w.pos, "moov/trak/mdia/minf/smhd");
    box_t tkhd = find_box(w.p, w.pos, "moov/trak/tkhd");
    assert_int_equal(mp_rd16(tkhd.body + 36), 0x0100);              /* audio volume */
    box_t stsd = find_box(w.p, w.pos, "moov/trak/mdia/minf/stbl/stsd");
    assert_int_equal(stsd.body_len, 8);                             /* entry_len 0 in this blob */
    mp_wr_free(&w);

    /* a fixed buffer too small */
    uint8_t buf[100];
    mp_wr_t fixed;
    mp_wr_init_fixed(&fixed, buf, sizeof(buf));
    assert_int_equal(fmp4_write_init(&fixed, a), MP_ERR_NO_MEMORY);
    fx_free(f);
}

/* Edit list entry i of an init segment: segment_duration, media_time, rate. */
static void elst_entry(box_t elst, uint32_t i, uint64_t duration, int64_t media_time)
{
    assert_int_equal(elst.body[0], 0);                              /* version 0 */
    const uint8_t *e = elst.body + 8 + 12 * i;
    assert_int_equal(mp_rd32(e), duration);
    assert_int_equal((int32_t) mp_rd32(e + 4), media_time);
    assert_int_equal(mp_rd32(e + 8), 0x00010000);                   /* rate 1.0 */
}

/* The priming frame ends where presentation starts: the init's edit list is
 * [empty edit to the start, media from the start], an identity mapping
 * that hides only what lies before the start. */
static void test_init_edit_list(void **state)
{
    (void) state;
    fixture_t *f = fx_new();
    const mp_pres_track_t *a = fx_audio(f), *v = fx_video(f);
    assert_int_equal(a->start, ATS * 1024 / VTS);                   /* video's lead: 80 ms */
    assert_int_equal(mp_pt_time(a, 1), a->start);                   /* priming frame ends there */
    assert_int_equal(mp_pt_hidden_frames(a), 1);
    assert_int_equal(mp_pt_hidden_frames(v), 0);
    assert_int_equal(v->start, 1024);
    assert_int_equal(mp_pt_time(v, 0) + 1024, v->start);            /* first pts */
    const mp_pres_track_t *tracks[2] = { a, v };
    for (int i = 0; i < 2; i++) {
        mp_wr_t w;
        mp_wr_init_dynamic(&w);
        assert_int_equal(fmp4_write_init(&w, tracks[i]), MP_OK);
        box_t elst = find_box(w.p, w.pos, "moov/trak/edts/elst");
        assert_int_equal(mp_rd32(elst.body + 4), 2);
        elst_entry(elst, 0, tracks[i]->start, -1);
        elst_entry(elst, 1, tracks[i]->end - tracks[i]->start, (int64_t) tracks[i]->start);
        mp_wr_free(&w);
    }
    assert_int_equal(a->end, mp_pt_time(a, AFRAMES));
    fx_free(f);

    /* no lead-in anywhere: no edit list */
    f = fx_new_offsets(0, 0);
    assert_int_equal(fx_audio(f)->start, 0);
    assert_int_equal(mp_pt_hidden_frames(fx_audio(f)), 0);
    mp_wr_t w;
    mp_wr_init_dynamic(&w);
    assert_int_equal(fmp4_write_init(&w, fx_audio(f)), MP_OK);
    box_t trak = find_box(w.p, w.pos, "moov/trak");
    assert_false(has_box(trak.body, trak.body_len, MP_FOURCC('e', 'd', 't', 's')));
    mp_wr_free(&w);
    fx_free(f);
}

/* MPEG-TS leaves the hidden frames out: only the first segment changes. */
static void test_seg_skip_hidden(void **state)
{
    (void) state;
    fixture_t *f = fx_new();
    const mp_pres_track_t *a = fx_audio(f), *v = fx_video(f);
    mp_seg_t s0, s1, vs;
    assert_int_equal(mp_track_segment_at_boundary(a, &f->tl, 0, &s0), MP_OK);
    assert_int_equal(mp_track_segment_at_boundary(a, &f->tl, 1, &s1), MP_OK);
    mp_seg_t s0_before = s0, s1_before = s1;
    mp_seg_skip_hidden(a, &s0);
    assert_int_equal(s0.first, 1);
    assert_int_equal(s0.end, s0_before.end);
    assert_int_equal(s0.start, a->start);
    assert_int_equal(s0.start + s0.duration, s0_before.start + s0_before.duration);
    mp_seg_skip_hidden(a, &s1);
    assert_memory_equal(&s1, &s1_before, sizeof(s1));
    assert_int_equal(mp_track_segment_at_boundary(v, &f->tl, 0, &vs), MP_OK);
    mp_seg_t vs_before = vs;
    mp_seg_skip_hidden(v, &vs);
    assert_memory_equal(&vs, &vs_before, sizeof(vs));
    fx_free(f);
}

/* ---- media segments -------------------------------------------------------- */

typedef struct {
    box_t moof, mfhd, tfhd, trun;
    size_t moof_size;
    const uint8_t *mdat;        /* mdat header */
} frag_t;

static frag_t parse_frag(const mp_wr_t *w, uint64_t payload)
{
    frag_t r;
    assert_int_equal(walk(w->p, w->pos - 8), 1);      /* moof, then the mdat header */
    r.moof = find_box(w->p, w->pos, "moof");
    r.moof_size = r.moof.size;
    assert_int_equal(w->pos, r.moof_size + 8);
    r.mdat = w->p + r.moof_size;
    assert_int_equal(mp_rd32(r.mdat), payload + 8);
    assert_memory_equal(r.mdat + 4, "mdat", 4);
    r.mfhd = find_box(w->p, w->pos, "moof/mfhd");
    r.tfhd = find_box(w->p, w->pos, "moof/traf/tfhd");
    r.trun = find_box(w->p, w->pos, "moof/traf/trun");
    assert_int_equal(mp_rd32(r.tfhd.body + 4), 1);    /* track_ID */
    return r;
}

static void test_cmaf_video_fragment(void **state)
{
    (void) state;
    fixture_t *f = fx_new();
    const mp_pres_track_t *v = fx_video(f);
    mp_seg_t segs[16];
    uint32_t n = mp_track_segments(v, &f->tl, segs);
    assert_int_equal(n, 2);                           /* 4 s of 1 s GOPs at 2 s */
    assert_int_equal(v->shift, 0);                    /* video has the larger lead-in */
    const mp_seg_t *s = &segs[1];
    assert_int_equal(s->first, 50);
    assert_int_equal(s->end, 100);

    mp_wr_t w = frag(v, s, FMP4_FLAVOR_CMAF, 7);
    uint64_t payload = fmp4_payload_size(v, s);
    frag_t fr = parse_frag(&w, payload);
    assert_int_equal(mp_rd32(fr.mfhd.body + 4), 7);                        /* sequence_number */
    assert_int_equal(mp_rd32(fr.tfhd.body) & 0xffffff, 0x020000);          /* default-base-is-moof */
    box_t tfdt = find_box(w.p, w.pos, "moof/traf/tfdt");
    assert_int_equal(tfdt.body[0], 1);
    assert_int_equal(mp_rd64(tfdt.body + 4), s->start);
    assert_int_equal(s->start, 50ULL * VFRAME);
    assert_false(has_box(fr.moof.body, fr.moof.body_len, MP_FOURCC('u', 'u', 'i', 'd')));

    const uint8_t *t = fr.trun.body;
    assert_int_equal(t[0], 0);                                            /* no negative cto here */
    assert_int_equal(mp_rd24(t + 1), 0x000f01);
    assert_int_equal(mp_rd32(t + 4), 50);
    assert_int_equal(mp_rd32(t + 8), fr.moof_size + 8);                   /* data_offset -> payload */
    assert_int_equal(fr.trun.body_len, 12 + 50 * 16);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < 50; i++) {
        const uint8_t *e = t + 12 + 16 * i;
        uint32_t k = 50 + i;
        assert_int_equal(mp_rd32(e), VFRAME);
        assert_int_equal(mp_rd32(e + 4), mp_sample_size(f->ix, v->track, k));
        assert_int_equal(mp_rd32(e + 8), k % GOP == 0 ? 0x02000000 : 0x01010000);
        assert_int_equal((int32_t) mp_rd32(e + 12), mp_sample_cto(f->ix, v->track, k));
        sum += mp_rd32(e + 4);
    }
    assert_int_equal(sum, payload);
    mp_wr_free(&w);

    /* the first segment holds the negative cto: trun version 1, signed */
    w = frag(v, &segs[0], FMP4_FLAVOR_CMAF, 1);
    fr = parse_frag(&w, fmp4_payload_size(v, &segs[0]));
    assert_int_equal(fr.trun.body[0], 1);
    assert_int_equal((int32_t) mp_rd32(fr.trun.body + 12 + 16 * 3 + 12), -512);
    assert_int_equal(mp_rd64(find_box(w.p, w.pos, "moof/traf/tfdt").body + 4), 0);
    mp_wr_free(&w);
    fx_free(f);
}

static void test_cmaf_audio_fragment(void **state)
{
    (void) state;
    fixture_t *f = fx_new();
    const mp_pres_track_t *a = fx_audio(f);
    /* audio is shifted by the video's 80 ms lead-in minus its own priming */
    assert_int_equal(a->shift, 3840 - 1024);
    mp_seg_t s;
    assert_int_equal(mp_track_segment_nth(a, &f->tl, 1, &s), MP_OK);
    mp_wr_t w = frag(a, &s, FMP4_FLAVOR_CMAF, 2);
    frag_t fr = parse_frag(&w, fmp4_payload_size(a, &s));
    assert_int_equal(mp_rd64(find_box(w.p, w.pos, "moof/traf/tfdt").body + 4), s.start);
    assert_int_equal(s.start, (uint64_t) s.first * 1024 + 2816);
    assert_int_equal(mp_rd24(fr.trun.body + 1), 0x000701);               /* no cto column */
    assert_int_equal(mp_rd32(fr.trun.body + 4), s.end - s.first);
    assert_int_equal(fr.trun.body_len, 12 + 12 * (s.end - s.first));
    for (uint32_t i = 0; i < s.end - s.first; i++) {
        const uint8_t *e = fr.trun.body + 12 + 12 * i;
        assert_int_equal(mp_rd32(e), 1024);
        assert_int_equal(mp_rd32(e + 4), 300 + (s.first + i) % 7);
        assert_int_equal(mp_rd32(e + 8), 0x02000000);
    }
    mp_wr_free(&w);
    fx_free(f);
}

static void test_smooth_fragment(void **state)
{
    (void) state;
    fixture_t *f = fx_new();
    const mp_pres_track_t *v = fx_video(f), *a = fx_audio(f);
    mp_seg_t s;
    assert_int_equal(mp_track_segment_nth(v, &f->tl, 0, &s), MP_OK);
    mp_wr_t w = frag(v, &s, FMP4_FLAVOR_SMOOTH, 1);
    frag_t fr = parse_frag(&w, fmp4_payload_size(v, &s));
    assert_int_equal(mp_rd32(fr.tfhd.body) & 0xffffff, 0);
    assert_false(has_box(find_box(w.p, w.pos, "moof/traf").body, find_box(w.p, w.pos, "moof/traf").body_len,
                         MP_FOURCC('t', 'f', 'd', 't')));
    box_t tfxd = find_box(w.p, w.pos, "moof/traf/uuid");
    static const uint8_t uuid[16] = { 0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6,
                                      0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2 };
    assert_memory_equal(tfxd.body, uuid, 16);
    assert_int_equal(tfxd.body[16], 1);
    assert_int_equal(mp_rd64(tfxd.body + 20), s.start_10m);
    assert_int_equal(mp_rd64(tfxd.body + 28), s.duration_10m);
    assert_int_equal(s.duration_10m, 20000000);
    /* durations and cto at 10 MHz: 512 / 12800 s = 400000 */
    assert_int_equal(mp_rd32(fr.trun.body + 8), fr.moof_size + 8);
    assert_int_equal(mp_rd32(fr.trun.body + 12), 400000);
    assert_int_equal((int32_t) mp_rd32(fr.trun.body + 12 + 12), 800000);        /* cto 1024 */
    assert_int_equal((int32_t) mp_rd32(fr.trun.body + 12 + 16 * 3 + 12), -400000); /* cto -512 */
    mp_wr_free(&w);

    /* audio: 1024 / 48000 s alternates 213333 / 213334 so the sum stays exact */
    assert_int_equal(mp_track_segment_nth(a, &f->tl, 0, &s), MP_OK);
    w = frag(a, &s, FMP4_FLAVOR_SMOOTH, 1);
    fr = parse_frag(&w, fmp4_payload_size(a, &s));
    uint64_t sum = 0;
    for (uint32_t i = 0; i < s.end - s.first; i++) {
        uint32_t d = mp_rd32(fr.trun.body + 12 + 12 * i);
        assert_true(d == 213333 || d == 213334);
        sum += d;
    }
    assert_int_equal(sum, s.duration_10m);
    assert_int_equal(mp_rd64(find_box(w.p, w.pos, "moof/traf/uuid").body + 20), s.start_10m);
    mp_wr_free(&w);
    fx_free(f);
}

/* Composition offsets at the int32 extremes convert to 10 MHz without
 * signed overflow (INT32_MIN cannot be negated as an int32). */
static void test_extreme_cto(void **state)
{
    (void) state;
    ib_regular_t vr = { .type = MP_TRACK_VIDEO, .timescale = 90000, .samples = 4, .frame = 3000,
                        .gop = 2, .cto = 3000, .first_dts = 1ULL << 40 };
    ib_arrays_t va;
    ib_track_t t = ib_regular(&vr, &va);
    va.cto[1] = INT32_MIN;
    va.cto[2] = INT32_MAX;
    mp_index_t *ix = ib_build_index(&t, 1);
    ib_arrays_free(&va);
    mp_pres_track_t pt = { .index = ix, .track = mp_index_track(ix, 0) };
    mp_seg_t s = { .first = 0, .end = 4 };
    mp_wr_t w = frag(&pt, &s, FMP4_FLAVOR_SMOOTH, 1);
    frag_t fr = parse_frag(&w, fmp4_payload_size(&pt, &s));
    assert_int_equal(fr.trun.body[0], 1);
    /* 2^31 / 90 kHz = 23860.9 s: beyond int32 at 10 MHz, so only sign and no crash matter */
    assert_int_equal((int32_t) mp_rd32(fr.trun.body + 12 + 16 * 0 + 12), 333333);
    assert_int_equal((int32_t) mp_rd32(fr.trun.body + 12 + 16 * 3 + 12), 333333);
    mp_wr_free(&w);
    free(ix);
}

/* ---- payload ranges -------------------------------------------------------- */

static void test_payload_ranges(void **state)
{
    (void) state;
    fixture_t *f = fx_new();
    const mp_pres_track_t *v = fx_video(f), *a = fx_audio(f);
    /* samples 0..9 are contiguous, then a gap before 10, 15, 20, ...: segment
     * [0, 50) is ranges [0,10) [10,15) ... [45,50) */
    mp_seg_t s = { .first = 0, .end = 50 };
    uint32_t n = fmp4_payload_ranges(v, &s, NULL);
    assert_int_equal(n, 9);
    mp_range_t r[9];
    assert_int_equal(fmp4_payload_ranges(v, &s, r), 9);
    assert_int_equal(r[0].offset, 4096);
    uint64_t len0 = 0;
    for (uint32_t i = 0; i < 10; i++) {
        len0 += mp_sample_size(f->ix, v->track, i);
    }
    assert_int_equal(r[0].length, len0);
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t first = i == 0 ? 0 : 5 + 5 * i;
        assert_int_equal(r[i].offset, mp_sample_offset(f->ix, v->track, first));
        if (i > 0) {
            assert_int_equal(r[i].offset, r[i - 1].offset + r[i - 1].length + 50);
        }
        total += r[i].length;
    }
    assert_int_equal(total, fmp4_payload_size(v, &s));

    /* a single sample; an empty segment */
    s = (mp_seg_t) { .first = 12, .end = 13 };
    assert_int_equal(fmp4_payload_ranges(v, &s, r), 1);
    assert_int_equal(r[0].offset, mp_sample_offset(f->ix, v->track, 12));
    assert_int_equal(r[0].length, mp_sample_size(f->ix, v->track, 12));
    s = (mp_seg_t) { .first = 12, .end = 12 };
    assert_int_equal(fmp4_payload_ranges(v, &s, NULL), 0);
    assert_int_equal(fmp4_payload_size(v, &s), 0);

    /* audio samples are all contiguous: one range */
    s = (mp_seg_t) { .first = 0, .end = AFRAMES };
    assert_int_equal(fmp4_payload_ranges(a, &s, r), 1);
    assert_int_equal(r[0].offset, 1u << 20);
    assert_int_equal(r[0].length, a->track->total_bytes);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_video),
        cmocka_unit_test(test_init_audio),
        cmocka_unit_test(test_init_edit_list),
        cmocka_unit_test(test_seg_skip_hidden),
        cmocka_unit_test(test_cmaf_video_fragment),
        cmocka_unit_test(test_cmaf_audio_fragment),
        cmocka_unit_test(test_smooth_fragment),
        cmocka_unit_test(test_extreme_cto),
        cmocka_unit_test(test_payload_ranges),
    };
    return cmocka_run_group_tests_name("fmp4", tests, NULL, NULL);
}
