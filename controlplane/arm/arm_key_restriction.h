/*
 * arm_key_restriction.h — a v3 content key policy option's restriction in
 * v2 terms: ContentKeyPolicyOpenRestriction → an Open (0) restriction;
 * ContentKeyPolicyTokenRestriction (issuer, audience, primary and alternate
 * verification keys: symmetric, RSA exponent/modulus, X.509 certificate;
 * requiredClaims; Jwt or Swt) → a TokenRestricted (1) restriction whose
 * Requirements is the v2 TokenRestrictionTemplate XML, so v2's checks and
 * the key service apply unchanged.  OpenID discovery documents are 400
 * NotSupported (as in v2).
 */
#ifndef ARM_KEY_RESTRICTION_H
#define ARM_KEY_RESTRICTION_H

#include "http/http_types.h"

#include <jansson.h>
#include <stddef.h>

#define ARM_TOKEN_RESTRICTION "#Microsoft.Media.ContentKeyPolicyTokenRestriction"
#define ARM_OPEN_RESTRICTION "#Microsoft.Media.ContentKeyPolicyOpenRestriction"

/* The v2 restriction {Name, KeyRestrictionType, Requirements} (new
 * reference) for options[i].restriction, or NULL with *err an ARM 400 that
 * names the field. */
json_t *arm_key_restriction_v2(const json_t *restriction, size_t i, http_response_t **err);

/* The options as GET answers them: the secrets (symmetric token keys, the
 * FairPlay ASK, certificate and its password) emptied, as AMS did;
 * getPolicyPropertiesWithSecrets answers them whole.  A new copy. */
json_t *arm_key_options_redacted(const json_t *options);

#endif
