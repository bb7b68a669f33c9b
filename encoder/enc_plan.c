/*
 * enc_plan.c — resolving a preset against the input (sizes, ladder, names,
 * clip, thumbnail times).
 */
#include "enc_plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int enc_even(double x)
{
    int v = 2 * (int) lround(x / 2.0);
    return v < 2 ? 2 : v;
}

static double display_width(const enc_input_t *src)
{
    return src->display_aspect > 0 ? src->height * src->display_aspect : src->width;
}

static double dim_pixels(enc_dim_t d, double source)
{
    return d.percent ? source * d.value / 100.0 : d.value;
}

void enc_fit_box(const enc_input_t *src, enc_dim_t w, enc_dim_t h, int *out_w, int *out_h)
{
    double dw = display_width(src), dh = src->height;
    double bw = dim_pixels(w, dw), bh = dim_pixels(h, dh), s;
    if (bw > 0 && bh > 0 && fabs((bw / bh) / (dw / dh) - 1.0) < 0.02) {
        *out_w = enc_even(bw);      /* the box has the source's aspect (within 2 %), */
        *out_h = enc_even(bh);      /* e.g. 848x480 for 16:9, as MES's AutoSize did */
        return;
    }
    if (bw > 0 && bh > 0) {
        s = fmin(bw / dw, bh / dh);
    } else if (bw > 0) {
        s = bw / dw;
    } else if (bh > 0) {
        s = bh / dh;
    } else {
        s = 1.0;
    }
    *out_w = enc_even(dw * s);
    *out_h = enc_even(dh * s);
}

/* ------------------------------------------------------------ adaptive */

static void fixed_dim(enc_dim_t *d, double v)
{
    d->value = v;
    d->percent = 0;
}

/* rungs that fit in the source; a source-size rung when it falls between */
static int ladder_by_size(const enc_input_t *src, enc_layer_t *l, int count)
{
    int kept = 0, above_kbps = 0, above_pixels = 0, top_w = 0, top_h = 0;
    for (int i = 0; i < count; i++) {
        int w, h;
        enc_fit_box(src, l[i].width, l[i].height, &w, &h);
        if (h > src->height || w > enc_even(display_width(src))) {
            above_kbps = l[i].kbps;
            above_pixels = w * h;
            continue;
        }
        if (kept == 0) {
            top_w = w;
            top_h = h;
        }
        l[kept++] = l[i];
    }
    int sw = enc_even(display_width(src)), sh = enc_even(src->height);
    if (above_kbps > 0 && (kept == 0 || top_h < sh) && kept < ENC_MAX_LAYERS) {
        memmove(&l[1], &l[0], sizeof(l[0]) * (size_t) kept);
        fixed_dim(&l[0].width, sw);
        fixed_dim(&l[0].height, sh);
        l[0].kbps = (int) lround(above_kbps * ((double) sw * sh / above_pixels));
        l[0].kbps = l[0].kbps < 100 ? 100 : l[0].kbps;
        l[0].max_kbps = 0;
        kept++;
    }
    (void) top_w;
    return kept;
}

/* rungs at or below the source bitrate, plus the next one up capped at it */
static int ladder_by_bitrate(int source_kbps, enc_layer_t *l, int count)
{
    int first_below = 0;
    while (first_below < count && l[first_below].kbps > source_kbps) {
        first_below++;
    }
    if (first_below == 0) {
        return count;
    }
    enc_layer_t capped = l[first_below - 1];
    capped.kbps = source_kbps;
    capped.max_kbps = 0;
    int kept = count - first_below;
    memmove(&l[0], &l[first_below], sizeof(l[0]) * (size_t) kept);
    if (kept == 0 || l[0].kbps < source_kbps * 9 / 10) {
        memmove(&l[1], &l[0], sizeof(l[0]) * (size_t) kept);
        l[0] = capped;
        kept++;
    }
    return kept;
}

void enc_adaptive_ladder(const enc_input_t *src, enc_layer_t *layers, int *count)
{
    *count = ladder_by_size(src, layers, *count);
    if (src->video_kbps > 0) {
        *count = ladder_by_bitrate(src->video_kbps, layers, *count);
    }
}

/* ------------------------------------------------------------ names */

static int name_taken(const enc_plan_t *p, const char *name)
{
    for (int i = 0; i < p->layer_count; i++) {
        if (strcmp(p->layers[i].file, name) == 0) {
            return 1;
        }
    }
    return p->audio_file[0] != '\0' && strcmp(p->audio_file, name) == 0;
}

static enc_plan_status_t config_error(char *err, size_t err_len, const char *what,
                                      const char *pattern)
{
    snprintf(err, err_len, "Outputs FileName \"%s\" %s", pattern, what);
    return ENC_PLAN_BAD_CONFIG;
}

static enc_plan_status_t plan_layers(const enc_preset_t *pr, enc_plan_t *p, char *err,
                                     size_t err_len)
{
    enc_layer_t layers[ENC_MAX_LAYERS];
    int count = pr->layer_count;
    memcpy(layers, pr->layers, sizeof(layers));
    if (pr->adaptive) {
        enc_adaptive_ladder(p->video, layers, &count);
    }
    for (int i = 0; i < count; i++) {
        enc_out_layer_t *o = &p->layers[i];
        enc_fit_box(p->video, layers[i].width, layers[i].height, &o->width, &o->height);
        o->kbps = layers[i].kbps;
        o->max_kbps = layers[i].max_kbps > 0 ? layers[i].max_kbps : layers[i].kbps;
        o->crf = layers[i].crf;
        o->buffer_seconds = layers[i].buffer_seconds > 0 ? layers[i].buffer_seconds : 2;
        enc_macros_t m = { .basename = p->basename, .width = o->width, .height = o->height,
                           .bitrate = o->kbps, .video_kbps = o->kbps,
                           .audio_kbps = pr->has_audio ? pr->audio_kbps : 0,
                           .channels = pr->audio_channels, .sampling_rate = pr->audio_rate,
                           .index = "", .extension = ".mp4", .label = layers[i].label };
        char name[ENC_NAME_LEN];
        if (enc_expand(pr->video_pattern, &m, name, sizeof(name)) != 0) {
            return config_error(err, err_len, "does not give a valid file name", pr->video_pattern);
        }
        if (name_taken(p, name)) {
            return config_error(err, err_len, "gives two outputs the same name", pr->video_pattern);
        }
        snprintf(o->file, sizeof(o->file), "%s", name);
        p->layer_count = i + 1;
    }
    return ENC_PLAN_OK;
}

static enc_plan_status_t plan_audio(const enc_preset_t *pr, enc_plan_t *p, char *err,
                                    size_t err_len)
{
    p->audio_kbps = pr->audio_kbps;
    p->audio_channels = pr->audio_channels;
    p->audio_rate = pr->audio_rate;
    enc_macros_t m = { .basename = p->basename, .bitrate = pr->audio_kbps,
                       .audio_kbps = pr->audio_kbps, .channels = pr->audio_channels,
                       .sampling_rate = pr->audio_rate, .index = "", .extension = ".mp4",
                       .label = pr->audio_label };
    char name[ENC_NAME_LEN];
    if (enc_expand(pr->audio_pattern, &m, name, sizeof(name)) != 0) {
        return config_error(err, err_len, "does not give a valid file name", pr->audio_pattern);
    }
    if (name_taken(p, name)) {
        return config_error(err, err_len, "gives two outputs the same name", pr->audio_pattern);
    }
    snprintf(p->audio_file, sizeof(p->audio_file), "%s", name);
    return ENC_PLAN_OK;
}

/* ------------------------------------------------------------ thumbnails */

static double pos_seconds(enc_pos_t pos, double duration, double fps, double dflt)
{
    switch (pos.kind) {
    case ENC_POS_SECONDS: return pos.value;
    case ENC_POS_PERCENT: return duration * pos.value / 100.0;
    case ENC_POS_FRAME: return fps > 0 ? pos.value / fps : 0;
    default: return dflt;
    }
}

static void thumb_times(const enc_thumb_t *t, const enc_plan_t *p, enc_out_thumb_t *o)
{
    o->best = t->start.kind == ENC_POS_BEST;
    o->start = o->best ? 0 : pos_seconds(t->start, p->duration, p->fps, 0);
    o->step = pos_seconds(t->step, p->duration, p->fps, 0);
    double range = pos_seconds(t->range, p->duration, p->fps, p->duration);
    double last_frame = p->duration - (p->fps > 0 ? 1.0 / p->fps : 0);
    o->end = fmin(o->start + range, last_frame);
    if (o->start > last_frame) {
        o->start = last_frame > 0 ? last_frame : 0;
    }
    o->count = 1;
    if (!o->best && o->step > 0) {
        o->count = (int) floor((o->end - o->start) / o->step + 1e-6) + 1;
        o->count = o->count > ENC_MAX_THUMB_TIMES ? ENC_MAX_THUMB_TIMES : o->count;
        o->end = o->start + o->step * (o->count - 1);
    } else {
        o->end = o->start;
    }
}

static void replace_extension(char *name, size_t len, const char *ext)
{
    char *dot = strrchr(name, '.');
    if (dot != NULL && dot != name) {
        *dot = '\0';
    }
    size_t n = strlen(name);
    snprintf(name + n, len - n, "%s", ext);
}

static enc_plan_status_t thumb_names(const enc_thumb_t *t, enc_plan_t *p, enc_out_thumb_t *o,
                                     char *err, size_t err_len)
{
    enc_macros_t m = { .basename = p->basename, .width = o->width, .height = o->height,
                       .index = "000001", .extension = o->extension, .label = "" };
    if (enc_expand(t->file_pattern, &m, o->first_file, sizeof(o->first_file)) != 0) {
        return config_error(err, err_len, "does not give a valid file name", t->file_pattern);
    }
    if (o->columns > 0) {
        memcpy(o->vtt_file, o->first_file, sizeof(o->vtt_file));
        replace_extension(o->vtt_file, sizeof(o->vtt_file), ".vtt");
        memcpy(o->ffmpeg_pattern, o->first_file, sizeof(o->ffmpeg_pattern));
        return ENC_PLAN_OK;
    }
    if (o->count > 1 && strstr(t->file_pattern, "{Index}") == NULL) {
        return config_error(err, err_len, "needs {Index} for several thumbnails", t->file_pattern);
    }
    m.index = "%06d";
    if (enc_expand(t->file_pattern, &m, o->ffmpeg_pattern, sizeof(o->ffmpeg_pattern)) != 0) {
        return config_error(err, err_len, "does not give a valid file name", t->file_pattern);
    }
    return ENC_PLAN_OK;
}

static enc_plan_status_t plan_thumbs(const enc_preset_t *pr, enc_plan_t *p, char *err,
                                     size_t err_len)
{
    for (int i = 0; i < pr->thumb_count; i++) {
        const enc_thumb_t *t = &pr->thumbs[i];
        enc_out_thumb_t *o = &p->thumbs[i];
        o->spec = t;
        o->extension = t->type == ENC_IMAGE_PNG ? ".png" : ".jpg";
        thumb_times(t, p, o);
        enc_fit_box(p->video, t->width, t->height, &o->width, &o->height);
        if (t->sprite_columns > 0) {
            o->columns = t->sprite_columns < o->count ? t->sprite_columns : o->count;
            o->rows = (o->count + o->columns - 1) / o->columns;
        }
        enc_plan_status_t rc = thumb_names(t, p, o, err, err_len);
        if (rc != ENC_PLAN_OK) {
            return rc;
        }
        p->thumb_count = i + 1;
    }
    return ENC_PLAN_OK;
}

/* ------------------------------------------------------------ plan */

static void plan_clip(const enc_preset_t *pr, enc_plan_t *p)
{
    const enc_input_t *main_in = p->video ? p->video : p->audio;
    double full = main_in->duration;
    p->clip_start = pr->clip_start < full ? pr->clip_start : 0;
    double rest = full - p->clip_start;
    p->clip_duration = pr->clip_duration;
    p->duration = pr->clip_duration >= 0 && pr->clip_duration < rest ? pr->clip_duration : rest;
    p->fps = p->video ? p->video->fps : 0;
}

static enc_plan_status_t plan_inputs(const enc_preset_t *pr, const enc_sources_t *src,
                                     enc_plan_t *p, char *err, size_t err_len)
{
    int wants_video = pr->layer_count > 0 || pr->thumb_count > 0 || pr->content_aware;
    if (wants_video && !src->video_found) {
        snprintf(err, err_len, "input has no video stream (the preset encodes video; use "
                 "\"AAC Good Quality Audio\" for audio-only inputs)");
        return ENC_PLAN_BAD_INPUT;
    }
    if (!wants_video && !(pr->has_audio && src->audio_found)) {
        snprintf(err, err_len, "input has no audio stream (the preset encodes audio only)");
        return ENC_PLAN_BAD_INPUT;
    }
    if (wants_video && (src->video.width < 2 || src->video.height < 2)) {
        snprintf(err, err_len, "input video has no picture size");
        return ENC_PLAN_BAD_INPUT;
    }
    p->video = wants_video ? &src->video : NULL;
    p->audio = pr->has_audio && src->audio_found ? &src->audio : NULL;
    if (pr->has_audio && !wants_video) {
        p->audio = &src->audio;
    }
    return ENC_PLAN_OK;
}

enc_plan_status_t enc_plan_build(const enc_preset_t *pr, const enc_sources_t *src,
                                 const char *basename, enc_plan_t *p, char *err, size_t err_len)
{
    memset(p, 0, sizeof(*p));
    enc_plan_status_t rc = plan_inputs(pr, src, p, err, err_len);
    if (rc != ENC_PLAN_OK) {
        return rc;
    }
    const enc_input_t *main_in = p->video ? p->video : p->audio;
    enc_basename(basename ? basename : main_in->path, basename == NULL, p->basename,
                 sizeof(p->basename));
    p->gop_seconds = pr->gop_seconds;
    p->bframes = pr->bframes;
    p->codec = pr->codec;
    p->complexity = pr->complexity;
    p->rc_mode = pr->rc_mode;
    p->two_pass = pr->two_pass;
    plan_clip(pr, p);
    if (p->video && (rc = plan_layers(pr, p, err, err_len)) != ENC_PLAN_OK) {
        return rc;
    }
    if (p->audio && (rc = plan_audio(pr, p, err, err_len)) != ENC_PLAN_OK) {
        return rc;
    }
    if ((rc = plan_thumbs(pr, p, err, err_len)) != ENC_PLAN_OK) {
        return rc;
    }
    if (p->layer_count > 0 || p->audio) {
        snprintf(p->ism_file, sizeof(p->ism_file), "%s.ism", p->basename);
        snprintf(p->ismc_file, sizeof(p->ismc_file), "%s.ismc", p->basename);
    }
    if (p->layer_count > 0) {
        snprintf(p->quality_file, sizeof(p->quality_file), "%s_quality.json", p->basename);
        if (name_taken(p, p->quality_file)) {
            return config_error(err, err_len, "gives an output the quality report's name",
                                pr->video_pattern);
        }
    }
    return ENC_PLAN_OK;
}
