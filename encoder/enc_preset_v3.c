/*
 * enc_preset_v3.c — AMS v3's BuiltInStandardEncoderPreset as a JSON
 * Configuration, the way v3 clients write it:
 *
 *   { "@odata.type": "#Microsoft.Media.BuiltInStandardEncoderPreset",
 *     "presetName": "ContentAwareEncoding",
 *     "configurations": { "complexity": "Speed", "keyFrameIntervalInSeconds": 2,
 *                         "maxBitrateBps": 6000000, "minBitrateBps": 200000,
 *                         "maxHeight": 1080, "minHeight": 270, "maxLayers": 4,
 *                         "interleaveOutput": "NonInterleavedOutput" } }
 *
 * presetName is any built-in name; configurations only go with the
 * content-aware ones ("Adaptive Streaming", ContentAwareEncoding,
 * H265ContentAwareEncoding).  Errors name the field ("configurations.maxLayers").
 */
#include "enc_config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const top_keys[] = { "@odata.type", "presetName", "configurations", NULL };
static const char *const conf_keys[] = {
    "complexity", "interleaveOutput", "keyFrameIntervalInSeconds", "maxBitrateBps",
    "minBitrateBps", "maxHeight", "minHeight", "maxLayers", NULL
};

static int unknown_key(json_t *obj, const char *const *allowed, const char *prefix, char *err,
                       size_t err_len)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int ok = 0;
        for (int i = 0; allowed[i] != NULL && !ok; i++) {
            ok = strcmp(key, allowed[i]) == 0;
        }
        if (!ok) {
            snprintf(err, err_len, "unsupported preset field %s%s", prefix, key);
            return -1;
        }
    }
    return 0;
}

/* an integer field within [min, max] (absent: left as is) */
static int int_field(json_t *conf, const char *key, long min, long max, long scale, int *out,
                     char *err, size_t err_len)
{
    json_t *v = json_object_get(conf, key);
    if (v == NULL) {
        return 0;
    }
    double d = json_is_number(v) ? json_number_value(v) : NAN;
    if (!(d >= min && d <= max) || d != floor(d)) {
        snprintf(err, err_len, "invalid preset field configurations.%s: expected an integer from "
                 "%ld to %ld", key, min, max);
        return -1;
    }
    *out = (int) lround(d / scale);
    return 0;
}

static int parse_configurations(json_t *conf, enc_preset_t *pr, char *err, size_t err_len)
{
    if (!json_is_object(conf)) {
        snprintf(err, err_len, "invalid preset field configurations: expected an object");
        return -1;
    }
    if (unknown_key(conf, conf_keys, "configurations.", err, err_len) != 0) {
        return -1;
    }
    if (!pr->content_aware) {
        snprintf(err, err_len, "invalid preset field configurations: only with the content-aware "
                 "presets (ContentAwareEncoding, H265ContentAwareEncoding, Adaptive Streaming)");
        return -1;
    }
    json_t *cx = json_object_get(conf, "complexity");
    if (cx != NULL) {
        pr->complexity = json_is_string(cx) ? enc_complexity_parse(json_string_value(cx))
                                            : ENC_COMPLEXITY_UNSET;
        if (pr->complexity == ENC_COMPLEXITY_UNSET) {
            snprintf(err, err_len, "invalid preset field configurations.complexity: expected "
                     "\"Speed\", \"Balanced\" or \"Quality\"");
            return -1;
        }
    }
    json_t *il = json_object_get(conf, "interleaveOutput");
    if (il != NULL && !(json_is_string(il)
                        && strcmp(json_string_value(il), "NonInterleavedOutput") == 0)) {
        snprintf(err, err_len, "invalid preset field configurations.interleaveOutput: only "
                 "\"NonInterleavedOutput\" (audio in its own file) is supported");
        return -1;
    }
    int gop = 0;
    enc_cae_limits_t *l = &pr->cae;
    if (int_field(conf, "keyFrameIntervalInSeconds", 1, 10, 1, &gop, err, err_len) != 0
        || int_field(conf, "minBitrateBps", 16000, 100000000, 1000, &l->min_kbps, err, err_len) != 0
        || int_field(conf, "maxBitrateBps", 16000, 100000000, 1000, &l->max_kbps, err, err_len) != 0
        || int_field(conf, "minHeight", 90, 4320, 1, &l->min_height, err, err_len) != 0
        || int_field(conf, "maxHeight", 90, 4320, 1, &l->max_height, err, err_len) != 0
        || int_field(conf, "maxLayers", 1, ENC_MAX_LAYERS, 1, &l->max_layers, err, err_len) != 0) {
        return -1;
    }
    if (gop > 0) {
        pr->gop_seconds = gop;
    }
    if (l->min_kbps > 0 && l->max_kbps > 0 && l->min_kbps > l->max_kbps) {
        snprintf(err, err_len, "invalid preset field configurations.minBitrateBps: above "
                 "maxBitrateBps");
        return -1;
    }
    if (l->min_height > 0 && l->max_height > 0 && l->min_height > l->max_height) {
        snprintf(err, err_len, "invalid preset field configurations.minHeight: above maxHeight");
        return -1;
    }
    return 0;
}

int enc_preset_from_v3(void *root_json, enc_preset_t *pr, char *err, size_t err_len)
{
    json_t *root = root_json;
    if (unknown_key(root, top_keys, "", err, err_len) != 0) {
        return -1;
    }
    json_t *t = json_object_get(root, "@odata.type");
    if (t != NULL && !(json_is_string(t) && strcmp(json_string_value(t),
                                                   "#Microsoft.Media.BuiltInStandardEncoderPreset") == 0)) {
        snprintf(err, err_len, "invalid preset field @odata.type: only "
                 "\"#Microsoft.Media.BuiltInStandardEncoderPreset\" is supported");
        return -1;
    }
    json_t *name = json_object_get(root, "presetName");
    if (!json_is_string(name) || enc_preset_by_name(json_string_value(name), pr) != 0) {
        snprintf(err, err_len, "invalid preset field presetName: expected a built-in preset name");
        return -1;
    }
    json_t *conf = json_object_get(root, "configurations");
    return conf != NULL ? parse_configurations(conf, pr, err, err_len) : 0;
}
