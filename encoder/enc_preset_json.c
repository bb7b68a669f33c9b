/*
 * enc_preset_json.c — the MES JSON preset subset (jansson) with a validator
 * that names the offending field by its path ("Codecs[0].H264Layers[1].Bitrate").
 *
 *   { "Version": 1.0,
 *     "Sources": [ { "StartTime": "00:00:04", "Duration": "00:00:16" } ],
 *     "Codecs": [ { "Type": "H264Video", "KeyFrameInterval": "00:00:02",
 *                   "SceneChangeDetection": false,
 *                   "H264Layers": [ { "Type": "H264Layer", "Bitrate": 3400, "MaxBitrate": 3400,
 *                                     "Width": "1280", "Height": "720", "BFrames": 3 } ] },
 *                 { "Type": "AACAudio", "Profile": "AACLC", "Channels": 2,
 *                   "SamplingRate": 48000, "Bitrate": 128 },
 *                 { "Type": "JpgImage", "Start": "{Best}" | "10%" | "00:00:05" | 120,
 *                   "Step": ..., "Range": ..., "SpriteColumn": 5,
 *                   "JpgLayers": [ { "Type": "JpgLayer", "Width": "50%", "Height": "50%",
 *                                    "Quality": 90 } ] } ],
 *     "Outputs": [ { "FileName": "{Basename}_{Width}x{Height}_{Bitrate}.mp4",
 *                    "Format": { "Type": "MP4Format" } } ] }
 *
 * "Complexity": "Speed" | "Balanced" | "Quality" in H264Video/H265Video picks
 * the x264/x265 preset (enc_complexity.c) over the task's default.
 * H265Video/H265Layers/H265Layer: the same fields, encoded with libx265.
 * Rate control: "RateControlMode": "ABR" (default) | "CBR" | "CRF" and
 * "TwoPass": true (ABR/CBR) on the video codec; "Crf" (1..51) per layer with
 * CRF, capped at MaxBitrate (else Bitrate).
 * "Label" on a layer or AACAudio is its {Label}; "BufferWindow" its VBV
 * buffer.  The v3 built-in JSON form may carry "Sources" too (the clip of a
 * v3 job).
 * Fields MES had that do not change mediaplane's output (Profile, Level,
 * ReferenceFrames, AdaptiveBFrame, SyncMode, Label, ...) are
 * accepted and ignored; any other field is "unsupported preset field X".
 */
#include "enc_config.h"
#include "enc_names.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char *err;
    size_t err_len;
} jctx_t;

static int bad(jctx_t *c, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(jctx_t *c, const char *path, const char *fmt, ...)
{
    char why[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    snprintf(c->err, c->err_len, "invalid preset field %s: %s", path, why);
    return -1;
}

/* append text to out (len bytes), truncating */
static void path_append(char *out, size_t len, const char *text)
{
    size_t n = strnlen(out, len - 1), t = strlen(text);
    if (t > len - 1 - n) {
        t = len - 1 - n;
    }
    memcpy(out + n, text, t);
    out[n + t] = '\0';
}

/* "path.key" (or "key" at the top) */
static void sub_path(char *out, size_t len, const char *path, const char *key)
{
    out[0] = '\0';
    path_append(out, len, path);
    if (path[0] != '\0') {
        path_append(out, len, ".");
    }
    path_append(out, len, key);
}

/* "path[i]" */
static void index_path(char *out, size_t len, const char *path, size_t i)
{
    char idx[32];
    snprintf(idx, sizeof(idx), "[%zu]", i);
    out[0] = '\0';
    path_append(out, len, path);
    path_append(out, len, idx);
}

/* every key of obj must be in allowed (NULL-terminated) */
static int check_keys(jctx_t *c, json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int ok = 0;
        for (int i = 0; allowed[i] != NULL && !ok; i++) {
            ok = strcmp(key, allowed[i]) == 0;
        }
        if (!ok) {
            char p[300];
            sub_path(p, sizeof(p), path, key);
            snprintf(c->err, c->err_len, "unsupported preset field %s", p);
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ values */

/* "hh:mm:ss(.fff)" (also "mm:ss", "ss") -> seconds; -1 if malformed */
static double parse_clock(const char *s)
{
    double parts[3] = { 0, 0, 0 };
    int n = 0;
    const char *p = s;
    while (n < 3) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || v < 0 || *p == '-' || *p == '+' || *p == ' ') {
            return -1;
        }
        parts[n++] = v;
        if (*end == '\0') {
            break;
        }
        if (*end != ':') {
            return -1;
        }
        p = end + 1;
    }
    if (n == 3 && strchr(p, ':') != NULL) {
        return -1;
    }
    double secs = 0;
    for (int i = 0; i < n; i++) {
        secs = secs * 60 + parts[i];
    }
    return secs;
}

static int get_time(jctx_t *c, json_t *v, const char *path, double *out)
{
    *out = json_is_string(v) ? parse_clock(json_string_value(v)) : -1;
    if (*out < 0 || !isfinite(*out)) {
        return bad(c, path, "expected a time \"hh:mm:ss.fff\"");
    }
    return 0;
}

/* integer as JSON number or decimal string */
static int get_int(jctx_t *c, json_t *v, const char *path, long min, long max, long *out)
{
    char *end = NULL;
    if (json_is_integer(v)) {
        *out = (long) json_integer_value(v);
    } else if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v))
               && fabs(json_real_value(v)) < 1e9) {
        *out = (long) json_real_value(v);
    } else if (json_is_string(v) && json_string_value(v)[0] != '\0') {
        *out = strtol(json_string_value(v), &end, 10);
        if (*end != '\0') {
            return bad(c, path, "expected an integer from %ld to %ld", min, max);
        }
    } else {
        return bad(c, path, "expected an integer from %ld to %ld", min, max);
    }
    if (*out < min || *out > max) {
        return bad(c, path, "expected an integer from %ld to %ld", min, max);
    }
    return 0;
}

static int get_dim(jctx_t *c, json_t *v, const char *path, enc_dim_t *out)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    size_t n = s ? strlen(s) : 0;
    if (s != NULL && n > 1 && s[n - 1] == '%') {
        char *end;
        out->value = strtod(s, &end);
        out->percent = 1;
        if (end != s + n - 1 || !(out->value > 0 && out->value <= 100)) {
            return bad(c, path, "expected pixels (2..8192) or a percentage (1%%..100%%)");
        }
        return 0;
    }
    long px;
    if (get_int(c, v, path, 2, 8192, &px) != 0) {
        return bad(c, path, "expected pixels (2..8192) or a percentage (1%%..100%%)");
    }
    out->value = (double) px;
    out->percent = 0;
    return 0;
}

/* thumbnail position: "{Best}" (if allowed), "N%", "hh:mm:ss", frame number */
static int get_pos(jctx_t *c, json_t *v, const char *path, int best_ok, enc_pos_t *out)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    size_t n = s ? strlen(s) : 0;
    char *end;
    if (best_ok && s != NULL && strcmp(s, "{Best}") == 0) {
        out->kind = ENC_POS_BEST;
        return 0;
    }
    if (s != NULL && n > 1 && s[n - 1] == '%') {
        out->kind = ENC_POS_PERCENT;
        out->value = strtod(s, &end);
        if (end == s + n - 1 && out->value >= 0 && out->value <= 100) {
            return 0;
        }
    } else if (s != NULL && strchr(s, ':') != NULL) {
        out->kind = ENC_POS_SECONDS;
        out->value = parse_clock(s);
        if (out->value >= 0 && isfinite(out->value)) {
            return 0;
        }
    } else {
        long frame;
        if (get_int(c, v, path, 0, 100000000, &frame) == 0) {
            out->kind = ENC_POS_FRAME;
            out->value = (double) frame;
            return 0;
        }
    }
    return bad(c, path, "expected %s\"hh:mm:ss.fff\", a percentage or a frame number",
               best_ok ? "\"{Best}\", " : "");
}

/* Label: a plain name for {Label} (absent: "") */
static int get_label(jctx_t *c, json_t *v, const char *path, char out[ENC_LABEL_LEN])
{
    const char *s = json_string_value(v);
    out[0] = '\0';
    if (v == NULL) {
        return 0;
    }
    if (s == NULL || strlen(s) >= ENC_LABEL_LEN
        || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(s)) {
        return bad(c, path, "expected up to 64 letters, digits, '-', '_' or '.'");
    }
    snprintf(out, ENC_LABEL_LEN, "%s", s);
    return 0;
}

static int expect_type(jctx_t *c, json_t *obj, const char *path, const char *type)
{
    json_t *t = json_object_get(obj, "Type");
    if (t != NULL && !(json_is_string(t) && strcmp(json_string_value(t), type) == 0)) {
        char p[300];
        sub_path(p, sizeof(p), path, "Type");
        return bad(c, p, "expected \"%s\"", type);
    }
    return 0;
}

/* ------------------------------------------------------------ codecs */

/* H264Video / H265Video and their layers: the same fields, the codec's names */
typedef struct {
    const char *video, *layers, *layer;     /* "H264Video", "H264Layers", "H264Layer" */
    enc_codec_t codec;
} video_names_t;

static const video_names_t h264_names = { "H264Video", "H264Layers", "H264Layer", ENC_CODEC_H264 };
static const video_names_t h265_names = { "H265Video", "H265Layers", "H265Layer", ENC_CODEC_H265 };

static const char *const h264_video_keys[] = {
    "Type", "KeyFrameInterval", "SceneChangeDetection", "H264Layers", "Complexity", "SyncMode",
    "StretchMode", "Label", "Condition", "RateControlMode", "TwoPass", NULL
};
static const char *const h265_video_keys[] = {
    "Type", "KeyFrameInterval", "SceneChangeDetection", "H265Layers", "Complexity", "SyncMode",
    "StretchMode", "Label", "Condition", "RateControlMode", "TwoPass", NULL
};
static const char *const h264_layer_keys[] = {
    "Type", "Bitrate", "MaxBitrate", "BufferWindow", "Width", "Height", "BFrames",
    "ReferenceFrames", "AdaptiveBFrame", "Profile", "Level", "FrameRate", "Slices",
    "EntropyMode", "Label", "Crf", NULL
};
static const char *const aac_keys[] = {
    "Type", "Profile", "Channels", "SamplingRate", "Bitrate", "Condition", "Label", NULL
};
static const char *const image_keys[] = {
    "Type", "Start", "Step", "Range", "JpgLayers", "PngLayers", "SpriteColumn", "StretchMode",
    "KeyFrameInterval", "Label", NULL
};
static const char *const image_layer_keys[] = {
    "Type", "Width", "Height", "Quality", "Label", NULL
};

/* field: optional, checked with fn when present */
#define FIELD(obj, name) json_object_get((obj), (name))

static void layer_field_path(char *p, size_t len, const char *path, const char *key)
{
    sub_path(p, len, path, key);
}

static int parse_video_layer(jctx_t *c, json_t *o, const char *path, const video_names_t *vn,
                             enc_preset_t *pr)
{
    char p[300];
    enc_layer_t *l = &pr->layers[pr->layer_count];
    long v;
    if (!json_is_object(o)) {
        return bad(c, path, "expected an object");
    }
    if (check_keys(c, o, path, h264_layer_keys) != 0 || expect_type(c, o, path, vn->layer) != 0) {
        return -1;
    }
    layer_field_path(p, sizeof(p), path, "Bitrate");
    if (FIELD(o, "Bitrate") == NULL) {
        return bad(c, p, "required (kbps)");
    }
    if (get_int(c, FIELD(o, "Bitrate"), p, 16, 100000, &v) != 0) {
        return -1;
    }
    l->kbps = (int) v;
    layer_field_path(p, sizeof(p), path, "MaxBitrate");
    if (FIELD(o, "MaxBitrate") != NULL) {
        if (get_int(c, FIELD(o, "MaxBitrate"), p, l->kbps, 200000, &v) != 0) {
            return -1;
        }
        l->max_kbps = (int) v;
    }
    layer_field_path(p, sizeof(p), path, "MaxBitrate");
    if (pr->rc_mode == ENC_RC_CBR && l->max_kbps != 0 && l->max_kbps != l->kbps) {
        return bad(c, p, "must equal Bitrate with RateControlMode \"CBR\"");
    }
    layer_field_path(p, sizeof(p), path, "Crf");
    json_t *crf = FIELD(o, "Crf");
    l->crf = 0;
    if (crf != NULL) {
        if (pr->rc_mode != ENC_RC_CRF) {
            return bad(c, p, "only with RateControlMode \"CRF\"");
        }
        if (!json_is_number(crf) || json_number_value(crf) < 1 || json_number_value(crf) > 51) {
            return bad(c, p, "expected a number from 1 to 51");
        }
        l->crf = json_number_value(crf);
    }
    layer_field_path(p, sizeof(p), path, "Width");
    if (FIELD(o, "Width") != NULL && get_dim(c, FIELD(o, "Width"), p, &l->width) != 0) {
        return -1;
    }
    layer_field_path(p, sizeof(p), path, "Height");
    if (FIELD(o, "Height") != NULL && get_dim(c, FIELD(o, "Height"), p, &l->height) != 0) {
        return -1;
    }
    layer_field_path(p, sizeof(p), path, "BFrames");
    if (FIELD(o, "BFrames") != NULL) {
        if (get_int(c, FIELD(o, "BFrames"), p, 0, 16, &v) != 0) {
            return -1;
        }
        pr->bframes = (int) v;
    }
    layer_field_path(p, sizeof(p), path, "BufferWindow");
    double window = 0;
    if (FIELD(o, "BufferWindow") != NULL && get_time(c, FIELD(o, "BufferWindow"), p, &window) != 0) {
        return -1;
    }
    if (FIELD(o, "BufferWindow") != NULL && !(window >= 0.1 && window <= 100)) {
        return bad(c, p, "must be from 00:00:00.1 to 00:01:40");
    }
    l->buffer_seconds = window;
    layer_field_path(p, sizeof(p), path, "Label");
    if (get_label(c, FIELD(o, "Label"), p, l->label) != 0) {
        return -1;
    }
    json_t *fr = FIELD(o, "FrameRate");
    layer_field_path(p, sizeof(p), path, "FrameRate");
    if (fr != NULL && !(json_is_string(fr) && strcmp(json_string_value(fr), "0/1") == 0)) {
        return bad(c, p, "only \"0/1\" (the source frame rate) is supported");
    }
    pr->layer_count++;
    return 0;
}

/* RateControlMode "ABR" (default) | "CBR" | "CRF"; TwoPass true|false (not with CRF) */
static int parse_rate_control(jctx_t *c, json_t *o, const char *path, enc_preset_t *pr)
{
    char p[300];
    json_t *mode = FIELD(o, "RateControlMode"), *two = FIELD(o, "TwoPass");
    sub_path(p, sizeof(p), path, "RateControlMode");
    if (mode != NULL) {
        const char *m = json_is_string(mode) ? json_string_value(mode) : "";
        if (strcasecmp(m, "ABR") == 0) {
            pr->rc_mode = ENC_RC_ABR;
        } else if (strcasecmp(m, "CBR") == 0) {
            pr->rc_mode = ENC_RC_CBR;
        } else if (strcasecmp(m, "CRF") == 0) {
            pr->rc_mode = ENC_RC_CRF;
        } else {
            return bad(c, p, "expected \"ABR\", \"CBR\" or \"CRF\" (constant quality capped at "
                       "the layer's MaxBitrate, else its Bitrate)");
        }
    }
    sub_path(p, sizeof(p), path, "TwoPass");
    if (two != NULL) {
        if (!json_is_boolean(two)) {
            return bad(c, p, "expected true or false");
        }
        pr->two_pass = json_is_true(two);
        if (pr->two_pass && pr->rc_mode == ENC_RC_CRF) {
            return bad(c, p, "two passes need a bitrate target: not with RateControlMode \"CRF\"");
        }
    }
    return 0;
}

static int parse_video(jctx_t *c, json_t *o, const char *path, const video_names_t *vn,
                       enc_preset_t *pr)
{
    char p[300];
    if (check_keys(c, o, path, vn->codec == ENC_CODEC_H265 ? h265_video_keys : h264_video_keys) != 0) {
        return -1;
    }
    if (pr->layer_count > 0) {
        return bad(c, path, "only one video codec (H264Video or H265Video) is supported");
    }
    pr->codec = vn->codec;
    sub_path(p, sizeof(p), path, "KeyFrameInterval");
    if (FIELD(o, "KeyFrameInterval") != NULL) {
        if (get_time(c, FIELD(o, "KeyFrameInterval"), p, &pr->gop_seconds) != 0) {
            return -1;
        }
        if (pr->gop_seconds < 0.5 || pr->gop_seconds > 10) {
            return bad(c, p, "must be from 00:00:00.5 to 00:00:10");
        }
    }
    sub_path(p, sizeof(p), path, "Complexity");
    json_t *cx = FIELD(o, "Complexity");
    if (cx != NULL) {
        pr->complexity = json_is_string(cx) ? enc_complexity_parse(json_string_value(cx))
                                            : ENC_COMPLEXITY_UNSET;
        if (pr->complexity == ENC_COMPLEXITY_UNSET) {
            return bad(c, p, "expected \"Speed\", \"Balanced\" or \"Quality\"");
        }
    }
    sub_path(p, sizeof(p), path, "SceneChangeDetection");
    json_t *scd = FIELD(o, "SceneChangeDetection");
    if (scd != NULL && !json_is_false(scd)) {
        return bad(c, p, "only false is supported (key frames every KeyFrameInterval, aligned "
                   "across layers)");
    }
    if (parse_rate_control(c, o, path, pr) != 0) {
        return -1;
    }
    sub_path(p, sizeof(p), path, vn->layers);
    json_t *layers = FIELD(o, vn->layers);
    if (!json_is_array(layers) || json_array_size(layers) == 0) {
        return bad(c, p, "required: a list of 1 to %d %s objects", ENC_MAX_LAYERS, vn->layer);
    }
    if (json_array_size(layers) > ENC_MAX_LAYERS) {
        return bad(c, p, "at most 16 layers are supported");
    }
    for (size_t i = 0; i < json_array_size(layers); i++) {
        char lp[320];
        index_path(lp, sizeof(lp), p, i);
        if (parse_video_layer(c, json_array_get(layers, i), lp, vn, pr) != 0) {
            return -1;
        }
    }
    return 0;
}

static int parse_aac(jctx_t *c, json_t *o, const char *path, enc_preset_t *pr)
{
    char p[300];
    long v;
    if (check_keys(c, o, path, aac_keys) != 0) {
        return -1;
    }
    if (pr->has_audio) {
        return bad(c, path, "only one AACAudio codec is supported");
    }
    pr->has_audio = 1;
    json_t *prof = FIELD(o, "Profile");
    sub_path(p, sizeof(p), path, "Profile");
    if (prof != NULL && !(json_is_string(prof) && strcmp(json_string_value(prof), "AACLC") == 0)) {
        return bad(c, p, "only \"AACLC\" is supported");
    }
    sub_path(p, sizeof(p), path, "Channels");
    if (FIELD(o, "Channels") != NULL) {
        if (get_int(c, FIELD(o, "Channels"), p, 1, 8, &v) != 0) {
            return -1;
        }
        if (v != 1 && v != 2 && v != 6) {
            return bad(c, p, "expected 1, 2 or 6");
        }
        pr->audio_channels = (int) v;
    }
    sub_path(p, sizeof(p), path, "SamplingRate");
    if (FIELD(o, "SamplingRate") != NULL) {
        if (get_int(c, FIELD(o, "SamplingRate"), p, 8000, 96000, &v) != 0) {
            return -1;
        }
        pr->audio_rate = (int) v;
    }
    sub_path(p, sizeof(p), path, "Bitrate");
    if (FIELD(o, "Bitrate") != NULL) {
        if (get_int(c, FIELD(o, "Bitrate"), p, 16, 512, &v) != 0) {
            return -1;
        }
        pr->audio_kbps = (int) v;
    }
    sub_path(p, sizeof(p), path, "Label");
    return get_label(c, FIELD(o, "Label"), p, pr->audio_label);
}

static int parse_image_layer(jctx_t *c, json_t *o, const char *path, enc_thumb_t *t)
{
    char p[300];
    long v;
    const char *type = t->type == ENC_IMAGE_PNG ? "PngLayer" : "JpgLayer";
    if (!json_is_object(o)) {
        return bad(c, path, "expected an object");
    }
    if (check_keys(c, o, path, image_layer_keys) != 0 || expect_type(c, o, path, type) != 0) {
        return -1;
    }
    sub_path(p, sizeof(p), path, "Width");
    if (FIELD(o, "Width") != NULL && get_dim(c, FIELD(o, "Width"), p, &t->width) != 0) {
        return -1;
    }
    sub_path(p, sizeof(p), path, "Height");
    if (FIELD(o, "Height") != NULL && get_dim(c, FIELD(o, "Height"), p, &t->height) != 0) {
        return -1;
    }
    sub_path(p, sizeof(p), path, "Quality");
    if (FIELD(o, "Quality") != NULL) {
        if (t->type == ENC_IMAGE_PNG) {
            snprintf(c->err, c->err_len, "unsupported preset field %s", p);
            return -1;
        }
        if (get_int(c, FIELD(o, "Quality"), p, 1, 100, &v) != 0) {
            return -1;
        }
        t->quality = (int) v;
    }
    return 0;
}

static int parse_image_positions(jctx_t *c, json_t *o, const char *path, enc_thumb_t *t)
{
    char p[300];
    sub_path(p, sizeof(p), path, "Start");
    if (FIELD(o, "Start") == NULL) {
        return bad(c, p, "required");
    }
    if (get_pos(c, FIELD(o, "Start"), p, 1, &t->start) != 0) {
        return -1;
    }
    sub_path(p, sizeof(p), path, "Step");
    if (FIELD(o, "Step") != NULL && get_pos(c, FIELD(o, "Step"), p, 0, &t->step) != 0) {
        return -1;
    }
    if (t->step.kind != ENC_POS_NONE && t->step.value <= 0) {
        return bad(c, p, "must be greater than zero");
    }
    sub_path(p, sizeof(p), path, "Range");
    if (FIELD(o, "Range") != NULL && get_pos(c, FIELD(o, "Range"), p, 0, &t->range) != 0) {
        return -1;
    }
    return 0;
}

static int parse_image(jctx_t *c, json_t *o, const char *path, enc_image_type_t type,
                       enc_preset_t *pr)
{
    char p[300];
    long v;
    if (check_keys(c, o, path, image_keys) != 0) {
        return -1;
    }
    if (pr->thumb_count == ENC_MAX_THUMBS) {
        return bad(c, path, "at most %d image codecs are supported", ENC_MAX_THUMBS);
    }
    enc_thumb_t *t = &pr->thumbs[pr->thumb_count];
    memset(t, 0, sizeof(*t));
    t->type = type;
    t->quality = 70;
    if (parse_image_positions(c, o, path, t) != 0) {
        return -1;
    }
    sub_path(p, sizeof(p), path, "SpriteColumn");
    if (FIELD(o, "SpriteColumn") != NULL) {
        if (get_int(c, FIELD(o, "SpriteColumn"), p, 0, 100, &v) != 0) {
            return -1;
        }
        t->sprite_columns = (int) v;
    }
    const char *layers_key = type == ENC_IMAGE_PNG ? "PngLayers" : "JpgLayers";
    const char *other_key = type == ENC_IMAGE_PNG ? "JpgLayers" : "PngLayers";
    if (FIELD(o, other_key) != NULL) {
        sub_path(p, sizeof(p), path, other_key);
        snprintf(c->err, c->err_len, "unsupported preset field %s", p);
        return -1;
    }
    sub_path(p, sizeof(p), path, layers_key);
    json_t *layers = FIELD(o, layers_key);
    if (layers != NULL) {
        if (!json_is_array(layers) || json_array_size(layers) != 1) {
            return bad(c, p, "expected a list of exactly one layer");
        }
        char lp[320];
        index_path(lp, sizeof(lp), p, 0);
        if (parse_image_layer(c, json_array_get(layers, 0), lp, t) != 0) {
            return -1;
        }
    }
    snprintf(t->file_pattern, sizeof(t->file_pattern), "%s", ENC_DEFAULT_THUMB_PATTERN);
    pr->thumb_count++;
    return 0;
}

static int parse_codec(jctx_t *c, json_t *o, const char *path, enc_preset_t *pr)
{
    char p[300];
    if (!json_is_object(o)) {
        return bad(c, path, "expected an object");
    }
    json_t *type = FIELD(o, "Type");
    const char *t = json_is_string(type) ? json_string_value(type) : "";
    sub_path(p, sizeof(p), path, "Type");
    if (strcmp(t, "H264Video") == 0) {
        return parse_video(c, o, path, &h264_names, pr);
    }
    if (strcmp(t, "H265Video") == 0) {
        return parse_video(c, o, path, &h265_names, pr);
    }
    if (strcmp(t, "AACAudio") == 0) {
        return parse_aac(c, o, path, pr);
    }
    if (strcmp(t, "JpgImage") == 0 || strcmp(t, "PngImage") == 0) {
        return parse_image(c, o, path, t[0] == 'P' ? ENC_IMAGE_PNG : ENC_IMAGE_JPG, pr);
    }
    return bad(c, p, "unsupported codec \"%s\" (supported: H264Video, H265Video, AACAudio, "
               "JpgImage, PngImage)", t);
}

/* ------------------------------------------------------------ outputs */

static const char *const output_keys[] = { "FileName", "Format", NULL };
static const char *const format_keys[] = { "Type", NULL };

/* assign an output's pattern to what it names; returns -1 on error */
static int apply_output(jctx_t *c, const char *path, const char *type, const char *name,
                        enc_preset_t *pr, int *mp4_seen)
{
    char p[300];
    sub_path(p, sizeof(p), path, "Format.Type");
    if (strcmp(type, "MP4Format") == 0) {
        int for_video = pr->layer_count > 0 && *mp4_seen == 0;
        if (!for_video && (!pr->has_audio || *mp4_seen > (pr->layer_count > 0))) {
            sub_path(p, sizeof(p), path, "Format");
            return bad(c, p, "no codec left for this MP4Format output");
        }
        snprintf(for_video ? pr->video_pattern : pr->audio_pattern, ENC_NAME_LEN, "%s", name);
        (*mp4_seen)++;
        return 0;
    }
    enc_image_type_t want = strcmp(type, "JpgFormat") == 0 ? ENC_IMAGE_JPG
                          : strcmp(type, "PngFormat") == 0 ? ENC_IMAGE_PNG : 0;
    if (want == 0) {
        return bad(c, p, "unsupported format \"%s\" (supported: MP4Format, JpgFormat, PngFormat)",
                   type);
    }
    for (int i = 0; i < pr->thumb_count; i++) {
        if (pr->thumbs[i].type == want) {
            snprintf(pr->thumbs[i].file_pattern, ENC_NAME_LEN, "%s", name);
        }
    }
    return 0;
}

static int parse_output(jctx_t *c, json_t *o, const char *path, enc_preset_t *pr, int *mp4_seen)
{
    char p[300], badm[64];
    if (!json_is_object(o)) {
        return bad(c, path, "expected an object");
    }
    if (check_keys(c, o, path, output_keys) != 0) {
        return -1;
    }
    json_t *fmt = FIELD(o, "Format"), *fname = FIELD(o, "FileName");
    sub_path(p, sizeof(p), path, "Format");
    if (!json_is_object(fmt) || !json_is_string(FIELD(fmt, "Type"))) {
        return bad(c, p, "required: {\"Type\": \"MP4Format\" | \"JpgFormat\" | \"PngFormat\"}");
    }
    if (check_keys(c, fmt, p, format_keys) != 0) {
        return -1;
    }
    sub_path(p, sizeof(p), path, "FileName");
    const char *name = json_is_string(fname) ? json_string_value(fname) : NULL;
    if (name == NULL || name[0] == '\0' || strlen(name) >= ENC_NAME_LEN) {
        return bad(c, p, "required: a file-name pattern such as \"{Basename}_{Width}x{Height}_{Bitrate}.mp4\"");
    }
    if (!enc_pattern_valid(name, badm, sizeof(badm))) {
        return bad(c, p, "unknown macro %s", badm);
    }
    if (strchr(name, '/') != NULL || strchr(name, '%') != NULL) {
        return bad(c, p, "must be a plain file name (no '/' or '%%')");
    }
    return apply_output(c, path, json_string_value(FIELD(fmt, "Type")), name, pr, mp4_seen);
}

/* ------------------------------------------------------------ top level */

static const char *const top_keys[] = { "Version", "Codecs", "Outputs", "Sources", NULL };
static const char *const source_keys[] = { "StartTime", "Duration", NULL };

static int parse_sources(jctx_t *c, json_t *s, enc_preset_t *pr)
{
    if (!json_is_array(s) || json_array_size(s) > 1) {
        return bad(c, "Sources", "expected a list of at most one source (stitching is not "
                   "supported)");
    }
    json_t *src = json_array_get(s, 0);
    if (src == NULL) {
        return 0;
    }
    if (!json_is_object(src)) {
        return bad(c, "Sources[0]", "expected an object");
    }
    if (check_keys(c, src, "Sources[0]", source_keys) != 0) {
        return -1;
    }
    if (FIELD(src, "StartTime") != NULL
        && get_time(c, FIELD(src, "StartTime"), "Sources[0].StartTime", &pr->clip_start) != 0) {
        return -1;
    }
    if (FIELD(src, "Duration") != NULL) {
        if (get_time(c, FIELD(src, "Duration"), "Sources[0].Duration", &pr->clip_duration) != 0) {
            return -1;
        }
        if (pr->clip_duration <= 0) {
            return bad(c, "Sources[0].Duration", "must be greater than zero");
        }
    }
    return 0;
}

static int parse_lists(jctx_t *c, json_t *root, enc_preset_t *pr)
{
    json_t *codecs = FIELD(root, "Codecs"), *outputs = FIELD(root, "Outputs");
    if (!json_is_array(codecs) || json_array_size(codecs) == 0) {
        return bad(c, "Codecs", "required: a non-empty list");
    }
    for (size_t i = 0; i < json_array_size(codecs); i++) {
        char p[64];
        snprintf(p, sizeof(p), "Codecs[%zu]", i);
        if (parse_codec(c, json_array_get(codecs, i), p, pr) != 0) {
            return -1;
        }
    }
    if (!json_is_array(outputs) || json_array_size(outputs) == 0) {
        return bad(c, "Outputs", "required: a non-empty list");
    }
    int mp4_seen = 0;
    for (size_t i = 0; i < json_array_size(outputs); i++) {
        char p[64];
        snprintf(p, sizeof(p), "Outputs[%zu]", i);
        if (parse_output(c, json_array_get(outputs, i), p, pr, &mp4_seen) != 0) {
            return -1;
        }
    }
    if ((pr->layer_count > 0 || (pr->has_audio && pr->thumb_count == 0)) && mp4_seen == 0) {
        return bad(c, "Outputs", "needs an MP4Format output for the video/audio codecs");
    }
    return 0;
}

int enc_preset_from_json(const char *text, size_t len, enc_preset_t *pr, char *err,
                         size_t err_len)
{
    jctx_t c = { err, err_len };
    json_error_t je;
    enc_preset_defaults(pr);
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        snprintf(err, err_len, "the preset is not valid JSON: %s (line %d, column %d)", je.text,
                 je.line, je.column);
        return -1;
    }
    int rc = -1;
    if (!json_is_object(root)) {
        snprintf(err, err_len, "the preset is not a JSON object");
    } else if (json_object_get(root, "presetName") != NULL
               || json_object_get(root, "@odata.type") != NULL) {
        json_t *sources = json_incref(FIELD(root, "Sources"));
        json_object_del(root, "Sources");           /* a clip of a v3 job (arm_transforms.c) */
        rc = enc_preset_from_v3(root, pr, err, err_len);
        if (rc == 0 && sources != NULL) {
            rc = parse_sources(&c, sources, pr);
        }
        json_decref(sources);
    } else if (check_keys(&c, root, "", top_keys) == 0
               && (FIELD(root, "Sources") == NULL || parse_sources(&c, FIELD(root, "Sources"), pr) == 0)
               && parse_lists(&c, root, pr) == 0) {
        json_t *ver = FIELD(root, "Version");
        rc = ver == NULL || json_is_number(ver) || json_is_string(ver) ? 0
           : bad(&c, "Version", "expected 1.0");
    }
    json_decref(root);
    return rc;
}
