/*
 * processor_config.c — the media-processor table and the Azure Media Encoder
 * preset names mapped onto Media Encoder Standard (see processor_config.h).
 * Multiple-bitrate AME presets ("Adaptive Bitrate MP4 Set", "Smooth
 * Streaming") become MES's multiple-bitrate MP4 sets (dynamic packaging
 * makes Smooth, HLS and DASH of them); "Broadband" single-bitrate presets
 * become single-bitrate MES presets, as JSON where MES names none here.
 */
#include "jobs/processor_config.h"

#include <string.h>
#include <strings.h>

static const processor_info_t processors[] = {
    { MES_PROCESSOR_ID, "Media Encoder Standard",
      "Media Encoder Standard (mediaplane: FFmpeg + x264)", "1.0" },
    { AME_PROCESSOR_ID, "Azure Media Encoder",
      "Azure Media Encoder (mediaplane: its preset names run as Media Encoder Standard presets)",
      "4.4" },
    { WAME_PROCESSOR_ID, "Windows Azure Media Encoder",
      "Windows Azure Media Encoder (mediaplane: its preset names run as Media Encoder Standard "
      "presets)", "3.7" },
    { NULL, NULL, NULL, NULL },
};

/* Single-bitrate MP4 + AAC stereo, as MES's "H264 Single Bitrate …" presets. */
#define SINGLE_BITRATE_JSON(w, h, kbps) \
    "{\"Version\":1.0,\"Codecs\":[{\"KeyFrameInterval\":\"00:00:02\",\"H264Layers\":[" \
    "{\"Type\":\"H264Layer\",\"Bitrate\":" #kbps ",\"Width\":\"" #w "\",\"Height\":\"" #h "\"}]," \
    "\"Type\":\"H264Video\"},{\"Type\":\"AACAudio\",\"Channels\":2,\"SamplingRate\":48000," \
    "\"Bitrate\":128}],\"Outputs\":[{\"FileName\":\"{Basename}_{Width}x{Height}_{VideoBitrate}.mp4\"," \
    "\"Format\":{\"Type\":\"MP4Format\"}}]}"

static const legacy_preset_t legacy_presets[] = {
    { "H264 Adaptive Bitrate MP4 Set 1080p", "H264 Multiple Bitrate 1080p" },
    { "H264 Adaptive Bitrate MP4 Set 720p", "H264 Multiple Bitrate 720p" },
    { "H264 Adaptive Bitrate MP4 Set SD 16x9", "H264 Multiple Bitrate 16x9 SD" },
    { "H264 Adaptive Bitrate MP4 Set 1080p for iOS Cellular Only", "H264 Multiple Bitrate 1080p" },
    { "H264 Adaptive Bitrate MP4 Set 720p for iOS Cellular Only", "H264 Multiple Bitrate 720p" },
    { "H264 Adaptive Bitrate MP4 Set SD 16x9 for iOS Cellular Only", "H264 Multiple Bitrate 16x9 SD" },
    { "H264 Smooth Streaming 1080p", "H264 Multiple Bitrate 1080p" },
    { "H264 Smooth Streaming 720p", "H264 Multiple Bitrate 720p" },
    { "H264 Smooth Streaming SD 16x9", "H264 Multiple Bitrate 16x9 SD" },
    { "H264 Smooth Streaming 720p for 3G or 4G", "H264 Multiple Bitrate 720p" },
    { "H264 Broadband 1080p", SINGLE_BITRATE_JSON(1920, 1080, 6750) },
    { "H264 Broadband 720p", "H264 Single Bitrate 720p" },
    { "H264 Broadband SD 16x9", SINGLE_BITRATE_JSON(848, 480, 2200) },
    { "H.264 HD 1080p VBR", SINGLE_BITRATE_JSON(1920, 1080, 6750) },
    { "H.264 HD 720p VBR", "H264 Single Bitrate 720p" },
    { "AAC Good Quality Audio", "AAC Good Quality Audio" },
    { "AAC Audio", "AAC Good Quality Audio" },
    { NULL, NULL },
};

const processor_info_t *processors_all(void)
{
    return processors;
}

const legacy_preset_t *legacy_presets_all(void)
{
    return legacy_presets;
}

bool processor_is_legacy(const char *processor_id)
{
    return processor_id != NULL && (strcmp(processor_id, AME_PROCESSOR_ID) == 0
                                    || strcmp(processor_id, WAME_PROCESSOR_ID) == 0);
}

bool processor_encodes(const char *processor_id)
{
    return processor_id != NULL
           && (strcmp(processor_id, MES_PROCESSOR_ID) == 0 || processor_is_legacy(processor_id));
}

/* Surrounding blanks are ignored, case too (AMS matched preset names so). */
static const char *legacy_mes_config(const char *name)
{
    size_t len;

    while (*name == ' ' || *name == '\t' || *name == '\r' || *name == '\n') {
        name++;
    }
    len = strlen(name);
    while (len > 0 && strchr(" \t\r\n", name[len - 1]) != NULL) {
        len--;
    }
    for (const legacy_preset_t *p = legacy_presets; p->ame_name != NULL; p++) {
        if (strlen(p->ame_name) == len && strncasecmp(p->ame_name, name, len) == 0) {
            return p->mes_config;
        }
    }
    return NULL;
}

const char *processor_encoder_config(const char *processor_id, const char *configuration)
{
    if (configuration == NULL) {
        return NULL;
    }
    return processor_is_legacy(processor_id) ? legacy_mes_config(configuration) : configuration;
}
