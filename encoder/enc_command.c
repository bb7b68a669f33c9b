/*
 * enc_command.c — building the ffmpeg command line from a plan.
 */
#define _GNU_SOURCE
#include "enc_command.h"
#include "enc_video_args.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define add enc_argv_add

void enc_argv_add(enc_argv_t *a, const char *fmt, ...)
{
    if (a->argc >= ENC_MAX_ARGS) {
        a->argc = ENC_MAX_ARGS + 1;   /* marks overflow; nothing stored */
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) {
        s = NULL;
    }
    va_end(ap);
    a->argv[a->argc++] = s;
}

static void add_input(enc_argv_t *a, const enc_plan_t *p, const char *path)
{
    if (p->clip_start > 0) {
        add(a, "-ss");
        add(a, "%.3f", p->clip_start);
    }
    if (p->clip_duration >= 0) {
        add(a, "-t");
        add(a, "%.3f", p->clip_duration);
    }
    enc_argv_input(a, path);
}

/* the filter graph: [0:v]split -> scale per layer and thumbnail set */
static char *filter_graph(const enc_plan_t *p, int thumb_count)
{
    size_t cap = 16384, n = 0;
    char *g = malloc(cap);
    if (g == NULL) {
        return NULL;
    }
    int branches = p->layer_count + thumb_count;
    n += (size_t) snprintf(g + n, cap - n, "[0:%d]split=%d", p->video->video_index, branches);
    for (int i = 0; i < branches; i++) {
        n += (size_t) snprintf(g + n, cap - n, "[s%d]", i);
    }
    for (int i = 0; i < p->layer_count && n < cap; i++) {
        n += (size_t) snprintf(g + n, cap - n, ";[s%d]scale=%d:%d:flags=bicubic,setsar=1[v%d]",
                               i, p->layers[i].width, p->layers[i].height, i);
    }
    for (int i = 0; i < thumb_count && n < cap; i++) {
        const enc_out_thumb_t *t = &p->thumbs[i];
        int s = p->layer_count + i;
        double half = p->fps > 0 ? 0.5 / p->fps : 0.001;
        if (t->best) {
            int frames = p->fps > 0 ? (int) fmin(lround(p->fps * 10), 300) : 100;
            n += (size_t) snprintf(g + n, cap - n,
                                   ";[s%d]trim=end_frame=%d,scale=%d:%d,setsar=1,thumbnail=%d[t%d]",
                                   s, frames, t->width, t->height, frames, i);
            continue;
        }
        n += (size_t) snprintf(g + n, cap - n,
                               ";[s%d]select='(isnan(prev_selected_t)*gte(t\\,%.4f)"
                               "+gte(t-prev_selected_t\\,%.4f))*lte(t\\,%.4f)',"
                               "scale=%d:%d,setsar=1",
                               s, t->start - half, t->step - half, t->end + half,
                               t->width, t->height);
        if (t->columns > 0) {
            n += (size_t) snprintf(g + n, cap - n, ",tile=%dx%d", t->columns, t->rows);
        }
        n += (size_t) snprintf(g + n, cap - n, "[t%d]", i);
    }
    if (n >= cap) {
        free(g);
        return NULL;
    }
    return g;
}

static void add_layer(enc_argv_t *a, const enc_plan_t *p, const enc_command_opts_t *o, int i)
{
    char passlog[4200];
    snprintf(passlog, sizeof(passlog), "%s/passlog-%d", o->passlog_dir ? o->passlog_dir : ".", i);
    add(a, "-map"); add(a, "[v%d]", i);
    enc_video_args(a, p, i, o->speed_preset, o->pass, passlog);
    add(a, "-an");
    if (o->pass == 1) {
        add(a, "-f"); add(a, "null");
        add(a, "/dev/null");
        return;
    }
    add(a, "-movflags"); add(a, "+faststart");
    add(a, "-f"); add(a, "mp4");
    add(a, "%s/%s", o->output_dir, p->layers[i].file);
}

static void add_audio(enc_argv_t *a, const enc_plan_t *p, const enc_command_opts_t *o)
{
    int input = p->video && strcmp(p->video->path, p->audio->path) != 0 ? 1 : 0;
    add(a, "-map"); add(a, "%d:%d", input, p->audio->audio_index);
    add(a, "-vn");
    add(a, "-c:a"); add(a, "aac");
    add(a, "-b:a"); add(a, "%dk", p->audio_kbps);
    add(a, "-ac"); add(a, "%d", p->audio_channels);
    add(a, "-ar"); add(a, "%d", p->audio_rate);
    add(a, "-movflags"); add(a, "+faststart");
    add(a, "-f"); add(a, "mp4");
    add(a, "%s/%s", o->output_dir, p->audio_file);
}

static void add_thumb(enc_argv_t *a, const enc_plan_t *p, const enc_command_opts_t *o, int i)
{
    const enc_out_thumb_t *t = &p->thumbs[i];
    add(a, "-map"); add(a, "[t%d]", i);
    add(a, "-fps_mode"); add(a, "passthrough");
    if (t->spec->type == ENC_IMAGE_JPG) {
        add(a, "-c:v"); add(a, "mjpeg");
        add(a, "-pix_fmt"); add(a, "yuvj420p");
        add(a, "-q:v"); add(a, "%d", 2 + (int) lround((100 - t->spec->quality) * 29.0 / 99.0));
    } else {
        add(a, "-c:v"); add(a, "png");
    }
    if (t->best || t->columns > 0 || t->count == 1) {
        add(a, "-frames:v"); add(a, "1");
        add(a, "-update"); add(a, "1");
        add(a, "-f"); add(a, "image2");
        add(a, "%s/%s", o->output_dir, t->first_file);
        return;
    }
    add(a, "-start_number"); add(a, "1");
    add(a, "-f"); add(a, "image2");
    add(a, "%s/%s", o->output_dir, t->ffmpeg_pattern);
}

int enc_command_build(const enc_plan_t *p, const enc_command_opts_t *o, enc_argv_t *a)
{
    memset(a, 0, sizeof(*a));
    enc_argv_ffmpeg(a, o->ffmpeg);
    add(a, "-xerror");                /* a damaged input fails the task, not a short output */
    const enc_input_t *first = p->video ? p->video : p->audio;
    add_input(a, p, first->path);
    if (p->video && p->audio && strcmp(p->video->path, p->audio->path) != 0) {
        add_input(a, p, p->audio->path);
    }
    if (p->video) {
        char *graph = filter_graph(p, o->pass == 1 ? 0 : p->thumb_count);
        if (graph == NULL) {
            enc_argv_free(a);
            return -1;
        }
        add(a, "-filter_complex"); add(a, "%s", graph);
        free(graph);
    }
    for (int i = 0; i < p->layer_count; i++) {
        add_layer(a, p, o, i);
    }
    if (p->audio && o->pass != 1) {
        add_audio(a, p, o);
    }
    for (int i = 0; i < p->thumb_count && o->pass != 1; i++) {
        add_thumb(a, p, o, i);
    }
    return enc_argv_finish(a);
}

void enc_argv_input(enc_argv_t *a, const char *path)
{
    add(a, "-protocol_whitelist"); add(a, ENC_INPUT_PROTOCOLS);
    add(a, "-format_whitelist"); add(a, ENC_INPUT_FORMATS);
    add(a, "-i"); add(a, "%s", path);
}

void enc_argv_ffmpeg(enc_argv_t *a, const char *ffmpeg)
{
    add(a, "%s", ffmpeg);
    add(a, "-nostdin"); add(a, "-hide_banner"); add(a, "-nostats");
    add(a, "-loglevel"); add(a, "error");
    add(a, "-progress"); add(a, "pipe:1");
    add(a, "-stats_period"); add(a, "0.5");
}

int enc_argv_finish(enc_argv_t *a)
{
    if (a->argc > ENC_MAX_ARGS) {
        enc_argv_free(a);
        return -1;
    }
    for (int i = 0; i < a->argc; i++) {
        if (a->argv[i] == NULL) {
            enc_argv_free(a);
            return -1;
        }
    }
    a->argv[a->argc] = NULL;
    return 0;
}

void enc_argv_free(enc_argv_t *a)
{
    int n = a->argc > ENC_MAX_ARGS ? ENC_MAX_ARGS : a->argc;
    for (int i = 0; i < n; i++) {
        free(a->argv[i]);
    }
    memset(a, 0, sizeof(*a));
}

char *enc_argv_join(const enc_argv_t *a)
{
    size_t len = 1;
    for (int i = 0; i < a->argc; i++) {
        len += strlen(a->argv[i]) + 3;
    }
    char *s = malloc(len), *w = s;
    if (s == NULL) {
        return NULL;
    }
    for (int i = 0; i < a->argc; i++) {
        int quote = strpbrk(a->argv[i], " ;[]'()*,") != NULL;
        w += sprintf(w, i ? (quote ? " \"%s\"" : " %s") : (quote ? "\"%s\"" : "%s"), a->argv[i]);
    }
    *w = '\0';
    return s;
}
