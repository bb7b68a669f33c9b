/*
 * protection_cert.h — builds the self-signed X.509 v3 certificate that
 * publishes the protection key's RSA public key to AMS clients.
 */
#ifndef PROTECTION_CERT_H
#define PROTECTION_CERT_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define PROTECTION_CERT_SUBJECT_CN "mediaplane content key protection"
#define PROTECTION_CERT_VALID_DAYS (20 * 365)

/* A certificate for pkey, signed by pkey with SHA-256: random positive
 * 128-bit serial, valid from a day ago for PROTECTION_CERT_VALID_DAYS,
 * CN=PROTECTION_CERT_SUBJECT_CN as subject and issuer, CA:FALSE, key usage
 * keyEncipherment + dataEncipherment, subject key identifier.  NULL with a
 * message in err on failure. */
X509 *protection_cert_self_signed(EVP_PKEY *pkey, char *err, size_t errlen);

#endif
