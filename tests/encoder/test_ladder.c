/*
 * test_ladder.c — cmocka tests of content-aware encoding: the ladder chosen
 * from probe figures (easy titles get fewer, cheaper rungs at the input's
 * size; hard ones more, capped; limits and the input's size and bitrate
 * respected; H.265 cheaper), the probe heights and stretches, the analysis
 * command, and the AMS v3 BuiltInStandardEncoderPreset JSON with its
 * PresetConfigurations (validated with field paths).  No ffmpeg is run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "enc_analysis.h"
#include "enc_config.h"
#include "enc_ladder.h"
#include "enc_plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* figures measured by the analysis on the bench's 720p titles */
static const enc_probe_figures_t SLIDE = { 540, 270, 92, 58, 0.9 };
static const enc_probe_figures_t PAN = { 540, 270, 2593, 646, 1.5 };
static const enc_probe_figures_t GRAIN = { 540, 270, 13040, 1218, 8.0 };

static int count_arg(const enc_argv_t *a, const char *s)
{
    int n = 0;
    for (int i = 0; i < a->argc; i++) {
        n += strcmp(a->argv[i], s) == 0;
    }
    return n;
}

static enc_input_t input(int w, int h, int kbps)
{
    enc_input_t in;
    memset(&in, 0, sizeof(in));
    snprintf(in.path, sizeof(in.path), "/in/title.mp4");
    in.has_video = 1;
    in.width = w;
    in.height = h;
    in.display_aspect = (double) w / h;
    in.fps = 30;
    in.duration = 20;
    in.video_kbps = kbps;
    return in;
}

static int total(const enc_layer_t *l, int n)
{
    int t = 0;
    for (int i = 0; i < n; i++) {
        t += l[i].kbps;
    }
    return t;
}

/* rungs go down in bits by about the step and never up in height */
static void expect_well_formed(const enc_layer_t *l, int n, const enc_cae_limits_t *lim)
{
    for (int i = 0; i < n; i++) {
        assert_true(l[i].kbps >= lim->min_kbps && l[i].kbps <= lim->max_kbps);
        assert_true(l[i].height.value >= lim->min_height && l[i].height.value <= lim->max_height);
        if (i > 0) {
            assert_true(l[i].height.value <= l[i - 1].height.value);
            assert_true(l[i - 1].kbps >= 1.7 * l[i].kbps);
        }
    }
}

static void test_easy_and_hard_titles(void **state)
{
    (void) state;
    enc_input_t src = input(1280, 720, 0);
    enc_cae_limits_t none = { 0, 0, 0, 0, 0 }, lim;
    enc_layer_t easy[ENC_MAX_LAYERS], mid[ENC_MAX_LAYERS], hard[ENC_MAX_LAYERS];
    int ne, nm, nh;
    enc_ladder_limits(&src, ENC_CODEC_H264, &none, &lim);
    assert_int_equal(lim.min_kbps, 200);
    assert_int_equal(lim.max_kbps, 3400);            /* the fixed 720p ladder's top */
    assert_int_equal(lim.max_height, 720);
    assert_int_equal(lim.max_layers, 6);
    enc_ladder_choose(&SLIDE, &src, ENC_CODEC_H264, &none, easy, &ne);
    enc_ladder_choose(&PAN, &src, ENC_CODEC_H264, &none, mid, &nm);
    enc_ladder_choose(&GRAIN, &src, ENC_CODEC_H264, &none, hard, &nh);
    /* the slide: one rung, at the input's size (sharp), at the least bits */
    assert_int_equal(ne, 1);
    assert_true(easy[0].height.value == 720);
    assert_int_equal(easy[0].kbps, 200);
    /* the pan: the input's size on top, fewer bits than the fixed ladder */
    assert_true(mid[0].height.value == 720);
    assert_true(nm >= 2 && nm < nh);
    assert_true(mid[0].kbps < 3400);
    /* the grain: capped at the top, the most rungs */
    assert_int_equal(hard[0].kbps, 3400);
    assert_true(nh >= 4);
    assert_true(hard[1].height.value >= 360);        /* quality falls evenly, not to 180p */
    assert_true(total(easy, ne) < total(mid, nm) && total(mid, nm) < total(hard, nh));
    assert_true(total(hard, nh) <= 3400 + 2250 + 1500 + 1000 + 650 + 400);  /* <= the fixed ladder */
    expect_well_formed(easy, ne, &lim);
    expect_well_formed(mid, nm, &lim);
    expect_well_formed(hard, nh, &lim);
}

static void test_limits_and_input(void **state)
{
    (void) state;
    enc_layer_t l[ENC_MAX_LAYERS];
    int n;
    /* the v3 configurations: bitrates, heights and layer count */
    enc_input_t src = input(1920, 1080, 0);
    enc_cae_limits_t lim = { 300, 2500, 270, 720, 3 }, eff;
    enc_ladder_choose(&GRAIN, &src, ENC_CODEC_H264, &lim, l, &n);
    enc_ladder_limits(&src, ENC_CODEC_H264, &lim, &eff);
    assert_int_equal(n, 3);
    assert_true(l[0].height.value == 720);
    assert_int_equal(l[0].kbps, 2500);
    expect_well_formed(l, n, &eff);
    /* never above the input's bitrate */
    src = input(1280, 720, 800);
    enc_cae_limits_t none = { 0, 0, 0, 0, 0 };
    enc_ladder_choose(&GRAIN, &src, ENC_CODEC_H264, &none, l, &n);
    assert_int_equal(l[0].kbps, 800);
    /* never above the input's size: a 640x360 input tops at 360 */
    src = input(640, 360, 0);
    enc_ladder_choose(&PAN, &src, ENC_CODEC_H264, &none, l, &n);
    assert_true(l[0].height.value == 360);
    /* H.265 needs fewer bits for the same title */
    enc_layer_t h5[ENC_MAX_LAYERS];
    int n5;
    src = input(1280, 720, 0);
    enc_ladder_choose(&PAN, &src, ENC_CODEC_H265, &none, h5, &n5);
    enc_ladder_choose(&PAN, &src, ENC_CODEC_H264, &none, l, &n);
    assert_true(h5[0].kbps < l[0].kbps * 0.8);
    assert_true(fabs(enc_ladder_need(&PAN, &src, ENC_CODEC_H265, 1280.0 * 720)
                     - 0.7 * enc_ladder_need(&PAN, &src, ENC_CODEC_H264, 1280.0 * 720)) < 1e-6);
}

static void test_probe_heights_stretches_command(void **state)
{
    (void) state;
    enc_cae_limits_t none = { 0, 0, 0, 0, 0 };
    int hi, lo;
    enc_input_t src = input(1920, 1080, 0);
    enc_ladder_probe_heights(&src, &none, &hi, &lo);
    assert_int_equal(hi, 540);
    assert_int_equal(lo, 270);
    src = input(640, 360, 0);
    enc_ladder_probe_heights(&src, &none, &hi, &lo);
    assert_int_equal(hi, 360);
    assert_int_equal(lo, 180);
    src = input(320, 180, 0);
    enc_ladder_probe_heights(&src, &none, &hi, &lo);
    assert_int_equal(hi, 180);
    assert_int_equal(lo, 180);                       /* one probe */
    enc_stretches_t st;
    enc_probe_stretches(1.0, 4.0, &st);
    assert_int_equal(st.count, 1);
    assert_true(st.start[0] == 1.0 && st.seconds == 4.0);
    enc_probe_stretches(0, 60.0, &st);
    assert_int_equal(st.count, 3);
    assert_true(st.seconds == 3.0);
    assert_true(fabs(st.start[0] - 8.5) < 1e-9 && fabs(st.start[2] - 48.5) < 1e-9);
    enc_probe_stretches(0, 20.0, &st);                 /* 10 %: 2 s each, 6 s of 20 */
    assert_true(st.seconds == 2.0);
    src = input(1920, 1080, 0);
    enc_argv_t a;
    enc_probe_stretches(0, 20.0, &st);
    assert_int_equal(enc_analysis_command(&src, &st, 540, 270, "ffmpeg", "/tmp/p", &a), 0);
    char *line = enc_argv_join(&a);
    assert_non_null(strstr(line, "concat=n=3:v=1:a=0[v];[v]setsar=1,split=2[h][l];"
                                 "[h]scale=-2:540:flags=bicubic[p0];[l]scale=-2:270"));
    assert_non_null(strstr(line, "-preset superfast -crf 23"));
    assert_non_null(strstr(line, "/tmp/p/probe-0.h264"));
    assert_non_null(strstr(line, "/tmp/p/probe-1.h264"));
    free(line);
    enc_argv_free(&a);
    enc_probe_stretches(0, 3.0, &st);
    assert_int_equal(enc_analysis_command(&src, &st, 180, 180, "ffmpeg", "/tmp/p", &a), 0);
    line = enc_argv_join(&a);
    assert_non_null(strstr(line, "concat=n=1:v=1:a=0[v];[v]setsar=1,scale=-2:180"));
    assert_null(strstr(line, "probe-1"));
    free(line);
    enc_argv_free(&a);
    /* a 10 s title with one key frame per 8.3 s: one decode over the stretches */
    src.key_gap = 8.333;
    enc_probe_stretches(0, 10.0, &st);
    assert_int_equal(enc_probe_one_decode(&src, &st), 1);
    assert_int_equal(enc_analysis_command(&src, &st, 540, 270, "ffmpeg", "/tmp/p", &a), 0);
    line = enc_argv_join(&a);
    assert_int_equal(count_arg(&a, "-i"), 1);
    assert_non_null(strstr(line, "-ss 1.167 -t 7.667 -protocol_whitelist file -format_whitelist "));
    assert_non_null(strstr(line, "[0:0]select='gte(t,0.000)*lt(t,1.000)+gte(t,3.333)*lt(t,4.333)"
                                 "+gte(t,6.667)*lt(t,7.667)',setpts=N/(30*TB)[v];"));
    free(line);
    enc_argv_free(&a);
    /* 2 s key frames or a long title: a seek per stretch */
    src.key_gap = 2.0;
    assert_int_equal(enc_probe_one_decode(&src, &st), 0);
    src.key_gap = 8.333;
    enc_probe_stretches(0, 600.0, &st);
    assert_int_equal(enc_probe_one_decode(&src, &st), 0);
    src.key_gap = 0;
    enc_probe_stretches(0, 10.0, &st);
    assert_int_equal(enc_probe_one_decode(&src, &st), 0);
}

static void expect_error(const char *json, const char *msg)
{
    static enc_preset_t p;
    char err[ENC_ERR_LEN];
    assert_int_equal(enc_config_parse(json, strlen(json), &p, err, sizeof(err)), -1);
    if (strcmp(err, msg) != 0) {
        fail_msg("got \"%s\"\nwant \"%s\"", err, msg);
    }
}

static void test_v3_presets(void **state)
{
    (void) state;
    static enc_preset_t p;
    char err[ENC_ERR_LEN];
    const char *cae = "{\"@odata.type\":\"#Microsoft.Media.BuiltInStandardEncoderPreset\","
                      "\"presetName\":\"H265ContentAwareEncoding\",\"configurations\":{"
                      "\"complexity\":\"Speed\",\"maxLayers\":4,\"minBitrateBps\":300000,"
                      "\"maxBitrateBps\":5000000,\"minHeight\":270,\"maxHeight\":1080,"
                      "\"keyFrameIntervalInSeconds\":4,\"interleaveOutput\":\"NonInterleavedOutput\"}}";
    assert_int_equal(enc_config_parse(cae, strlen(cae), &p, err, sizeof(err)), 0);
    assert_true(p.content_aware);
    assert_int_equal(p.codec, ENC_CODEC_H265);
    assert_int_equal(p.complexity, ENC_COMPLEXITY_SPEED);
    assert_int_equal(p.cae.max_layers, 4);
    assert_int_equal(p.cae.min_kbps, 300);
    assert_int_equal(p.cae.max_kbps, 5000);
    assert_int_equal(p.cae.min_height, 270);
    assert_int_equal(p.cae.max_height, 1080);
    assert_true(p.gop_seconds == 4);
    assert_true(p.has_audio);
    /* the named presets are content-aware too; a plain name works as presetName */
    assert_int_equal(enc_preset_by_name("ContentAwareEncoding", &p), 0);
    assert_true(p.content_aware && p.codec == ENC_CODEC_H264);
    assert_int_equal(enc_preset_by_name("adaptive streaming", &p), 0);
    assert_true(p.content_aware);
    const char *named = "{\"presetName\":\"H264 Single Bitrate 720p\"}";
    assert_int_equal(enc_config_parse(named, strlen(named), &p, err, sizeof(err)), 0);
    assert_false(p.content_aware);
    assert_int_equal(p.layer_count, 1);
    expect_error("{\"presetName\":\"ContentAwareEncoding\",\"configurations\":{\"maxLayers\":0}}",
                 "invalid preset field configurations.maxLayers: expected an integer from 1 to 16");
    expect_error("{\"presetName\":\"ContentAwareEncoding\",\"configurations\":{\"speed\":1}}",
                 "unsupported preset field configurations.speed");
    expect_error("{\"presetName\":\"ContentAwareEncoding\",\"configurations\":{\"minHeight\":720,"
                 "\"maxHeight\":360}}",
                 "invalid preset field configurations.minHeight: above maxHeight");
    expect_error("{\"presetName\":\"H264 Single Bitrate 720p\",\"configurations\":{}}",
                 "invalid preset field configurations: only with the content-aware presets "
                 "(ContentAwareEncoding, H265ContentAwareEncoding, Adaptive Streaming)");
    expect_error("{\"presetName\":\"Nope\"}",
                 "invalid preset field presetName: expected a built-in preset name");
    expect_error("{\"presetName\":\"ContentAwareEncoding\",\"extra\":1}",
                 "unsupported preset field extra");
}

static void test_plan_after_analysis(void **state)
{
    (void) state;
    static enc_preset_t p;
    static enc_plan_t plan;
    static enc_sources_t s;
    char err[ENC_ERR_LEN];
    memset(&s, 0, sizeof(s));
    s.video = input(1280, 720, 0);
    s.video_found = 1;
    assert_int_equal(enc_preset_by_name("ContentAwareEncoding", &p), 0);
    /* before the analysis: the input is checked, no layers yet */
    assert_int_equal(enc_plan_build(&p, &s, NULL, &plan, err, sizeof(err)), ENC_PLAN_OK);
    assert_int_equal(plan.layer_count, 0);
    assert_non_null(plan.video);
    enc_ladder_choose(&PAN, plan.video, p.codec, &p.cae, p.layers, &p.layer_count);
    p.content_aware = 0;
    assert_int_equal(enc_plan_build(&p, &s, NULL, &plan, err, sizeof(err)), ENC_PLAN_OK);
    assert_true(plan.layer_count >= 2);
    assert_int_equal(plan.layers[0].width, 1280);
    assert_int_equal(plan.layers[0].height, 720);
    assert_string_equal(plan.quality_file, "title_quality.json");
    s.video_found = 0;
    assert_int_equal(enc_preset_by_name("ContentAwareEncoding", &p), 0);
    assert_int_equal(enc_plan_build(&p, &s, NULL, &plan, err, sizeof(err)), ENC_PLAN_BAD_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_easy_and_hard_titles),
        cmocka_unit_test(test_limits_and_input),
        cmocka_unit_test(test_probe_heights_stretches_command),
        cmocka_unit_test(test_v3_presets),
        cmocka_unit_test(test_plan_after_analysis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
