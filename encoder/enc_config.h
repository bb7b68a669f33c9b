/*
 * enc_config.h — a Task.Configuration text to a preset: a built-in preset
 * name or an MES JSON preset; anything else (MES XML, unknown names) is an
 * error that says what is supported.
 */
#ifndef ENC_CONFIG_H
#define ENC_CONFIG_H

#include "enc_preset.h"

/* Returns 0, or -1 with the InvalidConfiguration message in err. */
int enc_config_parse(const char *text, size_t len, enc_preset_t *out, char *err, size_t err_len);

/* The same from a file (unreadable file: -1). */
int enc_config_load(const char *path, enc_preset_t *out, char *err, size_t err_len);

/* MES JSON preset (enc_preset_json.c).  Returns 0, or -1 with a message
 * naming the offending field, e.g. "unsupported preset field Codecs[0].Foo". */
int enc_preset_from_json(const char *text, size_t len, enc_preset_t *out, char *err,
                         size_t err_len);

/* AMS v3 BuiltInStandardEncoderPreset JSON (enc_preset_v3.c); root is a
 * jansson object with "presetName".  Returns 0 or -1 with err. */
int enc_preset_from_v3(void *root, enc_preset_t *out, char *err, size_t err_len);

#endif
