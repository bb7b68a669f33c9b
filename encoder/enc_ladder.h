/*
 * enc_ladder.h — the content-aware ladder ("Adaptive Streaming",
 * ContentAwareEncoding, H265ContentAwareEncoding): from what the analysis
 * measured (the bitrate constant-quality probe encodes needed at two
 * heights), predict the bitrate each height needs to reach the quality
 * target and pick the rungs:
 *
 *   - the top rung is the input's size (at most MaxHeight): an easy title
 *     shrinks in bits, not in sharpness;
 *   - its bitrate is the predicted need, within [MinBitrate, MaxBitrate] and
 *     never above the input's video bitrate;
 *   - each next rung has 1/ENC_LADDER_STEP of the bits of the one above, at
 *     the largest standard height (<= the rung above) where those bits still
 *     reach the target; it stops below MinBitrate, MinHeight or MaxLayers.
 *
 * Pure computation: the unit tests drive it with made-up probe figures.
 */
#ifndef ENC_LADDER_H
#define ENC_LADDER_H

#include "enc_preset.h"
#include "enc_probe.h"

#define ENC_LADDER_STEP 1.8       /* bits between neighbouring rungs */

/* What the analysis measured: kbps of the probe encodes at two heights. */
typedef struct {
    int high_height, low_height;
    double high_kbps, low_kbps;
    double cpu_seconds;
} enc_probe_figures_t;

/* The heights the probes run at for a source and the preset's limits. */
void enc_ladder_probe_heights(const enc_input_t *src, const enc_cae_limits_t *lim, int *high,
                              int *low);

/* Predicted kbps (for the preset's codec) to reach the quality target at a
 * picture of `pixels`. */
double enc_ladder_need(const enc_probe_figures_t *f, const enc_input_t *src, enc_codec_t codec,
                       double pixels);

/* Fill layers (height-only boxes, kbps) and *count. */
void enc_ladder_choose(const enc_probe_figures_t *f, const enc_input_t *src, enc_codec_t codec,
                       const enc_cae_limits_t *lim, enc_layer_t *layers, int *count);

/* The defaults of the limits that are 0 (see README): MinBitrate 200 kbps
 * (H.265 140), MaxBitrate the fixed ladders' bits for the top height (3400
 * kbps at 720p scaled by pixels^0.75; H.265 0.7x), MinHeight 180,
 * MaxHeight the input's, MaxLayers 6. */
void enc_ladder_limits(const enc_input_t *src, enc_codec_t codec, const enc_cae_limits_t *in,
                       enc_cae_limits_t *out);

#endif
