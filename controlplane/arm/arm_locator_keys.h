/*
 * arm_locator_keys.h — the v2 key and delivery policy behind a
 * Predefined_ClearKey streaming locator (arm_locator_keys.c).
 */
#ifndef ARM_LOCATOR_KEYS_H
#define ARM_LOCATOR_KEYS_H

#include "arm/arm_router.h"
#include "entities/entity_service.h"

/* Sets up envelope encryption of asset with a new key under key_policy (a
 * v2 ContentKeyAuthorizationPolicy record); kid gets the key's v2 id.  0, or
 * -1 after api_fail (409 when the asset has an origin locator already). */
int arm_locator_envelope(arm_req_t *r, const json_t *asset, const json_t *key_policy,
                         char kid[ENTITY_ID_MAX]);

#endif
