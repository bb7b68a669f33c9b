/*
 * test_segment.c — presentations (mp_presentation_*: names, unique
 * QualityLevels bitrates, ordering, edit-list shifts) and the segmenter
 * (mp_timeline_*, mp_track_segment*): boundaries from the reference track's
 * key frames for 2 s and 6 s targets, the nearest-key-frame rule for GOPs
 * that do not divide the target, audio cut at the boundaries, lookups by
 * exact start time, and A/V sync across B-frame delay and AAC priming.
 * Index blobs come from index_builder.h.
 */
#include "unit_helpers.h"

#include <stdio.h>
#include <stdlib.h>

#include "segment/mp_segment.h"
#include "index_builder.h"

#define VTS     12800        /* video timescale */
#define VFRAME  512          /* 25 fps */
#define VFRAMES 300          /* 12 s */
#define ATS     48000
#define AFRAME  1024
#define AFRAMES 563          /* 12.01 s */
#define S(x)    ((uint64_t) ((x) * 10000000.0 + 0.5))   /* seconds -> 10 MHz */

static ib_regular_t video(uint32_t gop, int64_t pres_offset)
{
    ib_regular_t r = { .type = MP_TRACK_VIDEO, .timescale = VTS, .samples = VFRAMES,
                       .frame = VFRAME, .gop = gop, .pres_offset = pres_offset,
                       .cto = pres_offset < 0 ? (int32_t) -pres_offset : 0 };
    return r;
}

static ib_regular_t audio(const char *lang, int64_t pres_offset)
{
    ib_regular_t r = { .type = MP_TRACK_AUDIO, .timescale = ATS, .samples = AFRAMES,
                       .frame = AFRAME, .pres_offset = pres_offset, .lang = lang };
    return r;
}

/* A video track whose key frames are the given frame numbers. */
static mp_index_t *video_with_keys(const uint32_t *keys, uint32_t n)
{
    ib_regular_t r = video(0, 0);
    ib_arrays_t a;
    ib_track_t t = ib_regular(&r, &a);
    t.keys = keys;
    t.t.key_count = n;
    mp_index_t *ix = ib_build_index(&t, 1);
    ib_arrays_free(&a);
    return ix;
}

static void add(mp_presentation_t *p, const mp_index_t *ix, uint32_t file_no, uint32_t bitrate,
                const char *lang)
{
    assert_int_equal(mp_presentation_add(p, ix, 0, file_no, bitrate, lang), MP_OK);
}

static const mp_pres_track_t *find(const mp_presentation_t *p, const char *name, uint32_t bitrate)
{
    const mp_pres_track_t *t = mp_presentation_find(p, name, strlen(name), bitrate);
    if (t == NULL) {
        fail_msg("no track %s at %u", name, bitrate);
    }
    return t;
}

/* Segments of t must tile its samples: contiguous, non-empty, complete. */
static uint32_t segments(const mp_pres_track_t *t, const mp_timeline_t *tl, mp_seg_t *out)
{
    uint32_t n = mp_track_segments(t, tl, out);
    assert_true(n >= 1 && n <= tl->count);
    assert_int_equal(out[n - 1].end, t->track->sample_count);
    for (uint32_t i = 0; i < n; i++) {
        assert_true(out[i].first < out[i].end);
        assert_int_equal(out[i].first, i ? out[i - 1].end : out[0].first);
        assert_int_equal(out[i].start, mp_pt_time(t, out[i].first));
        assert_int_equal(out[i].duration, mp_pt_time(t, out[i].end) - out[i].start);
        assert_int_equal(out[i].start_10m, mp_pt_time_10m(t, out[i].first));
        if (t->track->type == MP_TRACK_VIDEO) {
            assert_true(mp_sample_is_key(t->index, t->track, out[i].first));
        }
        mp_seg_t nth, at;
        assert_int_equal(mp_track_segment_nth(t, tl, i, &nth), MP_OK);
        assert_memory_equal(&nth, &out[i], sizeof(nth));
        assert_int_equal(mp_track_segment_at(t, tl, out[i].start_10m, &at), MP_OK);
        assert_memory_equal(&at, &out[i], sizeof(at));
    }
    mp_seg_t none;
    assert_int_equal(mp_track_segment_nth(t, tl, n, &none), MP_ERR_NOT_FOUND);
    return n;
}

/* ---- boundaries ------------------------------------------------------------ */

static void test_regular_gops(void **state)
{
    (void) state;
    mp_index_t *v = ib_regular_index(&(ib_regular_t) { .type = MP_TRACK_VIDEO, .timescale = VTS,
                                                       .samples = VFRAMES, .frame = VFRAME, .gop = 50 });
    mp_index_t *a = ib_regular_index(&(ib_regular_t) { .type = MP_TRACK_AUDIO, .timescale = ATS,
                                                       .samples = AFRAMES, .frame = AFRAME });
    mp_presentation_t p;
    memset(&p, 0, sizeof(p));
    add(&p, a, 1, 128000, "");        /* audio added first: video still becomes the reference */
    add(&p, v, 0, 2000000, "");
    mp_presentation_finish(&p);
    assert_int_equal(p.tracks[0].track->type, MP_TRACK_VIDEO);
    const mp_pres_track_t *vt = &p.tracks[0], *at = &p.tracks[1];
    assert_int_equal(vt->shift, 0);
    assert_int_equal(at->shift, 0);
    assert_int_equal(p.duration_10m, 120106667);     /* 563 AAC frames: 12.0107 s */

    mp_timeline_t tl;
    mp_seg_t segs[16];
    /* 2 s target: a boundary at every 2 s key frame */
    assert_int_equal(mp_timeline_build(&p, S(2), &tl), MP_OK);
    assert_int_equal(tl.count, 6);
    for (uint32_t i = 0; i < 6; i++) {
        assert_int_equal(tl.bounds_10m[i], S(2) * i);
    }
    assert_int_equal(tl.end_10m, S(12));
    assert_int_equal(segments(vt, &tl, segs), 6);
    for (uint32_t i = 0; i < 6; i++) {
        assert_int_equal(segs[i].first, 50 * i);
        assert_int_equal(segs[i].end, 50 * i + 50);
        assert_int_equal(segs[i].start, 50ULL * VFRAME * i);
        assert_int_equal(segs[i].duration, 50 * VFRAME);
        assert_int_equal(segs[i].start_10m, S(2) * i);
        assert_int_equal(segs[i].duration_10m, S(2));
    }
    /* audio: the first frame at/after each boundary (2 s = 93.75 frames) */
    static const uint32_t acut[] = { 0, 94, 188, 282, 375, 469, AFRAMES };
    assert_int_equal(segments(at, &tl, segs), 6);
    for (uint32_t i = 0; i < 6; i++) {
        assert_int_equal(segs[i].first, acut[i]);
        assert_int_equal(segs[i].end, acut[i + 1]);
        assert_int_equal(segs[i].start_10m, mp_rescale((uint64_t) acut[i] * AFRAME, ATS, 10000000));
    }
    assert_int_equal(segs[1].start_10m, 20053333);
    assert_int_equal(mp_timeline_find(&tl, 0), 0);
    assert_int_equal(mp_timeline_find(&tl, 20053333), 1);
    assert_int_equal(mp_timeline_find(&tl, S(11.9)), 5);
    mp_timeline_free(&tl);
    assert_null(tl.bounds_10m);

    /* 6 s target: every third key frame */
    assert_int_equal(mp_timeline_build(&p, S(6), &tl), MP_OK);
    assert_int_equal(tl.count, 2);
    assert_int_equal(tl.bounds_10m[1], S(6));
    assert_int_equal(segments(vt, &tl, segs), 2);
    assert_int_equal(segs[1].first, 150);
    assert_int_equal(segs[1].duration_10m, S(6));
    assert_int_equal(segments(at, &tl, segs), 2);
    assert_int_equal(segs[1].first, 282);      /* 6 s = 281.25 frames */
    mp_timeline_free(&tl);
    free(v);
    free(a);
}

/* Key frames at 0, 1.0, 2.8, 3.28, 6.0, 7.88 and 10 s with a 2 s target:
 * each boundary takes the key frame nearest start + 2 s (ties and
 * no-progress candidates go to the later one). */
static void test_irregular_gops(void **state)
{
    (void) state;
    static const uint32_t keys[] = { 0, 25, 70, 82, 150, 197, 250 };
    mp_index_t *v = video_with_keys(keys, 7);
    mp_index_t *a = ib_regular_index(&(ib_regular_t) { .type = MP_TRACK_AUDIO, .timescale = ATS,
                                                       .samples = AFRAMES, .frame = AFRAME });
    mp_presentation_t p;
    memset(&p, 0, sizeof(p));
    add(&p, v, 0, 0, "");
    add(&p, a, 1, 0, "");
    mp_presentation_finish(&p);
    mp_timeline_t tl;
    assert_int_equal(mp_timeline_build(&p, S(2), &tl), MP_OK);
    static const double want[] = { 0, 2.8, 6.0, 7.88, 10.0 };
    assert_int_equal(tl.count, 5);
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(tl.bounds_10m[i], S(want[i]));
    }
    mp_seg_t segs[8];
    assert_int_equal(segments(&p.tracks[0], &tl, segs), 5);
    static const uint32_t vcut[] = { 0, 70, 150, 197, 250, VFRAMES };
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(segs[i].first, vcut[i]);
        assert_int_equal(segs[i].end, vcut[i + 1]);
    }
    /* audio follows the same boundaries: 2.8 s = 131.25 frames, 7.88 s = 369.375 */
    assert_int_equal(segments(&p.tracks[1], &tl, segs), 5);
    static const uint32_t acut[] = { 0, 132, 282, 370, 469, AFRAMES };
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(segs[i].first, acut[i]);
        assert_int_equal(segs[i].end, acut[i + 1]);
    }
    mp_timeline_free(&tl);

    /* 3 s target: 0 -> 2.8 (3.28 is further from 3.0), 2.8 -> 6.0 (5.8: 6.0
     * beats 3.28), 6.0 -> 10.0 (9.0: 10.0 is nearer than 7.88) */
    assert_int_equal(mp_timeline_build(&p, S(3), &tl), MP_OK);
    assert_int_equal(tl.count, 4);
    assert_int_equal(tl.bounds_10m[1], S(2.8));
    assert_int_equal(tl.bounds_10m[2], S(6.0));
    assert_int_equal(tl.bounds_10m[3], S(10.0));
    mp_timeline_free(&tl);
    free(v);
    free(a);
}

/* A rendition whose GOPs are not aligned with the reference: its segments
 * open at its own first key frame at/after each boundary and empty ones
 * are skipped. */
static void test_unaligned_rendition(void **state)
{
    (void) state;
    mp_index_t *hi = ib_regular_index(&(ib_regular_t) { .type = MP_TRACK_VIDEO, .timescale = VTS,
                                                        .samples = VFRAMES, .frame = VFRAME, .gop = 50 });
    mp_index_t *lo = ib_regular_index(&(ib_regular_t) { .type = MP_TRACK_VIDEO, .timescale = VTS,
                                                        .samples = VFRAMES, .frame = VFRAME, .gop = 125 });
    mp_presentation_t p;
    memset(&p, 0, sizeof(p));
    add(&p, lo, 1, 500000, "");
    add(&p, hi, 0, 3000000, "");
    mp_presentation_finish(&p);
    assert_ptr_equal(p.tracks[0].index, hi);   /* descending bitrate: hi is the reference */
    mp_timeline_t tl;
    assert_int_equal(mp_timeline_build(&p, S(2), &tl), MP_OK);
    assert_int_equal(tl.count, 6);
    mp_seg_t segs[8];
    /* lo's keys: 0, 5 s, 10 s; boundaries 0, 2, 4, 6, 8, 10 s */
    assert_int_equal(segments(&p.tracks[1], &tl, segs), 3);
    assert_int_equal(segs[0].end, 125);
    assert_int_equal(segs[1].first, 125);
    assert_int_equal(segs[1].start_10m, S(5));
    assert_int_equal(segs[2].first, 250);
    /* lookups: 5 s is a segment start for lo, 4 s and 6 s are not */
    mp_seg_t s;
    assert_int_equal(mp_track_segment_at(&p.tracks[1], &tl, S(5), &s), MP_OK);
    assert_int_equal(s.first, 125);
    assert_int_equal(mp_track_segment_at(&p.tracks[1], &tl, S(4), &s), MP_ERR_NOT_FOUND);
    assert_int_equal(mp_track_segment_at(&p.tracks[1], &tl, S(6), &s), MP_ERR_NOT_FOUND);
    /* by boundary: boundary 2 (4 s) opens lo's segment at 5 s, up to 10 s */
    assert_int_equal(mp_track_segment_at_boundary(&p.tracks[1], &tl, 2, &s), MP_OK);
    assert_int_equal(s.first, 125);
    assert_int_equal(s.end, 250);
    mp_timeline_free(&tl);
    free(hi);
    free(lo);
}

static void test_lookup_by_time(void **state)
{
    (void) state;
    mp_index_t *v = ib_regular_index(&(ib_regular_t) { .type = MP_TRACK_VIDEO, .timescale = VTS,
                                                       .samples = VFRAMES, .frame = VFRAME, .gop = 50 });
    mp_index_t *a = ib_regular_index(&(ib_regular_t) { .type = MP_TRACK_AUDIO, .timescale = ATS,
                                                       .samples = AFRAMES, .frame = AFRAME });
    mp_presentation_t p;
    memset(&p, 0, sizeof(p));
    add(&p, v, 0, 0, "");
    add(&p, a, 1, 0, "");
    mp_presentation_finish(&p);
    mp_timeline_t tl;
    assert_int_equal(mp_timeline_build(&p, S(2), &tl), MP_OK);
    const mp_pres_track_t *vt = &p.tracks[0], *at = &p.tracks[1];
    mp_seg_t s;
    assert_int_equal(mp_track_segment_at(vt, &tl, S(4), &s), MP_OK);
    assert_int_equal(s.first, 100);
    assert_int_equal(s.end, 150);
    assert_int_equal(mp_track_segment_at(vt, &tl, S(4) + 1, &s), MP_ERR_NOT_FOUND);
    assert_int_equal(mp_track_segment_at(vt, &tl, S(4) - 1, &s), MP_ERR_NOT_FOUND);
    assert_int_equal(mp_track_segment_at(vt, &tl, S(3), &s), MP_ERR_NOT_FOUND);
    assert_int_equal(mp_track_segment_at(vt, &tl, S(12), &s), MP_ERR_NOT_FOUND);
    assert_int_equal(mp_track_segment_at(vt, &tl, UINT64_MAX, &s), MP_ERR_NOT_FOUND);
    /* audio segments start at their own frame times, not the boundary */
    assert_int_equal(mp_track_segment_at(at, &tl, S(4), &s), MP_ERR_NOT_FOUND);
    assert_int_equal(mp_track_segment_at(at, &tl, 40106667, &s), MP_OK);    /* frame 188 */
    assert_int_equal(s.first, 188);
    assert_int_equal(mp_track_segment_at(at, &tl, 0, &s), MP_OK);
    assert_int_equal(s.first, 0);
    assert_int_equal(mp_track_segment_at_boundary(at, &tl, 5, &s), MP_OK);
    assert_int_equal(s.end, AFRAMES);
    mp_timeline_free(&tl);
    free(v);
    free(a);
}

/* ---- shifts ---------------------------------------------------------------- */

/* Video delayed 2 frames by B-frames (edit list media_time 1024 at 12.8 kHz =
 * 80 ms), AAC primed by 1024 samples at 48 kHz (21.3 ms): everything moves by
 * the larger lead-in so that no time is negative and the first shown video
 * frame and the first audible audio sample coincide. */
static void test_edit_list_shifts(void **state)
{
    (void) state;
    ib_regular_t vr = video(50, -1024), ar = audio("eng", -1024);
    mp_index_t *v = ib_regular_index(&vr), *a = ib_regular_index(&ar);
    mp_presentation_t p;
    memset(&p, 0, sizeof(p));
    add(&p, v, 0, 0, "");
    add(&p, a, 1, 0, "");
    mp_presentation_finish(&p);
    const mp_pres_track_t *vt = find(&p, "video", 0), *at = find(&p, "audio_eng", 0);
    assert_int_equal(vt->shift, 0);
    assert_int_equal(at->shift, 3840 - 1024);
    /* first video frame presented (dts 0 + cto 1024) == audio media time 1024 */
    uint64_t v_pts = mp_to_10m(mp_pt_time(vt, 0) + (uint64_t) mp_sample_cto(v, vt->track, 0), VTS);
    uint64_t a_first = mp_to_10m(mp_pt_time(at, 0) + 1024, ATS);
    assert_int_equal(v_pts, 800000);
    assert_int_equal(a_first, 800000);
    assert_int_equal(p.duration_10m, mp_pt_time_10m(at, AFRAMES));

    mp_timeline_t tl;
    assert_int_equal(mp_timeline_build(&p, S(2), &tl), MP_OK);
    mp_seg_t s;
    assert_int_equal(mp_track_segment_nth(at, &tl, 0, &s), MP_OK);
    assert_int_equal(s.start, 2816);                       /* audio starts after video */
    assert_int_equal(s.start_10m, 586667);
    mp_timeline_free(&tl);

    /* an empty edit (audio starts 100 ms late) adds to its shift */
    free(a);
    ar.pres_offset = 4800;
    a = ib_regular_index(&ar);
    memset(&p, 0, sizeof(p));
    add(&p, v, 0, 0, "");
    add(&p, a, 1, 0, "");
    mp_presentation_finish(&p);
    assert_int_equal(find(&p, "video", 0)->shift, 0);
    assert_int_equal(find(&p, "audio_eng", 0)->shift, 4800 + 3840);

    /* audio with the larger lead-in (2048 @ 48 kHz = 42.7 ms vs 20 ms video) */
    free(v);
    free(a);
    vr = video(50, -256);
    ar.pres_offset = -2048;
    v = ib_regular_index(&vr);
    a = ib_regular_index(&ar);
    memset(&p, 0, sizeof(p));
    add(&p, v, 0, 0, "");
    add(&p, a, 1, 0, "");
    mp_presentation_finish(&p);
    assert_int_equal(find(&p, "audio_eng", 0)->shift, 0);
    assert_int_equal(find(&p, "video", 0)->shift, 546 - 256);   /* 42.67 ms = 546.13 ticks */
    free(v);
    free(a);
}

/* ---- names, bitrates, order ---------------------------------------------- */

static void test_names_and_bitrates(void **state)
{
    (void) state;
    ib_regular_t vr = video(50, 0);
    mp_index_t *v = ib_regular_index(&vr);
    mp_index_t *eng = ib_regular_index(&(ib_regular_t) { .type = MP_TRACK_AUDIO, .timescale = ATS,
                                                         .samples = AFRAMES, .frame = AFRAME,
                                                         .lang = "eng", .avg_bitrate = 96000 });
    mp_index_t *und = ib_regular_index(&(ib_regular_t) { .type = MP_TRACK_AUDIO, .timescale = ATS,
                                                         .samples = AFRAMES, .frame = AFRAME });
    mp_presentation_t p;
    memset(&p, 0, sizeof(p));
    add(&p, eng, 3, 128000, "");       /* audio_eng 128000 */
    add(&p, eng, 4, 128000, NULL);     /* same name and bitrate -> 128001 */
    add(&p, eng, 5, 128000, "fra");    /* systemLanguage override: audio_fra keeps 128000 */
    add(&p, und, 6, 0, "");            /* no language: "audio", measured bitrate */
    add(&p, v, 1, 1000000, "");
    add(&p, v, 0, 1000000, "");        /* same bitrate rendition -> 1000001 */
    add(&p, v, 2, 3000000, "");
    add(&p, eng, 7, 0, "");            /* bitrate 0: the track's average (96000) */
    mp_presentation_finish(&p);
    assert_int_equal(p.count, 8);

    static const struct { const char *name; uint32_t bitrate, file; } want[] = {
        { "video", 3000000, 2 }, { "video", 1000000, 0 }, { "video", 1000001, 1 },
        { "audio_eng", 128000, 3 }, { "audio_eng", 128001, 4 }, { "audio_fra", 128000, 5 },
        { "audio", 0, 6 }, { "audio_eng", 96000, 7 },
    };
    for (uint32_t i = 0; i < 8; i++) {
        assert_string_equal(p.tracks[i].name, want[i].name);
        assert_int_equal(p.tracks[i].file_no, want[i].file);
        if (want[i].bitrate) {
            assert_int_equal(p.tracks[i].bitrate, want[i].bitrate);
        }
    }
    assert_int_equal(p.tracks[6].bitrate, p.tracks[6].track->avg_bitrate);
    assert_string_equal(p.tracks[5].language, "fra");
    assert_string_equal(p.tracks[6].language, "");
    /* every (name, bitrate) pair is unique */
    for (uint32_t i = 0; i < 8; i++) {
        for (uint32_t j = 0; j < i; j++) {
            assert_false(strcmp(p.tracks[i].name, p.tracks[j].name) == 0 &&
                         p.tracks[i].bitrate == p.tracks[j].bitrate);
        }
    }
    assert_ptr_equal(find(&p, "audio_eng", 128001), &p.tracks[4]);
    assert_ptr_equal(find(&p, "audio_eng", 0), &p.tracks[3]);
    assert_ptr_equal(find(&p, "video", 1000001), &p.tracks[2]);
    assert_null(mp_presentation_find(&p, "audio_eng", 9, 5));
    assert_null(mp_presentation_find(&p, "audio_en", 8, 0));
    assert_null(mp_presentation_find(&p, "videox", 6, 0));

    /* a bumped bitrate that collides with an earlier track is bumped again */
    memset(&p, 0, sizeof(p));
    add(&p, eng, 0, 128001, "");
    add(&p, eng, 1, 128000, "");
    add(&p, eng, 2, 128000, "");
    mp_presentation_finish(&p);
    assert_int_equal(p.tracks[0].bitrate, 128001);
    assert_int_equal(p.tracks[1].bitrate, 128000);
    assert_int_equal(p.tracks[2].bitrate, 128002);

    /* limits */
    assert_int_equal(mp_presentation_add(&p, v, 1, 0, 0, ""), MP_ERR_BAD_MEDIA);   /* no track 1 */
    while (p.count < MP_MAX_TRACKS) {
        add(&p, v, 9, 0, "");
    }
    assert_int_equal(mp_presentation_add(&p, v, 0, 9, 0, ""), MP_ERR_BAD_MEDIA);
    free(v);
    free(eng);
    free(und);
}

/* Audio only: the audio track is the reference; every frame is a sync sample. */
static void test_audio_only(void **state)
{
    (void) state;
    ib_regular_t ar = audio("eng", 0);
    mp_index_t *a = ib_regular_index(&ar);
    mp_presentation_t p;
    memset(&p, 0, sizeof(p));
    mp_timeline_t tl;
    assert_int_equal(mp_timeline_build(&p, S(2), &tl), MP_ERR_BAD_MEDIA);   /* no tracks */
    add(&p, a, 0, 0, "");
    mp_presentation_finish(&p);
    assert_int_equal(mp_timeline_build(&p, S(2), &tl), MP_OK);
    /* from frame 0: nearest frame to 2 s is 94 (2.0053 s) vs 93 (1.984 s) */
    assert_int_equal(tl.bounds_10m[1], mp_rescale(94 * 1024, ATS, 10000000));
    assert_int_equal(tl.bounds_10m[2], mp_rescale(188 * 1024, ATS, 10000000));
    mp_seg_t segs[8];
    assert_int_equal(segments(&p.tracks[0], &tl, segs), tl.count);
    assert_int_equal(segs[1].first, 94);
    mp_timeline_free(&tl);
    free(a);
}

/* Times close to 2^64 at 10 MHz (timescale 1, dts ~1.8e12 s) must not make
 * the boundary search wrap around and run past its array. */
static void test_huge_times(void **state)
{
    (void) state;
    ib_regular_t r = { .type = MP_TRACK_VIDEO, .timescale = 1, .samples = 3, .frame = 1, .gop = 1,
                       .first_dts = 1844674407368ULL };
    mp_index_t *v = ib_regular_index(&r);
    mp_presentation_t p;
    memset(&p, 0, sizeof(p));
    add(&p, v, 0, 0, "");
    mp_presentation_finish(&p);
    mp_timeline_t tl;
    assert_int_equal(mp_timeline_build(&p, S(2), &tl), MP_OK);
    assert_true(tl.count >= 1 && tl.count <= 3);
    for (uint32_t i = 1; i < tl.count; i++) {
        assert_true(tl.bounds_10m[i] > tl.bounds_10m[i - 1]);
    }
    mp_timeline_free(&tl);
    free(v);
}

/* The byte span of a segment covers every sample, in any file order. */
static void test_byte_span(void **state)
{
    (void) state;
    ib_regular_t r = video(50, 0);
    r.first_offset = 1000;
    ib_arrays_t a;
    ib_track_t t = ib_regular(&r, &a);
    uint64_t swap = a.offsets[60];          /* segment 1 stored out of order */
    a.offsets[60] = a.offsets[99];
    a.offsets[99] = swap;
    mp_index_t *ix = ib_build_index(&t, 1);
    mp_presentation_t p;
    memset(&p, 0, sizeof(p));
    add(&p, ix, 0, 0, "");
    mp_presentation_finish(&p);
    mp_seg_t seg = { .first = 50, .end = 100 };
    uint64_t lo, hi;
    mp_seg_byte_span(&p.tracks[0], &seg, &lo, &hi);
    assert_int_equal(lo, a.offsets[50]);
    assert_int_equal(hi, a.offsets[60] + a.sizes[60]);     /* sample 60 now lies last */
    seg = (mp_seg_t) { .first = 0, .end = 1 };
    mp_seg_byte_span(&p.tracks[0], &seg, &lo, &hi);
    assert_int_equal(lo, 1000);
    assert_int_equal(hi, 1000 + a.sizes[0]);
    seg = (mp_seg_t) { .first = 7, .end = 7 };
    mp_seg_byte_span(&p.tracks[0], &seg, &lo, &hi);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 0);
    ib_arrays_free(&a);
    free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regular_gops),
        cmocka_unit_test(test_irregular_gops),
        cmocka_unit_test(test_unaligned_rendition),
        cmocka_unit_test(test_lookup_by_time),
        cmocka_unit_test(test_edit_list_shifts),
        cmocka_unit_test(test_names_and_bitrates),
        cmocka_unit_test(test_audio_only),
        cmocka_unit_test(test_huge_times),
        cmocka_unit_test(test_byte_span),
    };
    return cmocka_run_group_tests_name("segment", tests, NULL, NULL);
}
