/*
 * test_manifests.c — HLS, DASH and Smooth manifest writers on synthetic
 * presentations: index blobs built by hand (two 30 fps H.264 renditions with
 * 2 s GOPs, AAC in English at two bit rates and in French), segmented on the
 * shared 2 s timeline.  Checks playlist structure, codec strings, URL shapes,
 * and that every timeline adds up to the track durations; the XML manifests
 * are also run through xmllint when it is installed.
 */
#include "unit_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dash/dash_manifest.h"
#include "hls/hls_manifest.h"
#include "mss/mss_manifest.h"
#include "segment/mp_track_info.h"
#include "ts/ts_mux.h"

/* avcC with one SPS (67 64 00 1f) and one PPS (68 ee); AAC-LC 48 kHz stereo. */
static const uint8_t avcc[] = { 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67, 0x64,
                                0x00, 0x1f, 0x01, 0x00, 0x02, 0x68, 0xee };
static const uint8_t asc[] = { 0x11, 0x90 };

#define VIDEO_TS      15360
#define VIDEO_FRAME   512           /* 30 fps */
#define VIDEO_FRAMES  600           /* 20 s */
#define AUDIO_FRAMES  938           /* 1024-sample AAC frames, 20.01 s at 48 kHz */
#define TARGET_10M    20000000ULL

/* ---- index blob builder ------------------------------------------------- */

typedef struct {
    uint32_t type, codec;
    const char *codecs, *lang;
    uint32_t timescale, samples, frame;
    uint32_t gop;                   /* key frame every gop samples; 0 = all sync */
    uint32_t key_size, size;        /* bytes of key / other samples */
    uint16_t width, height;
    int64_t pres_offset;
    const uint8_t *config;
    uint32_t config_len;
} tb_track_t;

static uint64_t tb_align(uint64_t v)
{
    return (v + 7) & ~(uint64_t) 7;
}

static uint32_t tb_keys(const tb_track_t *s)
{
    return s->gop ? (s->samples + s->gop - 1) / s->gop : 0;
}

static uint64_t tb_arrays_size(const tb_track_t *s)
{
    return tb_align(s->config_len) + 8ULL * s->samples + tb_align(4ULL * s->samples)
           + 8ULL * (s->samples + 1) + tb_align(4ULL * tb_keys(s));
}

static void tb_fill_meta(mp_track_t *t, const tb_track_t *s, uint32_t id)
{
    t->type = s->type;
    t->codec = s->codec;
    t->track_id = id;
    t->timescale = s->timescale;
    t->sample_count = s->samples;
    t->key_count = tb_keys(s);
    t->nal_length_size = s->type == MP_TRACK_VIDEO ? 4 : 0;
    t->duration = (uint64_t) s->samples * s->frame;
    t->pres_offset = s->pres_offset;
    t->width = s->width;
    t->height = s->height;
    t->sample_rate = s->type == MP_TRACK_AUDIO ? s->timescale : 0;
    t->channels = s->type == MP_TRACK_AUDIO ? 2 : 0;
    t->sample_size_bits = 16;
    t->frame_rate_milli = s->type == MP_TRACK_VIDEO
                              ? (uint32_t) (1000ULL * s->timescale / s->frame) : 0;
    snprintf(t->language, sizeof(t->language), "%s", s->lang);
    snprintf(t->codecs, sizeof(t->codecs), "%s", s->codecs);
}

/* Lay out t's arrays at *off in blob and fill them. */
static void tb_fill_arrays(uint8_t *blob, mp_track_t *t, const tb_track_t *s, uint64_t *off)
{
    t->config_off = (uint32_t) *off;
    t->config_len = s->config_len;
    memcpy(blob + *off, s->config, s->config_len);
    *off += tb_align(s->config_len);
    t->offsets_off = *off;
    *off += 8ULL * s->samples;
    t->sizes_off = *off;
    *off += tb_align(4ULL * s->samples);
    t->dts_off = *off;
    *off += 8ULL * (s->samples + 1);
    t->keys_off = t->key_count ? *off : 0;
    *off += tb_align(4ULL * t->key_count);

    uint64_t *offsets = (uint64_t *) (blob + t->offsets_off), *dts = (uint64_t *) (blob + t->dts_off);
    uint32_t *sizes = (uint32_t *) (blob + t->sizes_off), *keys = (uint32_t *) (blob + t->keys_off);
    for (uint32_t i = 0; i < s->samples; i++) {
        int key = s->gop == 0 || i % s->gop == 0;
        int busy = s->gop && (i / s->gop) % 3 == 2;     /* every third GOP doubles */
        sizes[i] = (key ? s->key_size : s->size) << busy;
        offsets[i] = 1000 + t->total_bytes;
        dts[i] = (uint64_t) i * s->frame;
        t->total_bytes += sizes[i];
        if (s->gop && key) {
            keys[i / s->gop] = i;
        }
    }
    dts[s->samples] = t->duration;
    t->avg_bitrate = (uint32_t) (t->total_bytes * 8 * s->timescale / t->duration);
}

static mp_index_t *tb_build(const tb_track_t *specs, uint32_t n)
{
    uint64_t size = tb_align(sizeof(mp_index_t)) + n * sizeof(mp_track_t);
    for (uint32_t i = 0; i < n; i++) {
        size += tb_arrays_size(&specs[i]);
    }
    uint8_t *blob = calloc(1, size);
    assert_non_null(blob);
    mp_index_t *ix = (mp_index_t *) blob;
    ix->magic = MP_INDEX_MAGIC;
    ix->version = MP_INDEX_VERSION;
    ix->total_size = size;
    ix->track_count = n;
    ix->movie_timescale = 1000;
    ix->tracks_off = tb_align(sizeof(mp_index_t));
    uint64_t off = ix->tracks_off + n * sizeof(mp_track_t);
    for (uint32_t i = 0; i < n; i++) {
        mp_track_t *t = (mp_track_t *) mp_index_track(ix, i);
        tb_fill_meta(t, &specs[i], i + 1);
        tb_fill_arrays(blob, t, &specs[i], &off);
    }
    assert_int_equal(mp_index_check(ix, size), MP_OK);
    return ix;
}

static tb_track_t tb_video(uint16_t w, uint16_t h, uint32_t key_size, uint32_t gop)
{
    tb_track_t s = { MP_TRACK_VIDEO, MP_CODEC_AVC, "avc1.64001f", "und", VIDEO_TS, VIDEO_FRAMES,
                     VIDEO_FRAME, gop, key_size, key_size / 5, w, h, -1024, avcc, sizeof(avcc) };
    return s;
}

static tb_track_t tb_audio(const char *lang, uint32_t frame_size)
{
    tb_track_t s = { MP_TRACK_AUDIO, MP_CODEC_AAC, "mp4a.40.2", lang, 48000, AUDIO_FRAMES,
                     1024, 0, frame_size, frame_size, 0, 0, -1024, asc, sizeof(asc) };
    return s;
}

/* ---- fixture: one presentation over three files ------------------------- */

typedef struct {
    mp_index_t *files[3];
    mp_presentation_t p;
    mp_timeline_t tl;
} fixture_t;

static fixture_t *fx_new(int with_video, int with_audio, uint32_t low_gop)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    tb_track_t hi[] = { tb_video(1280, 720, 50000, 60), tb_audio("eng", 341) };
    tb_track_t lo[] = { tb_video(640, 360, 16000, low_gop), tb_audio("fra", 341) };
    tb_track_t eng64[] = { tb_audio("eng", 171) };
    f->files[0] = tb_build(hi, 2);
    f->files[1] = tb_build(lo, 2);
    f->files[2] = tb_build(eng64, 1);
    if (with_video) {
        assert_int_equal(mp_presentation_add(&f->p, f->files[0], 0, 0, 3000000, ""), MP_OK);
        assert_int_equal(mp_presentation_add(&f->p, f->files[1], 0, 1, 1000000, ""), MP_OK);
    }
    if (with_audio) {
        assert_int_equal(mp_presentation_add(&f->p, f->files[0], 1, 0, 128000, ""), MP_OK);
        assert_int_equal(mp_presentation_add(&f->p, f->files[1], 1, 1, 128000, ""), MP_OK);
        assert_int_equal(mp_presentation_add(&f->p, f->files[2], 0, 2, 64000, ""), MP_OK);
    }
    mp_presentation_finish(&f->p);
    assert_int_equal(mp_timeline_build(&f->p, TARGET_10M, &f->tl), MP_OK);
    return f;
}

static void fx_free(fixture_t *f)
{
    mp_timeline_free(&f->tl);
    for (int i = 0; i < 3; i++) {
        free(f->files[i]);
    }
    free(f);
}

static const mp_pres_track_t *fx_track(const fixture_t *f, const char *name, uint32_t bitrate)
{
    const mp_pres_track_t *t = mp_presentation_find(&f->p, name, strlen(name), bitrate);
    assert_non_null(t);
    return t;
}

/* ---- output helpers ----------------------------------------------------- */

typedef int (*write_fn)(mp_wr_t *w, const fixture_t *f, const void *arg);

/* Run a writer in dynamic mode (NUL-terminated result, caller frees) and
 * check that counting mode predicts the same size. */
static char *render(write_fn fn, const fixture_t *f, const void *arg)
{
    mp_wr_t w, count;
    mp_wr_init_dynamic(&w);
    mp_wr_init_count(&count);
    assert_int_equal(fn(&w, f, arg), MP_OK);
    assert_int_equal(fn(&count, f, arg), MP_OK);
    assert_int_equal(count.pos, w.pos);
    mp_wr_u8(&w, 0);
    assert_false(w.failed);
    return (char *) w.p;
}

static int wr_master(mp_wr_t *w, const fixture_t *f, const void *hp)
{
    return hls_write_master(w, &f->p, hp);
}

typedef struct {
    const mp_pres_track_t *t;
    hls_params_t hp;
} media_arg_t;

static int wr_media(mp_wr_t *w, const fixture_t *f, const void *arg)
{
    const media_arg_t *m = arg;
    return hls_write_media(w, &f->p, m->t, &f->tl, &m->hp);
}

static int wr_mpd(mp_wr_t *w, const fixture_t *f, const void *fmt)
{
    return dash_write_mpd(w, &f->p, &f->tl, *(const mp_format_t *) fmt, NULL);
}

static int wr_mss(mp_wr_t *w, const fixture_t *f, const void *unused)
{
    (void) unused;
    return mss_write_manifest(w, &f->p, &f->tl, NULL);
}

static int count_of(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static void assert_contains(const char *s, const char *needle)
{
    if (strstr(s, needle) == NULL) {
        fail_msg("missing \"%s\" in:\n%s", needle, s);
    }
}

static void assert_well_formed_xml(const char *xml)
{
    if (system("command -v xmllint >/dev/null 2>&1") != 0) {
        return;
    }
    char path[] = "/tmp/mp_manifest_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, xml, strlen(xml)), (ssize_t) strlen(xml));
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
    int rc = system(cmd);
    unlink(path);
    assert_int_equal(rc, 0);
}

/* Duration of a track's samples in 10 MHz, as its segments must cover it. */
static uint64_t track_span_10m(const mp_pres_track_t *t)
{
    return mp_pt_time_10m(t, t->track->sample_count) - mp_pt_time_10m(t, 0);
}

static uint64_t first_seg_start(const fixture_t *f, const mp_pres_track_t *t)
{
    mp_seg_t seg;
    assert_int_equal(mp_track_segment_nth(t, &f->tl, 0, &seg), MP_OK);
    return seg.start_10m;
}

/* Highest bit rate of any of t's segments (payload only). */
static uint64_t max_segment_bps(const fixture_t *f, const mp_pres_track_t *t)
{
    mp_seg_t *segs = calloc(f->tl.count, sizeof(*segs));
    uint32_t n = mp_track_segments(t, &f->tl, segs);
    uint64_t peak = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t bytes = 0;
        for (uint32_t k = segs[i].first; k < segs[i].end; k++) {
            bytes += mp_sample_size(t->index, t->track, k);
        }
        uint64_t bps = bytes * 8 * MP_TIMESCALE_10M / segs[i].duration_10m;
        peak = bps > peak ? bps : peak;
    }
    free(segs);
    return peak;
}

/* ---- HLS ---------------------------------------------------------------- */

static void test_hls_master_fmp4(void **state)
{
    (void) state;
    fixture_t *f = fx_new(1, 1, 60);
    hls_params_t hp = { .format = MP_FMT_HLS_V4, .audio_only = 1 };
    char *m = render(wr_master, f, &hp);
    assert_true(strncmp(m, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n", 52) == 0);
    assert_int_equal(count_of(m, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\""), 3);
    assert_contains(m, "NAME=\"English 128 kbps\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,"
                       "CHANNELS=\"2\",URI=\"QualityLevels(128000)/Manifest(audio_eng,"
                       "format=m3u8-aapl)\"\n");
    assert_contains(m, "NAME=\"French\",LANGUAGE=\"fr\",DEFAULT=NO,AUTOSELECT=YES,CHANNELS=\"2\","
                       "URI=\"QualityLevels(128000)/Manifest(audio_fra,format=m3u8-aapl)\"\n");
    assert_contains(m, "NAME=\"English 64 kbps\"");
    assert_int_equal(count_of(m, "#EXT-X-STREAM-INF:"), 2);
    assert_int_equal(count_of(m, ",CODECS=\"avc1.64001f,mp4a.40.2\""), 2);
    assert_contains(m, ",RESOLUTION=1280x720,FRAME-RATE=30.000,AUDIO=\"audio\"\n"
                       "QualityLevels(3000000)/Manifest(video,format=m3u8-aapl)\n");
    assert_contains(m, ",RESOLUTION=640x360,FRAME-RATE=30.000,AUDIO=\"audio\"\n"
                       "QualityLevels(1000000)/Manifest(video,format=m3u8-aapl)\n");
    /* BANDWIDTH covers the busiest video segment plus the busiest audio. */
    uint64_t audio_peak = max_segment_bps(f, fx_track(f, "audio_eng", 128000));
    const char *inf = m;
    for (int i = 0; i < 2; i++) {
        unsigned long long bw, avg;
        inf = strstr(inf + 1, "#EXT-X-STREAM-INF:");
        assert_int_equal(sscanf(inf, "#EXT-X-STREAM-INF:BANDWIDTH=%llu,AVERAGE-BANDWIDTH=%llu",
                                &bw, &avg), 2);
        uint64_t video_peak = max_segment_bps(f, &f->p.tracks[i]);
        assert_true(bw >= video_peak + audio_peak);
        assert_true(bw < (video_peak + audio_peak) * 11 / 10);
        assert_true(avg < bw);
    }
    free(m);
    fx_free(f);
}

static void test_hls_master_ts(void **state)
{
    (void) state;
    fixture_t *f = fx_new(1, 1, 60);
    hls_params_t hp = { .format = MP_FMT_HLS_TS, .audio_only = 1 };
    char *m = render(wr_master, f, &hp);
    assert_true(strncmp(m, "#EXTM3U\n#EXT-X-VERSION:3\n", 25) == 0);
    assert_null(strstr(m, "#EXT-X-MEDIA"));
    assert_null(strstr(m, "AUDIO=\""));
    assert_int_equal(count_of(m, "#EXT-X-STREAM-INF:"), 3);
    assert_int_equal(count_of(m, ",CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION="), 2);
    assert_contains(m, "QualityLevels(3000000)/Manifest(video,format=m3u8-aapl-v3)\n");
    assert_contains(m, ",CODECS=\"mp4a.40.2\"\n"
                       "QualityLevels(128000)/Manifest(audio_eng,format=m3u8-aapl-v3)\n");
    free(m);

    hp.audio_only = 0;
    m = render(wr_master, f, &hp);
    assert_int_equal(count_of(m, "#EXT-X-STREAM-INF:"), 2);
    assert_null(strstr(m, "audio_eng"));
    free(m);
    fx_free(f);
}

static int no_read(mp_source_t *r, void *buf, size_t len, uint64_t offset)
{
    (void) r, (void) buf, (void) len, (void) offset;
    return MP_ERR_IO;
}

/* Bit rate of the TS muxer's n-th segment of video v with audio a muxed in;
 * *seconds_10m gets its duration. */
static uint64_t ts_segment_bits(const fixture_t *f, const mp_pres_track_t *v,
                                const mp_pres_track_t *a, uint32_t n, uint64_t *dur_10m)
{
    mp_source_t reader = { .read = no_read, .ctx = NULL };
    mp_seg_t vs, as;
    assert_int_equal(mp_track_segment_nth(v, &f->tl, n, &vs), MP_OK);
    assert_int_equal(mp_track_segment_nth(a, &f->tl, n, &as), MP_OK);
    ts_segment_params_t tp = { v, &vs, &reader, a, &as, &reader, n, 0 };
    ts_muxer_t *mux;
    uint64_t size;
    assert_int_equal(ts_mux_open(&mux, &tp, &size), MP_OK);
    ts_mux_close(mux);
    *dur_10m = vs.duration_10m;
    return size * 8;
}

/* The TS variants' BANDWIDTH is at least the real peak segment bit rate of
 * the muxer's output, and AVERAGE-BANDWIDTH is within 10 % of its mean. */
static void test_hls_ts_bandwidth_covers_muxed_segments(void **state)
{
    (void) state;
    fixture_t *f = fx_new(1, 1, 60);
    hls_params_t hp = { .format = MP_FMT_HLS_TS, .audio_only = 0 };
    char *m = render(wr_master, f, &hp);
    const mp_pres_track_t *audio = fx_track(f, "audio_eng", 128000);
    const char *inf = m;
    for (int i = 0; i < 2; i++) {
        const mp_pres_track_t *v = &f->p.tracks[i];
        uint64_t peak = 0, bits = 0, total_10m = 0, dur;
        unsigned long long bw, avg;
        inf = strstr(inf + 1, "#EXT-X-STREAM-INF:");
        assert_int_equal(sscanf(inf, "#EXT-X-STREAM-INF:BANDWIDTH=%llu,AVERAGE-BANDWIDTH=%llu",
                                &bw, &avg), 2);
        for (uint32_t n = 0; n < 10; n++) {
            uint64_t b = ts_segment_bits(f, v, audio, n, &dur);
            uint64_t bps = b * MP_TIMESCALE_10M / dur;
            peak = bps > peak ? bps : peak;
            bits += b;
            total_10m += dur;
        }
        uint64_t mean = bits * MP_TIMESCALE_10M / total_10m;
        assert_true(bw >= peak);
        assert_true(avg * 10 >= mean * 9 && avg * 10 <= mean * 11);
    }
    free(m);
    fx_free(f);
}

static void test_hls_master_audio_only_and_video_only(void **state)
{
    (void) state;
    fixture_t *f = fx_new(0, 1, 60);
    hls_params_t hp = { .format = MP_FMT_HLS_CMAF, .audio_only = 1 };
    char *m = render(wr_master, f, &hp);
    assert_null(strstr(m, "#EXT-X-MEDIA"));
    assert_int_equal(count_of(m, "#EXT-X-STREAM-INF:"), 3);
    assert_int_equal(count_of(m, ",CODECS=\"mp4a.40.2\"\n"), 3);
    assert_contains(m, "QualityLevels(128000)/Manifest(audio_fra,format=m3u8-cmaf)\n");
    free(m);
    fx_free(f);

    f = fx_new(1, 0, 60);
    m = render(wr_master, f, &hp);
    assert_int_equal(count_of(m, "#EXT-X-STREAM-INF:"), 2);
    assert_int_equal(count_of(m, ",CODECS=\"avc1.64001f\""), 2);
    assert_null(strstr(m, "AUDIO="));
    free(m);
    fx_free(f);
}

/* Check a media playlist: EXTINF count, their sum against the track span,
 * TARGETDURATION against every EXTINF, and the first fragment URL. */
static void check_media_playlist(const fixture_t *f, const mp_pres_track_t *t, mp_format_t fmt)
{
    media_arg_t arg = { t, { .format = fmt, .audio_only = 1 } };
    char *m = render(wr_media, f, &arg);
    mp_seg_t *segs = calloc(f->tl.count, sizeof(*segs));
    uint32_t n = mp_track_segments(t, &f->tl, segs);
    unsigned target = 0;
    const char *p = strstr(m, "#EXT-X-TARGETDURATION:");
    assert_non_null(p);
    assert_int_equal(sscanf(p, "#EXT-X-TARGETDURATION:%u", &target), 1);
    uint64_t sum_ms = 0;
    int count = 0;
    for (p = strstr(m, "#EXTINF:"); p != NULL; p = strstr(p + 1, "#EXTINF:"), count++) {
        unsigned sec, ms;
        assert_int_equal(sscanf(p, "#EXTINF:%u.%3u,", &sec, &ms), 2);
        assert_true((sec * 1000 + ms + 500) / 1000 <= target);
        sum_ms += sec * 1000 + ms;
    }
    assert_int_equal(count, n);
    uint64_t span_ms = (track_span_10m(t) + 5000) / 10000;
    assert_true(sum_ms + 1 >= span_ms && sum_ms <= span_ms + 1);
    char first[96];
    snprintf(first, sizeof(first), "Fragments(%s=%llu,format=%s)\n", t->name,
             (unsigned long long) segs[0].start_10m, mp_format_name(fmt));
    assert_contains(m, first);
    assert_contains(m, "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    assert_int_equal(strstr(m, "#EXT-X-MAP:URI=\"Fragments(") != NULL, fmt != MP_FMT_HLS_TS);
    assert_non_null(strstr(m, "#EXT-X-ENDLIST\n"));
    free(segs);
    free(m);
}

static void test_hls_media_playlists(void **state)
{
    (void) state;
    fixture_t *f = fx_new(1, 1, 60);
    for (uint32_t i = 0; i < f->p.count; i++) {
        check_media_playlist(f, &f->p.tracks[i], MP_FMT_HLS_V4);
        check_media_playlist(f, &f->p.tracks[i], MP_FMT_HLS_TS);
    }
    media_arg_t arg = { fx_track(f, "video", 3000000), { .format = MP_FMT_HLS_V4, .audio_only = 1 } };
    char *m = render(wr_media, f, &arg);
    assert_true(strncmp(m, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n", 49) == 0);
    assert_contains(m, "#EXT-X-MAP:URI=\"Fragments(video=i,format=m3u8-aapl)\"\n"
                       "#EXTINF:2.000,\nFragments(video=0,format=m3u8-aapl)\n"
                       "#EXTINF:2.000,\nFragments(video=20000000,format=m3u8-aapl)\n");
    assert_int_equal(count_of(m, "#EXTINF:"), 10);
    free(m);
    fx_free(f);
}

static void test_writer_errors(void **state)
{
    (void) state;
    fixture_t *f = fx_new(1, 1, 60);
    hls_params_t hp = { .format = MP_FMT_DASH_CSF, .audio_only = 0 };
    mp_wr_t w;
    mp_wr_init_count(&w);
    assert_int_equal(hls_write_master(&w, &f->p, &hp), MP_ERR_BAD_REQUEST);
    assert_int_equal(hls_write_media(&w, &f->p, &f->p.tracks[0], &f->tl, &hp),
                     MP_ERR_BAD_REQUEST);
    mp_presentation_t empty;
    memset(&empty, 0, sizeof(empty));
    hp.format = MP_FMT_HLS_V4;
    assert_int_equal(hls_write_master(&w, &empty, &hp), MP_ERR_BAD_MEDIA);
    uint8_t small[64];                      /* a fixed buffer that overflows */
    mp_wr_init_fixed(&w, small, sizeof(small));
    assert_int_equal(hls_write_master(&w, &f->p, &hp), MP_ERR_NO_MEMORY);
    mp_wr_init_fixed(&w, small, sizeof(small));
    assert_int_equal(dash_write_mpd(&w, &f->p, &f->tl, MP_FMT_DASH_CSF, NULL), MP_ERR_NO_MEMORY);
    mp_wr_init_fixed(&w, small, sizeof(small));
    assert_int_equal(mss_write_manifest(&w, &f->p, &f->tl, NULL), MP_ERR_NO_MEMORY);
    assert_int_equal(dash_write_mpd(&w, &f->p, &f->tl, MP_FMT_HLS_V4, NULL), MP_ERR_BAD_REQUEST);
    fx_free(f);
}

/* ---- DASH --------------------------------------------------------------- */

/* Sum of d * (r + 1) over the <S> elements of the timeline starting at p;
 * *t0 gets the first t=. */
static uint64_t dash_timeline_sum(const char *p, uint64_t *t0)
{
    const char *end = strstr(p, "</SegmentTimeline>");
    uint64_t sum = 0;
    assert_non_null(end);
    assert_int_equal(sscanf(strstr(p, "<S "), "<S t=\"%llu\"", (unsigned long long *) t0), 1);
    for (p = strstr(p, "<S "); p != NULL && p < end; p = strstr(p + 1, "<S ")) {
        unsigned long long d = 0, r = 0;
        const char *dp = strstr(p, " d=\""), *rp = strstr(p, " r=\""), *close = strstr(p, "/>");
        assert_int_equal(sscanf(dp, " d=\"%llu\"", &d), 1);
        if (rp != NULL && rp < close) {
            assert_int_equal(sscanf(rp, " r=\"%llu\"", &r), 1);
        }
        sum += d * (r + 1);
    }
    return sum;
}

static void test_dash_mpd(void **state)
{
    (void) state;
    fixture_t *f = fx_new(1, 1, 60);
    mp_format_t fmt = MP_FMT_DASH_CSF;
    char *m = render(wr_mpd, f, &fmt);
    assert_well_formed_xml(m);
    assert_contains(m, "profiles=\"urn:mpeg:dash:profile:isoff-live:2011\"");
    assert_contains(m, "type=\"static\"");
    /* duration and offset count from the presentation start (after edit lists) */
    char expect[96];
    uint64_t ms = (f->p.end_10m - f->p.start_10m + 5000) / 10000;
    snprintf(expect, sizeof(expect), "mediaPresentationDuration=\"PT%llu.%03lluS\"",
             (unsigned long long) (ms / 1000), (unsigned long long) (ms % 1000));
    assert_contains(m, expect);
    assert_true(f->p.start_10m > 0);
    snprintf(expect, sizeof(expect), "presentationTimeOffset=\"%llu\">",
             (unsigned long long) f->p.start_10m);
    assert_int_equal(count_of(m, expect), 3);
    assert_contains(m, "minBufferTime=\"PT2S\"");
    assert_int_equal(count_of(m, "<AdaptationSet "), 3);
    assert_int_equal(count_of(m, "<SegmentTemplate "), 3);
    assert_int_equal(count_of(m, "<Representation "), 5);
    assert_contains(m, "contentType=\"video\" mimeType=\"video/mp4\" segmentAlignment=\"true\" "
                       "startWithSAP=\"1\" maxWidth=\"1280\" maxHeight=\"720\"");
    assert_contains(m, "<SegmentTemplate timescale=\"10000000\" media=\"QualityLevels($Bandwidth$)"
                       "/Fragments(video=$Time$,format=mpd-time-csf)\" initialization=\""
                       "QualityLevels($Bandwidth$)/Fragments(video=i,format=mpd-time-csf)\" "
                       "presentationTimeOffset=");
    assert_contains(m, "<S t=\"0\" d=\"20000000\" r=\"9\"/>");
    assert_contains(m, "<Representation id=\"video_3000000\" bandwidth=\"3000000\" "
                       "codecs=\"avc1.64001f\" width=\"1280\" height=\"720\" frameRate=\"30\" "
                       "sar=\"1:1\">");
    assert_contains(m, "bandwidth=\"1000000\" codecs=\"avc1.64001f\" width=\"640\"");
    assert_int_equal(count_of(m, "lang=\"en\""), 1);
    assert_int_equal(count_of(m, "lang=\"fr\""), 1);
    assert_int_equal(count_of(m, "<Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"main\"/>"),
                     1);
    assert_int_equal(count_of(m, "audio_channel_configuration:2011\" value=\"2\"/>"), 3);
    assert_contains(m, "Fragments(audio_eng=$Time$,format=mpd-time-csf)");
    assert_contains(m, "audioSamplingRate=\"48000\"");

    /* Each set's timeline covers its tracks from their first segment on. */
    const mp_pres_track_t *tracks[] = { fx_track(f, "video", 0), fx_track(f, "audio_eng", 0),
                                        fx_track(f, "audio_fra", 0) };
    const char *p = m;
    for (int i = 0; i < 3; i++) {
        uint64_t t0;
        p = strstr(p, "<SegmentTimeline>");
        assert_int_equal(dash_timeline_sum(p, &t0), track_span_10m(tracks[i]));
        assert_int_equal(t0, first_seg_start(f, tracks[i]));
        p++;
    }
    free(m);

    fmt = MP_FMT_DASH_CMAF;
    m = render(wr_mpd, f, &fmt);
    assert_well_formed_xml(m);
    assert_contains(m, "profiles=\"urn:mpeg:dash:profile:isoff-live:2011,"
                       "urn:mpeg:dash:profile:cmaf:2019\"");
    assert_contains(m, "Fragments(video=$Time$,format=mpd-time-cmaf)");
    free(m);
    fx_free(f);
}

/* Renditions whose GOPs do not line up get a SegmentTemplate each. */
static void test_dash_unaligned_renditions(void **state)
{
    (void) state;
    fixture_t *f = fx_new(1, 0, 45);
    mp_format_t fmt = MP_FMT_DASH_CSF;
    char *m = render(wr_mpd, f, &fmt);
    assert_well_formed_xml(m);
    assert_int_equal(count_of(m, "<AdaptationSet "), 1);
    assert_int_equal(count_of(m, "<SegmentTemplate "), 2);
    const char *rep = strstr(m, "<Representation ");
    assert_non_null(rep);
    assert_non_null(strstr(rep, "<SegmentTemplate "));
    free(m);
    fx_free(f);
}

/* ---- Smooth ------------------------------------------------------------- */

/* Sum of d * r over the <c> elements of the StreamIndex starting at p; the
 * first <c> must carry t=, returned in *t0. */
static uint64_t mss_chunks_sum(const char *p, uint64_t *t0, unsigned *elements)
{
    const char *end = strstr(p, "</StreamIndex>");
    uint64_t sum = 0;
    const char *c = strstr(p, "<c ");
    assert_non_null(c);
    assert_int_equal(sscanf(c, "<c t=\"%llu\"", (unsigned long long *) t0), 1);
    *elements = 0;
    for (; c != NULL && c < end; c = strstr(c + 1, "<c ")) {
        unsigned long long d = 0, r = 1;
        const char *rp = strstr(c, " r=\""), *close = strstr(c, "/>");
        assert_int_equal(sscanf(strstr(c, " d=\""), " d=\"%llu\"", &d), 1);
        if (rp != NULL && rp < close) {
            assert_int_equal(sscanf(rp, " r=\"%llu\"", &r), 1);
        }
        sum += d * r;
        *elements += (unsigned) r;
    }
    return sum;
}

static void test_mss_manifest(void **state)
{
    (void) state;
    fixture_t *f = fx_new(1, 1, 60);
    char *m = render(wr_mss, f, NULL);
    assert_well_formed_xml(m);
    char head[160];
    snprintf(head, sizeof(head), "<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"2\" "
             "Duration=\"%llu\" TimeScale=\"10000000\">", (unsigned long long) f->p.duration_10m);
    assert_contains(m, head);
    assert_int_equal(count_of(m, "<StreamIndex "), 3);
    assert_contains(m, "<StreamIndex Type=\"video\" Name=\"video\" Chunks=\"10\" "
                       "QualityLevels=\"2\" Url=\"QualityLevels({bitrate})/Fragments(video="
                       "{start time})\" MaxWidth=\"1280\" MaxHeight=\"720\" DisplayWidth=\"1280\" "
                       "DisplayHeight=\"720\">");
    assert_contains(m, "<QualityLevel Index=\"0\" Bitrate=\"3000000\" FourCC=\"H264\" "
                       "MaxWidth=\"1280\" MaxHeight=\"720\" "
                       "CodecPrivateData=\"000000016764001F0000000168EE\"/>");
    assert_contains(m, "<QualityLevel Index=\"1\" Bitrate=\"1000000\" FourCC=\"H264\"");
    assert_contains(m, "<StreamIndex Type=\"audio\" Name=\"audio_eng\" Language=\"eng\" "
                       "Chunks=\"10\" QualityLevels=\"2\" Url=\"QualityLevels({bitrate})/"
                       "Fragments(audio_eng={start time})\">");
    assert_contains(m, "Bitrate=\"128000\" FourCC=\"AACL\" SamplingRate=\"48000\" Channels=\"2\" "
                       "BitsPerSample=\"16\" PacketSize=\"4\" AudioTag=\"255\" "
                       "CodecPrivateData=\"1190\"/>");
    assert_contains(m, "<c t=\"0\" d=\"20000000\" r=\"10\"/>");

    const mp_pres_track_t *tracks[] = { fx_track(f, "video", 0), fx_track(f, "audio_eng", 0),
                                        fx_track(f, "audio_fra", 0) };
    const char *p = m;
    for (int i = 0; i < 3; i++) {
        uint64_t t0;
        unsigned chunks, declared;
        p = strstr(p, "<StreamIndex ");
        assert_int_equal(sscanf(strstr(p, "Chunks=\""), "Chunks=\"%u\"", &declared), 1);
        assert_int_equal(mss_chunks_sum(p, &t0, &chunks), track_span_10m(tracks[i]));
        assert_int_equal(t0, first_seg_start(f, tracks[i]));
        assert_int_equal(chunks, declared);
        p++;
    }
    free(m);
    fx_free(f);
}

static void test_mss_bad_avcc(void **state)
{
    (void) state;
    fixture_t *f = fx_new(1, 0, 60);
    mp_track_t *t = (mp_track_t *) f->p.tracks[0].track;
    t->config_len = 9;                      /* SPS length runs past the end */
    mp_wr_t w;
    mp_wr_init_count(&w);
    assert_int_equal(mss_write_manifest(&w, &f->p, &f->tl, NULL), MP_ERR_BAD_MEDIA);
    fx_free(f);
}

/* ---- other codecs ------------------------------------------------------- */

/* hvcC: 22 header bytes, then VPS, SPS and PPS arrays of one NAL each. */
static const uint8_t hvcc[] = { 1, 1, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0x5d, 0xf0, 0, 0xfc,
                                0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 3,
                                0xa0, 0, 1, 0, 2, 0x40, 0x01,
                                0xa1, 0, 1, 0, 2, 0x42, 0x01,
                                0xa2, 0, 1, 0, 2, 0x44, 0x01 };
static const uint8_t dec3[] = { 0x07, 0x00, 0x20, 0x0f, 0x00 };

/* One file: HEVC video, AAC and E-AC-3 audio (two codec families). */
static fixture_t *fx_new_hevc_ec3(void)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    tb_track_t specs[] = { tb_video(1920, 1080, 90000, 60), tb_audio("eng", 341),
                           tb_audio("eng", 1000) };
    specs[0].codec = MP_CODEC_HEVC;
    specs[0].codecs = "hvc1.1.6.L93.90";
    specs[0].config = hvcc;
    specs[0].config_len = sizeof(hvcc);
    specs[2].codec = MP_CODEC_EAC3;
    specs[2].codecs = "ec-3";
    specs[2].config = dec3;
    specs[2].config_len = sizeof(dec3);
    f->files[0] = tb_build(specs, 3);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(mp_presentation_add(&f->p, f->files[0], i, 0, 0, ""), MP_OK);
    }
    mp_presentation_finish(&f->p);
    assert_int_equal(mp_timeline_build(&f->p, TARGET_10M, &f->tl), MP_OK);
    return f;
}

static void test_mss_hevc_and_dolby(void **state)
{
    (void) state;
    fixture_t *f = fx_new_hevc_ec3();
    char *m = render(wr_mss, f, NULL);
    assert_well_formed_xml(m);
    assert_contains(m, "FourCC=\"HVC1\" MaxWidth=\"1920\" MaxHeight=\"1080\" "
                       "CodecPrivateData=\"000000014001000000014201000000014401\"/>");
    assert_contains(m, "FourCC=\"EC-3\" SamplingRate=\"48000\" Channels=\"2\" "
                       "BitsPerSample=\"16\" PacketSize=\"4\" AudioTag=\"65534\" "
                       "CodecPrivateData=\"000603000000AF87FBA7022DFB42A4D405CD93843BDD"
                       "0700200F00\"/>");
    /* Both audio tracks are "audio_eng": one StreamIndex, two QualityLevels. */
    assert_int_equal(count_of(m, "<StreamIndex "), 2);
    free(m);
    fx_free(f);
}

/* Two audio codec families: one rendition group each, every video variant
 * offered with each group. */
static void test_hls_mixed_audio_groups(void **state)
{
    (void) state;
    fixture_t *f = fx_new_hevc_ec3();
    hls_params_t hp = { .format = MP_FMT_HLS_CMAF, .audio_only = 1 };
    char *m = render(wr_master, f, &hp);
    assert_contains(m, "GROUP-ID=\"audio_aac\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES");
    assert_contains(m, "GROUP-ID=\"audio_ec3\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES");
    assert_int_equal(count_of(m, "#EXT-X-STREAM-INF:"), 2);
    assert_contains(m, "CODECS=\"hvc1.1.6.L93.90,mp4a.40.2\",RESOLUTION=1920x1080,"
                       "FRAME-RATE=30.000,AUDIO=\"audio_aac\"\n");
    assert_contains(m, "CODECS=\"hvc1.1.6.L93.90,ec-3\",RESOLUTION=1920x1080,"
                       "FRAME-RATE=30.000,AUDIO=\"audio_ec3\"\n");
    free(m);

    mp_format_t fmt = MP_FMT_DASH_CSF;
    m = render(wr_mpd, f, &fmt);
    assert_well_formed_xml(m);
    assert_int_equal(count_of(m, "<AdaptationSet "), 3);      /* video, AAC, E-AC-3 */
    free(m);
    fx_free(f);
}

/* ---- shared helpers ----------------------------------------------------- */

/* A live archive (mp_timeline_live): the segment after the last key frame is
 * still being written and is not listed; a 6 s DVR window keeps the last three
 * 2 s segments; HLS has no end and a moving media sequence, DASH is dynamic,
 * Smooth is live. */
static void test_live_manifests(void **state)
{
    (void) state;
    fixture_t *f = fx_new(1, 1, 60);
    mp_live_t live = { .start_ms = 0, .now_ms = 1800000018000LL,      /* no anchor: now */
                       .window_10m = 60000000 };
    mp_timeline_live(&f->tl, &live);
    assert_int_equal(f->tl.first_no, 6);
    assert_int_equal(f->tl.count, 4);
    assert_int_equal(f->tl.end_10m, 180000000);

    media_arg_t arg = { fx_track(f, "video", 3000000), { .format = MP_FMT_HLS_V4 } };
    char *m = render(wr_media, f, &arg);
    assert_contains(m, "#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:6\n#EXT-X-MAP:");
    assert_contains(m, "#EXTINF:2.000,\nFragments(video=120000000,format=m3u8-aapl)\n"
                       "#EXTINF:2.000,\nFragments(video=140000000,format=m3u8-aapl)\n"
                       "#EXTINF:2.000,\nFragments(video=160000000,format=m3u8-aapl)\n");
    assert_int_equal(count_of(m, "#EXTINF:"), 3);
    assert_null(strstr(m, "ENDLIST"));
    assert_null(strstr(m, "PLAYLIST-TYPE"));
    free(m);
    media_arg_t audio = { &f->p.tracks[f->p.count - 1], { .format = MP_FMT_HLS_V4 } };
    assert_int_equal(audio.t->track->type, MP_TRACK_AUDIO);
    m = render(wr_media, f, &audio);
    assert_int_equal(count_of(m, "#EXTINF:"), 3);
    assert_contains(m, "#EXT-X-MEDIA-SEQUENCE:6\n");
    free(m);

    /* segments: in the window yes; before it, or still growing, no */
    mp_seg_t seg;
    const mp_pres_track_t *v = fx_track(f, "video", 3000000);
    assert_int_equal(mp_track_segment_at(v, &f->tl, 160000000, &seg), MP_OK);
    assert_int_equal(seg.duration_10m, 20000000);
    assert_int_equal(mp_track_segment_at(v, &f->tl, 180000000, &seg), MP_ERR_NOT_FOUND);
    assert_int_equal(mp_track_segment_at(v, &f->tl, 100000000, &seg), MP_ERR_NOT_FOUND);

    mp_format_t fmt = MP_FMT_DASH_CSF;
    m = render(wr_mpd, f, &fmt);
    assert_well_formed_xml(m);
    assert_contains(m, " type=\"dynamic\" availabilityStartTime=\"2027-01-15T08:00:00.000Z\""
                       " publishTime=\"2027-01-15T08:00:18.000Z\" minimumUpdatePeriod=\"PT2S\""
                       " timeShiftBufferDepth=\"PT6.000S\""
                       " suggestedPresentationDelay=\"PT8.000S\"");
    assert_contains(m, "<UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:direct:2014\" "
                       "value=\"2027-01-15T08:00:18.000Z\"/>\n</MPD>");
    assert_contains(m, "t=\"120000000\"");
    assert_null(strstr(m, "mediaPresentationDuration"));
    assert_null(strstr(m, "t=\"100000000\""));
    free(m);
    /* anchored (the wall-clock time of timeline time 0, as the origin
     * derives it from the archive's mtime): constant whatever now is */
    char ast[96];
    snprintf(ast, sizeof(ast), " availabilityStartTime=\"2027-01-15T08:00:00.%03dZ\"",
             (int) (f->p.start_10m / 10000));
    live.start_ms = 1800000000000LL;
    for (int k = 0; k < 2; k++) {
        live.now_ms = 1800000018000LL + 1234 * k;
        m = render(wr_mpd, f, &fmt);
        assert_contains(m, ast);
        free(m);
    }
    live.start_ms = 0;

    m = render(wr_mss, f, NULL);
    assert_well_formed_xml(m);
    assert_contains(m, "Duration=\"0\" TimeScale=\"10000000\" IsLive=\"TRUE\" "
                       "DVRWindowLength=\"60000000\" LookAheadFragmentCount=\"0\">");
    assert_contains(m, "t=\"120000000\"");
    assert_null(strstr(m, "t=\"100000000\""));
    free(m);
    fx_free(f);

    /* no window: everything but the growing segment */
    f = fx_new(1, 1, 60);
    live.window_10m = 0;
    mp_timeline_live(&f->tl, &live);
    m = render(wr_media, f, &(media_arg_t) { fx_track(f, "video", 3000000), { .format = MP_FMT_HLS_TS } });
    assert_contains(m, "#EXT-X-MEDIA-SEQUENCE:0\n");
    assert_int_equal(count_of(m, "#EXTINF:"), 9);
    free(m);
    fx_free(f);
}

/* Live: a track written behind the reference (the archive's audio file is
 * cut into 2 s fragments apart from the video's GOPs, so it may end short of
 * the last boundary) lists no segment its file has not reached the end of:
 * a listed segment never grows later. */
static void test_live_track_written_behind(void **state)
{
    (void) state;
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    tb_track_t specs[] = { tb_video(1280, 720, 50000, 60), tb_audio("eng", 341) };
    specs[1].samples = 600;                 /* 12.8 s of audio beside 20 s of video */
    f->files[0] = tb_build(specs, 2);
    assert_int_equal(mp_presentation_add(&f->p, f->files[0], 0, 0, 3000000, ""), MP_OK);
    assert_int_equal(mp_presentation_add(&f->p, f->files[0], 1, 0, 128000, ""), MP_OK);
    mp_presentation_finish(&f->p);
    assert_int_equal(mp_timeline_build(&f->p, TARGET_10M, &f->tl), MP_OK);
    mp_live_t live = { .start_ms = 1800000000000LL, .now_ms = 1800000020000LL, .window_10m = 0 };
    mp_timeline_live(&f->tl, &live);

    mp_seg_t segs[16], seg;
    const mp_pres_track_t *v = &f->p.tracks[0], *a = &f->p.tracks[1];
    assert_int_equal(a->track->type, MP_TRACK_AUDIO);
    assert_int_equal(mp_track_segments(v, &f->tl, segs), 9);          /* 0-18 s, 2 s each */
    uint32_t n = mp_track_segments(a, &f->tl, segs);
    assert_int_equal(n, 6);                                            /* 0-12 s */
    assert_true(segs[n - 1].start_10m + segs[n - 1].duration_10m <= 120000000 + 300000);
    assert_int_equal(mp_track_segment_at(a, &f->tl, segs[n - 1].start_10m, &seg), MP_OK);
    assert_int_equal(seg.duration_10m, segs[n - 1].duration_10m);
    /* the one the file is inside of: not yet */
    assert_int_equal(mp_track_segment_at(a, &f->tl, segs[n - 1].start_10m + segs[n - 1].duration_10m,
                                         &seg), MP_ERR_NOT_FOUND);

    /* on demand the same file's last segment runs to its end */
    f->tl.closed = 0;
    f->tl.live = NULL;
    assert_int_equal(mp_track_segments(a, &f->tl, segs), 7);
    fx_free(f);
}

static void test_languages(void **state)
{
    (void) state;
    assert_string_equal(mp_lang_tag("eng"), "en");
    assert_string_equal(mp_lang_tag("fre"), "fr");
    assert_string_equal(mp_lang_tag("en"), "en");
    assert_string_equal(mp_lang_tag("pt-BR"), "pt-BR");
    assert_string_equal(mp_lang_tag("xyz"), "xyz");
    assert_string_equal(mp_lang_tag(""), "und");
    assert_string_equal(mp_lang_name("ger"), "German");
    assert_string_equal(mp_lang_name("en-US"), "English");
    assert_null(mp_lang_name("xyz"));
    assert_null(mp_lang_name(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hls_master_fmp4),
        cmocka_unit_test(test_hls_master_ts),
        cmocka_unit_test(test_hls_ts_bandwidth_covers_muxed_segments),
        cmocka_unit_test(test_hls_master_audio_only_and_video_only),
        cmocka_unit_test(test_hls_media_playlists),
        cmocka_unit_test(test_writer_errors),
        cmocka_unit_test(test_dash_mpd),
        cmocka_unit_test(test_dash_unaligned_renditions),
        cmocka_unit_test(test_mss_manifest),
        cmocka_unit_test(test_mss_bad_avcc),
        cmocka_unit_test(test_mss_hevc_and_dolby),
        cmocka_unit_test(test_hls_mixed_audio_groups),
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_live_manifests),
        cmocka_unit_test(test_live_track_written_behind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
