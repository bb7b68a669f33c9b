/*
 * arm_policies.h — the predefined v3 streaming policies this installation
 * serves (clear streaming and download; the encrypting ones come with the
 * v3 content-key slice).  Custom streaming policies are not served yet.
 */
#ifndef ARM_POLICIES_H
#define ARM_POLICIES_H

#include <stdbool.h>

typedef struct {
    const char *name;
    bool streaming;          /* HLS, DASH, Smooth paths */
    bool download;           /* progressive download paths */
} arm_policy_t;

/* The predefined policy named name (any case), or NULL. */
const arm_policy_t *arm_policy_find(const char *name);

#endif
