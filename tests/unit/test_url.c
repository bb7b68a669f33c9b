/*
 * test_url.c — mp_url_parse, the AMS dynamic-packaging URL grammar: every
 * accepted form (manifests in each format, HLS media playlists, fragments by
 * time and init segments, progressive .mp4, case-insensitive keywords,
 * player-friendly .m3u8/.mpd suffixes) with the fields it yields, and the
 * rejections with their status (400 for malformed requests, 404 for
 * non-packaging URLs).  Inputs are copied to exact-size buffers so ASan sees
 * reads past the URI.
 */
#include "unit_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url/mp_url.h"

static char err[MP_ERR_LEN];

/* Parse uri from a buffer holding exactly its bytes (no NUL). */
static int parse(const char *uri, mp_request_t *r)
{
    size_t len = strlen(uri);
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, uri, len);
    memset(err, 0, sizeof(err));
    int rc = mp_url_parse(copy, len, r, err, sizeof(err));
    if (rc == MP_OK) {
        /* the asset points into the URI: re-point at the caller's string */
        assert_true(r->asset >= copy && r->asset + r->asset_len <= copy + len);
        r->asset = uri + (r->asset - copy);
    } else {
        assert_true(err[0] != '\0');
    }
    free(copy);
    return rc;
}

static mp_request_t ok(const char *uri)
{
    mp_request_t r;
    int rc = parse(uri, &r);
    if (rc != MP_OK) {
        fail_msg("%s: rc %d (%s)", uri, rc, err);
    }
    return r;
}

static void rejected(const char *uri, int want, const char *reason)
{
    mp_request_t r;
    int rc = parse(uri, &r);
    if (rc != want) {
        fail_msg("%s: rc %d, expected %d (%s)", uri, rc, want, err);
    }
    if (reason != NULL && strstr(err, reason) == NULL) {
        fail_msg("%s: reason \"%s\", expected \"%s\"", uri, err, reason);
    }
}

static void assert_asset(const mp_request_t *r, const char *asset, int is_ism)
{
    assert_int_equal(r->asset_len, strlen(asset));
    assert_memory_equal(r->asset, asset, r->asset_len);
    assert_int_equal(r->asset_is_ism, is_ism);
}

static void test_manifests(void **state)
{
    (void) state;
    mp_request_t r = ok("/media/show/show.ism/Manifest");
    assert_asset(&r, "/media/show/show.ism", 1);
    assert_int_equal(r.kind, MP_REQ_MANIFEST);
    assert_int_equal(r.format, MP_FMT_SMOOTH);
    assert_int_equal(r.audio_only, 1);
    assert_int_equal(r.bitrate, 0);
    assert_string_equal(r.stream, "");

    static const struct { const char *uri; mp_format_t format; } forms[] = {
        { "/a/b.ism/Manifest(format=m3u8-aapl)", MP_FMT_HLS_V4 },
        { "/a/b.ism/manifest(format=m3u8-cmaf)", MP_FMT_HLS_CMAF },
        { "/a/b.ism/MANIFEST(format=m3u8-aapl-v3)", MP_FMT_HLS_TS },
        { "/a/b.ism/Manifest(format=mpd-time-csf)", MP_FMT_DASH_CSF },
        { "/a/b.ism/Manifest(format=mpd-time-cmaf)", MP_FMT_DASH_CMAF },
        { "/a/b.ism/Manifest(format=M3U8-AAPL)", MP_FMT_HLS_V4 },
        { "/a/b.ism/Manifest(format=m3u8-aapl).m3u8", MP_FMT_HLS_V4 },
        { "/a/b.ism/Manifest(format=mpd-time-cmaf).mpd", MP_FMT_DASH_CMAF },
        { "/a/b.ism/Manifest()", MP_FMT_SMOOTH },
        { "/a/b.ism/Manifest(filter=x,format=mpd-time-csf,encryption=cbc)", MP_FMT_DASH_CSF },
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        r = ok(forms[i].uri);
        assert_int_equal(r.kind, MP_REQ_MANIFEST);
        if (r.format != forms[i].format) {
            fail_msg("%s: format %d, expected %d", forms[i].uri, r.format, forms[i].format);
        }
        assert_asset(&r, "/a/b.ism", 1);
    }

    r = ok("/a/b.ism/Manifest(format=m3u8-aapl-v3,audio-only=false)");
    assert_int_equal(r.format, MP_FMT_HLS_TS);
    assert_int_equal(r.audio_only, 0);
    r = ok("/a/b.ism/Manifest(audio-only=TRUE,format=m3u8-aapl-v3)");
    assert_int_equal(r.audio_only, 1);
    assert_int_equal(r.encryption, MP_ENC_ANY);
    r = ok("/a/b.ism/Manifest(format=m3u8-aapl,encryption=cbc)");
    assert_int_equal(r.encryption, MP_ENC_CBC);
    r = ok("/a/b.ism/Manifest(format=mpd-time-csf,encryption=CENC)");
    assert_int_equal(r.encryption, MP_ENC_CENC);
    r = ok("/a/b.ism/QualityLevels(1)/Fragments(video=0,format=m3u8-aapl,encryption=cbcs-aapl)");
    assert_int_equal(r.encryption, MP_ENC_CBCS);

    /* a single .mp4 addressed like an asset, and ".ISM" in capitals */
    r = ok("/v/clip.mp4/Manifest(format=mpd-time-csf)");
    assert_asset(&r, "/v/clip.mp4", 0);
    assert_int_equal(r.format, MP_FMT_DASH_CSF);
    r = ok("/v/CLIP.ISM/manifest");
    assert_asset(&r, "/v/CLIP.ISM", 1);
    /* ".ism" inside a directory name does not end the asset */
    r = ok("/v/x.ismv/b.ism/Manifest");
    assert_asset(&r, "/v/x.ismv/b.ism", 1);
}

static void test_playlists_and_fragments(void **state)
{
    (void) state;
    mp_request_t r = ok("/a/b.ism/QualityLevels(2500000)/Manifest(video,format=m3u8-aapl)");
    assert_int_equal(r.kind, MP_REQ_PLAYLIST);
    assert_int_equal(r.format, MP_FMT_HLS_V4);
    assert_int_equal(r.bitrate, 2500000);
    assert_string_equal(r.stream, "video");

    r = ok("/a/b.ism/qualitylevels(128000)/manifest(audio_eng,format=m3u8-aapl-v3).m3u8");
    assert_int_equal(r.kind, MP_REQ_PLAYLIST);
    assert_int_equal(r.format, MP_FMT_HLS_TS);
    assert_string_equal(r.stream, "audio_eng");

    r = ok("/a/b.ism/QualityLevels(2500000)/Fragments(video=123)");
    assert_int_equal(r.kind, MP_REQ_FRAGMENT);
    assert_int_equal(r.format, MP_FMT_SMOOTH);
    assert_int_equal(r.time_10m, 123);
    assert_int_equal(r.bitrate, 2500000);
    assert_string_equal(r.stream, "video");

    r = ok("/a/b.ism/QualityLevels(128000)/Fragments(audio_eng=i,format=mpd-time-csf)");
    assert_int_equal(r.kind, MP_REQ_INIT);
    assert_int_equal(r.format, MP_FMT_DASH_CSF);
    assert_string_equal(r.stream, "audio_eng");

    r = ok("/a/b.ism/QualityLevels(1)/FRAGMENTS(audio-2=20000000,format=m3u8-aapl-v3)");
    assert_int_equal(r.kind, MP_REQ_FRAGMENT);
    assert_int_equal(r.format, MP_FMT_HLS_TS);
    assert_int_equal(r.time_10m, 20000000);
    assert_string_equal(r.stream, "audio-2");

    r = ok("/a/b.ism/QualityLevels(4294967295)/Fragments(video=18446744073709551615,format=m3u8-cmaf)");
    assert_int_equal(r.bitrate, UINT32_MAX);
    assert_int_equal(r.time_10m, UINT64_MAX);
    r = ok("/a/b.ism/QualityLevels(0)/Fragments(video=0,format=m3u8-cmaf)");
    assert_int_equal(r.bitrate, 0);
    assert_int_equal(r.time_10m, 0);
    r = ok("/a/b.ism/QualityLevels(1)/Fragments(video=I,format=m3u8-cmaf)");
    assert_int_equal(r.kind, MP_REQ_INIT);
    r = ok("/a/b.ism/QualityLevels(1)/Fragments(abcdefghijklmnopqrstuvwxyz01234=5)");
    assert_string_equal(r.stream, "abcdefghijklmnopqrstuvwxyz01234");      /* 31 characters */
}

static void test_progressive(void **state)
{
    (void) state;
    mp_request_t r = ok("/media/clip.mp4");
    assert_int_equal(r.kind, MP_REQ_FILE);
    assert_asset(&r, "/media/clip.mp4", 0);
    r = ok("/media/clip.MP4/");
    assert_int_equal(r.kind, MP_REQ_FILE);
}

static void test_rejections(void **state)
{
    (void) state;
    /* 404: not a packaging URL */
    rejected("/a/b.ism", MP_ERR_NOT_FOUND, "never served raw");
    rejected("/a/b.ism/", MP_ERR_NOT_FOUND, "never served raw");
    rejected("/a/b.txt", MP_ERR_NOT_FOUND, "not an .ism or .mp4 URL");
    rejected("", MP_ERR_NOT_FOUND, NULL);
    rejected("/a/b.ismc", MP_ERR_NOT_FOUND, NULL);
    rejected("/a/b.ism/Other", MP_ERR_NOT_FOUND, "not a packaging URL");
    rejected("/a/b.ism/QualityLevels/Manifest(video,format=m3u8-aapl)", MP_ERR_NOT_FOUND, NULL);
    rejected("/a/b.ism/QualityLevels(1)/Fragments", MP_ERR_NOT_FOUND, NULL);
    rejected("/a/b.ism/QualityLevels(1)/Fragments(video=1)/x", MP_ERR_NOT_FOUND, NULL);
    rejected("/a/b.ism/QualityLevels(1)/Other(video=1)", MP_ERR_NOT_FOUND, NULL);
    rejected("/a/b.ism/Manifest/x", MP_ERR_NOT_FOUND, NULL);

    /* 400: unknown format and bad options */
    rejected("/a/b.ism/Manifest(format=hls)", MP_ERR_BAD_REQUEST, "unknown format 'hls'");
    rejected("/a/b.ism/Manifest(format=)", MP_ERR_BAD_REQUEST, "unknown format");
    rejected("/a/b.ism/Manifest(format)", MP_ERR_BAD_REQUEST, "without '='");
    rejected("/a/b.ism/Manifest(audio-only=maybe)", MP_ERR_BAD_REQUEST, "audio-only");
    rejected("/a/b.ism/Manifest(encryption=none)", MP_ERR_BAD_REQUEST, "encryption");
    rejected("/a/b.ism/QualityLevels(1)/Fragments(video=1,format=dash)", MP_ERR_BAD_REQUEST,
             "unknown format");

    /* 400: missing or unbalanced parentheses, extra text */
    rejected("/a/b.ism/Manifest(format=m3u8-aapl", MP_ERR_BAD_REQUEST, "unbalanced parentheses");
    rejected("/a/b.ism/Manifest(format=m3u8-aapl).txt", MP_ERR_BAD_REQUEST, "unbalanced");
    /* under QualityLevels an unparseable second segment is "not ours" (404) */
    rejected("/a/b.ism/QualityLevels(1)/Fragments(video=1", MP_ERR_NOT_FOUND, NULL);
    rejected("/a/b.ism/QualityLevels(1/Fragments(video=1)", MP_ERR_BAD_REQUEST, "unbalanced");

    /* bad numbers: the QualityLevels bitrate is 32-bit, times 64-bit */
    rejected("/a/b.ism/QualityLevels(4294967296)/Fragments(video=1)", MP_ERR_NOT_FOUND, NULL);
    rejected("/a/b.ism/QualityLevels(-1)/Fragments(video=1)", MP_ERR_NOT_FOUND, NULL);
    rejected("/a/b.ism/QualityLevels()/Fragments(video=1)", MP_ERR_NOT_FOUND, NULL);
    rejected("/a/b.ism/QualityLevels(1)/Fragments(video=18446744073709551616)", MP_ERR_BAD_REQUEST,
             "fragment time is not a number");
    rejected("/a/b.ism/QualityLevels(1)/Fragments(video=99999999999999999999)", MP_ERR_BAD_REQUEST,
             "not a number");
    rejected("/a/b.ism/QualityLevels(1)/Fragments(video=12x)", MP_ERR_BAD_REQUEST, "not a number");
    rejected("/a/b.ism/QualityLevels(1)/Fragments(video=)", MP_ERR_BAD_REQUEST, "not a number");
    rejected("/a/b.ism/QualityLevels(1)/Fragments(video=+5)", MP_ERR_BAD_REQUEST, NULL);

    /* stream names */
    rejected("/a/b.ism/QualityLevels(1)/Fragments(=5)", MP_ERR_BAD_REQUEST, NULL);
    rejected("/a/b.ism/QualityLevels(1)/Fragments(video)", MP_ERR_BAD_REQUEST, NULL);
    rejected("/a/b.ism/QualityLevels(1)/Fragments(vi.deo=5)", MP_ERR_BAD_REQUEST, NULL);
    rejected("/a/b.ism/QualityLevels(1)/Fragments(abcdefghijklmnopqrstuvwxyz012345=5)",
             MP_ERR_BAD_REQUEST, NULL);        /* 32 characters */
    rejected("/a/b.ism/QualityLevels(1)/Manifest(format=m3u8-aapl)", MP_ERR_BAD_REQUEST,
             "expected Manifest(<stream>,format=...)");
    rejected("/a/b.ism/QualityLevels(1)/Manifest(vid eo,format=m3u8-aapl)", MP_ERR_BAD_REQUEST,
             "bad character in stream name");

    /* media playlists exist for HLS only; no init segments for Smooth and TS */
    rejected("/a/b.ism/QualityLevels(1)/Manifest(video)", MP_ERR_BAD_REQUEST, "HLS formats only");
    rejected("/a/b.ism/QualityLevels(1)/Manifest(video,format=mpd-time-csf)", MP_ERR_BAD_REQUEST,
             "HLS formats only");
    rejected("/a/b.ism/QualityLevels(1)/Fragments(video=i)", MP_ERR_BAD_REQUEST,
             "Smooth Streaming has no init segment");
    rejected("/a/b.ism/QualityLevels(1)/Fragments(video=i,format=m3u8-aapl-v3)", MP_ERR_BAD_REQUEST,
             "MPEG-TS has no init segment");

    /* paths: dot segments, relative, backslashes, NUL */
    rejected("/a/../b.ism/Manifest", MP_ERR_BAD_REQUEST, "dot segments");
    rejected("/a/./b.ism/Manifest", MP_ERR_BAD_REQUEST, "dot segments");
    rejected("/../b.mp4", MP_ERR_BAD_REQUEST, "dot segments");
    rejected("/a/..", MP_ERR_NOT_FOUND, NULL);
    rejected("a/b.ism/Manifest", MP_ERR_BAD_REQUEST, "absolute");
    rejected(".ism/Manifest", MP_ERR_BAD_REQUEST, "absolute");
    rejected("/a\\..\\b.ism/Manifest", MP_ERR_BAD_REQUEST, "bad character");
    /* "..x" and "x.." are ordinary names */
    mp_request_t r = ok("/a/..x/b.ism/Manifest");
    assert_asset(&r, "/a/..x/b.ism", 1);
    r = ok("/a/x../b..ism/Manifest");
    assert_asset(&r, "/a/x../b..ism", 1);
}

static void test_nul_in_path(void **state)
{
    (void) state;
    static const char uri[] = "/a/b\0c.ism/Manifest";
    mp_request_t r;
    char e[MP_ERR_LEN];
    assert_int_equal(mp_url_parse(uri, sizeof(uri) - 1, &r, e, sizeof(e)), MP_ERR_BAD_REQUEST);
    assert_non_null(strstr(e, "bad character"));
    /* an error buffer of size 0 is left alone */
    assert_int_equal(mp_url_parse("/x.txt", 6, &r, NULL, 0), MP_ERR_NOT_FOUND);
}

static void test_format_names(void **state)
{
    (void) state;
    assert_string_equal(mp_format_name(MP_FMT_SMOOTH), "");
    assert_string_equal(mp_format_name(MP_FMT_HLS_V4), "m3u8-aapl");
    assert_string_equal(mp_format_name(MP_FMT_HLS_CMAF), "m3u8-cmaf");
    assert_string_equal(mp_format_name(MP_FMT_HLS_TS), "m3u8-aapl-v3");
    assert_string_equal(mp_format_name(MP_FMT_DASH_CSF), "mpd-time-csf");
    assert_string_equal(mp_format_name(MP_FMT_DASH_CMAF), "mpd-time-cmaf");
    assert_true(mp_format_is_hls(MP_FMT_HLS_TS) && !mp_format_is_hls(MP_FMT_DASH_CSF));
    assert_true(mp_format_is_dash(MP_FMT_DASH_CMAF) && !mp_format_is_dash(MP_FMT_SMOOTH));
    /* every name parses back to its format */
    for (int f = MP_FMT_HLS_V4; f <= MP_FMT_DASH_CMAF; f++) {
        char uri[96];
        snprintf(uri, sizeof(uri), "/a/b.ism/Manifest(format=%s)", mp_format_name(f));
        assert_int_equal(ok(uri).format, f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifests),
        cmocka_unit_test(test_playlists_and_fragments),
        cmocka_unit_test(test_progressive),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_nul_in_path),
        cmocka_unit_test(test_format_names),
    };
    return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}
