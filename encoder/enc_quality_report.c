/*
 * enc_quality_report.c — the quality report file and PerfMessage summary
 * (see enc_quality_report.h).  Numbers are rounded: dB to 0.01, SSIM to
 * 0.0001, seconds to 0.1.
 */
#include "enc_quality_report.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

static double round_to(double v, double step)
{
    return isfinite(v) ? round(v / step) * step : 0;
}

static json_t *layer_json(const enc_out_layer_t *l, const enc_layer_quality_t *q)
{
    return json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:f,s:f,s:f,s:f}",
                     "file", l->file, "width", l->width, "height", l->height,
                     "targetKbps", l->kbps, "kbps", q->kbps, "frames", q->frames,
                     "psnrY", round_to(q->psnr_y, 0.01), "psnrAvg", round_to(q->psnr_avg, 0.01),
                     "ssimY", round_to(q->ssim_y, 0.0001), "ssimAll", round_to(q->ssim_all, 0.0001));
}

int enc_quality_write(const enc_plan_t *p, const enc_layer_quality_t *q,
                      const enc_quality_costs_t *c, const char *dir, char *err, size_t err_len)
{
    json_t *layers = json_array();
    long total = 0;
    for (int i = 0; i < p->layer_count; i++) {
        json_array_append_new(layers, layer_json(&p->layers[i], &q[i]));
        total += q[i].kbps;
    }
    json_t *root = json_pack(
        "{s:i,s:s,s:{s:i,s:i,s:f,s:f},s:{s:s,s:s,s:s,s:s},s:i,s:o,s:{s:f,s:f,s:f,s:f}}",
        "version", 1,
        "method", "ffmpeg psnr (every frame) and ssim (every 7th frame) filters, each layer "
                  "against the source scaled to the layer's size (bicubic); PSNR from the "
                  "mean squared error",
        "source", "width", p->video->width, "height", p->video->height,
        "duration", round_to(p->duration, 0.001), "fps", round_to(p->fps, 0.001),
        "encoder", "codec", c->encoder, "preset", c->speed_preset,
        "complexity", enc_complexity_name(p->complexity),
        "rateControl", p->rc_mode == ENC_RC_CBR ? "CBR" : p->rc_mode == ENC_RC_CRF ? "CRF" : "ABR",
        "totalKbps", (int) total,
        "layers", layers,
        "cpuSeconds", "encode", round_to(c->encode_cpu_seconds, 0.1),
        "analysis", round_to(c->analysis_cpu_seconds, 0.1),
        "report", round_to(c->report_cpu_seconds, 0.1),
        "encodeWall", round_to(c->encode_wall_seconds, 0.1));
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s", dir, p->quality_file);
    int rc = root != NULL ? json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : -1;
    json_decref(root);
    if (rc != 0) {
        snprintf(err, err_len, "cannot write %s", p->quality_file);
        return -1;
    }
    return 0;
}

void enc_quality_summary(const enc_plan_t *p, const enc_layer_quality_t *q, char *buf,
                         size_t len)
{
    size_t n = (size_t) snprintf(buf, len, "PSNR-Y/SSIM-Y per layer:");
    for (int i = 0; i < p->layer_count && n < len; i++) {
        n += (size_t) snprintf(buf + n, len - n, "%s %dx%d@%dk %.2f dB %.4f", i ? "," : "",
                               p->layers[i].width, p->layers[i].height, q[i].kbps,
                               q[i].psnr_y, q[i].ssim_y);
    }
}
