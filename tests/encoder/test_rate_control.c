/*
 * test_rate_control.c — cmocka tests of the rate control modes of MES JSON
 * presets: RateControlMode ABR (default) / CBR / CRF (with Crf per layer,
 * capped at MaxBitrate or Bitrate), TwoPass; the validator's errors name the
 * field; and the x264/x265 arguments each mode produces, including the two
 * commands of a two-pass encode (pass 1: stats only, no audio/thumbnails).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "enc_command.h"
#include "enc_config.h"
#include "enc_plan.h"
#include "plan_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a preset with codec fields cf and layer fields lf added */
static char *preset(const char *codec, const char *cf, const char *lf)
{
    static char buf[2048];
    snprintf(buf, sizeof(buf),
             "{\"Codecs\":[{\"Type\":\"%sVideo\"%s,\"%sLayers\":[{\"Bitrate\":1000,"
             "\"Width\":\"640\",\"Height\":\"360\"%s}]},{\"Type\":\"AACAudio\"},"
             "{\"Type\":\"JpgImage\",\"Start\":\"{Best}\"}],"
             "\"Outputs\":[{\"FileName\":\"{Basename}_{Bitrate}.mp4\",\"Format\":{\"Type\":\"MP4Format\"}},"
             "{\"FileName\":\"{Basename}_a.mp4\",\"Format\":{\"Type\":\"MP4Format\"}},"
             "{\"FileName\":\"{Basename}{Extension}\",\"Format\":{\"Type\":\"JpgFormat\"}}]}",
             codec, cf, codec, lf);
    return buf;
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

static enc_plan_t *plan_for(const char *json)
{
    return plan_for_720p(json, 25);
}

static char *command(const enc_plan_t *p, int pass)
{
    enc_command_opts_t o = { "ffmpeg", "medium", "/out", pass, "/tmp/pl" };
    enc_argv_t a;
    assert_int_equal(enc_command_build(p, &o, &a), 0);
    char *line = enc_argv_join(&a);
    enc_argv_free(&a);
    return line;
}

static void test_modes_parse(void **state)
{
    (void) state;
    enc_plan_t *p = plan_for(preset("H264", "", ""));
    assert_int_equal(p->rc_mode, ENC_RC_ABR);
    assert_int_equal(p->two_pass, 0);
    p = plan_for(preset("H264", ",\"RateControlMode\":\"CBR\",\"TwoPass\":true", ""));
    assert_int_equal(p->rc_mode, ENC_RC_CBR);
    assert_int_equal(p->two_pass, 1);
    p = plan_for(preset("H265", ",\"RateControlMode\":\"crf\"", ",\"Crf\":26,\"MaxBitrate\":1500"));
    assert_int_equal(p->rc_mode, ENC_RC_CRF);
    assert_true(p->layers[0].crf == 26);
    assert_int_equal(p->layers[0].max_kbps, 1500);
}

static void test_errors_name_the_field(void **state)
{
    (void) state;
    expect_error(preset("H264", ",\"RateControlMode\":\"VBR\"", ""),
                 "invalid preset field Codecs[0].RateControlMode: expected \"ABR\", \"CBR\" or "
                 "\"CRF\" (constant quality capped at the layer's MaxBitrate, else its Bitrate)");
    expect_error(preset("H264", ",\"TwoPass\":\"yes\"", ""),
                 "invalid preset field Codecs[0].TwoPass: expected true or false");
    expect_error(preset("H264", ",\"RateControlMode\":\"CRF\",\"TwoPass\":true", ""),
                 "invalid preset field Codecs[0].TwoPass: two passes need a bitrate target: not "
                 "with RateControlMode \"CRF\"");
    expect_error(preset("H264", "", ",\"Crf\":23"),
                 "invalid preset field Codecs[0].H264Layers[0].Crf: only with RateControlMode \"CRF\"");
    expect_error(preset("H265", ",\"RateControlMode\":\"CRF\"", ",\"Crf\":60"),
                 "invalid preset field Codecs[0].H265Layers[0].Crf: expected a number from 1 to 51");
    expect_error(preset("H264", ",\"RateControlMode\":\"CBR\"", ",\"MaxBitrate\":2000"),
                 "invalid preset field Codecs[0].H264Layers[0].MaxBitrate: must equal Bitrate "
                 "with RateControlMode \"CBR\"");
}

static void test_single_pass_args(void **state)
{
    (void) state;
    char *abr = command(plan_for(preset("H264", "", "")), 0);
    assert_non_null(strstr(abr, "-b:v 1000k -maxrate 1000k -bufsize 2000k"));
    assert_null(strstr(abr, "-crf"));
    free(abr);
    char *cbr = command(plan_for(preset("H264", ",\"RateControlMode\":\"CBR\"", "")), 0);
    assert_non_null(strstr(cbr, "-b:v 1000k -minrate 1000k -maxrate 1000k -bufsize 2000k"));
    assert_non_null(strstr(cbr, "open-gop=0:scenecut=0:nal-hrd=cbr"));
    free(cbr);
    char *cbr5 = command(plan_for(preset("H265", ",\"RateControlMode\":\"CBR\"", "")), 0);
    assert_non_null(strstr(cbr5, "scenecut=0:open-gop=0:log-level=error:strict-cbr=1"));
    free(cbr5);
    char *crf = command(plan_for(preset("H264", ",\"RateControlMode\":\"CRF\"",
                                        ",\"Crf\":21.5,\"MaxBitrate\":1800")), 0);
    assert_non_null(strstr(crf, "-crf 21.5 -maxrate 1800k -bufsize 3600k"));
    assert_null(strstr(crf, "-b:v"));
    free(crf);
}

static void test_two_pass_commands(void **state)
{
    (void) state;
    enc_plan_t *p = plan_for(preset("H264", ",\"TwoPass\":true", ""));
    char *one = command(p, 1), *two = command(p, 2);
    assert_non_null(strstr(one, "-pass 1 -passlogfile /tmp/pl/passlog-0"));
    assert_non_null(strstr(one, "-an -f null /dev/null"));
    assert_null(strstr(one, "-c:a aac"));             /* pass 1: video stats only */
    assert_null(strstr(one, "mjpeg"));
    assert_null(strstr(one, "thumbnail"));
    assert_non_null(strstr(two, "-pass 2 -passlogfile /tmp/pl/passlog-0"));
    assert_non_null(strstr(two, "/out/a_1000.mp4"));
    assert_non_null(strstr(two, "-c:a aac"));
    assert_non_null(strstr(two, "thumbnail"));
    free(one);
    free(two);
    p = plan_for(preset("H265", ",\"TwoPass\":true", ""));
    one = command(p, 1);
    assert_non_null(strstr(one, ":pass=1:stats=/tmp/pl/passlog-0"));
    free(one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes_parse),
        cmocka_unit_test(test_errors_name_the_field),
        cmocka_unit_test(test_single_pass_args),
        cmocka_unit_test(test_two_pass_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
