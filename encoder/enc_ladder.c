/*
 * enc_ladder.c — choosing the content-aware ladder (see enc_ladder.h).
 *
 * Model: the bits needed for the target quality grow as pixels^alpha; alpha
 * comes from the two probes (clamped to 0.5..1.0, 0.75 with one probe).
 * The probes are x264 superfast CRF 23 encodes of short stretches (key frame
 * and cut heavy); ENC_CALIBRATION converts their bitrate into what x264
 * medium at CRF 23 spends on the whole title (0.18..0.28 on the bench's pan
 * and slide; grain needs far more than any cap), ENC_H265_FACTOR what x265
 * needs (tests/bench/encode_quality).
 */
#include "enc_ladder.h"

#include <math.h>
#include <string.h>

#define ENC_CALIBRATION 0.25
#define ENC_H265_FACTOR 0.7
#define ENC_PROBE_MAX_HEIGHT 540

static const int std_heights[] = { 2160, 1440, 1080, 720, 540, 432, 360, 270, 180, 144, 0 };

static double aspect(const enc_input_t *src)
{
    return src->display_aspect > 0 ? src->display_aspect : (double) src->width / src->height;
}

static double pixels(const enc_input_t *src, int h)
{
    return (double) h * h * aspect(src);
}

static int even(double x)
{
    int v = 2 * (int) lround(x / 2.0);
    return v < 2 ? 2 : v;
}

void enc_ladder_limits(const enc_input_t *src, enc_codec_t codec, const enc_cae_limits_t *in,
                       enc_cae_limits_t *out)
{
    *out = *in;
    double f = codec == ENC_CODEC_H265 ? ENC_H265_FACTOR : 1.0;
    if (out->max_height <= 0 || out->max_height > src->height) {
        out->max_height = src->height;
    }
    if (out->min_height <= 0) {
        out->min_height = 180;
    }
    if (out->min_height > out->max_height) {
        out->min_height = out->max_height;
    }
    if (out->min_kbps <= 0) {
        out->min_kbps = codec == ENC_CODEC_H265 ? 140 : 200;
    }
    if (out->max_kbps <= 0) {
        double px = pixels(src, out->max_height) / (1280.0 * 720.0);
        out->max_kbps = (int) lround(3400.0 * pow(px, 0.75) * f / 10.0) * 10;
    }
    if (out->max_kbps < out->min_kbps) {
        out->max_kbps = out->min_kbps;
    }
    if (out->max_layers <= 0 || out->max_layers > ENC_MAX_LAYERS) {
        out->max_layers = out->max_layers > ENC_MAX_LAYERS ? ENC_MAX_LAYERS : 6;
    }
}

void enc_ladder_probe_heights(const enc_input_t *src, const enc_cae_limits_t *lim, int *high,
                              int *low)
{
    int top = lim->max_height > 0 && lim->max_height < src->height ? lim->max_height : src->height;
    *high = even(top < ENC_PROBE_MAX_HEIGHT ? top : ENC_PROBE_MAX_HEIGHT);
    *low = *high;
    if (*high < 200) {
        return;
    }
    double best = 1e9;
    for (int i = 0; std_heights[i] != 0; i++) {
        double d = fabs(std_heights[i] - *high / 2.0);
        if (d < best) {
            best = d;
            *low = std_heights[i];
        }
    }
}

static double alpha_of(const enc_probe_figures_t *f, const enc_input_t *src)
{
    if (f->low_height == f->high_height || f->low_kbps <= 0 || f->high_kbps <= 0) {
        return 0.75;
    }
    double a = log(f->high_kbps / f->low_kbps)
             / log(pixels(src, f->high_height) / pixels(src, f->low_height));
    return a < 0.5 ? 0.5 : a > 1.0 ? 1.0 : a;
}

double enc_ladder_need(const enc_probe_figures_t *f, const enc_input_t *src, enc_codec_t codec,
                       double px)
{
    double k = f->high_kbps * pow(px / pixels(src, f->high_height), alpha_of(f, src));
    return k * ENC_CALIBRATION * (codec == ENC_CODEC_H265 ? ENC_H265_FACTOR : 1.0);
}

/* the largest standard height <= limit where kbps reaches the target
 * (times deficit: how far the top rung's capped bits fall short of its
 * need, so a hard title's rungs lose quality evenly instead of collapsing to
 * the smallest size), at least min_height */
static int height_for(const enc_probe_figures_t *f, const enc_input_t *src, enc_codec_t codec,
                      double kbps, double deficit, int limit, int min_height)
{
    if (enc_ladder_need(f, src, codec, pixels(src, limit)) <= kbps * deficit) {
        return limit;
    }
    for (int i = 0; std_heights[i] != 0; i++) {
        int h = std_heights[i];
        if (h < limit && h >= min_height
            && enc_ladder_need(f, src, codec, pixels(src, h)) <= kbps * deficit) {
            return h;
        }
    }
    return min_height < limit ? min_height : limit;
}

static int round10(double kbps)
{
    return (int) lround(kbps / 10.0) * 10;
}

void enc_ladder_choose(const enc_probe_figures_t *f, const enc_input_t *src, enc_codec_t codec,
                       const enc_cae_limits_t *in, enc_layer_t *layers, int *count)
{
    enc_cae_limits_t lim;
    enc_ladder_limits(src, codec, in, &lim);
    int h = even(lim.max_height);
    double need = enc_ladder_need(f, src, codec, pixels(src, h));
    double kbps = fmax(lim.min_kbps, fmin(need, lim.max_kbps));
    if (src->video_kbps > 0 && kbps > src->video_kbps) {
        kbps = fmax(src->video_kbps, lim.min_kbps);
    }
    double deficit = need > kbps ? need / kbps : 1.0;
    *count = 0;
    while (*count < lim.max_layers) {
        enc_layer_t *l = &layers[(*count)++];
        memset(l, 0, sizeof(*l));
        l->height.value = h;
        l->kbps = round10(kbps);
        kbps /= ENC_LADDER_STEP;
        if (kbps < lim.min_kbps) {
            break;
        }
        h = height_for(f, src, codec, kbps, deficit, h, lim.min_height);
    }
}
