/*
 * arm_key_policies.h — v3 content key policies over v2
 * ContentKeyAuthorizationPolicies (Name = the v3 name) with one option per
 * v3 option: ContentKeyPolicyClearKeyConfiguration with
 * ContentKeyPolicyOpenRestriction (BaselineHttp, Open).  Token restrictions
 * and DRM configurations are refused for now.
 */
#ifndef ARM_KEY_POLICIES_H
#define ARM_KEY_POLICIES_H

#include "arm/arm_router.h"

/* The v2 policy record named name (new reference) or NULL. */
json_t *arm_key_policy_find(arm_req_t *r, const char *name);

#endif
