/*
 * enc_complexity.c — Complexity names and their x264/x265 presets.
 */
#include "enc_complexity.h"

#include <string.h>
#include <strings.h>

static const char *const names[] = { "", "Speed", "Balanced", "Quality" };

/* [codec][complexity]; UNSET is Balanced */
static const char *const presets[2][4] = {
    { "medium", "veryfast", "medium", "slow" },
    { "medium", "ultrafast", "medium", "slow" },
};

enc_complexity_t enc_complexity_parse(const char *name)
{
    for (int i = ENC_COMPLEXITY_SPEED; i <= ENC_COMPLEXITY_QUALITY; i++) {
        if (strcasecmp(name, names[i]) == 0) {
            return (enc_complexity_t) i;
        }
    }
    return ENC_COMPLEXITY_UNSET;
}

const char *enc_complexity_name(enc_complexity_t c)
{
    return c >= ENC_COMPLEXITY_UNSET && c <= ENC_COMPLEXITY_QUALITY ? names[c] : "";
}

const char *enc_codec_preset(enc_codec_t codec, enc_complexity_t c)
{
    if (c < ENC_COMPLEXITY_UNSET || c > ENC_COMPLEXITY_QUALITY) {
        c = ENC_COMPLEXITY_UNSET;
    }
    return presets[codec == ENC_CODEC_H265][c];
}

const char *enc_codec_encoder(enc_codec_t codec)
{
    return codec == ENC_CODEC_H265 ? "libx265" : "libx264";
}

const char *enc_codec_name(enc_codec_t codec)
{
    return codec == ENC_CODEC_H265 ? "hevc" : "h264";
}

int enc_known_speed_preset(const char *p)
{
    static const char *const all[] = {
        "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
        "veryslow", "placebo", NULL
    };
    for (int i = 0; all[i] != NULL; i++) {
        if (strcmp(p, all[i]) == 0) {
            return 1;
        }
    }
    return 0;
}
