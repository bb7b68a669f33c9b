/*
 * protection_key.h — the AMS "protection key": an RSA-2048 key pair with a
 * self-signed X.509 certificate, kept in <dir>/protection.pem (mode 0600:
 * PKCS#8 private key, then the certificate).  Clients fetch the certificate
 * (GetProtectionKey) by its id (GetProtectionKeyId: the SHA-1 thumbprint of
 * the DER certificate in uppercase hex, as Windows shows it) and RSA-OAEP
 * encrypt content keys to it; the daemon unwraps them here.
 *
 * OAEP parameters are those of the .NET SDK (EncryptionUtils.
 * EncryptSymmetricKeyData: RSAOAEPKeyExchangeFormatter) and the Java SDK
 * ("RSA/ECB/OAEPWithSHA-1AndMGF1Padding"): SHA-1 hash, MGF1 with SHA-1, no
 * label.
 */
#ifndef PROTECTION_KEY_H
#define PROTECTION_KEY_H

#include <stddef.h>
#include <stdint.h>

#define PROTECTION_KEY_FILE "protection.pem"
#define PROTECTION_KEY_BITS 2048
#define PROTECTION_KEY_ID_LEN 40          /* hex SHA-1, without the NUL */

typedef struct protection_key protection_key_t;

/* Loads <dir>/protection.pem, or creates dir (0700), a new key pair and
 * certificate and the file when it does not exist.  NULL with a message in
 * err when the file is unreadable, not 0600, unparsable, not RSA >= 2048
 * bits, or its certificate does not match its key (it is never replaced). */
protection_key_t *protection_key_load_or_create(const char *dir, char *err, size_t errlen);

/* Frees (the private key is wiped by libcrypto); NULL is fine. */
void protection_key_free(protection_key_t *pk);

/* Uppercase hex SHA-1 thumbprint of the DER certificate. */
const char *protection_key_id(const protection_key_t *pk);

/* 1 when id names this key: same 40 hex digits in any case (the Java SDK
 * sent lowercase thumbprints), else 0. */
int protection_key_id_matches(const protection_key_t *pk, const char *id);

/* The DER certificate in base64 (the GetProtectionKey response). */
const char *protection_key_cert_base64(const protection_key_t *pk);

/* Decrypts a base64 RSA-OAEP(SHA-1) ciphertext (an EncryptedContentKey) into
 * key_out.  KEY_ERR_ENCODING for bad base64, KEY_ERR_LENGTH when the
 * ciphertext is not exactly the modulus size or decrypts to nothing,
 * KEY_ERR_DECRYPT when the padding does not verify (tampered, other key,
 * other padding), KEY_ERR_CAPACITY when the key exceeds key_cap.  Returns a
 * key_status_t; key_out is wiped on failure.  Safe to call from several
 * threads at once. */
int protection_key_unwrap(const protection_key_t *pk, const char *encrypted_b64,
                          uint8_t *key_out, size_t key_cap, size_t *key_len);

/* Encrypts key (1..214 bytes) as a client would; *encrypted_b64_out is a
 * malloc'ed string (free()).  For tests and tools. */
int protection_key_wrap(const protection_key_t *pk, const uint8_t *key, size_t len,
                        char **encrypted_b64_out);

/* Encrypts key the same way for the holder of another certificate (strict
 * base64 of its DER, RebindContentKey's x509Certificate).  KEY_ERR_ENCODING
 * when cert_b64 is not one base64 DER certificate, KEY_ERR_ARGUMENT when its
 * key is not RSA, KEY_ERR_LENGTH when key is too long for its modulus. */
int oaep_wrap_for_certificate(const char *cert_b64, const uint8_t *key, size_t len,
                              char **encrypted_b64_out);

#endif
