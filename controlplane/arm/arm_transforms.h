/*
 * arm_transforms.h — v3 transforms: a v3-only concept (v2 had job templates
 * of its own), kept in the catalog's meta database under
 * "arm:transform:<lower-case name>" as the JSON
 * {name, created, lastModified, description?, outputs:[v3 TransformOutput]}.
 * Every output's preset is a BuiltInStandardEncoderPreset the encoder runs
 * by name or a StandardEncoderPreset (arm_standard_preset.h).
 */
#ifndef ARM_TRANSFORMS_H
#define ARM_TRANSFORMS_H

#include "arm/arm_router.h"

#define ARM_TRANSFORM_OUTPUTS_MAX 4

/* The stored transform (new reference) or NULL. */
json_t *arm_transform_load(arm_req_t *r, const char *name);
/* A job input's clip: from start seconds, for duration seconds (<= 0: to the end). */
typedef struct {
    double start, duration;
} arm_clip_t;

/* The encoder Configuration of output i of a stored transform (malloc'ed;
 * NULL when it maps to none): a built-in preset's encoder name, else MES JSON
 * (or the v3 built-in JSON) with the clip as "Sources" when clip != NULL. */
char *arm_transform_configuration(const json_t *transform, size_t i, const arm_clip_t *clip);

#endif
