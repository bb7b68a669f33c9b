/*
 * enc_plan.h — a preset resolved against the probed input: the exact layer
 * sizes (source aspect kept, even sizes), the content-aware ladder of
 * "Adaptive Streaming", output file names, the clip and the thumbnail times.
 * Pure computation (no I/O), so the unit tests cover it completely.
 */
#ifndef ENC_PLAN_H
#define ENC_PLAN_H

#include "enc_names.h"
#include "enc_preset.h"
#include "enc_probe.h"

#define ENC_MAX_THUMB_TIMES 1000

typedef struct {
    int width, height, kbps, max_kbps;
    double crf;                   /* ENC_RC_CRF: the quality (0: the codec's default) */
    double buffer_seconds;        /* VBV buffer, seconds of the cap (0: 2 s) */
    char file[ENC_NAME_LEN];
} enc_out_layer_t;

typedef struct {
    const enc_thumb_t *spec;
    int best;                     /* one "{Best}" frame */
    int count;                    /* images (sprite: tiles) */
    double start, step;           /* seconds of the output timeline */
    double end;                   /* select frames with t <= end */
    int width, height;            /* of one image / tile */
    int columns, rows;            /* sprite grid; 0 when not a sprite */
    char ffmpeg_pattern[ENC_NAME_LEN];  /* image2 name: "%06d" for {Index} */
    char first_file[ENC_NAME_LEN];      /* the sprite, or the image with index 1 */
    char vtt_file[ENC_NAME_LEN];        /* sprite index, "" if none */
    const char *extension;
} enc_out_thumb_t;

typedef struct {
    const enc_input_t *video;     /* NULL: audio only */
    const enc_input_t *audio;     /* NULL: no audio output */
    char basename[ENC_BASENAME_MAX + 1];
    int layer_count;
    enc_out_layer_t layers[ENC_MAX_LAYERS];
    char audio_file[ENC_NAME_LEN];
    int audio_kbps, audio_channels, audio_rate;
    double gop_seconds;
    int bframes;
    enc_codec_t codec;
    enc_complexity_t complexity;  /* the preset's; UNSET until the caller applies its default */
    enc_rc_mode_t rc_mode;
    int two_pass;
    double clip_start;            /* seconds into the input */
    double clip_duration;         /* < 0: to the end */
    double duration;              /* of the output, seconds */
    double fps;
    int thumb_count;
    enc_out_thumb_t thumbs[ENC_MAX_THUMBS];
    char ism_file[ENC_NAME_LEN], ismc_file[ENC_NAME_LEN];
    char quality_file[ENC_NAME_LEN];  /* the quality report, "" without video layers */
} enc_plan_t;

typedef enum {
    ENC_PLAN_OK = 0,
    ENC_PLAN_BAD_INPUT = 1,       /* InvalidInput: e.g. "input has no video stream" */
    ENC_PLAN_BAD_CONFIG = 2       /* InvalidConfiguration: e.g. colliding names */
} enc_plan_status_t;

/* Even size nearest to x, at least 2. */
int enc_even(double x);

/* Fit the source (display size) into a layer's box keeping the aspect ratio. */
void enc_fit_box(const enc_input_t *src, enc_dim_t w, enc_dim_t h, int *out_w, int *out_h);

/* The content-aware ladder for a source: rungs above the source size are
 * dropped (a rung at the source size is added when it falls between two),
 * bitrates are capped at the source's video bitrate.  In/out: layers. */
void enc_adaptive_ladder(const enc_input_t *src, enc_layer_t *layers, int *count);

/* Resolve.  basename: --basename or NULL (then from the video/audio file). */
enc_plan_status_t enc_plan_build(const enc_preset_t *p, const enc_sources_t *src,
                                 const char *basename, enc_plan_t *out, char *err,
                                 size_t err_len);

#endif
