/*
 * test_complexity.c — cmocka tests of the speed/quality setting: Complexity
 * names, their x264/x265 presets (Balanced = medium, the quality default),
 * MES JSON "Complexity" (parsed, validated with its field path, carried into
 * the plan) and the -preset the ffmpeg command gets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "enc_command.h"
#include "enc_complexity.h"
#include "enc_config.h"
#include "enc_plan.h"

#include <stdio.h>
#include <string.h>

static enc_sources_t source(int w, int h)
{
    enc_sources_t s;
    memset(&s, 0, sizeof(s));
    snprintf(s.video.path, sizeof(s.video.path), "/in/clip.mp4");
    s.video.has_video = 1;
    s.video.audio_index = -1;
    s.video.width = w;
    s.video.height = h;
    s.video.display_aspect = (double) w / h;
    s.video.fps = 30;
    s.video.duration = 10;
    s.video_found = 1;
    return s;
}

#define JSON_WITH(cx) \
    "{\"Codecs\":[{\"Type\":\"H264Video\"" cx ",\"H264Layers\":[{\"Type\":\"H264Layer\"," \
    "\"Bitrate\":1000,\"Width\":\"640\",\"Height\":\"360\"}]}]," \
    "\"Outputs\":[{\"FileName\":\"{Basename}_{Bitrate}.mp4\",\"Format\":{\"Type\":\"MP4Format\"}}]}"

/* the value following flag in the command, or NULL */
static const char *arg_after(const enc_argv_t *a, const char *flag)
{
    for (int i = 0; i + 1 < a->argc; i++) {
        if (strcmp(a->argv[i], flag) == 0) {
            return a->argv[i + 1];
        }
    }
    return NULL;
}

static void test_names_and_presets(void **state)
{
    (void) state;
    assert_int_equal(enc_complexity_parse("Speed"), ENC_COMPLEXITY_SPEED);
    assert_int_equal(enc_complexity_parse("balanced"), ENC_COMPLEXITY_BALANCED);
    assert_int_equal(enc_complexity_parse("QUALITY"), ENC_COMPLEXITY_QUALITY);
    assert_int_equal(enc_complexity_parse("fast"), ENC_COMPLEXITY_UNSET);
    assert_int_equal(enc_complexity_parse(""), ENC_COMPLEXITY_UNSET);
    assert_string_equal(enc_codec_preset(ENC_CODEC_H264, ENC_COMPLEXITY_UNSET), "medium");
    assert_string_equal(enc_codec_preset(ENC_CODEC_H264, ENC_COMPLEXITY_BALANCED), "medium");
    assert_string_equal(enc_codec_preset(ENC_CODEC_H264, ENC_COMPLEXITY_SPEED), "veryfast");
    assert_string_equal(enc_codec_preset(ENC_CODEC_H264, ENC_COMPLEXITY_QUALITY), "slow");
    assert_string_equal(enc_codec_preset(ENC_CODEC_H265, ENC_COMPLEXITY_BALANCED), "medium");
    assert_string_equal(enc_codec_preset(ENC_CODEC_H265, ENC_COMPLEXITY_SPEED), "ultrafast");
    assert_string_equal(enc_complexity_name(ENC_COMPLEXITY_QUALITY), "Quality");
    assert_true(enc_known_speed_preset("veryslow"));
    assert_false(enc_known_speed_preset("Balanced"));
}

static void test_json_complexity(void **state)
{
    (void) state;
    static enc_preset_t p;
    char err[ENC_ERR_LEN];
    const char *q = JSON_WITH(",\"Complexity\":\"Quality\"");
    assert_int_equal(enc_config_parse(q, strlen(q), &p, err, sizeof(err)), 0);
    assert_int_equal(p.complexity, ENC_COMPLEXITY_QUALITY);
    const char *none = JSON_WITH("");
    assert_int_equal(enc_config_parse(none, strlen(none), &p, err, sizeof(err)), 0);
    assert_int_equal(p.complexity, ENC_COMPLEXITY_UNSET);
    const char *badv = JSON_WITH(",\"Complexity\":\"Fastest\"");
    assert_int_equal(enc_config_parse(badv, strlen(badv), &p, err, sizeof(err)), -1);
    assert_string_equal(err, "invalid preset field Codecs[0].Complexity: expected \"Speed\", "
                             "\"Balanced\" or \"Quality\"");
    const char *num = JSON_WITH(",\"Complexity\":2");
    assert_int_equal(enc_config_parse(num, strlen(num), &p, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "Codecs[0].Complexity"));
}

static void test_command_preset(void **state)
{
    (void) state;
    static enc_preset_t pr;
    static enc_plan_t plan;
    char err[ENC_ERR_LEN];
    enc_sources_t s = source(1280, 720);
    const char *q = JSON_WITH(",\"Complexity\":\"Speed\"");
    assert_int_equal(enc_config_parse(q, strlen(q), &pr, err, sizeof(err)), 0);
    assert_int_equal(enc_plan_build(&pr, &s, NULL, &plan, err, sizeof(err)), ENC_PLAN_OK);
    assert_int_equal(plan.complexity, ENC_COMPLEXITY_SPEED);   /* the preset's own */
    enc_command_opts_t o = { "ffmpeg", enc_codec_preset(plan.codec, plan.complexity), "/out", 0,
                             NULL };
    enc_argv_t a;
    assert_int_equal(enc_command_build(&plan, &o, &a), 0);
    assert_string_equal(arg_after(&a, "-c:v"), "libx264");
    assert_string_equal(arg_after(&a, "-preset"), "veryfast");
    enc_argv_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_presets),
        cmocka_unit_test(test_json_complexity),
        cmocka_unit_test(test_command_preset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
