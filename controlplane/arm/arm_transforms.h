/*
 * arm_transforms.h — v3 transforms: a v3-only concept (v2 had job templates
 * of its own), kept in the catalog's meta database under
 * "arm:transform:<lower-case name>" as the JSON
 * {name, created, lastModified, description?, outputs:[v3 TransformOutput]}.
 * Every output's preset is a BuiltInStandardEncoderPreset the encoder runs.
 */
#ifndef ARM_TRANSFORMS_H
#define ARM_TRANSFORMS_H

#include "arm/arm_router.h"

#define ARM_TRANSFORM_OUTPUTS_MAX 4

/* The stored transform (new reference) or NULL. */
json_t *arm_transform_load(arm_req_t *r, const char *name);
/* The encoder preset name of output i of a stored transform, or NULL. */
const char *arm_transform_preset(const json_t *transform, size_t i);

#endif
