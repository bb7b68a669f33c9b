/*
 * enc_preset.h — the encoder's preset model (what to produce, independent of
 * the input) and the built-in Media Encoder Standard presets by name:
 * H.264 layers (bounding box + kbps), AAC audio, clipping, thumbnails and the
 * output file-name patterns.  Parsing MES JSON lives in enc_preset_json.c,
 * resolving a preset against a probed input in enc_plan.c.
 */
#ifndef ENC_PRESET_H
#define ENC_PRESET_H

#include "enc_complexity.h"

#include <stddef.h>

#define ENC_MAX_LAYERS 16
#define ENC_MAX_THUMBS 4
#define ENC_NAME_LEN 256
#define ENC_ERR_LEN 1024
#define ENC_LABEL_LEN 65

/* A time or position as MES writes it: seconds, percent of the duration,
 * a frame number, or {Best} (thumbnail Start only). */
typedef enum {
    ENC_POS_NONE = 0,
    ENC_POS_SECONDS,
    ENC_POS_PERCENT,
    ENC_POS_FRAME,
    ENC_POS_BEST
} enc_pos_kind_t;

typedef struct {
    enc_pos_kind_t kind;
    double value;
} enc_pos_t;

/* A dimension: pixels, or percent of the source (0 = follow the other one). */
typedef struct {
    double value;
    int percent;
} enc_dim_t;

typedef struct {
    enc_dim_t width, height;      /* bounding box; the source aspect ratio is kept */
    int kbps;                     /* target (ABR/CBR) bitrate; the cap with CRF */
    int max_kbps;                 /* VBV maxrate; 0 = kbps */
    double crf;                   /* constant quality (ENC_RC_CRF), 0 = the codec's default */
    double buffer_seconds;        /* VBV buffer in seconds of the cap; 0 = 2 s */
    char label[ENC_LABEL_LEN];    /* {Label} of its file; "" = none */
} enc_layer_t;

/* Rate control of every layer: average bitrate with a VBV cap (MES's
 * behaviour), constant bitrate (filler, maxrate = minrate), or constant
 * quality capped at the layer's bitrate. */
typedef enum { ENC_RC_ABR = 0, ENC_RC_CBR, ENC_RC_CRF } enc_rc_mode_t;

/* Content-aware ladder limits (AMS v3 PresetConfigurations); 0 = default. */
typedef struct {
    int min_kbps, max_kbps;
    int min_height, max_height;
    int max_layers;
} enc_cae_limits_t;

typedef enum { ENC_IMAGE_JPG = 1, ENC_IMAGE_PNG } enc_image_type_t;

typedef struct {
    enc_image_type_t type;
    enc_pos_t start, step, range;
    enc_dim_t width, height;
    int quality;                  /* JPEG 1..100 */
    int sprite_columns;           /* > 0: one sprite image + a WebVTT index */
    char file_pattern[ENC_NAME_LEN];
} enc_thumb_t;

typedef struct {
    int layer_count;
    enc_layer_t layers[ENC_MAX_LAYERS];
    int adaptive;                 /* fixed ladder trimmed to the input (H265AdaptiveStreaming) */
    int content_aware;            /* ladder chosen by analysis (enc_ladder.h); no layers yet */
    enc_cae_limits_t cae;
    enc_codec_t codec;            /* H.264 or H.265 */
    enc_complexity_t complexity;  /* UNSET: the task's default */
    enc_rc_mode_t rc_mode;
    int two_pass;                 /* ABR/CBR in two passes */
    double gop_seconds;           /* closed GOP length */
    int bframes;
    int has_audio;
    int audio_kbps, audio_channels, audio_rate;
    char audio_label[ENC_LABEL_LEN];
    double clip_start, clip_duration;   /* seconds; clip_duration < 0: to the end */
    int thumb_count;
    enc_thumb_t thumbs[ENC_MAX_THUMBS];
    char video_pattern[ENC_NAME_LEN];   /* one file per layer */
    char audio_pattern[ENC_NAME_LEN];   /* the AAC file */
} enc_preset_t;

#define ENC_DEFAULT_VIDEO_PATTERN "{Basename}_{Width}x{Height}_{Bitrate}.mp4"
#define ENC_DEFAULT_AUDIO_PATTERN "{Basename}_AACAudio_{AudioBitrate}.mp4"
#define ENC_DEFAULT_THUMB_PATTERN "{Basename}_{Index}{Extension}"

/* MES defaults: no layers, 2 s GOP, 3 B-frames, AAC-LC 128 kbps stereo 48 kHz
 * (has_audio 0), no clipping, default file-name patterns. */
void enc_preset_defaults(enc_preset_t *p);

/* A built-in preset by name (case-insensitive, surrounding whitespace
 * ignored).  Returns 0, or -1 if the name is not one of them. */
int enc_preset_by_name(const char *name, enc_preset_t *out);

/* The names of the built-in presets, NULL-terminated. */
extern const char *const enc_preset_names[];

#endif
