/*
 * test_arm_standard_preset.c — cmocka tests of the v3 StandardEncoderPreset →
 * MES JSON mapping (arm_standard_preset.h): units (bits/s → kbit/s, ISO-8601 →
 * hh:mm:ss.fff), labels, {Resolution}/{Codec}, one MP4 output each for the
 * video layers and the audio, and refusals naming the field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "arm/arm_standard_preset.h"

#include <stdlib.h>
#include <string.h>

static json_t *map(const char *v3, char *why, size_t cap)
{
    json_t *in = json_loads(v3, 0, NULL), *out;
    assert_non_null(in);
    out = arm_standard_preset_to_mes(in, "preset", why, cap);
    json_decref(in);
    return out;
}

static void test_full_preset(void **state)
{
    (void) state;
    char why[512] = "";
    json_t *mes = map("{\"@odata.type\":\"#Microsoft.Media.StandardEncoderPreset\",\"codecs\":["
                      "{\"@odata.type\":\"#Microsoft.Media.H264Video\",\"keyFrameInterval\":\"PT1.5S\","
                      "\"complexity\":\"Quality\",\"rateControlMode\":\"CBR\",\"layers\":[{\"bitrate\":"
                      "3400000,\"maxBitrate\":3400000,\"width\":\"1280\",\"height\":\"50%\",\"label\":\"hd\","
                      "\"bufferWindow\":\"PT5S\",\"bFrames\":2}]},"
                      "{\"@odata.type\":\"#Microsoft.Media.AacAudio\",\"bitrate\":128000,\"channels\":2,"
                      "\"samplingRate\":48000},"
                      "{\"@odata.type\":\"#Microsoft.Media.PngImage\",\"start\":\"10%\",\"step\":\"PT2S\","
                      "\"range\":\"90%\",\"layers\":[{\"width\":\"320\"}]}],\"formats\":["
                      "{\"@odata.type\":\"#Microsoft.Media.Mp4Format\",\"filenamePattern\":"
                      "\"{Basename}_{Resolution}_{Codec}{Extension}\"},"
                      "{\"@odata.type\":\"#Microsoft.Media.PngFormat\",\"filenamePattern\":"
                      "\"{Basename}_{Index}{Extension}\"}]}", why, sizeof(why));
    if (mes == NULL) fail_msg("refused: %s", why);
    char *text = json_dumps(mes, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(strstr(text, "\"KeyFrameInterval\":\"00:00:01.500\""));
    assert_non_null(strstr(text, "\"Bitrate\":3400,"));
    assert_non_null(strstr(text, "\"BufferWindow\":\"00:00:05.000\""));
    assert_non_null(strstr(text, "\"Height\":\"50%\""));
    assert_non_null(strstr(text, "\"Label\":\"hd\""));
    assert_non_null(strstr(text, "\"RateControlMode\":\"CBR\""));
    assert_non_null(strstr(text, "\"Bitrate\":128,"));
    assert_non_null(strstr(text, "\"Step\":\"00:00:02.000\""));
    assert_non_null(strstr(text, "\"FileName\":\"{Basename}_{Width}x{Height}_H264{Extension}\""));
    assert_non_null(strstr(text, "\"FileName\":\"{Basename}_{Width}x{Height}_AACAudio{Extension}\""));
    assert_non_null(strstr(text, "\"Type\":\"PngFormat\""));
    free(text);
    json_decref(mes);
}

static void expect_refusal(const char *v3, const char *field)
{
    char why[512] = "";
    json_t *mes = map(v3, why, sizeof(why));
    if (mes != NULL) fail_msg("accepted: %s", v3);
    if (strstr(why, field) == NULL) fail_msg("\"%s\" does not name %s", why, field);
}

static void test_refusals(void **state)
{
    (void) state;
    expect_refusal("{\"codecs\":[],\"formats\":[]}", "preset.codecs");
    expect_refusal("{\"codecs\":[{\"@odata.type\":\"#Microsoft.Media.H264Video\",\"layers\":[{"
                   "\"bitrate\":100}]}],\"formats\":[{\"@odata.type\":\"#Microsoft.Media.Mp4Format\","
                   "\"filenamePattern\":\"{Basename}\"}]}", "preset.codecs[0].layers[0].bitrate");
    expect_refusal("{\"codecs\":[{\"@odata.type\":\"#Microsoft.Media.H264Video\",\"layers\":[{"
                   "\"bitrate\":100000,\"label\":\"x\"}],\"label\":\"x\"}],\"formats\":[{\"@odata.type\":"
                   "\"#Microsoft.Media.Mp4Format\",\"filenamePattern\":\"{Basename}\"}]}",
                   "preset.codecs[0].layers[0].label");
    expect_refusal("{\"codecs\":[{\"@odata.type\":\"#Microsoft.Media.AacAudio\"}],\"formats\":[{"
                   "\"@odata.type\":\"#Microsoft.Media.Mp4Format\",\"filenamePattern\":\"a/{Basename}\"}]}",
                   "preset.formats[0].filenamePattern");
    expect_refusal("{\"codecs\":[{\"@odata.type\":\"#Microsoft.Media.AacAudio\"}],\"formats\":[{"
                   "\"@odata.type\":\"#Microsoft.Media.Mp4Format\",\"filenamePattern\":\"{Basename}\"},"
                   "{\"@odata.type\":\"#Microsoft.Media.Mp4Format\",\"filenamePattern\":\"{Basename}\"}]}",
                   "preset.formats[1]");
    expect_refusal("{\"codecs\":[{\"@odata.type\":\"#Microsoft.Media.JpgImage\"}],\"formats\":[{"
                   "\"@odata.type\":\"#Microsoft.Media.JpgFormat\",\"filenamePattern\":\"{Basename}\"}]}",
                   "preset.codecs[0].start");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_preset),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
