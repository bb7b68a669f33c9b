/*
 * arm_presets.h — v3 BuiltInStandardEncoderPreset names → the encoder's
 * preset names (what a v2 Media Encoder Standard task's Configuration
 * names).  Names match case-insensitively.
 */
#ifndef ARM_PRESETS_H
#define ARM_PRESETS_H

/* The encoder preset for a v3 presetName, or NULL (not served). */
const char *arm_preset_encoder_name(const char *preset_name);
/* The served v3 names, ", "-separated (for messages and docs). */
const char *arm_preset_names(void);

#endif
