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
    enc_argv_input(a, path);
    return 0;
}

/* the first layer with layer i's size: layers of one size share its
 * scaled reference (the 720p ladder has two 540p and two 360p rungs) */
static int first_of_size(const enc_plan_t *p, int i)
{
    for (int j = 0; j < i; j++) {
        if (p->layers[j].width == p->layers[i].width && p->layers[j].height == p->layers[i].height) {
            return j;
        }
    }
    return i;
}

static int layers_of_size(const enc_plan_t *p, int f)
{
    int n = 0;
    for (int i = 0; i < p->layer_count; i++) {
        n += first_of_size(p, i) == f;
    }
    return n;
}

/* the source, split once per distinct layer size: [s<f>] for the first layer f of each size */
static size_t source_split(char *g, size_t cap, const enc_plan_t *p)
{
    int sizes = 0;
    for (int i = 0; i < p->layer_count; i++) {
        sizes += first_of_size(p, i) == i;
    }
    size_t n = (size_t) snprintf(g, cap, "[0:%d]setpts=PTS-STARTPTS,split=%d",
                                 p->video->video_index, sizes);
    for (int i = 0; i < p->layer_count && n < cap; i++) {
        if (first_of_size(p, i) == i) {
            n += (size_t) snprintf(g + n, cap - n, "[s%d]", i);
        }
    }
    return n;
}

/* per size: the scaled reference, split into [ra<i>][rb<i>] for each layer i of that size */
static size_t reference(char *g, size_t cap, const enc_plan_t *p, int f)
{
    const enc_out_layer_t *l = &p->layers[f];
    size_t n = (size_t) snprintf(g, cap, ";[s%d]scale=%d:%d:flags=bicubic,setsar=1,format=yuv420p,"
                                 "split=%d", f, l->width, l->height, 2 * layers_of_size(p, f));
    for (int i = 0; i < p->layer_count && n < cap; i++) {
        if (first_of_size(p, i) == f) {
            n += (size_t) snprintf(g + n, cap - n, "[ra%d][rb%d]", i, i);
        }
    }
    return n;
}

/* the graph: each layer's frames against its reference through psnr (every
 * frame) then ssim (every ENC_SSIM_EVERY-th frame of both); timestamps from
 * 0 on both sides */
static char *graph(const enc_plan_t *p, const char *stats_dir)
{
    size_t cap = 8192 + (size_t) p->layer_count * (2 * strlen(stats_dir) + 600), n = 0;
    char *g = malloc(cap);
    if (g == NULL) {
        return NULL;
    }
    n += source_split(g, cap, p);
    for (int i = 0; i < p->layer_count && n < cap; i++) {
        if (first_of_size(p, i) == i) {
            n += reference(g + n, cap - n, p, i);
        }
    }
    for (int i = 0; i < p->layer_count && n < cap; i++) {
        n += (size_t) snprintf(g + n, cap - n,
                               ";[%d:v]setpts=PTS-STARTPTS,setsar=1,format=yuv420p[d%d]"
                               ";[d%d][ra%d]psnr=stats_file=%s/psnr-%d.log[p%d]"
                               ";[p%d]select='not(mod(n,%d))'[pe%d]"
                               ";[rb%d]select='not(mod(n,%d))'[re%d]"
                               ";[pe%d][re%d]ssim=stats_file=%s/ssim-%d.log[q%d]",
                               i + 1, i, i, i, stats_dir, i, i,
                               i, ENC_SSIM_EVERY, i, i, ENC_SSIM_EVERY, i,
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
