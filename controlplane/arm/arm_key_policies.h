/*
 * arm_key_policies.h — v3 content key policies over v2
 * ContentKeyAuthorizationPolicies (Name = the v3 name) with one option per
 * v3 option: ClearKey (BaselineHttp), PlayReady, Widevine or FairPlay
 * configurations with an Open or token restriction (arm_key_restriction.h).
 * The key service delivers ClearKey keys and ClearKey licenses; PlayReady,
 * Widevine and FairPlay licenses come from external servers (501 here).
 */
#ifndef ARM_KEY_POLICIES_H
#define ARM_KEY_POLICIES_H

#include "arm/arm_router.h"

/* The v2 policy record named name (new reference) or NULL. */
json_t *arm_key_policy_find(arm_req_t *r, const char *name);

#endif
