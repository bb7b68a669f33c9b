/*
 * enc_quality.h — measuring what each encoded video layer delivers: one
 * ffmpeg run after the encode decodes the source once (the same clip) and
 * every layer file, scales the source once per layer size with the encode's
 * scaler and compares them with FFmpeg's psnr filter on every frame and its
 * ssim filter on every ENC_SSIM_EVERY-th frame (per-frame stats files in a
 * private directory).  PSNR is computed from the mean squared error over all
 * frames (what ffmpeg prints as its summary): it swings by up to 1 dB between
 * frame samples, so it is never sampled.  SSIM is the mean over the sampled
 * frames (within 0.0002 of every frame's on the pan and the grain); SSIM was about
 * a third of the report's CPU.
 */
#ifndef ENC_QUALITY_H
#define ENC_QUALITY_H

#include "enc_command.h"

/* every 7th frame: a stride sharing no factor with the B-frame pattern (a
 * reference frame every 4) or 2 s key frame distances (48, 50, 60 frames);
 * every 4th frame sampled only P frames and read SSIM 0.018 high on grain */
#define ENC_SSIM_EVERY 7

typedef struct {
    int frames;                   /* frames compared */
    double psnr_y, psnr_avg;      /* dB; luma, and all planes weighted 4:1:1 */
    double ssim_y, ssim_all;      /* 0..1 */
    int kbps;                     /* the layer's video bitrate as written (0 if unknown) */
} enc_layer_quality_t;

/* The metrics command: inputs are the plan's video input (with the plan's
 * clip) and the layer files in out_dir; stats files go to
 * <stats_dir>/psnr-<i>.log and ssim-<i>.log.  Returns 0 or -1. */
int enc_quality_command(const enc_plan_t *p, const char *ffmpeg, const char *out_dir,
                        const char *stats_dir, enc_argv_t *out);

/* Parse a psnr / ssim stats file's text into q (frames, psnr_* / ssim_*).
 * Returns 0, or -1 if it holds no frame. */
int enc_quality_parse_psnr(const char *text, enc_layer_quality_t *q);
int enc_quality_parse_ssim(const char *text, enc_layer_quality_t *q);

#endif
