/*
 * arm_standard_preset.h — AMS v3 #Microsoft.Media.StandardEncoderPreset
 * (api-version 2022-07-01) mapped onto the encoder's Media Encoder Standard
 * JSON preset form: codecs H264Video / H265Video (layers), AacAudio,
 * JpgImage / PngImage; formats Mp4Format, JpgFormat, PngFormat.  A field
 * the mapping cannot honour is refused with its path (never dropped).
 */
#ifndef ARM_STANDARD_PRESET_H
#define ARM_STANDARD_PRESET_H

#include <jansson.h>
#include <stddef.h>

#define ARM_STANDARD_PRESET_TYPE "#Microsoft.Media.StandardEncoderPreset"

/* The MES JSON preset (new reference) of a v3 StandardEncoderPreset, or NULL
 * with a message naming the field (prefixed by path, e.g.
 * "outputs[0].preset") in why. */
json_t *arm_standard_preset_to_mes(const json_t *preset, const char *path, char *why, size_t cap);

/* "hh:mm:ss.fff" of seconds (the MES time form). */
void arm_mes_time(double seconds, char out[32]);

#endif
