/*
 * arm_signing_key.h — the RSA key mediaplaned signs v3 (ARM) access tokens
 * with: 2048 bits, created on first start as <data_dir>/keys/arm-token.pem
 * (mode 0600) and loaded afterwards, so tokens survive restarts.  Its public
 * half is published as a JWK (jwks_uri) and checked with common/token's
 * RS256 verifier.
 */
#ifndef ARM_SIGNING_KEY_H
#define ARM_SIGNING_KEY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct arm_signing_key arm_signing_key_t;

arm_signing_key_t *arm_signing_key_load_or_create(const char *keys_dir, char *err, size_t errlen);
void arm_signing_key_free(arm_signing_key_t *k);

/* The key id ("kid"): base64url of the first 16 bytes of SHA-256 of the
 * public key's DER. */
const char *arm_signing_key_id(const arm_signing_key_t *k);
/* The RS256 signature of data, base64url (malloc'ed), or NULL. */
char *arm_signing_key_sign(const arm_signing_key_t *k, const char *data, size_t len);
/* A JSON array holding the base64 DER RSAPublicKey (jwt_rs256_matches' form). */
const json_t *arm_signing_key_verifiers(const arm_signing_key_t *k);
/* The public JWK {kty,use,alg,kid,n,e} (new reference). */
json_t *arm_signing_key_jwk(const arm_signing_key_t *k);

#endif
