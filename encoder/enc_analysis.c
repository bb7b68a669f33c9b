/*
 * enc_analysis.c — the probe stretches and command (see enc_analysis.h).
 */
#include "enc_analysis.h"

#include <stdio.h>
#include <string.h>

void enc_probe_stretches(double clip_start, double duration, enc_stretches_t *out)
{
    memset(out, 0, sizeof(*out));
    if (duration <= 4.0) {
        out->count = 1;
        out->start[0] = clip_start;
        out->seconds = duration;
        return;
    }
    out->count = ENC_PROBE_MAX_STRETCHES;
    out->seconds = duration * 0.1 < 1.0 ? 1.0 : duration * 0.1 > 3.0 ? 3.0 : duration * 0.1;
    for (int k = 0; k < out->count; k++) {
        out->start[k] = clip_start + duration * (2 * k + 1) / 6.0 - out->seconds / 2;
    }
}

static void probe_output(enc_argv_t *a, int i, const char *dir)
{
    enc_argv_add(a, "-map"); enc_argv_add(a, "[p%d]", i);
    enc_argv_add(a, "-c:v"); enc_argv_add(a, "libx264");
    enc_argv_add(a, "-preset"); enc_argv_add(a, "superfast");
    enc_argv_add(a, "-crf"); enc_argv_add(a, "%d", ENC_PROBE_CRF);
    enc_argv_add(a, "-pix_fmt"); enc_argv_add(a, "yuv420p");
    enc_argv_add(a, "-g"); enc_argv_add(a, "60");
    enc_argv_add(a, "-an");
    enc_argv_add(a, "-f"); enc_argv_add(a, "h264");
    enc_argv_add(a, "%s/probe-%d.h264", dir, i);
}

int enc_probe_one_decode(const enc_input_t *src, const enc_stretches_t *st)
{
    if (src->key_gap <= 0 || st->count < 2) {
        return 0;
    }
    double seeks = st->count * (st->seconds + src->key_gap / 2);
    double span = st->start[st->count - 1] + st->seconds - st->start[0];
    return span + src->key_gap / 2 < seeks;
}

/* inputs and the graph's head up to "[v]": one accurately seeked input per
 * stretch, concatenated; or one input over all stretches with the frames
 * between them dropped (timestamps renumbered so the probes see one clip) */
static size_t stretches_head(const enc_input_t *src, const enc_stretches_t *st, enc_argv_t *a,
                             char *graph, size_t cap)
{
    int one = enc_probe_one_decode(src, st);
    size_t n = 0;
    for (int k = 0; k < (one ? 1 : st->count); k++) {
        if (st->start[k] > 0) {
            enc_argv_add(a, "-ss"); enc_argv_add(a, "%.3f", st->start[k]);
        }
        enc_argv_add(a, "-t");
        enc_argv_add(a, "%.3f", one ? st->start[st->count - 1] + st->seconds - st->start[0]
                                    : st->seconds);
        enc_argv_input(a, src->path);
    }
    if (one) {
        n += (size_t) snprintf(graph, cap, "[0:%d]select='", src->video_index);
        for (int k = 0; k < st->count && n < cap; k++) {
            double t0 = st->start[k] - st->start[0];
            n += (size_t) snprintf(graph + n, cap - n, "%sgte(t,%.3f)*lt(t,%.3f)", k ? "+" : "",
                                   t0, t0 + st->seconds);
        }
        /* the probe's frame rate, not FRAME_RATE: unset on variable frame rate links */
        return n + (size_t) snprintf(graph + n, n < cap ? cap - n : 0, "',setpts=N/(%g*TB)[v]",
                                     src->fps > 0 ? src->fps : 30.0);
    }
    for (int k = 0; k < st->count && n < cap; k++) {
        n += (size_t) snprintf(graph + n, cap - n, "[%d:%d]", k, src->video_index);
    }
    return n + (size_t) snprintf(graph + n, n < cap ? cap - n : 0, "concat=n=%d:v=1:a=0[v]",
                                 st->count);
}

int enc_analysis_command(const enc_input_t *src, const enc_stretches_t *st, int high, int low,
                         const char *ffmpeg, const char *dir, enc_argv_t *a)
{
    char graph[1024];
    int outputs = low != high ? 2 : 1;
    memset(a, 0, sizeof(*a));
    if (st->count < 1 || st->count > ENC_PROBE_MAX_STRETCHES) {
        return -1;
    }
    enc_argv_ffmpeg(a, ffmpeg);
    size_t n = stretches_head(src, st, a, graph, sizeof(graph));
    if (outputs == 2 && n < sizeof(graph)) {
        n += (size_t) snprintf(graph + n, sizeof(graph) - n,
                               ";[v]setsar=1,split=2[h][l];[h]scale=-2:%d:flags=bicubic[p0]"
                               ";[l]scale=-2:%d:flags=bicubic[p1]", high, low);
    } else if (n < sizeof(graph)) {
        n += (size_t) snprintf(graph + n, sizeof(graph) - n,
                               ";[v]setsar=1,scale=-2:%d:flags=bicubic[p0]", high);
    }
    if (n >= sizeof(graph)) {
        enc_argv_free(a);
        return -1;
    }
    enc_argv_add(a, "-filter_complex"); enc_argv_add(a, "%s", graph);
    for (int i = 0; i < outputs; i++) {
        probe_output(a, i, dir);
    }
    return enc_argv_finish(a);
}
