/*
 * arm_policies.h — v3 streaming policies: the predefined ones (clear
 * streaming and download, Predefined_ClearKey, Predefined_MultiDrmCencStreaming,
 * Predefined_MultiDrmStreaming) and custom ones kept in the catalog's meta
 * database under "arm:streamingPolicy:<lower-case name>" as
 * {name, created, properties}.  Every policy is handled in its v3 form
 * (properties with noEncryption / envelopeEncryption / commonEncryptionCenc
 * / commonEncryptionCbcs); arm_policy_plan reduces it to which protocols
 * each scheme covers, which is what a locator sets up on its asset
 * (arm_locator_keys.c) and what listPaths answers.
 */
#ifndef ARM_POLICIES_H
#define ARM_POLICIES_H

#include "arm/arm_router.h"

#include <stdint.h>

typedef enum {
    ARM_SCHEME_CLEAR,
    ARM_SCHEME_ENVELOPE,
    ARM_SCHEME_CENC,
    ARM_SCHEME_CBCS,
    ARM_SCHEMES
} arm_scheme_t;

/* v2 AssetDeliveryProtocol flags */
#define ARM_PROTO_SMOOTH 0x01
#define ARM_PROTO_DASH 0x02
#define ARM_PROTO_HLS 0x04
#define ARM_PROTO_DOWNLOAD 0x10

typedef struct {
    uint32_t protocols[ARM_SCHEMES];   /* the enabledProtocols of each scheme (0: absent) */
    const json_t *scheme[ARM_SCHEMES]; /* its v3 object (borrowed from the properties) */
} arm_policy_plan_t;

/* The v3 member name of a scheme ("noEncryption", "envelopeEncryption", …)
 * and the encryptionScheme / content key type v3 answers
 * ("NoEncryption", "EnvelopeEncryption", "CommonEncryptionCenc", …). */
const char *arm_scheme_member(arm_scheme_t s);
const char *arm_scheme_name(arm_scheme_t s);
/* The key label of a scheme: contentKeys.defaultKey.label, or AMS's default. */
const char *arm_scheme_label(const arm_policy_plan_t *plan, arm_scheme_t s);

/* The policy named name, predefined or custom: {name, created, properties}
 * (new reference), or NULL. */
json_t *arm_policy_load(arm_req_t *r, const char *name);

void arm_policy_plan(const json_t *properties, arm_policy_plan_t *plan);

#endif
