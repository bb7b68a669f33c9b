/*
 * enc_quality.c — the metrics command and the psnr/ssim stats-file parsers
 * (see enc_quality.h).
 *
 * psnr stats lines: "n:1 mse_avg:2.41 mse_y:3.02 mse_u:0.6 mse_v:0.7 psnr_avg:44.3 ..."
 * ssim stats lines: "n:1 Y:0.981 U:0.99 V:0.99 All:0.985 (18.3)"
 */
#include "enc_quality.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_input(enc_argv_t *a, const enc_plan_t *p, const char *path, int clip)
{
    if (clip && p->clip_start > 0) {
        enc_argv_add(a, "-ss");
        enc_argv_add(a, "%.3f", p->clip_start);
    }
    if (clip && p->clip_duration >= 0) {
        enc_argv_add(a, "-t");
        enc_argv_add(a, "%.3f", p->clip_duration);
    }
    enc_argv_add(a, "-i");
    enc_argv_add(a, "%s", path);
    return 0;
}

/* the graph: source split per layer, scaled like the encode; each layer's
 * frames against it through psnr then ssim; timestamps from 0 on both sides */
static char *graph(const enc_plan_t *p, const char *stats_dir)
{
    size_t cap = 8192 + (size_t) p->layer_count * (2 * strlen(stats_dir) + 400), n = 0;
    char *g = malloc(cap);
    if (g == NULL) {
        return NULL;
    }
    n += (size_t) snprintf(g + n, cap - n, "[0:%d]setpts=PTS-STARTPTS,split=%d",
                           p->video->video_index, p->layer_count);
    for (int i = 0; i < p->layer_count; i++) {
        n += (size_t) snprintf(g + n, cap - n, "[s%d]", i);
    }
    for (int i = 0; i < p->layer_count && n < cap; i++) {
        const enc_out_layer_t *l = &p->layers[i];
        n += (size_t) snprintf(g + n, cap - n,
                               ";[s%d]scale=%d:%d:flags=bicubic,setsar=1,format=yuv420p,split[ra%d][rb%d]"
                               ";[%d:v]setpts=PTS-STARTPTS,setsar=1,format=yuv420p[d%d]"
                               ";[d%d][ra%d]psnr=stats_file=%s/psnr-%d.log[p%d]"
                               ";[p%d][rb%d]ssim=stats_file=%s/ssim-%d.log[q%d]",
                               i, l->width, l->height, i, i, i + 1, i, i, i, stats_dir, i, i,
                               i, i, stats_dir, i, i);
    }
    if (n >= cap) {
        free(g);
        return NULL;
    }
    return g;
}

int enc_quality_command(const enc_plan_t *p, const char *ffmpeg, const char *out_dir,
                        const char *stats_dir, enc_argv_t *a)
{
    memset(a, 0, sizeof(*a));
    if (p->video == NULL || p->layer_count == 0 || strpbrk(stats_dir, ":'\\,;[]") != NULL) {
        return -1;
    }
    enc_argv_ffmpeg(a, ffmpeg);
    add_input(a, p, p->video->path, 1);
    for (int i = 0; i < p->layer_count; i++) {
        enc_argv_add(a, "-i");
        enc_argv_add(a, "%s/%s", out_dir, p->layers[i].file);
    }
    char *g = graph(p, stats_dir);
    if (g == NULL) {
        enc_argv_free(a);
        return -1;
    }
    enc_argv_add(a, "-filter_complex"); enc_argv_add(a, "%s", g);
    free(g);
    for (int i = 0; i < p->layer_count; i++) {
        enc_argv_add(a, "-map"); enc_argv_add(a, "[q%d]", i);
        enc_argv_add(a, "-f"); enc_argv_add(a, "null");
        enc_argv_add(a, "-");
    }
    return enc_argv_finish(a);
}

/* the number after "key:" in line, or NAN */
static double field(const char *line, const char *key)
{
    size_t k = strlen(key);
    for (const char *s = line; (s = strstr(s, key)) != NULL; s += k) {
        if ((s == line || s[-1] == ' ') && s[k] == ':') {
            char *end;
            double v = strtod(s + k + 1, &end);
            return end == s + k + 1 ? NAN : v;
        }
    }
    return NAN;
}

static double psnr_of(double mse)
{
    return mse > 0 ? 10.0 * log10(255.0 * 255.0 / mse) : 100.0;
}

/* calls fn for every line of text */
static int each_line(const char *text, void (*fn)(const char *line, void *ctx), void *ctx)
{
    char line[1024];
    int n = 0;
    while (*text != '\0') {
        size_t len = strcspn(text, "\n");
        size_t c = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
        memcpy(line, text, c);
        line[c] = '\0';
        if (strncmp(line, "n:", 2) == 0) {
            fn(line, ctx);
            n++;
        }
        text += len + (text[len] == '\n');
    }
    return n;
}

typedef struct {
    double a, b;
    int bad;
} sums_t;

static void psnr_line(const char *line, void *ctx)
{
    sums_t *s = ctx;
    double y = field(line, "mse_y"), avg = field(line, "mse_avg");
    s->bad |= isnan(y) || isnan(avg);
    s->a += y;
    s->b += avg;
}

static void ssim_line(const char *line, void *ctx)
{
    sums_t *s = ctx;
    double y = field(line, "Y"), all = field(line, "All");
    s->bad |= isnan(y) || isnan(all);
    s->a += y;
    s->b += all;
}

int enc_quality_parse_psnr(const char *text, enc_layer_quality_t *q)
{
    sums_t s = { 0, 0, 0 };
    int n = each_line(text, psnr_line, &s);
    if (n == 0 || s.bad) {
        return -1;
    }
    q->frames = n;
    q->psnr_y = psnr_of(s.a / n);
    q->psnr_avg = psnr_of(s.b / n);
    return 0;
}

int enc_quality_parse_ssim(const char *text, enc_layer_quality_t *q)
{
    sums_t s = { 0, 0, 0 };
    int n = each_line(text, ssim_line, &s);
    if (n == 0 || s.bad) {
        return -1;
    }
    q->ssim_y = s.a / n;
    q->ssim_all = s.b / n;
    return 0;
}
