/*
 * enc_preset.c — preset defaults and the built-in Media Encoder Standard
 * presets (the ladders of the AMS reference, section 5) and AMS v3's
 * built-in H.265 and content-aware presets.
 */
#include "enc_preset.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

typedef struct {
    int width, height, kbps;
} ladder_rung_t;

enum { FIXED = 0, TRIMMED = 1, CONTENT_AWARE = 2 };

typedef struct {
    const char *name;
    int adaptive;                 /* FIXED, TRIMMED to the input, or CONTENT_AWARE */
    int video;                    /* 0: audio only */
    enc_codec_t codec;
    int rung_count;
    ladder_rung_t rungs[ENC_MAX_LAYERS];
} named_preset_t;

static const named_preset_t named_presets[] = {
    { "H264 Multiple Bitrate 1080p", 0, 1, ENC_CODEC_H264, 8,
      { { 1920, 1080, 6000 }, { 1920, 1080, 4700 }, { 1280, 720, 3400 }, { 960, 540, 2250 },
        { 960, 540, 1500 }, { 640, 360, 1000 }, { 640, 360, 650 }, { 320, 180, 400 } } },
    { "H264 Multiple Bitrate 720p", 0, 1, ENC_CODEC_H264, 6,
      { { 1280, 720, 3400 }, { 960, 540, 2250 }, { 960, 540, 1500 }, { 640, 360, 1000 },
        { 640, 360, 650 }, { 320, 180, 400 } } },
    { "H264 Multiple Bitrate 16x9 SD", 0, 1, ENC_CODEC_H264, 5,
      { { 848, 480, 1900 }, { 848, 480, 1300 }, { 640, 360, 900 }, { 640, 360, 650 },
        { 432, 240, 400 } } },
    { "H264 Single Bitrate 720p", 0, 1, ENC_CODEC_H264, 1, { { 1280, 720, 4500 } } },
    { "AAC Good Quality Audio", 0, 0, ENC_CODEC_H264, 0, { { 0, 0, 0 } } },
    /* content-aware: the ladder comes from the analysis (enc_ladder.c) */
    { "Adaptive Streaming", CONTENT_AWARE, 1, ENC_CODEC_H264, 0, { { 0, 0, 0 } } },
    { "ContentAwareEncoding", CONTENT_AWARE, 1, ENC_CODEC_H264, 0, { { 0, 0, 0 } } },
    { "H265ContentAwareEncoding", CONTENT_AWARE, 1, ENC_CODEC_H265, 0, { { 0, 0, 0 } } },
    /* AMS v3's H.265 presets: single bitrates as AMS documents them, and the
     * Adaptive Streaming ladder at about 0.65x the H.264 bits (x265 medium
     * needs ~30 % fewer bits than x264 medium for the same PSNR) */
    { "H265SingleBitrate720p", 0, 1, ENC_CODEC_H265, 1, { { 1280, 720, 1800 } } },
    { "H265SingleBitrate1080p", 0, 1, ENC_CODEC_H265, 1, { { 1920, 1080, 3500 } } },
    { "H265SingleBitrate4K", 0, 1, ENC_CODEC_H265, 1, { { 3840, 2160, 9500 } } },
    /* the fixed ladder trimmed to the input (enc_adaptive_ladder) */
    { "H265AdaptiveStreaming", TRIMMED, 1, ENC_CODEC_H265, 6,
      { { 1920, 1080, 4400 }, { 1280, 720, 2300 }, { 960, 540, 1440 }, { 640, 360, 750 },
        { 480, 270, 470 }, { 320, 180, 250 } } },
};

#define NAMED_COUNT (sizeof(named_presets) / sizeof(named_presets[0]))

const char *const enc_preset_names[] = {
    "H264 Multiple Bitrate 1080p", "H264 Multiple Bitrate 720p",
    "H264 Multiple Bitrate 16x9 SD", "H264 Single Bitrate 720p",
    "AAC Good Quality Audio", "Adaptive Streaming", "ContentAwareEncoding",
    "H265ContentAwareEncoding", "H265SingleBitrate720p",
    "H265SingleBitrate1080p", "H265SingleBitrate4K", "H265AdaptiveStreaming", NULL
};

void enc_preset_defaults(enc_preset_t *p)
{
    memset(p, 0, sizeof(*p));
    p->gop_seconds = 2.0;
    p->bframes = 3;
    p->audio_kbps = 128;
    p->audio_channels = 2;
    p->audio_rate = 48000;
    p->clip_duration = -1;
    strcpy(p->video_pattern, ENC_DEFAULT_VIDEO_PATTERN);
    strcpy(p->audio_pattern, ENC_DEFAULT_AUDIO_PATTERN);
}

/* name compared case-insensitively with surrounding whitespace ignored */
static int name_matches(const char *text, const char *name)
{
    while (isspace((unsigned char) *text)) {
        text++;
    }
    size_t n = strlen(name);
    if (strncasecmp(text, name, n) != 0) {
        return 0;
    }
    for (text += n; *text != '\0'; text++) {
        if (!isspace((unsigned char) *text)) {
            return 0;
        }
    }
    return 1;
}

static void apply_named(const named_preset_t *np, enc_preset_t *out)
{
    enc_preset_defaults(out);
    out->adaptive = np->adaptive == TRIMMED;
    out->content_aware = np->adaptive == CONTENT_AWARE;
    out->codec = np->codec;
    out->has_audio = 1;
    out->layer_count = np->rung_count;
    for (int i = 0; i < np->rung_count; i++) {
        enc_layer_t *l = &out->layers[i];
        l->width.value = np->rungs[i].width;
        l->height.value = np->rungs[i].height;
        l->kbps = np->rungs[i].kbps;
    }
    if (!np->video) {
        strcpy(out->audio_pattern, ENC_DEFAULT_AUDIO_PATTERN);
    }
}

int enc_preset_by_name(const char *name, enc_preset_t *out)
{
    for (size_t i = 0; i < NAMED_COUNT; i++) {
        if (name_matches(name, named_presets[i].name)) {
            apply_named(&named_presets[i], out);
            return 0;
        }
    }
    return -1;
}
