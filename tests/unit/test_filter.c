/*
 * test_filter.c — dynamic manifests (filter/mp_filter.h): the filter text
 * form and its bounds, track selection (Type, Name, Language, FourCC,
 * Bitrate; Equal / NotEqual; selections OR'ed, filters AND'ed), time ranges
 * cut at segment boundaries without moving them (a filtered segment is the
 * unfiltered one), first quality in the HLS master, filter=a;b in URLs, and
 * whole manifests through mp_package.  Presentation: three 12 s H.264
 * renditions (2 s GOPs) and AAC in English and French, on a 2 s timeline.
 */
#include "unit_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/mp_filter.h"
#include "package/mp_package.h"
#include "index_builder.h"

#define VTS     12800
#define VFRAME  512          /* 25 fps */
#define VFRAMES 300          /* 12 s */
#define ATS     48000
#define AFRAME  1024
#define AFRAMES 563
#define S(x)    ((uint64_t) ((x) * 10000000.0 + 0.5))

static char err[MP_ERR_LEN];

typedef struct {
    mp_index_t *ix[5];
    mp_presentation_t p;
    mp_timeline_t tl;
} fixture_t;

static fixture_t *fx_new(void)
{
    static const uint32_t rates[3] = { 3000000, 1500000, 600000 };
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    for (int i = 0; i < 3; i++) {
        f->ix[i] = ib_regular_index(&(ib_regular_t) { .type = MP_TRACK_VIDEO, .timescale = VTS,
                                                      .samples = VFRAMES, .frame = VFRAME,
                                                      .gop = 50 });
        assert_int_equal(mp_presentation_add(&f->p, f->ix[i], 0, (uint32_t) i, rates[i], NULL),
                         MP_OK);
    }
    const char *langs[2] = { "eng", "fra" };
    for (int i = 0; i < 2; i++) {
        f->ix[3 + i] = ib_regular_index(&(ib_regular_t) { .type = MP_TRACK_AUDIO, .timescale = ATS,
                                                          .samples = AFRAMES, .frame = AFRAME,
                                                          .lang = langs[i],
                                                          .avg_bitrate = 128000 });
        assert_int_equal(mp_presentation_add(&f->p, f->ix[3 + i], 0, 3u + (uint32_t) i, 0,
                                             langs[i]), MP_OK);
    }
    mp_presentation_finish(&f->p);
    assert_int_equal(mp_timeline_build(&f->p, S(2), &f->tl), MP_OK);
    assert_int_equal(f->tl.count, 6);
    return f;
}

static void fx_free(fixture_t *f)
{
    mp_timeline_free(&f->tl);
    for (int i = 0; i < 5; i++) {
        free(f->ix[i]);
    }
    free(f);
}

static mp_filter_t *parsed(const char *text)
{
    mp_filter_t *f = malloc(sizeof(*f));
    assert_non_null(f);
    if (mp_filter_parse(text, strlen(text), f, err, sizeof(err)) != MP_OK) {
        fail_msg("%s: %s", text, err);
    }
    return f;
}

static void rejected(const char *text)
{
    mp_filter_t *f = malloc(sizeof(*f));
    assert_non_null(f);
    err[0] = '\0';
    assert_int_equal(mp_filter_parse(text, strlen(text), f, err, sizeof(err)), MP_ERR_BAD_REQUEST);
    assert_true(err[0] != '\0');
    free(f);
}

/* The presentation's tracks the filters keep, as "name@bitrate " words. */
static char *kept(const fixture_t *fx, const char *a, const char *b)
{
    static char out[512];
    mp_filter_t *fa = parsed(a), *fb = b ? parsed(b) : NULL;
    mp_filter_set_t fs = { b ? 2 : 1, { fa, fb, NULL } };
    size_t n = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < fx->p.count; i++) {
        if (mp_filter_keeps(&fs, &fx->p.tracks[i])) {
            n += (size_t) snprintf(out + n, sizeof(out) - n, "%s@%u ", fx->p.tracks[i].name,
                                   fx->p.tracks[i].bitrate);
        }
    }
    free(fa);
    free(fb);
    return out;
}

static void test_parse(void **state)
{
    (void) state;
    mp_filter_t *f = parsed("ts=1000;start=4000;end=9000;window=3000;backoff=1000;fq=1500000;"
                            "track=type:eq:video,bitrate:ne:0-700000;track=language:eq:en");
    assert_int_equal(f->flags, MP_FILTER_HAS_START | MP_FILTER_HAS_END | MP_FILTER_HAS_WINDOW |
                               MP_FILTER_HAS_BACKOFF);
    assert_int_equal(f->start_10m, S(4));
    assert_int_equal(f->end_10m, S(9));
    assert_int_equal(f->window_10m, S(3));
    assert_int_equal(f->backoff_10m, S(1));
    assert_int_equal(f->first_quality, 1500000);
    assert_int_equal(f->select_count, 2);
    assert_int_equal(f->selects[0].count, 2);
    assert_int_equal(f->selects[0].conds[1].prop, MP_FPROP_BITRATE);
    assert_true(f->selects[0].conds[1].not_equal);
    assert_int_equal(f->selects[0].conds[1].lo, 0);
    assert_int_equal(f->selects[0].conds[1].hi, 700000);
    assert_string_equal(f->selects[1].conds[0].value, "en");
    free(f);
    f = parsed("");                                   /* no rule: keeps everything */
    assert_int_equal(f->flags, 0);
    assert_int_equal(f->select_count, 0);
    free(f);
    f = parsed("start=20000000");                     /* default timescale 10 MHz */
    assert_int_equal(f->start_10m, S(2));
    free(f);
}

static void test_parse_rejects(void **state)
{
    (void) state;
    rejected("track=codec:eq:avc1");
    rejected("track=type:gt:video");
    rejected("track=type:eq:");
    rejected("track=type:eq:vi deo");
    rejected("track=bitrate:eq:9-1");
    rejected("track=bitrate:eq:abc");
    rejected("track=bitrate:eq:4294967296");
    rejected("track=");
    rejected("ts=0");
    rejected("start=x");
    rejected("start=5;end=5");
    rejected("colour=blue");
    /* values: MP_FILTER_VALUE_MAX characters pass, one more does not */
    char text[256], value[MP_FILTER_VALUE_MAX + 2];
    memset(value, 'a', sizeof(value));
    value[MP_FILTER_VALUE_MAX] = '\0';
    snprintf(text, sizeof(text), "track=name:eq:%s", value);
    free(parsed(text));
    value[MP_FILTER_VALUE_MAX] = 'a';
    value[MP_FILTER_VALUE_MAX + 1] = '\0';
    snprintf(text, sizeof(text), "track=name:eq:%s", value);
    rejected(text);
}

/* MP_FILTER_MAX_SELECTIONS selections of MP_FILTER_MAX_CONDITIONS conditions
 * pass; one more of either does not; the text has a length bound. */
static void test_parse_bounds(void **state)
{
    (void) state;
    char *text = malloc(MP_FILTER_TEXT_MAX + 64);
    assert_non_null(text);
    size_t n = 0;
    for (int s = 0; s < MP_FILTER_MAX_SELECTIONS; s++) {
        n += (size_t) sprintf(text + n, "track=");
        for (int c = 0; c < MP_FILTER_MAX_CONDITIONS; c++) {
            n += (size_t) sprintf(text + n, "%sbitrate:ne:%d", c ? "," : "", c);
        }
        text[n++] = ';';
    }
    text[n] = '\0';
    assert_true(n <= MP_FILTER_TEXT_MAX);
    free(parsed(text));
    sprintf(text + n, "track=type:eq:audio");
    rejected(text);
    sprintf(text, "track=bitrate:ne:0,bitrate:ne:1,bitrate:ne:2,bitrate:ne:3,bitrate:ne:4,"
                  "bitrate:ne:5,bitrate:ne:6,bitrate:ne:7,bitrate:ne:8");
    rejected(text);
    memset(text, ';', MP_FILTER_TEXT_MAX + 1);
    text[MP_FILTER_TEXT_MAX + 1] = '\0';
    rejected(text);
    free(text);
}

static void test_track_selection(void **state)
{
    (void) state;
    fixture_t *fx = fx_new();
    assert_string_equal(kept(fx, "track=type:eq:audio", NULL), "audio_eng@128000 audio_fra@128000 ");
    assert_string_equal(kept(fx, "track=Type:eq:Video,bitrate:eq:1500000", NULL), "video@1500000 ");
    assert_string_equal(kept(fx, "track=type:eq:video,bitrate:eq:0-1600000;track=language:eq:fr",
                             NULL), "video@1500000 video@600000 audio_fra@128000 ");
    assert_string_equal(kept(fx, "track=bitrate:ne:3000000", NULL),
                        "video@1500000 video@600000 audio_eng@128000 audio_fra@128000 ");
    assert_string_equal(kept(fx, "track=fourcc:eq:mp4a", NULL), "audio_eng@128000 audio_fra@128000 ");
    assert_string_equal(kept(fx, "track=language:eq:eng", NULL), "audio_eng@128000 ");
    assert_string_equal(kept(fx, "track=name:eq:audio_fra", NULL), "audio_fra@128000 ");
    assert_string_equal(kept(fx, "track=type:eq:text", NULL), "");
    /* two filters: a track must pass both */
    assert_string_equal(kept(fx, "track=type:ne:audio;track=language:eq:en",
                             "track=bitrate:eq:0-2000000"),
                        "video@1500000 video@600000 audio_eng@128000 ");
    /* a filter without track rules keeps every track */
    assert_int_equal(strlen(kept(fx, "start=0", NULL)) > 0, 1);
    fx_free(fx);
}

static void test_presentation_and_first_quality(void **state)
{
    (void) state;
    fixture_t *fx = fx_new();
    mp_presentation_t out;
    mp_filter_t *f = parsed("fq=1400000");
    mp_filter_set_t fs = { 1, { f } };
    assert_int_equal(mp_filter_presentation(&fs, &fx->p, 1, &out, err, sizeof(err)), MP_OK);
    assert_int_equal(out.count, 5);
    assert_int_equal(out.tracks[0].bitrate, 1500000);      /* nearest video rate first */
    assert_int_equal(out.tracks[1].bitrate, 3000000);
    assert_int_equal(out.tracks[2].bitrate, 600000);
    assert_int_equal(mp_filter_presentation(&fs, &fx->p, 0, &out, err, sizeof(err)), MP_OK);
    assert_int_equal(out.tracks[0].bitrate, 3000000);      /* only HLS masters reorder */
    free(f);
    f = parsed("track=type:eq:text");
    fs.filters[0] = f;
    assert_int_equal(mp_filter_presentation(&fs, &fx->p, 0, &out, err, sizeof(err)),
                     MP_ERR_BAD_REQUEST);
    assert_non_null(strstr(err, "no track"));
    free(f);
    fx_free(fx);
}

/* tl through filter text a (and b); returns the view. */
static mp_timeline_t trimmed(fixture_t *fx, const char *a, const char *b, int want,
                             mp_presentation_t *p)
{
    mp_filter_t *fa = parsed(a), *fb = b ? parsed(b) : NULL;
    mp_filter_set_t fs = { b ? 2 : 1, { fa, fb } };
    mp_timeline_t tl = fx->tl;
    *p = fx->p;
    assert_int_equal(mp_filter_timeline(&fs, &tl, p, err, sizeof(err)), want);
    free(fa);
    free(fb);
    return tl;
}

/* Every segment of the view is the unfiltered segment with the same number. */
static void assert_same_segments(const fixture_t *fx, const mp_timeline_t *tl)
{
    for (uint32_t i = 0; i < fx->p.count; i++) {
        const mp_pres_track_t *t = &fx->p.tracks[i];
        mp_seg_t all[16], some[16];
        uint32_t n_all = mp_track_segments(t, &fx->tl, all);
        uint32_t n = mp_track_segments(t, tl, some);
        assert_true(n > 0 && tl->first_no + n <= n_all);
        for (uint32_t s = 0; s < n; s++) {
            const mp_seg_t *u = &all[tl->first_no + s];
            assert_int_equal(some[s].first, u->first);
            assert_int_equal(some[s].end, u->end);
            assert_int_equal(some[s].start_10m, u->start_10m);
            mp_seg_t at;
            assert_int_equal(mp_track_segment_at(t, &fx->tl, some[s].start_10m, &at), MP_OK);
            assert_int_equal(at.first, u->first);
        }
    }
}

static void test_time_range(void **state)
{
    (void) state;
    fixture_t *fx = fx_new();
    mp_presentation_t p;
    mp_timeline_t tl = trimmed(fx, "start=40000000;end=80000000", NULL, MP_OK, &p);
    assert_int_equal(tl.first_no, 2);
    assert_int_equal(tl.count, 3);                 /* [4,6) [6,8), closed at 8 */
    assert_true(tl.closed);
    assert_int_equal(tl.bounds_10m[0], S(4));
    assert_int_equal(tl.end_10m, S(8));
    assert_int_equal(p.start_10m, S(4));
    assert_int_equal(p.end_10m, S(8));
    assert_same_segments(fx, &tl);
    /* a segment the range only overlaps is kept whole */
    tl = trimmed(fx, "ts=1000;start=5000;end=7500", NULL, MP_OK, &p);
    assert_int_equal(tl.bounds_10m[0], S(4));
    assert_int_equal(tl.end_10m, S(8));
    assert_same_segments(fx, &tl);
    /* to the end: the last segment still runs to the end of the samples */
    tl = trimmed(fx, "start=100000000", NULL, MP_OK, &p);
    assert_int_equal(tl.count, 1);
    assert_false(tl.closed);
    assert_same_segments(fx, &tl);
    /* two filters: the ranges intersect */
    tl = trimmed(fx, "start=20000000", "end=60000000", MP_OK, &p);
    assert_int_equal(tl.first_no, 1);
    assert_int_equal(tl.count, 3);
    assert_int_equal(tl.end_10m, S(6));
    /* the presentation window of VoD: the last 4 s */
    tl = trimmed(fx, "window=40000000", NULL, MP_OK, &p);
    assert_int_equal(tl.first_no, 4);
    assert_same_segments(fx, &tl);
    /* nothing left */
    trimmed(fx, "start=200000000", NULL, MP_ERR_BAD_REQUEST, &p);
    assert_non_null(strstr(err, "no segment"));
    trimmed(fx, "start=0;end=1", "start=60000000", MP_ERR_BAD_REQUEST, &p);
    fx_free(fx);
}

static void test_live_range(void **state)
{
    (void) state;
    fixture_t *fx = fx_new();
    mp_live_t live = { 1000, 13000, 0 };
    mp_timeline_t base = fx->tl;
    mp_timeline_live(&base, &live);               /* 5 closed segments [0..10] */
    mp_filter_t *f = parsed("backoff=30000000;end=20000000");
    mp_filter_set_t fs = { 1, { f } };
    mp_timeline_t tl = base;
    mp_presentation_t p = fx->p;
    assert_int_equal(mp_filter_timeline(&fs, &tl, &p, err, sizeof(err)), MP_OK);
    /* end is ignored live; 3 s back-off drops the segments ending after 7 s */
    assert_int_equal(tl.first_no, 0);
    assert_int_equal(tl.count, 4);
    assert_int_equal(tl.end_10m, S(6));
    free(f);
    fx_free(fx);
}

static void test_url_filter_option(void **state)
{
    (void) state;
    mp_request_t r;
    const char *u = "/a/x.ism/Manifest(format=m3u8-aapl,filter=one;Two_2.x~)";
    assert_int_equal(mp_url_parse(u, strlen(u), &r, err, sizeof(err)), MP_OK);
    assert_int_equal(r.filter_count, 2);
    assert_int_equal(r.filter_len, strlen("one;Two_2.x~"));
    assert_memory_equal(r.filter, "one;Two_2.x~", r.filter_len);
    u = "/a/x.ism/QualityLevels(1)/Manifest(video,format=m3u8-aapl,filter=a;b;c)";
    assert_int_equal(mp_url_parse(u, strlen(u), &r, err, sizeof(err)), MP_OK);
    assert_int_equal(r.filter_count, 3);
    static const char *bad[] = {
        "/a/x.ism/Manifest(filter=a;b;c;d)", "/a/x.ism/Manifest(filter=)",
        "/a/x.ism/Manifest(filter=a;;b)", "/a/x.ism/Manifest(filter=a%20b)",
        "/a/x.ism/Manifest(filter=a:b)", NULL
    };
    for (int i = 0; bad[i]; i++) {
        assert_int_equal(mp_url_parse(bad[i], strlen(bad[i]), &r, err, sizeof(err)),
                         MP_ERR_BAD_REQUEST);
    }
    char longest[160];
    snprintf(longest, sizeof(longest), "/a/x.ism/Manifest(filter=%0*d)", MP_URL_FILTER_NAME_MAX, 0);
    assert_int_equal(mp_url_parse(longest, strlen(longest), &r, err, sizeof(err)), MP_OK);
    snprintf(longest, sizeof(longest), "/a/x.ism/Manifest(filter=%0*d)", MP_URL_FILTER_NAME_MAX + 1,
             0);
    assert_int_equal(mp_url_parse(longest, strlen(longest), &r, err, sizeof(err)),
                     MP_ERR_BAD_REQUEST);
}

static int count_of(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static char *package(fixture_t *fx, const char *url, const mp_filter_set_t *fs)
{
    mp_request_t r;
    mp_response_t res;
    assert_int_equal(mp_url_parse(url, strlen(url), &r, err, sizeof(err)), MP_OK);
    r.filters = fs;
    if (mp_package_with_timeline(&r, &fx->p, &fx->tl, &res, err, sizeof(err)) != MP_OK) {
        fail_msg("%s: %s", url, err);
    }
    char *body = strndup((const char *) res.head.p, res.head.pos);
    mp_response_free(&res);
    return body;
}

static void test_manifests_through_filters(void **state)
{
    (void) state;
    fixture_t *fx = fx_new();
    mp_filter_t *f = parsed("start=40000000;end=80000000;track=type:eq:audio,language:eq:en;"
                            "track=type:eq:video,bitrate:eq:1500000");
    mp_filter_set_t fs = { 1, { f } };
    char *m = package(fx, "/a/x.ism/Manifest(format=m3u8-aapl,filter=f)", &fs);
    assert_int_equal(count_of(m, "#EXT-X-STREAM-INF"), 1);
    assert_int_equal(count_of(m, "#EXT-X-MEDIA:TYPE=AUDIO"), 1);
    assert_non_null(strstr(m, "QualityLevels(1500000)/Manifest(video,format=m3u8-aapl,filter=f)"));
    free(m);
    m = package(fx, "/a/x.ism/QualityLevels(1500000)/Manifest(video,format=m3u8-aapl,filter=f)", &fs);
    assert_int_equal(count_of(m, "#EXTINF:2.000"), 2);
    assert_non_null(strstr(m, "#EXT-X-MEDIA-SEQUENCE:2"));
    assert_non_null(strstr(m, "Fragments(video=40000000,format=m3u8-aapl)"));
    free(m);
    m = package(fx, "/a/x.ism/Manifest(format=mpd-time-csf,filter=f)", &fs);
    assert_int_equal(count_of(m, "<Representation "), 2);
    assert_non_null(strstr(m, "mediaPresentationDuration=\"PT4.000S\""));
    assert_non_null(strstr(m, "presentationTimeOffset=\"40000000\""));
    free(m);
    m = package(fx, "/a/x.ism/Manifest(filter=f)", &fs);
    assert_int_equal(count_of(m, "<QualityLevel "), 2);
    assert_non_null(strstr(m, "t=\"40000000\""));
    free(m);
    /* a fragment URL is never filtered: the same bytes as without filters */
    mp_request_t r;
    mp_response_t a, b;
    const char *frag = "/a/x.ism/QualityLevels(3000000)/Fragments(video=0,format=m3u8-aapl)";
    assert_int_equal(mp_url_parse(frag, strlen(frag), &r, err, sizeof(err)), MP_OK);
    assert_int_equal(mp_package_with_timeline(&r, &fx->p, &fx->tl, &a, err, sizeof(err)), MP_OK);
    r.filters = &fs;
    assert_int_equal(mp_package_with_timeline(&r, &fx->p, &fx->tl, &b, err, sizeof(err)), MP_OK);
    assert_int_equal(a.content_length, b.content_length);
    assert_int_equal(a.head.pos, b.head.pos);
    assert_memory_equal(a.head.p, b.head.p, a.head.pos);
    mp_response_free(&a);
    mp_response_free(&b);
    /* a playlist of a track the filter removed is not there */
    assert_int_equal(mp_url_parse("/a/x.ism/QualityLevels(600000)/Manifest(video,format=m3u8-aapl)",
                                  63, &r, err, sizeof(err)), MP_OK);
    r.filters = &fs;
    assert_int_equal(mp_package_with_timeline(&r, &fx->p, &fx->tl, &a, err, sizeof(err)),
                     MP_ERR_NOT_FOUND);
    mp_response_free(&a);
    free(f);
    fx_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_bounds),
        cmocka_unit_test(test_track_selection),
        cmocka_unit_test(test_presentation_and_first_quality),
        cmocka_unit_test(test_time_range),
        cmocka_unit_test(test_live_range),
        cmocka_unit_test(test_url_filter_option),
        cmocka_unit_test(test_manifests_through_filters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
