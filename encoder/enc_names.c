/*
 * enc_names.c — {Basename} and file-name macro expansion.
 */
#include "enc_names.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int url_safe(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '_' || c == '-';
}

void enc_basename(const char *path_or_name, int strip_extension, char *out, size_t out_len)
{
    const char *name = strrchr(path_or_name, '/');
    name = name ? name + 1 : path_or_name;
    size_t len = strlen(name);
    const char *dot = strip_extension ? strrchr(name, '.') : NULL;
    if (dot != NULL && dot != name) {
        len = (size_t) (dot - name);
    }
    size_t max = out_len - 1 < ENC_BASENAME_MAX ? out_len - 1 : ENC_BASENAME_MAX;
    size_t n = 0;
    for (size_t i = 0; i < len && n < max; i++) {
        out[n++] = url_safe((unsigned char) name[i]) ? name[i] : '_';
    }
    out[n] = '\0';
    if (n == 0 || strspn(out, ".") == n) {
        snprintf(out, out_len, "output");
    }
}

static const char *const macro_names[] = {
    "Basename", "Width", "Height", "Bitrate", "VideoBitrate", "AudioBitrate", "Channels",
    "SamplingRate", "Index", "Extension", "Label", NULL
};

static int macro_id(const char *name, size_t len)
{
    for (int i = 0; macro_names[i] != NULL; i++) {
        if (strlen(macro_names[i]) == len && strncmp(macro_names[i], name, len) == 0) {
            return i;
        }
    }
    return -1;
}

int enc_pattern_valid(const char *pattern, char *bad, size_t bad_len)
{
    for (const char *p = strchr(pattern, '{'); p != NULL; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (end == NULL || macro_id(p + 1, (size_t) (end - p - 1)) < 0) {
            snprintf(bad, bad_len, "%.*s", end ? (int) (end - p + 1) : (int) strlen(p), p);
            return 0;
        }
    }
    return 1;
}

static void macro_value(int id, const enc_macros_t *m, char *buf, size_t len)
{
    const char *s = NULL;
    int v = 0;
    switch (id) {
    case 0: s = m->basename; break;
    case 1: v = m->width; break;
    case 2: v = m->height; break;
    case 3: v = m->bitrate; break;
    case 4: v = m->video_kbps; break;
    case 5: v = m->audio_kbps; break;
    case 6: v = m->channels; break;
    case 7: v = m->sampling_rate; break;
    case 8: s = m->index; break;
    case 9: s = m->extension; break;
    default: s = m->label; break;
    }
    if (id == 0 || id >= 8) {
        snprintf(buf, len, "%s", s ? s : "");
    } else {
        snprintf(buf, len, "%d", v);
    }
}

int enc_expand(const char *pattern, const enc_macros_t *m, char *out, size_t out_len)
{
    size_t n = 0;
    const char *p = pattern;
    while (*p != '\0' && n < out_len - 1) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        int id = end ? macro_id(p + 1, (size_t) (end - p - 1)) : -1;
        if (id < 0) {
            out[n++] = *p++;
            continue;
        }
        char val[256];
        macro_value(id, m, val, sizeof(val));
        size_t vl = strlen(val);
        if (n + vl >= out_len) {
            return -1;
        }
        memcpy(out + n, val, vl);
        n += vl;
        p = end + 1;
    }
    out[n] = '\0';
    if (*p != '\0' || n == 0 || n > ENC_FILENAME_MAX || strchr(out, '/') != NULL || strcmp(out, ".") == 0
        || strcmp(out, "..") == 0) {
        return -1;
    }
    return 0;
}
