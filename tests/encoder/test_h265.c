/*
 * test_h265.c — cmocka tests of the H.265 presets: the named AMS v3 presets
 * (H265SingleBitrate720p/1080p/4K, H265AdaptiveStreaming trimmed to the
 * input), MES JSON H265Video/H265Layers, and the libx265 command (hvc1
 * sample entries, closed GOPs forced at the same times in every layer,
 * forced key frames as IDRs, no scene cuts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "enc_command.h"
#include "enc_config.h"
#include "enc_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enc_sources_t source(int w, int h, int kbps)
{
    enc_sources_t s;
    memset(&s, 0, sizeof(s));
    snprintf(s.video.path, sizeof(s.video.path), "/in/talk.mp4");
    s.video.has_video = s.video.has_audio = 1;
    s.video.audio_index = 1;
    s.video.width = w;
    s.video.height = h;
    s.video.display_aspect = (double) w / h;
    s.video.fps = 30;
    s.video.duration = 10;
    s.video.video_kbps = kbps;
    s.audio = s.video;
    s.video_found = s.audio_found = 1;
    return s;
}

static enc_plan_t *plan_for(const char *config, const enc_sources_t *src)
{
    static enc_preset_t p;
    static enc_plan_t plan;
    char err[ENC_ERR_LEN];
    if (enc_config_parse(config, strlen(config), &p, err, sizeof(err)) != 0) {
        fail_msg("config rejected: %s", err);
    }
    assert_int_equal(enc_plan_build(&p, src, NULL, &plan, err, sizeof(err)), ENC_PLAN_OK);
    return &plan;
}

static int count(const enc_argv_t *a, const char *s)
{
    int n = 0;
    for (int i = 0; i < a->argc; i++) {
        n += strcmp(a->argv[i], s) == 0;
    }
    return n;
}

static void test_named_presets(void **state)
{
    (void) state;
    enc_sources_t s = source(3840, 2160, 0);
    static const struct { const char *name; int w, h, kbps; } single[] = {
        { "H265SingleBitrate720p", 1280, 720, 1800 },
        { "h265singlebitrate1080p", 1920, 1080, 3500 },
        { "  H265SingleBitrate4K ", 3840, 2160, 9500 },
    };
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
        enc_plan_t *p = plan_for(single[i].name, &s);
        assert_int_equal(p->codec, ENC_CODEC_H265);
        assert_int_equal(p->layer_count, 1);
        assert_int_equal(p->layers[0].width, single[i].w);
        assert_int_equal(p->layers[0].height, single[i].h);
        assert_int_equal(p->layers[0].kbps, single[i].kbps);
        assert_non_null(p->audio);
    }
    /* H265AdaptiveStreaming: the H.264 rule (never above the input) on the H.265 ladder */
    enc_sources_t small = source(1280, 720, 0);
    enc_plan_t *p = plan_for("H265AdaptiveStreaming", &small);
    assert_int_equal(p->codec, ENC_CODEC_H265);
    assert_int_equal(p->layer_count, 5);
    assert_int_equal(p->layers[0].height, 720);
    assert_int_equal(p->layers[0].kbps, 2300);
    assert_int_equal(p->layers[4].height, 180);
    enc_plan_t *h264 = plan_for("Adaptive Streaming", &small);
    assert_int_equal(h264->codec, ENC_CODEC_H264);
}

static const char *H265_JSON =
    "{\"Codecs\":[{\"Type\":\"H265Video\",\"KeyFrameInterval\":\"00:00:03\",\"H265Layers\":["
    "{\"Type\":\"H265Layer\",\"Bitrate\":2000,\"Width\":\"1280\",\"Height\":\"720\"},"
    "{\"Type\":\"H265Layer\",\"Bitrate\":600,\"Width\":\"640\",\"Height\":\"360\"}]}],"
    "\"Outputs\":[{\"FileName\":\"{Basename}_{Height}.mp4\",\"Format\":{\"Type\":\"MP4Format\"}}]}";

static void test_json_and_command(void **state)
{
    (void) state;
    enc_sources_t s = source(1920, 1080, 0);
    enc_plan_t *p = plan_for(H265_JSON, &s);
    assert_int_equal(p->codec, ENC_CODEC_H265);
    assert_int_equal(p->layer_count, 2);
    enc_command_opts_t o = { "ffmpeg", "medium", "/out", 0, NULL };
    enc_argv_t a;
    assert_int_equal(enc_command_build(p, &o, &a), 0);
    assert_int_equal(count(&a, "libx265"), 2);
    assert_int_equal(count(&a, "libx264"), 0);
    assert_int_equal(count(&a, "hvc1"), 2);
    assert_int_equal(count(&a, "-forced-idr"), 2);
    assert_int_equal(count(&a, "expr:gte(t,n_forced*3)"), 2);     /* same instants in both */
    assert_int_equal(count(&a, "scenecut=0:open-gop=0:log-level=error"), 2);
    assert_int_equal(count(&a, "91"), 2);                          /* -g 3 s at 30 fps + 1 */
    assert_int_equal(count(&a, "main"), 2);
    enc_argv_free(&a);
}

static void test_json_errors(void **state)
{
    (void) state;
    static enc_preset_t p;
    char err[ENC_ERR_LEN];
    const char *mixed = "{\"Codecs\":[{\"Type\":\"H265Video\",\"H264Layers\":[{\"Bitrate\":1}]}],"
                        "\"Outputs\":[]}";
    assert_int_equal(enc_config_parse(mixed, strlen(mixed), &p, err, sizeof(err)), -1);
    assert_string_equal(err, "unsupported preset field Codecs[0].H264Layers");
    const char *wrong_layer = "{\"Codecs\":[{\"Type\":\"H265Video\",\"H265Layers\":[{\"Type\":"
                              "\"H264Layer\",\"Bitrate\":500}]}],\"Outputs\":[]}";
    assert_int_equal(enc_config_parse(wrong_layer, strlen(wrong_layer), &p, err, sizeof(err)), -1);
    assert_string_equal(err, "invalid preset field Codecs[0].H265Layers[0].Type: expected \"H265Layer\"");
    const char *two = "{\"Codecs\":[{\"Type\":\"H264Video\",\"H264Layers\":[{\"Bitrate\":500}]},"
                      "{\"Type\":\"H265Video\",\"H265Layers\":[{\"Bitrate\":500}]}],\"Outputs\":[]}";
    assert_int_equal(enc_config_parse(two, strlen(two), &p, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "Codecs[1]: only one video codec"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_presets),
        cmocka_unit_test(test_json_and_command),
        cmocka_unit_test(test_json_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
