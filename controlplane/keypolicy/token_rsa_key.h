/*
 * token_rsa_key.h — the asymmetric verification keys of a
 * TokenRestrictionTemplate, as the AMS SDKs serialised them (the RawBody of
 * their AsymmetricTokenVerificationKey, base64 in the XML):
 *
 *   X509CertTokenVerificationKey   RawBody = the DER X.509 certificate
 *   RsaTokenVerificationKey        RawBody = UTF-8 JSON {"e":"b64","n":"b64"}
 *                                  (exponent and modulus, big-endian, base64;
 *                                  i:type also spelled RSATokenVerificationKey,
 *                                  the older SDKs' class name)
 *
 * Each is checked (an RSA public key of TOKEN_RSA_MIN_BITS..TOKEN_RSA_MAX_BITS
 * that passes OpenSSL's public-key check) and reduced to what the key
 * service verifies RS256 with: the base64 DER PKCS#1 RSAPublicKey.  Only
 * the certificate's key is used: its dates, issuer and chain are not.
 */
#ifndef TOKEN_RSA_KEY_H
#define TOKEN_RSA_KEY_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_RSA_MIN_BITS 2048
#define TOKEN_RSA_MAX_BITS 4096
#define TOKEN_RSA_RAW_MAX  8192      /* bytes of a decoded RawBody */

typedef enum { TOKEN_RSA_X509_CERT, TOKEN_RSA_JSON } token_rsa_form_t;

/* The base64 DER RSAPublicKey of raw[0..len) (malloc'ed), or NULL with
 * what is wrong in err (e.g. "is not a DER X.509 certificate"), to follow
 * the key's name. */
char *token_rsa_key_der(token_rsa_form_t form, const uint8_t *raw, size_t len, char *err,
                         size_t errlen);

#endif
