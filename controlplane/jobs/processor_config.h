/*
 * processor_config.h — the media processors mediaplane lists and what each
 * hands the encoder: Media Encoder Standard its Configuration as given; the
 * legacy Azure Media Encoder (and its older "Windows Azure Media Encoder"
 * name) a Media Encoder Standard equivalent of its AMS-era preset name.
 */
#ifndef PROCESSOR_CONFIG_H
#define PROCESSOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* The ids AMS gave these processors (clients hard-code them). */
#define MES_PROCESSOR_ID "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56"
#define AME_PROCESSOR_ID "nb:mpid:UUID:1b1da727-93ae-4e46-a8a1-268828765609"
#define WAME_PROCESSOR_ID "nb:mpid:UUID:70bdc2c3-ebf4-42a9-8542-5afc1e55d217"

typedef struct {
    const char *id, *name, *description, *version;
} processor_info_t;

/* Every processor mediaplane runs, terminated by a NULL id. */
const processor_info_t *processors_all(void);

/* True when tasks of this processor (normalized id) run the encoder. */
bool processor_encodes(const char *processor_id);
/* True for the Azure Media Encoder ids (preset names mapped). */
bool processor_is_legacy(const char *processor_id);

/* The encoder configuration of a task: configuration itself for Media
 * Encoder Standard; for Azure Media Encoder the Media Encoder Standard
 * preset (name or JSON) its preset name maps to, or NULL when it maps to
 * none. */
const char *processor_encoder_config(const char *processor_id, const char *configuration);

/* The Azure Media Encoder preset names mediaplane maps, with their Media
 * Encoder Standard equivalents (NULL-terminated pairs), for messages and docs. */
typedef struct {
    const char *ame_name;
    const char *mes_config;
} legacy_preset_t;
const legacy_preset_t *legacy_presets_all(void);

#endif
