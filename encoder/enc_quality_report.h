/*
 * enc_quality_report.h — the quality report of a task: one small JSON file
 * in the output asset (<Basename>_quality.json) with, per video layer, its
 * size, target and actual bitrate, PSNR and SSIM against the source, and
 * what the encode cost; and the one-line summary for the task's PerfMessage.
 */
#ifndef ENC_QUALITY_REPORT_H
#define ENC_QUALITY_REPORT_H

#include "enc_plan.h"
#include "enc_quality.h"

typedef struct {
    const char *encoder;          /* "libx264" */
    const char *speed_preset;     /* "medium" */
    double encode_cpu_seconds, encode_wall_seconds;
    double analysis_cpu_seconds;  /* content-aware probe encodes (0: none) */
    double report_cpu_seconds;    /* the metrics run */
} enc_quality_costs_t;

/* Writes <dir>/<p->quality_file>.  Returns 0 or -1 with err. */
int enc_quality_write(const enc_plan_t *p, const enc_layer_quality_t *q,
                      const enc_quality_costs_t *c, const char *dir, char *err, size_t err_len);

/* "PSNR-Y/SSIM-Y per layer: 1280x720@3400k 41.23 dB 0.9812, ..." into buf. */
void enc_quality_summary(const enc_plan_t *p, const enc_layer_quality_t *q, char *buf,
                         size_t len);

#endif
