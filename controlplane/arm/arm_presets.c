/*
 * arm_presets.c — the BuiltInStandardEncoderPreset table (arm_presets.h).
 * Only presets the encoder runs as named are listed; others (copy codecs,
 * Dolby audio, the single-bitrate SD/1080p H.264 ones) are refused.
 */
#include "arm/arm_presets.h"

#include <stddef.h>
#include <strings.h>

static const struct {
    const char *v3_name;
    const char *encoder_name;
} presets[] = {
    { "AdaptiveStreaming", "Adaptive Streaming" },
    { "ContentAwareEncoding", "ContentAwareEncoding" },
    { "H265ContentAwareEncoding", "H265ContentAwareEncoding" },
    { "H264MultipleBitrate1080p", "H264 Multiple Bitrate 1080p" },
    { "H264MultipleBitrate720p", "H264 Multiple Bitrate 720p" },
    { "H264MultipleBitrateSD", "H264 Multiple Bitrate 16x9 SD" },
    { "H264SingleBitrate720p", "H264 Single Bitrate 720p" },
    { "H265AdaptiveStreaming", "H265AdaptiveStreaming" },
    { "H265SingleBitrate720p", "H265SingleBitrate720p" },
    { "H265SingleBitrate1080p", "H265SingleBitrate1080p" },
    { "H265SingleBitrate4K", "H265SingleBitrate4K" },
    { "AACGoodQualityAudio", "AAC Good Quality Audio" },
};

const char *arm_preset_encoder_name(const char *preset_name)
{
    for (size_t i = 0; preset_name != NULL && i < sizeof(presets) / sizeof(presets[0]); i++) {
        if (strcasecmp(presets[i].v3_name, preset_name) == 0) {
            return presets[i].encoder_name;
        }
    }
    return NULL;
}

const char *arm_preset_names(void)
{
    return "AdaptiveStreaming, ContentAwareEncoding, H265ContentAwareEncoding, "
           "H264MultipleBitrate1080p, H264MultipleBitrate720p, H264MultipleBitrateSD, "
           "H264SingleBitrate720p, H265AdaptiveStreaming, H265SingleBitrate720p, "
           "H265SingleBitrate1080p, H265SingleBitrate4K, AACGoodQualityAudio";
}
