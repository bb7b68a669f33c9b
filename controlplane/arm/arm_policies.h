/*
 * arm_policies.h — the predefined v3 streaming policies this installation
 * serves: clear streaming and download, and Predefined_ClearKey (AES-128
 * envelope of HLS; the origin serves no other protocol of such an asset).  Custom streaming policies are not served yet.
 */
#ifndef ARM_POLICIES_H
#define ARM_POLICIES_H

#include <stdbool.h>

typedef struct {
    const char *name;
    bool streaming;          /* HLS, DASH, Smooth paths */
    bool download;           /* progressive download paths */
    bool envelope;           /* AES-128 envelope (HLS), key from a content key policy */
} arm_policy_t;

/* The predefined policy named name (any case), or NULL. */
const arm_policy_t *arm_policy_find(const char *name);

#endif
