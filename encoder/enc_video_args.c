/*
 * enc_video_args.c — per-layer video encoder options (see enc_video_args.h).
 *
 * Both codecs: -g gop+1 / -keyint_min gop with key frames forced every
 * gop_seconds (-force_key_frames), scene cuts off and closed GOPs, so every
 * layer switches at the same instants.  VBV buffer: the layer's
 * BufferWindow of the cap (default 2 s).
 */
#include "enc_video_args.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* -bufsize: buffer_seconds (default 2) of the cap */
static void buffer_arg(enc_argv_t *a, const enc_out_layer_t *l, int cap_kbps)
{
    double seconds = l->buffer_seconds > 0 ? l->buffer_seconds : 2;
    long kbits = lround(seconds * cap_kbps);

    enc_argv_add(a, "-bufsize"); enc_argv_add(a, "%ldk", kbits > 1 ? kbits : 1);
}

static void rate_args(enc_argv_t *a, const enc_plan_t *p, const enc_out_layer_t *l)
{
    switch (p->rc_mode) {
    case ENC_RC_CBR:
        enc_argv_add(a, "-b:v"); enc_argv_add(a, "%dk", l->kbps);
        enc_argv_add(a, "-minrate"); enc_argv_add(a, "%dk", l->kbps);
        enc_argv_add(a, "-maxrate"); enc_argv_add(a, "%dk", l->kbps);
        buffer_arg(a, l, l->kbps);
        return;
    case ENC_RC_CRF:
        enc_argv_add(a, "-crf"); enc_argv_add(a, "%g", l->crf > 0 ? l->crf : 23.0);
        enc_argv_add(a, "-maxrate"); enc_argv_add(a, "%dk", l->max_kbps);
        buffer_arg(a, l, l->max_kbps);
        return;
    case ENC_RC_ABR:
    default:
        enc_argv_add(a, "-b:v"); enc_argv_add(a, "%dk", l->kbps);
        enc_argv_add(a, "-maxrate"); enc_argv_add(a, "%dk", l->max_kbps);
        buffer_arg(a, l, l->max_kbps);
        return;
    }
}

static void x264_args(enc_argv_t *a, const enc_plan_t *p, int pass, const char *passlog)
{
    enc_argv_add(a, "-profile:v"); enc_argv_add(a, "high");
    enc_argv_add(a, "-sc_threshold"); enc_argv_add(a, "0");
    enc_argv_add(a, "-x264-params");
    enc_argv_add(a, "open-gop=0:scenecut=0%s", p->rc_mode == ENC_RC_CBR ? ":nal-hrd=cbr" : "");
    if (pass > 0) {
        enc_argv_add(a, "-pass"); enc_argv_add(a, "%d", pass);
        enc_argv_add(a, "-passlogfile"); enc_argv_add(a, "%s", passlog);
    }
}

static void x265_args(enc_argv_t *a, const enc_plan_t *p, int pass, const char *passlog)
{
    char extra[1200] = "";
    if (p->rc_mode == ENC_RC_CBR) {
        snprintf(extra, sizeof(extra), ":strict-cbr=1");
    }
    if (pass > 0) {
        size_t n = strlen(extra);
        snprintf(extra + n, sizeof(extra) - n, ":pass=%d:stats=%s", pass, passlog);
    }
    enc_argv_add(a, "-profile:v"); enc_argv_add(a, "main");
    enc_argv_add(a, "-tag:v"); enc_argv_add(a, "hvc1");
    enc_argv_add(a, "-forced-idr"); enc_argv_add(a, "1");
    enc_argv_add(a, "-x265-params");
    enc_argv_add(a, "scenecut=0:open-gop=0:log-level=error%s", extra);
}

void enc_video_args(enc_argv_t *a, const enc_plan_t *p, int i, const char *speed_preset, int pass,
                    const char *passlog)
{
    const enc_out_layer_t *l = &p->layers[i];
    int gop = (int) ceil(p->gop_seconds * (p->fps > 0 ? p->fps : 30));
    enc_argv_add(a, "-c:v"); enc_argv_add(a, "%s", enc_codec_encoder(p->codec));
    enc_argv_add(a, "-preset"); enc_argv_add(a, "%s", speed_preset);
    enc_argv_add(a, "-pix_fmt"); enc_argv_add(a, "yuv420p");
    rate_args(a, p, l);
    enc_argv_add(a, "-g"); enc_argv_add(a, "%d", gop + 1);
    enc_argv_add(a, "-keyint_min"); enc_argv_add(a, "%d", gop);
    enc_argv_add(a, "-bf"); enc_argv_add(a, "%d", p->bframes);
    if (p->codec == ENC_CODEC_H265) {
        x265_args(a, p, pass, passlog);
    } else {
        x264_args(a, p, pass, passlog);
    }
    enc_argv_add(a, "-force_key_frames"); enc_argv_add(a, "expr:gte(t,n_forced*%g)", p->gop_seconds);
}
