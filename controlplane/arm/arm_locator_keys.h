/*
 * arm_locator_keys.h — what a v3 streaming locator sets up on its asset in
 * v2 terms (arm_locator_keys.c): per encryption scheme of its streaming
 * policy a content key and a delivery policy, and the keys as v3 lists them.
 */
#ifndef ARM_LOCATOR_KEYS_H
#define ARM_LOCATOR_KEYS_H

#include "arm/arm_policies.h"
#include "arm/arm_router.h"
#include "entities/entity_service.h"

/* Sets up the asset for the policy ({name, created, properties}) of a new
 * locator whose PUT properties are props and GUID locator_guid: every
 * encrypting scheme gets a content key (new, or the request's contentKeys
 * entry of its label) under its content key policy, linked to the asset,
 * and a delivery policy; keys gets one {kid, type, label, policyName} per
 * key.  0, or -1 after api_fail (400 naming the field, 409 when the asset's
 * encryption is already decided by another locator). */
int arm_locator_protect(arm_req_t *r, const json_t *asset, const json_t *policy,
                        const json_t *props, const char *locator_guid, json_t *keys);

/* The v3 StreamingLocatorContentKey of a stored {kid, type, label,
 * policyName}, with its value (base64) when with_value. */
json_t *arm_locator_key_json(arm_req_t *r, const json_t *stored, bool with_value);

#endif
