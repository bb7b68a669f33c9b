/*
 * enc_config.c — Task.Configuration: preset name or MES JSON.
 */
#include "enc_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENC_CONFIG_MAX (1 << 20)

static void supported_names(char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; enc_preset_names[i] != NULL && n < len; i++) {
        n += (size_t) snprintf(buf + n, len - n, "%s\"%s\"", i ? ", " : "", enc_preset_names[i]);
    }
}

int enc_config_parse(const char *text, size_t len, enc_preset_t *out, char *err, size_t err_len)
{
    size_t skip = 0;
    while (skip < len && isspace((unsigned char) text[skip])) {
        skip++;
    }
    if (skip < len && text[skip] == '{') {
        return enc_preset_from_json(text, len, out, err, err_len);
    }
    char names[900];
    supported_names(names, sizeof(names));
    if (skip < len && text[skip] == '<') {
        snprintf(err, err_len, "XML presets are not supported: use a preset name (%s) or an "
                 "MES JSON preset", names);
        return -1;
    }
    if (memchr(text, '\0', len) == NULL) {
        char *name = strndup(text, len);
        int rc = name ? enc_preset_by_name(name, out) : -1;
        free(name);
        if (rc == 0) {
            return 0;
        }
    }
    snprintf(err, err_len, "unknown preset \"%.*s\": use a preset name (%s) or an MES JSON preset",
             (int) (len - skip > 60 ? 60 : len - skip), text + skip, names);
    for (char *c = err; *c != '\0'; c++) {
        *c = (*c == '\n' || *c == '\r' || *c == '\t') ? ' ' : *c;
    }
    return -1;
}

int enc_config_load(const char *path, enc_preset_t *out, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(ENC_CONFIG_MAX) : NULL;
    size_t len = buf ? fread(buf, 1, ENC_CONFIG_MAX, f) : 0;
    int too_long = f != NULL && len == ENC_CONFIG_MAX;
    if (f != NULL) {
        fclose(f);
    }
    int rc = -1;
    if (buf == NULL) {
        snprintf(err, err_len, "cannot read the configuration file %s", path);
    } else if (too_long) {
        snprintf(err, err_len, "the configuration is longer than %d bytes", ENC_CONFIG_MAX);
    } else {
        rc = enc_config_parse(buf, len, out, err, err_len);
    }
    free(buf);
    return rc;
}
