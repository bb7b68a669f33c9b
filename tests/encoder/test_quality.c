/*
 * test_quality.c — cmocka tests of the quality report: the metrics command
 * (source decoded once with the plan's clip, one psnr+ssim chain per layer,
 * stats files in the given directory), the stats-file parsers (PSNR from the
 * mean MSE, not the mean of per-frame PSNRs), the JSON report file and the
 * PerfMessage summary.  No ffmpeg is run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "enc_config.h"
#include "enc_plan.h"
#include "enc_quality.h"
#include "enc_quality_report.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enc_plan_t *plan_720(void)
{
    static enc_sources_t s;
    static enc_preset_t pr;
    static enc_plan_t plan;
    char err[ENC_ERR_LEN];
    memset(&s, 0, sizeof(s));
    snprintf(s.video.path, sizeof(s.video.path), "/in/clip.mp4");
    s.video.has_video = 1;
    s.video.audio_index = -1;
    s.video.width = 1920;
    s.video.height = 1080;
    s.video.display_aspect = 16.0 / 9;
    s.video.fps = 30;
    s.video.duration = 20;
    s.video_found = 1;
    const char *cfg = "{\"Sources\":[{\"StartTime\":\"00:00:02\",\"Duration\":\"00:00:05\"}],"
                      "\"Codecs\":[{\"Type\":\"H264Video\",\"H264Layers\":["
                      "{\"Bitrate\":3000,\"Width\":\"1280\",\"Height\":\"720\"},"
                      "{\"Bitrate\":800,\"Width\":\"640\",\"Height\":\"360\"}]}],"
                      "\"Outputs\":[{\"FileName\":\"{Basename}_{Height}.mp4\","
                      "\"Format\":{\"Type\":\"MP4Format\"}}]}";
    assert_int_equal(enc_config_parse(cfg, strlen(cfg), &pr, err, sizeof(err)), 0);
    assert_int_equal(enc_plan_build(&pr, &s, NULL, &plan, err, sizeof(err)), ENC_PLAN_OK);
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

static void test_command(void **state)
{
    (void) state;
    enc_plan_t *p = plan_720();
    assert_string_equal(p->quality_file, "clip_quality.json");
    enc_argv_t a;
    assert_int_equal(enc_quality_command(p, "ffmpeg", "/out", "/tmp/q", &a), 0);
    assert_int_equal(count(&a, "-i"), 3);                 /* source + 2 layers */
    assert_int_equal(count(&a, "/out/clip_720.mp4"), 1);
    assert_int_equal(count(&a, "/out/clip_360.mp4"), 1);
    assert_int_equal(count(&a, "-ss"), 1);                /* the same clip as the encode */
    assert_int_equal(count(&a, "2.000"), 1);
    assert_int_equal(count(&a, "5.000"), 1);
    assert_int_equal(count(&a, "null"), 2);
    char *line = enc_argv_join(&a);
    assert_non_null(strstr(line, "[s0]scale=1280:720:flags=bicubic"));
    assert_non_null(strstr(line, "[s1]scale=640:360:flags=bicubic"));
    assert_non_null(strstr(line, "psnr=stats_file=/tmp/q/psnr-1.log"));
    assert_non_null(strstr(line, "ssim=stats_file=/tmp/q/ssim-0.log"));
    /* PSNR on every frame, SSIM on every 7th of both sides */
    assert_non_null(strstr(line, "[d0][ra0]psnr"));
    assert_non_null(strstr(line, "[p0]select='not(mod(n,7))'[pe0]"));
    assert_non_null(strstr(line, "[rb0]select='not(mod(n,7))'[re0]"));
    free(line);
    enc_argv_free(&a);
    /* a directory that would break the filter graph's syntax */
    assert_int_equal(enc_quality_command(p, "ffmpeg", "/out", "/tmp/a:b", &a), -1);
}

/* layers of one size share one scaled reference */
static void test_shared_reference(void **state)
{
    (void) state;
    enc_plan_t *p = plan_720();
    p->layers[1].width = 1280;
    p->layers[1].height = 720;
    enc_argv_t a;
    assert_int_equal(enc_quality_command(p, "ffmpeg", "/out", "/tmp/q", &a), 0);
    char *line = enc_argv_join(&a);
    assert_non_null(strstr(line, "split=1[s0];[s0]scale=1280:720:flags=bicubic"));
    assert_non_null(strstr(line, "split=4[ra0][rb0][ra1][rb1]"));
    assert_null(strstr(line, "[s1]"));
    assert_non_null(strstr(line, "[d1][ra1]psnr=stats_file=/tmp/q/psnr-1.log"));
    free(line);
    enc_argv_free(&a);
}

static void test_parse(void **state)
{
    (void) state;
    enc_layer_quality_t q;
    memset(&q, 0, sizeof(q));
    /* mean MSE 5.5 (y) and 3.0 (avg): PSNR of the means, not the mean of PSNRs */
    const char *psnr = "n:1 mse_avg:1.00 mse_y:1.00 mse_u:1.00 mse_v:1.00 psnr_avg:48.13 psnr_y:48.13\n"
                       "n:2 mse_avg:5.00 mse_y:10.00 mse_u:1.00 mse_v:1.00 psnr_avg:41.14 psnr_y:38.13\n";
    assert_int_equal(enc_quality_parse_psnr(psnr, &q), 0);
    assert_int_equal(q.frames, 2);
    assert_true(fabs(q.psnr_y - 10 * log10(255.0 * 255.0 / 5.5)) < 1e-9);
    assert_true(fabs(q.psnr_avg - 10 * log10(255.0 * 255.0 / 3.0)) < 1e-9);
    const char *ssim = "n:1 Y:0.900000 U:0.950000 V:0.950000 All:0.920000 (10.969100)\n"
                       "n:2 Y:0.800000 U:0.950000 V:0.950000 All:0.860000 (8.538720)";
    assert_int_equal(enc_quality_parse_ssim(ssim, &q), 0);
    assert_true(fabs(q.ssim_y - 0.85) < 1e-9);
    assert_true(fabs(q.ssim_all - 0.89) < 1e-9);
    assert_int_equal(enc_quality_parse_psnr("", &q), -1);
    assert_int_equal(enc_quality_parse_psnr("n:1 psnr_y:40\n", &q), -1);   /* no mse */
    assert_int_equal(enc_quality_parse_ssim("garbage\n", &q), -1);
}

static void test_report_and_summary(void **state)
{
    (void) state;
    enc_plan_t *p = plan_720();
    p->complexity = ENC_COMPLEXITY_BALANCED;
    enc_layer_quality_t q[2] = { { 150, 41.234, 40.5, 0.98123, 0.975, 2950 },
                                 { 150, 38.0, 37.2, 0.95, 0.94, 790 } };
    enc_quality_costs_t c = { "libx264", "medium", 30.0, 16.0, 0, 4.5 };
    char dir[] = "/tmp/enc-quality-test-XXXXXX", err[ENC_ERR_LEN], path[300];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(enc_quality_write(p, q, &c, dir, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/clip_quality.json", dir);
    json_error_t je;
    json_t *r = json_load_file(path, 0, &je);
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_object_get(r, "totalKbps")), 3740);
    json_t *l0 = json_array_get(json_object_get(r, "layers"), 0);
    assert_string_equal(json_string_value(json_object_get(l0, "file")), "clip_720.mp4");
    assert_int_equal(json_integer_value(json_object_get(l0, "targetKbps")), 3000);
    assert_int_equal(json_integer_value(json_object_get(l0, "kbps")), 2950);
    assert_true(fabs(json_real_value(json_object_get(l0, "psnrY")) - 41.23) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(l0, "ssimY")) - 0.9812) < 1e-9);
    json_t *enc = json_object_get(r, "encoder");
    assert_string_equal(json_string_value(json_object_get(enc, "preset")), "medium");
    assert_string_equal(json_string_value(json_object_get(enc, "complexity")), "Balanced");
    assert_true(fabs(json_real_value(json_object_get(json_object_get(r, "cpuSeconds"), "report"))
                     - 4.5) < 1e-9);
    json_decref(r);
    unlink(path);
    rmdir(dir);
    char sum[400];
    enc_quality_summary(p, q, sum, sizeof(sum));
    assert_string_equal(sum, "PSNR-Y/SSIM-Y per layer: 1280x720@2950k 41.23 dB 0.9812, "
                             "640x360@790k 38.00 dB 0.9500");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_shared_reference),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_report_and_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
