/*
 * test_processor_config.c — controlplane/jobs/processor_config: the legacy
 * Azure Media Encoder ids and preset names (as AMS-era samples and SDKs
 * sent them) mapped onto Media Encoder Standard, and MES configurations
 * passed through untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "jobs/processor_config.h"

static void expect_map(const char *processor, const char *ame, const char *mes)
{
    const char *got = processor_encoder_config(processor, ame);
    print_message("%s\n", ame);
    assert_non_null(got);
    assert_string_equal(got, mes);
}

static void test_legacy_names_map_onto_mes(void **state)
{
    (void) state;
    expect_map(AME_PROCESSOR_ID, "H264 Broadband 720p", "H264 Single Bitrate 720p");
    expect_map(AME_PROCESSOR_ID, "H264 Adaptive Bitrate MP4 Set 720p", "H264 Multiple Bitrate 720p");
    expect_map(AME_PROCESSOR_ID, "H264 Smooth Streaming 720p", "H264 Multiple Bitrate 720p");
    expect_map(AME_PROCESSOR_ID, "H264 Smooth Streaming SD 16x9", "H264 Multiple Bitrate 16x9 SD");
    expect_map(AME_PROCESSOR_ID, "H264 Adaptive Bitrate MP4 Set 1080p",
               "H264 Multiple Bitrate 1080p");
    expect_map(WAME_PROCESSOR_ID, "H264 Broadband 720p", "H264 Single Bitrate 720p");
    expect_map(WAME_PROCESSOR_ID, "AAC Audio", "AAC Good Quality Audio");
    /* case and surrounding blanks do not matter */
    expect_map(AME_PROCESSOR_ID, "  h264 broadband 720P\n", "H264 Single Bitrate 720p");
    /* no MES name: a single-bitrate MES JSON preset */
    const char *json = processor_encoder_config(AME_PROCESSOR_ID, "H264 Broadband 1080p");
    assert_non_null(json);
    assert_non_null(strstr(json, "\"Bitrate\":6750,\"Width\":\"1920\",\"Height\":\"1080\""));
}

static void test_unmapped_names_are_refused(void **state)
{
    (void) state;
    assert_null(processor_encoder_config(AME_PROCESSOR_ID, "VC1 Smooth Streaming 720p"));
    assert_null(processor_encoder_config(AME_PROCESSOR_ID, "H264 Multiple Bitrate 720p"));
    assert_null(processor_encoder_config(AME_PROCESSOR_ID, "{\"Codecs\":[]}"));
    assert_null(processor_encoder_config(AME_PROCESSOR_ID, ""));
    assert_null(processor_encoder_config(AME_PROCESSOR_ID, NULL));
}

static void test_mes_passes_through(void **state)
{
    (void) state;
    const char *cfg = "H264 Multiple Bitrate 720p";
    assert_ptr_equal(processor_encoder_config(MES_PROCESSOR_ID, cfg), cfg);
    assert_true(processor_encodes(MES_PROCESSOR_ID));
    assert_true(processor_encodes(AME_PROCESSOR_ID));
    assert_false(processor_is_legacy(MES_PROCESSOR_ID));
    assert_false(processor_encodes("nb:mpid:UUID:00000000-0000-0000-0000-000000000000"));
    assert_false(processor_encodes(NULL));
}

static void test_table_is_consistent(void **state)
{
    size_t n = 0;
    (void) state;
    for (const processor_info_t *p = processors_all(); p->id != NULL; p++, n++) {
        assert_true(processor_encodes(p->id));
    }
    assert_int_equal(n, 3);
    for (const legacy_preset_t *p = legacy_presets_all(); p->ame_name != NULL; p++) {
        assert_ptr_equal(processor_encoder_config(AME_PROCESSOR_ID, p->ame_name), p->mes_config);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy_names_map_onto_mes),
        cmocka_unit_test(test_unmapped_names_are_refused),
        cmocka_unit_test(test_mes_passes_through),
        cmocka_unit_test(test_table_is_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
