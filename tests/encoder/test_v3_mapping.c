/*
 * test_v3_mapping.c — cmocka tests of what AMS v3 jobs add to the encoder:
 * layer and audio Labels in file names, a layer's BufferWindow as the VBV
 * buffer, "Sources" (a v3 job's clip) next to a built-in preset's v3 JSON,
 * and which addresses an HTTP input may not reach (enc_fetch.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "enc_command.h"
#include "enc_config.h"
#include "enc_fetch.h"
#include "enc_plan.h"
#include "plan_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char labelled[] =
    "{\"Codecs\":[{\"Type\":\"H264Video\",\"H264Layers\":["
    "{\"Type\":\"H264Layer\",\"Bitrate\":1000,\"Width\":\"640\",\"Height\":\"360\","
    "\"Label\":\"hd\",\"BufferWindow\":\"00:00:05\"},"
    "{\"Type\":\"H264Layer\",\"Bitrate\":400,\"Width\":\"50%\",\"Height\":\"50%\",\"Label\":\"sd\"}]},"
    "{\"Type\":\"AACAudio\",\"Bitrate\":96,\"Label\":\"aud\"}],"
    "\"Outputs\":[{\"FileName\":\"V-{Basename}-{Label}-{Bitrate}{Extension}\",\"Format\":{\"Type\":\"MP4Format\"}},"
    "{\"FileName\":\"V-{Basename}-{Label}-{Bitrate}{Extension}\",\"Format\":{\"Type\":\"MP4Format\"}}]}";

static enc_plan_t *plan_for(const char *json)
{
    return plan_for_720p(json, 30);
}

static void test_labels_name_the_files(void **state)
{
    (void) state;
    enc_plan_t *p = plan_for(labelled);
    assert_int_equal(p->layer_count, 2);
    assert_string_equal(p->layers[0].file, "V-a-hd-1000.mp4");
    assert_string_equal(p->layers[1].file, "V-a-sd-400.mp4");
    assert_int_equal(p->layers[1].width, 640);
    assert_string_equal(p->audio_file, "V-a-aud-96.mp4");
}

static void test_buffer_window_sets_the_vbv_buffer(void **state)
{
    (void) state;
    enc_command_opts_t o = { "ffmpeg", "medium", "/out", 0, "/tmp/pl" };
    enc_argv_t a;
    assert_int_equal(enc_command_build(plan_for(labelled), &o, &a), 0);
    char *line = enc_argv_join(&a);
    enc_argv_free(&a);
    assert_non_null(strstr(line, "-b:v 1000k -maxrate 1000k -bufsize 5000k"));  /* 5 s */
    assert_non_null(strstr(line, "-b:v 400k -maxrate 400k -bufsize 800k"));     /* default 2 s */
    free(line);
}

static void test_label_and_window_checked(void **state)
{
    (void) state;
    static enc_preset_t p;
    char err[ENC_ERR_LEN];
    const char *bad_label = "{\"Codecs\":[{\"Type\":\"AACAudio\",\"Label\":\"a b\"}],"
                            "\"Outputs\":[{\"FileName\":\"{Basename}.mp4\",\"Format\":{\"Type\":\"MP4Format\"}}]}";
    assert_int_equal(enc_config_parse(bad_label, strlen(bad_label), &p, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "Codecs[0].Label"));
    const char *bad_window = "{\"Codecs\":[{\"Type\":\"H264Video\",\"H264Layers\":[{\"Bitrate\":100,"
                             "\"BufferWindow\":\"00:05:00\"}]}],"
                             "\"Outputs\":[{\"FileName\":\"{Basename}.mp4\",\"Format\":{\"Type\":\"MP4Format\"}}]}";
    assert_int_equal(enc_config_parse(bad_window, strlen(bad_window), &p, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "H264Layers[0].BufferWindow"));
}

static void test_builtin_v3_json_with_a_clip(void **state)
{
    (void) state;
    static enc_preset_t p;
    char err[ENC_ERR_LEN];
    const char *json = "{\"@odata.type\":\"#Microsoft.Media.BuiltInStandardEncoderPreset\","
                       "\"presetName\":\"H264 Single Bitrate 720p\","
                       "\"Sources\":[{\"StartTime\":\"00:00:02.500\",\"Duration\":\"00:00:04\"}]}";
    assert_int_equal(enc_config_parse(json, strlen(json), &p, err, sizeof(err)), 0);
    assert_true(p.clip_start == 2.5);
    assert_true(p.clip_duration == 4);
    assert_int_equal(p.layer_count, 1);
    const char *bad = "{\"presetName\":\"H264 Single Bitrate 720p\",\"Sources\":[{\"Duration\":\"x\"}]}";
    assert_int_equal(enc_config_parse(bad, strlen(bad), &p, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "Sources[0].Duration"));
}

static void test_private_addresses(void **state)
{
    (void) state;
    const char *private[] = { "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                              "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                              "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "ff02::1",
                              "::ffff:127.0.0.1", "64:ff9b::a00:1", "not an address", NULL };
    const char *public[] = { "8.8.8.8", "172.32.0.1", "100.128.0.1", "193.0.0.1",
                             "2001:4860:4860::8888", "::ffff:8.8.8.8", NULL };
    for (int i = 0; private[i] != NULL; i++) {
        if (!enc_fetch_address_private(private[i])) fail_msg("%s counted as public", private[i]);
    }
    for (int i = 0; public[i] != NULL; i++) {
        if (enc_fetch_address_private(public[i])) fail_msg("%s counted as private", public[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels_name_the_files),
        cmocka_unit_test(test_buffer_window_sets_the_vbv_buffer),
        cmocka_unit_test(test_label_and_window_checked),
        cmocka_unit_test(test_builtin_v3_json_with_a_clip),
        cmocka_unit_test(test_private_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
