/*
 * key_token.h — verification of the tokens players present to the key
 * service for TokenRestricted keys, against the key's token templates (the
 * compact JSON array mediaplaned seals with the key, built from each
 * TokenRestrictionTemplate: {"issuer","audience","type":"SWT"|"JWT",
 * "keys":[base64 symmetric keys],"rsa_keys":[base64 DER PKCS#1 RSAPublicKey]
 * (only when the template has X.509 or RSA keys),"claims":[{"type","value"|null}]}).
 *
 * JWT: HS256 against the template's symmetric keys (constant-time) or RS256
 * (RSASSA-PKCS1-v1_5 SHA-256, jwt_rs256.h) against its RSA keys — never one
 * algorithm with the other's keys, so an HS256 token "signed" with a public
 * key or certificate fails; alg=none, every other algorithm and a "crit"
 * header are refused.  Then "iss" and "aud" (string or list) equal to
 * the template's, "exp" required and "nbf" honoured with KEY_TOKEN_SKEW
 * seconds of clock skew, every required claim present (with its value when
 * the template gives one), and the content-key-identifier claim equal to the
 * requested key when its template value is nil.
 * SWT: "k=v&…&HMACSHA256=<base64>" (URL-encoded) with HMAC-SHA256 over what
 * precedes "&HMACSHA256=", Issuer, Audience, ExpiresOn (required) and the
 * required claims as form fields.
 */
#ifndef KEY_TOKEN_H
#define KEY_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define KEY_TOKEN_MAX_LEN 8192        /* longest token accepted */
#define KEY_TOKEN_SKEW    300         /* seconds of clock skew for exp/nbf */
#define KEY_TOKEN_KID_CLAIM "urn:microsoft:azure:mediaservices:contentkeyidentifier"

/* 0 when token (len bytes) satisfies one of the templates of restrictions
 * (JSON text) for the key kid ("<guid>") at now (unix seconds); -1 with a
 * reason for the client otherwise (never echoing secrets). */
int key_token_verify(const char *restrictions, const char *token, size_t len, const char *kid,
                     int64_t now, char *reason, size_t reason_len);

#endif
