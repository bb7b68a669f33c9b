/*
 * enc_complexity.h — the speed/quality trade-off of an encode: AMS's
 * Complexity (Speed, Balanced, Quality) and the video codec, mapped to the
 * x264/x265 preset that runs.  The default (Balanced) is x264 `medium`;
 * the daemon names the installation's default (`encoder_complexity`), a
 * preset's own Complexity wins over it.
 */
#ifndef ENC_COMPLEXITY_H
#define ENC_COMPLEXITY_H

typedef enum {
    ENC_COMPLEXITY_UNSET = 0,     /* take the task's default (--complexity) */
    ENC_COMPLEXITY_SPEED,
    ENC_COMPLEXITY_BALANCED,
    ENC_COMPLEXITY_QUALITY
} enc_complexity_t;

typedef enum { ENC_CODEC_H264 = 0, ENC_CODEC_H265 } enc_codec_t;

/* "Speed" | "Balanced" | "Quality" (case-insensitive) -> value; UNSET if
 * the name is none of them. */
enc_complexity_t enc_complexity_parse(const char *name);

/* "Speed", "Balanced", "Quality" ("" for UNSET). */
const char *enc_complexity_name(enc_complexity_t c);

/* The libx264/libx265 -preset for a complexity (UNSET counts as Balanced):
 * H.264 veryfast/medium/slow, H.265 ultrafast/medium/slow. */
const char *enc_codec_preset(enc_codec_t codec, enc_complexity_t c);

/* "libx264" / "libx265"; "h264" / "hevc" (ffprobe's codec_name). */
const char *enc_codec_encoder(enc_codec_t codec);
const char *enc_codec_name(enc_codec_t codec);

/* 1 if p is an x264/x265 preset name (ultrafast .. placebo). */
int enc_known_speed_preset(const char *p);

#endif
