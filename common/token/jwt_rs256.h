/*
 * jwt_rs256.h — the RS256 signature check of the key service (JWS
 * RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3) against the RSA public keys
 * of a token template: the "rsa_keys" array of the compact form, each the
 * base64 DER PKCS#1 RSAPublicKey (RFC 8017 A.1.1) that mediaplaned extracted
 * from an X509CertTokenVerificationKey or RsaTokenVerificationKey when the
 * template was written.  PKCS#1 rather than SubjectPublicKeyInfo because
 * OpenSSL 3 decodes it directly (~2 µs) instead of through its decoder
 * framework (~250 µs), once per key per request.  Nothing else is accepted
 * as a key (no certificate parsing, no PSS, no EC): a key that does not
 * decode to an RSA public key matches no signature.
 */
#ifndef JWT_RS256_H
#define JWT_RS256_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define JWT_RS256_SIG_MAX     512     /* bytes: a 4096-bit modulus */
#define JWT_RS256_KEY_DER_MAX 2048    /* bytes of one DER RSAPublicKey */

/* 1 when sig[0..sig_len) is an RS256 signature of data[0..len) under one of
 * keys (a JSON array of base64 DER PKCS#1 RSAPublicKey), else 0.  Leaves
 * OpenSSL's error queue empty. */
int jwt_rs256_matches(const json_t *keys, const char *data, size_t len, const uint8_t *sig,
                      size_t sig_len);

#endif
