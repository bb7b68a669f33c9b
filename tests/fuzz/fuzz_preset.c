/*
 * fuzz_preset.c — libFuzzer target for the Task.Configuration parser of
 * mediaplane-encoder (preset names and the MES JSON preset validator), and
 * for planning the parsed preset against a fixed 1080p source.
 */
#include "enc_config.h"
#include "enc_plan.h"
#include "fuzz_check.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static enc_preset_t preset;
    static enc_plan_t plan;
    static enc_sources_t src;
    char err[ENC_ERR_LEN];
    if (enc_config_parse((const char *) data, size, &preset, err, sizeof(err)) != 0) {
        FUZZ_CHECK(strlen(err) > 0);
        return 0;
    }
    memset(&src, 0, sizeof(src));
    strcpy(src.video.path, "/in/fuzz.mp4");
    src.video.has_video = src.video.has_audio = src.video_found = src.audio_found = 1;
    src.video.width = 1920;
    src.video.height = 1080;
    src.video.display_aspect = 16.0 / 9.0;
    src.video.fps = 30;
    src.video.duration = 20;
    src.video.video_kbps = 5000;
    src.audio = src.video;
    if (enc_plan_build(&preset, &src, NULL, &plan, err, sizeof(err)) == ENC_PLAN_OK) {
        for (int i = 0; i < plan.layer_count; i++) {
            FUZZ_CHECK(plan.layers[i].width % 2 == 0 && plan.layers[i].height % 2 == 0);
            FUZZ_CHECK(strchr(plan.layers[i].file, '/') == NULL);
        }
    }
    return 0;
}
