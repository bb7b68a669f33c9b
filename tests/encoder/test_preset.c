/*
 * test_preset.c — cmocka tests of the encoder's preset model, MES JSON
 * parser/validator, plan (sizes, the trimmed fixed ladder, names, thumbnail
 * times), ffmpeg command and WebVTT sprite index.  No ffmpeg is run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "enc_command.h"
#include "enc_config.h"
#include "enc_plan.h"
#include "enc_vtt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enc_sources_t source(int w, int h, int kbps, double duration)
{
    enc_sources_t s;
    memset(&s, 0, sizeof(s));
    snprintf(s.video.path, sizeof(s.video.path), "/in/My Clip (final).mov");
    s.video.has_video = s.video.has_audio = 1;
    s.video.video_index = 0;
    s.video.audio_index = 1;
    s.video.width = w;
    s.video.height = h;
    s.video.display_aspect = (double) w / h;
    s.video.fps = 30;
    s.video.duration = duration;
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
    int rc = enc_config_parse(config, strlen(config), &p, err, sizeof(err));
    if (rc != 0) {
        fail_msg("config rejected: %s", err);
    }
    assert_int_equal(enc_plan_build(&p, src, NULL, &plan, err, sizeof(err)), ENC_PLAN_OK);
    return &plan;
}

static void expect_ladder(const enc_plan_t *p, const int (*want)[3], int n)
{
    assert_int_equal(p->layer_count, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(p->layers[i].width, want[i][0]);
        assert_int_equal(p->layers[i].height, want[i][1]);
        assert_int_equal(p->layers[i].kbps, want[i][2]);
    }
}

static void test_named_presets(void **state)
{
    (void) state;
    enc_sources_t s = source(1920, 1080, 20000, 20);
    static const int l1080[][3] = { { 1920, 1080, 6000 }, { 1920, 1080, 4700 }, { 1280, 720, 3400 },
                                    { 960, 540, 2250 }, { 960, 540, 1500 }, { 640, 360, 1000 },
                                    { 640, 360, 650 }, { 320, 180, 400 } };
    static const int l720[][3] = { { 1280, 720, 3400 }, { 960, 540, 2250 }, { 960, 540, 1500 },
                                   { 640, 360, 1000 }, { 640, 360, 650 }, { 320, 180, 400 } };
    static const int lsd[][3] = { { 848, 480, 1900 }, { 848, 480, 1300 }, { 640, 360, 900 },
                                  { 640, 360, 650 }, { 432, 240, 400 } };
    static const int single[][3] = { { 1280, 720, 4500 } };
    expect_ladder(plan_for("H264 Multiple Bitrate 1080p", &s), l1080, 8);
    expect_ladder(plan_for("  h264 multiple bitrate 720P\n", &s), l720, 6);
    expect_ladder(plan_for("H264 Multiple Bitrate 16x9 SD", &s), lsd, 5);
    expect_ladder(plan_for("H264 Single Bitrate 720p", &s), single, 1);
    enc_plan_t *p = plan_for("AAC Good Quality Audio", &s);
    assert_int_equal(p->layer_count, 0);
    assert_non_null(p->audio);
    assert_int_equal(p->audio_kbps, 128);
    assert_string_equal(p->audio_file, "My_Clip__final__AACAudio_128.mp4");
    assert_string_equal(p->ism_file, "My_Clip__final_.ism");
}

static void test_names_and_even_sizes(void **state)
{
    (void) state;
    enc_sources_t s = source(1920, 1080, 0, 20);
    enc_plan_t *p = plan_for("H264 Multiple Bitrate 720p", &s);
    assert_string_equal(p->basename, "My_Clip__final_");
    assert_string_equal(p->layers[0].file, "My_Clip__final__1280x720_3400.mp4");
    /* 4:3 source in a 16:9 box: height fits, width follows; odd sizes rounded to even */
    s = source(1440, 1080, 0, 20);
    p = plan_for("H264 Multiple Bitrate 720p", &s);
    assert_int_equal(p->layers[0].width, 960);
    assert_int_equal(p->layers[0].height, 720);
    assert_int_equal(p->layers[5].width, 240);
    s = source(1920, 800, 0, 20);
    p = plan_for("H264 Single Bitrate 720p", &s);
    assert_int_equal(p->layers[0].width, 1280);
    assert_int_equal(p->layers[0].height, 534);      /* 533.33 -> even */
    assert_int_equal(enc_even(3.0), 4);
    assert_int_equal(enc_even(1.0), 2);
    char b[ENC_BASENAME_MAX + 1];
    char longname[400];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    enc_basename(longname, 1, b, sizeof(b));
    assert_int_equal(strlen(b), ENC_BASENAME_MAX);
    enc_basename("/x/../..", 1, b, sizeof(b));
    assert_string_equal(b, "output");
}

/* the fixed ladder trimmed to the input: H265AdaptiveStreaming ("Adaptive
 * Streaming" is content-aware now: test_ladder.c) */
static void test_adaptive_ladder(void **state)
{
    (void) state;
    const char *name = "H265AdaptiveStreaming";
    enc_sources_t s = source(1920, 1080, 20000, 20);
    static const int full[][3] = { { 1920, 1080, 4400 }, { 1280, 720, 2300 }, { 960, 540, 1440 },
                                   { 640, 360, 750 }, { 480, 270, 470 }, { 320, 180, 250 } };
    expect_ladder(plan_for(name, &s), full, 6);
    /* 720p input: nothing above it */
    s = source(1280, 720, 0, 20);
    expect_ladder(plan_for(name, &s), full + 1, 5);
    /* 480p input between rungs: a rung at the input size, bitrate by pixels from 540p */
    s = source(854, 480, 0, 20);
    enc_plan_t *p = plan_for(name, &s);
    assert_int_equal(p->layer_count, 4);
    assert_int_equal(p->layers[0].width, 854);
    assert_int_equal(p->layers[0].height, 480);
    assert_int_equal(p->layers[0].kbps, 1139);       /* 1440 * 854*480 / (960*540) */
    assert_int_equal(p->layers[1].height, 360);
    /* 1080p at 2000 kbps: rungs above the input bitrate dropped, one capped at it */
    s = source(1920, 1080, 2000, 20);
    static const int capped[][3] = { { 1280, 720, 2000 }, { 960, 540, 1440 }, { 640, 360, 750 },
                                     { 480, 270, 470 }, { 320, 180, 250 } };
    expect_ladder(plan_for(name, &s), capped, 5);
    /* tiny input at a tiny bitrate: one layer */
    s = source(160, 90, 150, 20);
    p = plan_for(name, &s);
    assert_int_equal(p->layer_count, 1);
    assert_int_equal(p->layers[0].width, 160);
    assert_int_equal(p->layers[0].kbps, 100);        /* 250 * 1/4, at least 100 */
}

static void expect_rejected(const char *json, const char *needle)
{
    enc_preset_t p;
    char err[ENC_ERR_LEN] = "";
    int rc = enc_config_parse(json, strlen(json), &p, err, sizeof(err));
    if (rc == 0 || strstr(err, needle) == NULL) {
        fail_msg("expected an error containing \"%s\", got rc %d \"%s\" for %s", needle, rc, err,
                 json);
    }
}

#define MP4_OUT "\"Outputs\":[{\"FileName\":\"{Basename}_{Width}x{Height}_{Bitrate}.mp4\",\"Format\":{\"Type\":\"MP4Format\"}}]"
#define LAYER "{\"Type\":\"H264Layer\",\"Bitrate\":1000,\"Width\":\"640\",\"Height\":\"360\"}"

static void test_json_errors_name_the_field(void **state)
{
    (void) state;
    expect_rejected("{\"Version\":1.0,\"Codecs\":[{\"Type\":\"H264Video\",\"Foo\":1,\"H264Layers\":[" LAYER "]}]," MP4_OUT "}",
                    "unsupported preset field Codecs[0].Foo");
    expect_rejected("{\"Codecs\":[{\"Type\":\"H264Video\",\"H264Layers\":[" LAYER ",{\"Bitrate\":\"x\"}]}]," MP4_OUT "}",
                    "invalid preset field Codecs[0].H264Layers[1].Bitrate");
    expect_rejected("{\"Codecs\":[{\"Type\":\"H264Video\",\"H264Layers\":[{\"Width\":640}]}]," MP4_OUT "}",
                    "Codecs[0].H264Layers[0].Bitrate: required");
    expect_rejected("{\"Codecs\":[{\"Type\":\"H264Video\",\"H264Layers\":[" LAYER "]}],\"Extra\":[]," MP4_OUT "}",
                    "unsupported preset field Extra");
    expect_rejected("{\"Codecs\":[{\"Type\":\"VP9Video\"}]," MP4_OUT "}", "Codecs[0].Type");
    expect_rejected("{\"Codecs\":[{\"Type\":\"H264Video\",\"SceneChangeDetection\":true,\"H264Layers\":[" LAYER "]}]," MP4_OUT "}",
                    "Codecs[0].SceneChangeDetection");
    expect_rejected("{\"Codecs\":[{\"Type\":\"H264Video\",\"H264Layers\":[" LAYER "]}],"
                    "\"Outputs\":[{\"FileName\":\"{Basename}_{Foo}.mp4\",\"Format\":{\"Type\":\"MP4Format\"}}]}",
                    "Outputs[0].FileName: unknown macro {Foo}");
    expect_rejected("{\"Codecs\":[{\"Type\":\"H264Video\",\"H264Layers\":[" LAYER "]}]}", "Outputs");
    expect_rejected("{\"Sources\":[{\"StartTime\":\"5 s\"}],\"Codecs\":[{\"Type\":\"AACAudio\"}]," MP4_OUT "}",
                    "Sources[0].StartTime");
    expect_rejected("{\"Codecs\":[{\"Type\":\"JpgImage\",\"Start\":\"{Best}\",\"Step\":\"abc\"}],"
                    "\"Outputs\":[{\"FileName\":\"{Basename}_{Index}{Extension}\",\"Format\":{\"Type\":\"JpgFormat\"}}]}",
                    "Codecs[0].Step");
    expect_rejected("{\"Codecs\":[{\"Type\":\"JpgImage\",\"Start\":\"1%\",\"JpgLayers\":[{\"Quality\":101}]}],"
                    "\"Outputs\":[{\"FileName\":\"{Basename}_{Index}{Extension}\",\"Format\":{\"Type\":\"JpgFormat\"}}]}",
                    "Codecs[0].JpgLayers[0].Quality");
    expect_rejected("{\"Codecs\":[{\"Type\":\"H264Video\",\"H264Layers\":[" LAYER "]}],"
                    "\"Outputs\":[{\"FileName\":\"../x.mp4\",\"Format\":{\"Type\":\"MP4Format\"}}]}",
                    "Outputs[0].FileName");
    expect_rejected("{\"Codecs\": [", "not valid JSON");
    expect_rejected("<?xml version=\"1.0\"?><Preset/>", "XML presets are not supported");
    expect_rejected("H264 Multiple Bitrate 4K", "unknown preset \"H264 Multiple Bitrate 4K\"");
}

static const char *custom_json =
    "{\"Version\":1.0,"
    " \"Sources\":[{\"StartTime\":\"00:00:04\",\"Duration\":\"00:00:10.5\"}],"
    " \"Codecs\":[{\"Type\":\"H264Video\",\"KeyFrameInterval\":\"00:00:02\",\"SceneChangeDetection\":false,"
    "   \"H264Layers\":[{\"Type\":\"H264Layer\",\"Profile\":\"Auto\",\"Bitrate\":1800,\"MaxBitrate\":2000,"
    "     \"BufferWindow\":\"00:00:05\",\"Width\":\"1280\",\"Height\":\"720\",\"BFrames\":2},"
    "     {\"Bitrate\":600,\"Width\":\"50%\",\"Height\":\"50%\"}]},"
    "  {\"Type\":\"AACAudio\",\"Profile\":\"AACLC\",\"Channels\":2,\"SamplingRate\":44100,\"Bitrate\":96},"
    "  {\"Type\":\"JpgImage\",\"Start\":\"10%\",\"Step\":\"00:00:02\",\"Range\":\"00:00:06\","
    "   \"JpgLayers\":[{\"Type\":\"JpgLayer\",\"Width\":\"25%\",\"Height\":\"25%\",\"Quality\":90}]},"
    "  {\"Type\":\"PngImage\",\"Start\":\"0\",\"Step\":\"25%\",\"SpriteColumn\":2,"
    "   \"PngLayers\":[{\"Type\":\"PngLayer\",\"Width\":\"160\"}]}],"
    " \"Outputs\":[{\"FileName\":\"{Basename}-{Height}p-{VideoBitrate}.mp4\",\"Format\":{\"Type\":\"MP4Format\"}},"
    "  {\"FileName\":\"{Basename}_audio_{AudioBitrate}.mp4\",\"Format\":{\"Type\":\"MP4Format\"}},"
    "  {\"FileName\":\"{Basename}_{Index}{Extension}\",\"Format\":{\"Type\":\"JpgFormat\"}},"
    "  {\"FileName\":\"{Basename}_sprite{Extension}\",\"Format\":{\"Type\":\"PngFormat\"}}]}";

static void test_json_custom_preset(void **state)
{
    (void) state;
    enc_sources_t s = source(1920, 1080, 0, 30);
    enc_plan_t *p = plan_for(custom_json, &s);
    assert_int_equal(p->layer_count, 2);
    assert_string_equal(p->layers[0].file, "My_Clip__final_-720p-1800.mp4");
    assert_int_equal(p->layers[0].max_kbps, 2000);
    assert_int_equal(p->layers[1].width, 960);
    assert_int_equal(p->layers[1].height, 540);
    assert_int_equal(p->bframes, 2);
    assert_string_equal(p->audio_file, "My_Clip__final__audio_96.mp4");
    assert_int_equal(p->audio_rate, 44100);
    assert_true(p->clip_start == 4.0);
    assert_true(p->duration == 10.5);
    /* JPEG: start 10 % of 10.5 s, every 2 s for 6 s -> 4 images */
    assert_int_equal(p->thumb_count, 2);
    assert_int_equal(p->thumbs[0].count, 4);
    assert_int_equal(p->thumbs[0].width, 480);
    assert_string_equal(p->thumbs[0].ffmpeg_pattern, "My_Clip__final__%06d.jpg");
    /* PNG sprite: every 25 % from 0 -> 4 tiles in 2 columns */
    assert_int_equal(p->thumbs[1].count, 4);
    assert_int_equal(p->thumbs[1].columns, 2);
    assert_int_equal(p->thumbs[1].rows, 2);
    assert_int_equal(p->thumbs[1].width, 160);
    assert_int_equal(p->thumbs[1].height, 90);
    assert_string_equal(p->thumbs[1].first_file, "My_Clip__final__sprite.png");
    assert_string_equal(p->thumbs[1].vtt_file, "My_Clip__final__sprite.vtt");
    char *vtt = enc_vtt_text(&p->thumbs[1], p->duration);
    assert_non_null(vtt);
    assert_non_null(strstr(vtt, "WEBVTT\n\n00:00:00.000 --> 00:00:02.625\nMy_Clip__final__sprite.png#xywh=0,0,160,90\n"));
    assert_non_null(strstr(vtt, "00:00:07.875 --> 00:00:10.500\nMy_Clip__final__sprite.png#xywh=160,90,160,90\n"));
    free(vtt);
}

static int has_arg(const enc_argv_t *a, const char *s)
{
    for (int i = 0; i < a->argc; i++) {
        if (strcmp(a->argv[i], s) == 0) {
            return 1;
        }
    }
    return 0;
}

static void test_command_one_decode_aligned_gops(void **state)
{
    (void) state;
    enc_sources_t s = source(1920, 1080, 0, 20);
    enc_plan_t *p = plan_for("H264 Multiple Bitrate 720p", &s);
    enc_command_opts_t o = { "ffmpeg", "veryfast", "/out", 0, NULL };
    enc_argv_t a;
    assert_int_equal(enc_command_build(p, &o, &a), 0);
    int inputs = 0, forced = 0, x264 = 0;
    for (int i = 0; i < a.argc; i++) {
        inputs += strcmp(a.argv[i], "-i") == 0;
        forced += strcmp(a.argv[i], "expr:gte(t,n_forced*2)") == 0;
        x264 += strcmp(a.argv[i], "libx264") == 0;
    }
    assert_int_equal(inputs, 1);
    assert_int_equal(forced, 6);
    assert_int_equal(x264, 6);
    assert_true(has_arg(&a, "open-gop=0:scenecut=0"));
    assert_true(has_arg(&a, "/out/My_Clip__final__640x360_650.mp4"));
    assert_true(has_arg(&a, "/out/My_Clip__final__AACAudio_128.mp4"));
    char *line = enc_argv_join(&a);
    assert_non_null(strstr(line, "split=6[s0][s1][s2][s3][s4][s5]"));
    free(line);
    enc_argv_free(&a);
}

static void test_audio_only_input_with_video_preset(void **state)
{
    (void) state;
    enc_sources_t s = source(1920, 1080, 0, 20);
    s.video_found = 0;
    enc_preset_t pr;
    enc_plan_t plan;
    char err[ENC_ERR_LEN];
    assert_int_equal(enc_preset_by_name("H264 Single Bitrate 720p", &pr), 0);
    assert_int_equal(enc_plan_build(&pr, &s, NULL, &plan, err, sizeof(err)), ENC_PLAN_BAD_INPUT);
    assert_non_null(strstr(err, "input has no video stream"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_presets),
        cmocka_unit_test(test_names_and_even_sizes),
        cmocka_unit_test(test_adaptive_ladder),
        cmocka_unit_test(test_json_errors_name_the_field),
        cmocka_unit_test(test_json_custom_preset),
        cmocka_unit_test(test_command_one_decode_aligned_gops),
        cmocka_unit_test(test_audio_only_input_with_video_preset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
