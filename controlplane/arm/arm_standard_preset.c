/*
 * arm_standard_preset.c — v3 StandardEncoderPreset → MES JSON preset (see
 * arm_standard_preset.h).  v3 bitrates are bits/s (MES: kbit/s), v3 times
 * ISO-8601 durations (MES: "hh:mm:ss.fff").  Values the encoder would not
 * honour (another H.264 profile than High, slices, reference frames, …)
 * are refused with their path, as are filters and TransportStreamFormat.
 */
#include "arm/arm_standard_preset.h"
#include "util/duration_parse.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CODECS 8
#define MAX_FORMATS 8
#define MAX_LAYERS 16
#define PATH_LEN 160

typedef struct {
    char *why;
    size_t cap;
    json_t *labels;             /* label → "video" | "audio" | "image" */
    const char *video_codec;    /* "H264" / "H265" for {Codec}; NULL: none */
    bool audio;
} map_t;

static int refuse(map_t *m, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(map_t *m, const char *path, const char *fmt, ...)
{
    char msg[300];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(m->why, m->cap, "%s: %s", path, msg);
    return -1;
}

/* out = a + b, cut to PATH_LEN - 1 bytes (out may not be a) */
static void join(char *out, const char *a, const char *b)
{
    size_t na = strnlen(a, PATH_LEN - 1), nb = strnlen(b, PATH_LEN - 1 - na);

    memcpy(out, a, na);
    memcpy(out + na, b, nb);
    out[na + nb] = '\0';
}

static void sub(char *out, const char *path, const char *key)
{
    char dotted[PATH_LEN];

    join(dotted, ".", key);
    join(out, path, dotted);
}

static void idx(char *out, const char *path, size_t i)
{
    char brackets[32];

    snprintf(brackets, sizeof(brackets), "[%zu]", i);
    join(out, path, brackets);
}

static int only_keys(map_t *m, const json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *v;
    char p[PATH_LEN];

    json_object_foreach((json_t *) obj, key, v) {
        bool ok = false;
        for (size_t i = 0; allowed[i] != NULL && !ok; i++) {
            ok = strcmp(key, allowed[i]) == 0;
        }
        if (!ok) {
            sub(p, path, key);
            return refuse(m, p, "not supported by this installation (see README, Coming from "
                          "AMS v3)");
        }
    }
    return 0;
}

void arm_mes_time(double seconds, char out[32])
{
    long ms = lround(seconds * 1000);

    snprintf(out, 32, "%02ld:%02ld:%02ld.%03ld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
             ms % 1000);
}

/* An ISO-8601 duration within [min, max] seconds → MES time text. */
static int iso_time(map_t *m, const json_t *v, const char *path, double min, double max,
                    char out[32])
{
    double s;

    if (!json_is_string(v) || duration_parse(json_string_value(v), &s) != 0 || s < min || s > max) {
        return refuse(m, path, "expected an ISO-8601 duration from %g to %g seconds (\"PT2S\")",
                      min, max);
    }
    arm_mes_time(s, out);
    return 0;
}

static int int_in(map_t *m, const json_t *v, const char *path, long min, long max, long *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        return refuse(m, path, "expected an integer from %ld to %ld", min, max);
    }
    *out = (long) json_integer_value(v);
    return 0;
}

/* A value that must be one of the given strings (case-insensitive), or absent. */
static int one_of(map_t *m, const json_t *obj, const char *path, const char *key,
                  const char *choices)
{
    const json_t *v = json_object_get(obj, key);
    char p[PATH_LEN], list[128], *tok, *save = NULL;

    if (v == NULL) {
        return 0;
    }
    sub(p, path, key);
    snprintf(list, sizeof(list), "%s", choices);
    for (tok = strtok_r(list, ",", &save); tok != NULL && json_is_string(v);
         tok = strtok_r(NULL, ",", &save)) {
        if (strcasecmp(tok, json_string_value(v)) == 0) {
            return 0;
        }
    }
    return refuse(m, p, "only %s is served", choices);
}

/* width / height: pixels ("1280") or a percentage ("50%") as MES wants them. */
static int dimension(map_t *m, const json_t *layer, const char *path, const char *key,
                     const char *mes_key, json_t *out)
{
    const json_t *v = json_object_get(layer, key);
    const char *s = json_string_value(v);
    char p[PATH_LEN];
    size_t n = s != NULL ? strlen(s) : 0, digits = s != NULL ? strspn(s, "0123456789.") : 0;

    if (v == NULL) {
        return 0;
    }
    sub(p, path, key);
    if (n == 0 || n > 8 || !(digits == n || (digits == n - 1 && s[n - 1] == '%'))) {
        return refuse(m, p, "expected pixels (\"1280\") or a percentage (\"50%%\")");
    }
    json_object_set_new(out, mes_key, json_string(s));
    return 0;
}

static int kbps(map_t *m, const json_t *obj, const char *path, const char *key, long min_bps,
                long max_bps, const char *mes_key, json_t *out)
{
    const json_t *v = json_object_get(obj, key);
    char p[PATH_LEN];
    long bps;

    if (v == NULL) {
        return 0;
    }
    sub(p, path, key);
    if (int_in(m, v, p, min_bps, max_bps, &bps) != 0) {
        return -1;
    }
    json_object_set_new(out, mes_key, json_integer((bps + 500) / 1000));
    return 0;
}

static int note_label(map_t *m, const json_t *obj, const char *path, const char *kind, json_t *out)
{
    const json_t *v = json_object_get(obj, "label");
    const char *s = json_string_value(v);
    char p[PATH_LEN];

    if (v == NULL) {
        return 0;
    }
    sub(p, path, "label");
    if (s == NULL || s[0] == '\0' || strlen(s) > 64 || strspn(s, "abcdefghijklmnopqrstuvwxyz"
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(s)) {
        return refuse(m, p, "expected 1 to 64 letters, digits, '-', '_' or '.'");
    }
    if (json_object_get(m->labels, s) != NULL) {
        return refuse(m, p, "the label '%s' is used twice", s);
    }
    json_object_set_new(m->labels, s, json_string(kind));
    if (out != NULL) json_object_set_new(out, "Label", json_string(s));
    return 0;
}

/* ------------------------------------------------------------ video */

static const char *const layer_keys[] = {
    "bitrate", "maxBitrate", "bFrames", "frameRate", "slices", "adaptiveBFrame", "width",
    "height", "label", "bufferWindow", "crf", "entropyMode", "level", "profile", NULL
};

static int layer_flags(map_t *m, const json_t *l, const char *path, bool h265)
{
    const json_t *v;
    char p[PATH_LEN];

    if (one_of(m, l, path, "profile", h265 ? "Auto,Main" : "Auto,High") != 0
        || one_of(m, l, path, "level", "Auto") != 0
        || one_of(m, l, path, "entropyMode", "Cabac") != 0
        || one_of(m, l, path, "frameRate", "0/1") != 0) {
        return -1;
    }
    if ((v = json_object_get(l, "slices")) != NULL && !(json_is_integer(v) && json_integer_value(v) == 0)) {
        sub(p, path, "slices");
        return refuse(m, p, "only 0 (the encoder's choice) is served");
    }
    if ((v = json_object_get(l, "adaptiveBFrame")) != NULL && !json_is_true(v)) {
        sub(p, path, "adaptiveBFrame");
        return refuse(m, p, "only true (adaptive B-frame placement, the encoder's mode) is served");
    }
    return 0;
}

static int video_layer(map_t *m, const json_t *l, const char *path, bool h265, json_t *out)
{
    char p[PATH_LEN], t[32];
    long n;

    if (!json_is_object(l)) {
        return refuse(m, path, "expected an object");
    }
    if (only_keys(m, l, path, layer_keys) != 0 || layer_flags(m, l, path, h265) != 0) {
        return -1;
    }
    json_object_set_new(out, "Type", json_string(h265 ? "H265Layer" : "H264Layer"));
    sub(p, path, "bitrate");
    if (json_object_get(l, "bitrate") == NULL) {
        return refuse(m, p, "required (bits per second)");
    }
    if (kbps(m, l, path, "bitrate", 16000, 100000000, "Bitrate", out) != 0
        || kbps(m, l, path, "maxBitrate", 16000, 200000000, "MaxBitrate", out) != 0
        || dimension(m, l, path, "width", "Width", out) != 0
        || dimension(m, l, path, "height", "Height", out) != 0
        || note_label(m, l, path, "video", out) != 0) {
        return -1;
    }
    sub(p, path, "bFrames");
    if (json_object_get(l, "bFrames") != NULL) {
        if (int_in(m, json_object_get(l, "bFrames"), p, 0, 16, &n) != 0) return -1;
        json_object_set_new(out, "BFrames", json_integer(n));
    }
    sub(p, path, "bufferWindow");
    if (json_object_get(l, "bufferWindow") != NULL) {
        if (iso_time(m, json_object_get(l, "bufferWindow"), p, 0.1, 100, t) != 0) return -1;
        json_object_set_new(out, "BufferWindow", json_string(t));
    }
    sub(p, path, "crf");
    if (json_object_get(l, "crf") != NULL) {
        if (!json_is_number(json_object_get(l, "crf"))) return refuse(m, p, "expected a number");
        json_object_set(out, "Crf", json_object_get(l, "crf"));
    }
    return 0;
}

static const char *const video_keys[] = {
    "@odata.type", "label", "keyFrameInterval", "stretchMode", "syncMode", "complexity", "layers",
    "rateControlMode", "sceneChangeDetection", NULL
};

static int video_settings(map_t *m, const json_t *c, const char *path, json_t *out)
{
    const json_t *v;
    char p[PATH_LEN], t[32];

    if (one_of(m, c, path, "stretchMode", "AutoSize") != 0
        || one_of(m, c, path, "syncMode", "Auto") != 0
        || one_of(m, c, path, "complexity", "Speed,Balanced,Quality") != 0
        || one_of(m, c, path, "rateControlMode", "ABR,CBR,CRF") != 0
        || note_label(m, c, path, "video", NULL) != 0) {
        return -1;
    }
    if ((v = json_object_get(c, "sceneChangeDetection")) != NULL && !json_is_false(v)) {
        sub(p, path, "sceneChangeDetection");
        return refuse(m, p, "only false is served (key frames every keyFrameInterval, aligned "
                      "across layers)");
    }
    sub(p, path, "keyFrameInterval");
    if ((v = json_object_get(c, "keyFrameInterval")) != NULL) {
        if (iso_time(m, v, p, 0.5, 10, t) != 0) return -1;
        json_object_set_new(out, "KeyFrameInterval", json_string(t));
    }
    if ((v = json_object_get(c, "complexity")) != NULL) json_object_set(out, "Complexity", (json_t *) v);
    if ((v = json_object_get(c, "rateControlMode")) != NULL) {
        json_object_set(out, "RateControlMode", (json_t *) v);
    }
    return 0;
}

static int video(map_t *m, const json_t *c, const char *path, bool h265, json_t *codecs)
{
    const json_t *layers = json_object_get(c, "layers");
    json_t *out, *mes_layers;
    char p[PATH_LEN], lp[PATH_LEN];

    if (m->video_codec != NULL) {
        return refuse(m, path, "one video codec per preset is served");
    }
    m->video_codec = h265 ? "H265" : "H264";
    if (only_keys(m, c, path, video_keys) != 0) {
        return -1;
    }
    sub(p, path, "layers");
    if (!json_is_array(layers) || json_array_size(layers) == 0 || json_array_size(layers) > MAX_LAYERS) {
        return refuse(m, p, "required: 1 to %d layers", MAX_LAYERS);
    }
    out = json_pack("{s:s,s:b}", "Type", h265 ? "H265Video" : "H264Video", "SceneChangeDetection", 0);
    mes_layers = json_array();
    json_object_set_new(out, h265 ? "H265Layers" : "H264Layers", mes_layers);
    json_array_append_new(codecs, out);
    if (video_settings(m, c, path, out) != 0) {
        return -1;
    }
    for (size_t i = 0; i < json_array_size(layers); i++) {
        json_t *l = json_object();
        json_array_append_new(mes_layers, l);
        idx(lp, p, i);
        if (video_layer(m, json_array_get(layers, i), lp, h265, l) != 0) {
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ audio, images */

static const char *const aac_keys[] = {
    "@odata.type", "label", "channels", "samplingRate", "bitrate", "profile", NULL
};

static int aac(map_t *m, const json_t *c, const char *path, json_t *codecs)
{
    json_t *out = json_pack("{s:s,s:s}", "Type", "AACAudio", "Profile", "AACLC");
    char p[PATH_LEN];
    long n;

    json_array_append_new(codecs, out);
    if (m->audio) {
        return refuse(m, path, "one audio codec per preset is served");
    }
    m->audio = true;
    if (only_keys(m, c, path, aac_keys) != 0 || one_of(m, c, path, "profile", "AacLc") != 0
        || kbps(m, c, path, "bitrate", 16000, 512000, "Bitrate", out) != 0
        || note_label(m, c, path, "audio", out) != 0) {
        return -1;
    }
    sub(p, path, "channels");
    if (json_object_get(c, "channels") != NULL) {
        if (int_in(m, json_object_get(c, "channels"), p, 1, 6, &n) != 0) return -1;
        if (n != 1 && n != 2 && n != 6) return refuse(m, p, "expected 1, 2 or 6");
        json_object_set_new(out, "Channels", json_integer(n));
    }
    sub(p, path, "samplingRate");
    if (json_object_get(c, "samplingRate") != NULL) {
        if (int_in(m, json_object_get(c, "samplingRate"), p, 8000, 96000, &n) != 0) return -1;
        json_object_set_new(out, "SamplingRate", json_integer(n));
    }
    return 0;
}

/* A thumbnail position: "{Best}" (start only), "10%", a frame number, or
 * an ISO-8601 duration → the MES form. */
static int position(map_t *m, const json_t *c, const char *path, const char *key, bool best_ok,
                    json_t *out, const char *mes_key)
{
    const json_t *v = json_object_get(c, key);
    const char *s = json_string_value(v);
    char p[PATH_LEN], t[32];
    size_t n = s != NULL ? strlen(s) : 0;

    if (v == NULL) {
        return 0;
    }
    sub(p, path, key);
    if (s != NULL && ((best_ok && strcmp(s, "{Best}") == 0)
                      || (n > 1 && n < 8 && s[n - 1] == '%' && strspn(s, "0123456789.") == n - 1))) {
        json_object_set_new(out, mes_key, json_string(s));
        return 0;
    }
    if (s != NULL && n > 0 && n < 10 && strspn(s, "0123456789") == n) {
        json_object_set_new(out, mes_key, json_integer(atoll(s)));
        return 0;
    }
    if (s == NULL || s[0] != 'P' || iso_time(m, v, p, 0, 86400, t) != 0) {
        return refuse(m, p, "expected %san ISO-8601 duration (\"PT5S\"), a percentage (\"10%%\") "
                      "or a frame number", best_ok ? "\"{Best}\", " : "");
    }
    json_object_set_new(out, mes_key, json_string(t));
    return 0;
}

static const char *const image_keys[] = {
    "@odata.type", "label", "start", "step", "range", "layers", "spriteColumn", "keyFrameInterval",
    "stretchMode", "syncMode", NULL
};
static const char *const image_layer_keys[] = { "width", "height", "label", "quality", NULL };

static int image_layer(map_t *m, const json_t *l, const char *path, bool png, json_t *out)
{
    char p[PATH_LEN];
    long q;

    if (!json_is_object(l)) {
        return refuse(m, path, "expected an object");
    }
    if (only_keys(m, l, path, image_layer_keys) != 0
        || dimension(m, l, path, "width", "Width", out) != 0
        || dimension(m, l, path, "height", "Height", out) != 0
        || note_label(m, l, path, "image", NULL) != 0) {
        return -1;
    }
    sub(p, path, "quality");
    if (json_object_get(l, "quality") != NULL) {
        if (png) return refuse(m, p, "PNG layers have no quality");
        if (int_in(m, json_object_get(l, "quality"), p, 1, 100, &q) != 0) return -1;
        json_object_set_new(out, "Quality", json_integer(q));
    }
    return 0;
}

static int image(map_t *m, const json_t *c, const char *path, bool png, json_t *codecs)
{
    json_t *out = json_pack("{s:s}", "Type", png ? "PngImage" : "JpgImage"), *layer = json_object();
    const json_t *layers = json_object_get(c, "layers");
    char p[PATH_LEN];
    long cols;

    json_array_append_new(codecs, out);
    json_object_set_new(out, png ? "PngLayers" : "JpgLayers", json_pack("[o]", layer));
    json_object_set_new(layer, "Type", json_string(png ? "PngLayer" : "JpgLayer"));
    if (only_keys(m, c, path, image_keys) != 0 || note_label(m, c, path, "image", NULL) != 0
        || one_of(m, c, path, "stretchMode", "AutoSize") != 0
        || one_of(m, c, path, "syncMode", "Auto") != 0) {
        return -1;
    }
    sub(p, path, "start");
    if (json_object_get(c, "start") == NULL) {
        return refuse(m, p, "required");
    }
    if (position(m, c, path, "start", true, out, "Start") != 0
        || position(m, c, path, "step", false, out, "Step") != 0
        || position(m, c, path, "range", false, out, "Range") != 0) {
        return -1;
    }
    sub(p, path, "keyFrameInterval");
    if (json_object_get(c, "keyFrameInterval") != NULL) {
        return refuse(m, p, "not served for images");
    }
    sub(p, path, "spriteColumn");
    if (json_object_get(c, "spriteColumn") != NULL) {
        if (png) return refuse(m, p, "sprites are JPEG only");
        if (int_in(m, json_object_get(c, "spriteColumn"), p, 0, 100, &cols) != 0) return -1;
        json_object_set_new(out, "SpriteColumn", json_integer(cols));
    }
    sub(p, path, "layers");
    if (layers != NULL && (!json_is_array(layers) || json_array_size(layers) != 1)) {
        return refuse(m, p, "expected a list of exactly one layer");
    }
    {
        char lp[PATH_LEN];
        idx(lp, p, 0);
        return layers != NULL ? image_layer(m, json_array_get(layers, 0), lp, png, layer) : 0;
    }
}

static int codec(map_t *m, const json_t *c, const char *path, json_t *codecs)
{
    const char *type = json_string_value(json_object_get(c, "@odata.type"));
    char p[PATH_LEN];

    if (!json_is_object(c)) {
        return refuse(m, path, "expected an object");
    }
    type = type != NULL ? type : "";
    if (strcmp(type, "#Microsoft.Media.H264Video") == 0) return video(m, c, path, false, codecs);
    if (strcmp(type, "#Microsoft.Media.H265Video") == 0) return video(m, c, path, true, codecs);
    if (strcmp(type, "#Microsoft.Media.AacAudio") == 0) return aac(m, c, path, codecs);
    if (strcmp(type, "#Microsoft.Media.JpgImage") == 0) return image(m, c, path, false, codecs);
    if (strcmp(type, "#Microsoft.Media.PngImage") == 0) return image(m, c, path, true, codecs);
    sub(p, path, "@odata.type");
    return refuse(m, p, "'%.64s' is not served (H264Video, H265Video, AacAudio, JpgImage, "
                  "PngImage are)", type);
}

/* ------------------------------------------------------------ formats */

/* A v3 file-name pattern for one kind of output ({Resolution}, {Codec}
 * resolved); -1 on an unknown macro. */
static int pattern(map_t *m, const json_t *f, const char *path, const char *codec_name,
                   char *out, size_t cap)
{
    static const char *const macros[] = { "{Basename}", "{Label}", "{Bitrate}", "{Extension}",
                                          "{Index}", "{Resolution}", "{Codec}", NULL };
    const char *s = json_string_value(json_object_get(f, "filenamePattern"));
    char p[PATH_LEN];
    size_t n = 0;

    sub(p, path, "filenamePattern");
    if (s == NULL || s[0] == '\0' || strlen(s) > 200 || strchr(s, '/') != NULL || strchr(s, '%') != NULL) {
        return refuse(m, p, "required: a plain file-name pattern such as "
                      "\"{Basename}_{Label}_{Bitrate}{Extension}\"");
    }
    while (*s != '\0' && n + 16 < cap) {
        size_t k = 0;
        while (*s == '{' && macros[k] != NULL && strncmp(s, macros[k], strlen(macros[k])) != 0) k++;
        if (*s != '{') {
            out[n++] = *s++;
        } else if (macros[k] == NULL) {
            return refuse(m, p, "unknown macro in '%.64s' (known: {Basename}, {Label}, {Bitrate}, "
                          "{Extension}, {Index}, {Resolution}, {Codec})", s);
        } else {
            const char *rep = k == 5 ? "{Width}x{Height}" : k == 6 ? codec_name : macros[k];
            n += (size_t) snprintf(out + n, cap - n, "%s", rep);
            s += strlen(macros[k]);
        }
    }
    out[n] = '\0';
    return *s == '\0' ? 0 : refuse(m, p, "too long");
}

/* outputFiles: served as the encoder writes them, one label per file. */
static int output_files(map_t *m, const json_t *f, const char *path)
{
    const json_t *files = json_object_get(f, "outputFiles"), *o;
    char p[PATH_LEN], lp[PATH_LEN];
    size_t i;

    sub(p, path, "outputFiles");
    if (files == NULL) {
        return 0;
    }
    if (!json_is_array(files) || json_array_size(files) > MAX_LAYERS + 1) {
        return refuse(m, p, "expected a list of at most %d {labels:[…]}", MAX_LAYERS + 1);
    }
    json_array_foreach(files, i, o) {
        const json_t *labels = json_object_get(o, "labels");
        const char *label = json_string_value(json_array_get(labels, 0));
        idx(lp, p, i);
        if (!json_is_object(o) || json_object_size(o) != 1 || json_array_size(labels) != 1) {
            return refuse(m, lp, "one label per file is served (the encoder writes each video "
                          "layer and the audio to their own MP4; interleaving is not served)");
        }
        if (label == NULL || json_object_get(m->labels, label) == NULL) {
            return refuse(m, lp, "the label '%.64s' names no codec or layer", label ? label : "");
        }
    }
    return 0;
}

static int mp4(map_t *m, const json_t *f, const char *path, json_t *outputs, int *mp4_seen)
{
    static const char *const keys[] = { "@odata.type", "filenamePattern", "outputFiles", NULL };
    char name[256];

    if (only_keys(m, f, path, keys) != 0 || output_files(m, f, path) != 0) {
        return -1;
    }
    if (*mp4_seen > 0) {
        return refuse(m, path, "one Mp4Format per preset is served (video layers and audio "
                      "each get a file from its filenamePattern)");
    }
    (*mp4_seen)++;
    if (m->video_codec != NULL) {
        if (pattern(m, f, path, m->video_codec, name, sizeof(name)) != 0) return -1;
        json_array_append_new(outputs, json_pack("{s:s,s:{s:s}}", "FileName", name, "Format",
                                                 "Type", "MP4Format"));
    }
    if (m->audio) {
        if (pattern(m, f, path, "AACAudio", name, sizeof(name)) != 0) return -1;
        json_array_append_new(outputs, json_pack("{s:s,s:{s:s}}", "FileName", name, "Format",
                                                 "Type", "MP4Format"));
    }
    return 0;
}

static int format(map_t *m, const json_t *f, const char *path, json_t *outputs, int *mp4_seen)
{
    static const char *const image_keys_fmt[] = { "@odata.type", "filenamePattern", NULL };
    const char *type = json_string_value(json_object_get(f, "@odata.type"));
    bool png;
    char p[PATH_LEN], name[256];

    if (!json_is_object(f)) {
        return refuse(m, path, "expected an object");
    }
    type = type != NULL ? type : "";
    if (strcmp(type, "#Microsoft.Media.Mp4Format") == 0) {
        return mp4(m, f, path, outputs, mp4_seen);
    }
    png = strcmp(type, "#Microsoft.Media.PngFormat") == 0;
    if (!png && strcmp(type, "#Microsoft.Media.JpgFormat") != 0) {
        sub(p, path, "@odata.type");
        return refuse(m, p, "'%.64s' is not served (Mp4Format, JpgFormat, PngFormat are; the "
                      "origin packages HLS/DASH/Smooth from the MP4s)", type);
    }
    if (only_keys(m, f, path, image_keys_fmt) != 0
        || pattern(m, f, path, png ? "PngImage" : "JpgImage", name, sizeof(name)) != 0) {
        return -1;
    }
    json_array_append_new(outputs, json_pack("{s:s,s:{s:s}}", "FileName", name, "Format", "Type",
                                             png ? "PngFormat" : "JpgFormat"));
    return 0;
}

/* ------------------------------------------------------------ the preset */

static int map_lists(map_t *m, const json_t *preset, const char *path, json_t *mes)
{
    const json_t *codecs = json_object_get(preset, "codecs"), *formats = json_object_get(preset, "formats");
    char p[PATH_LEN], ip[PATH_LEN];
    int mp4_seen = 0;

    sub(p, path, "codecs");
    if (!json_is_array(codecs) || json_array_size(codecs) == 0 || json_array_size(codecs) > MAX_CODECS) {
        return refuse(m, p, "required: 1 to %d codecs", MAX_CODECS);
    }
    for (size_t i = 0; i < json_array_size(codecs); i++) {
        idx(ip, p, i);
        if (codec(m, json_array_get(codecs, i), ip, json_object_get(mes, "Codecs")) != 0) return -1;
    }
    sub(p, path, "formats");
    if (!json_is_array(formats) || json_array_size(formats) == 0 || json_array_size(formats) > MAX_FORMATS) {
        return refuse(m, p, "required: 1 to %d formats", MAX_FORMATS);
    }
    for (size_t i = 0; i < json_array_size(formats); i++) {
        idx(ip, p, i);
        if (format(m, json_array_get(formats, i), ip, json_object_get(mes, "Outputs"), &mp4_seen) != 0) {
            return -1;
        }
    }
    if ((m->video_codec != NULL || m->audio) && mp4_seen == 0) {
        return refuse(m, p, "the video/audio codecs need an Mp4Format");
    }
    return 0;
}

json_t *arm_standard_preset_to_mes(const json_t *preset, const char *path, char *why, size_t cap)
{
    static const char *const keys[] = { "@odata.type", "codecs", "formats", "filters", NULL };
    map_t m = { why, cap, json_object(), NULL, false };
    json_t *mes = json_pack("{s:f,s:[],s:[]}", "Version", 1.0, "Codecs", "Outputs");
    const json_t *filters = json_object_get(preset, "filters");
    char p[PATH_LEN];
    int rc = only_keys(&m, preset, path, keys);

    sub(p, path, "filters");
    if (rc == 0 && filters != NULL && !json_is_null(filters)
        && !(json_is_object(filters) && json_object_size(filters) == 0)) {
        rc = refuse(&m, p, "NotSupported: crop, rotation, deinterlace, overlays and fades are not "
                    "served by this encoder");
    }
    if (rc == 0) {
        rc = map_lists(&m, preset, path, mes);
    }
    json_decref(m.labels);
    if (rc != 0) {
        json_decref(mes);
        return NULL;
    }
    return mes;
}
