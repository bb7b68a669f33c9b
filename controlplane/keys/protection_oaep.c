/*
 * protection_oaep.c — RSA-OAEP with SHA-1 and MGF1-SHA-1 under the protection
 * key: unwrap of clients' EncryptedContentKey values, and wrap for tests and
 * tools; wrap for a client's own certificate (RebindContentKey).  Every
 * decryption failure yields the same status.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "key_status.h"
#include "protection_key_internal.h"
#include "util/text_codec.h"

#define RSA_MAX_BYTES 1024                       /* up to 8192-bit moduli */
#define OAEP_SHA1_OVERHEAD (2 * 20 + 2)

static EVP_PKEY_CTX *oaep_sha1_ctx(EVP_PKEY *pkey, int decrypt)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok = ctx != NULL
             && (decrypt ? EVP_PKEY_decrypt_init(ctx) : EVP_PKEY_encrypt_init(ctx)) > 0
             && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0
             && EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) > 0
             && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) > 0;
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* Decodes the strict base64 ciphertext; it must be exactly modulus_len bytes
 * (empty text is zero bytes, so a length error). */
static int decode_ciphertext(const char *b64, uint8_t *ct, size_t modulus_len)
{
    size_t len = strlen(b64), ct_len = 0;
    if (len == 0)
        return KEY_ERR_LENGTH;
    base64_status_t st = base64_decode_strict(b64, len, ct, RSA_MAX_BYTES, &ct_len);
    if (st == BASE64_MALFORMED)
        return KEY_ERR_ENCODING;
    return st == BASE64_OK && ct_len == modulus_len ? KEY_OK : KEY_ERR_LENGTH;
}

static int oaep_decrypt(EVP_PKEY *pkey, const uint8_t *ct, size_t ct_len,
                        uint8_t *plain, size_t *plain_len)
{
    EVP_PKEY_CTX *ctx = oaep_sha1_ctx(pkey, 1);
    if (ctx == NULL)
        return KEY_ERR_CRYPTO;
    *plain_len = RSA_MAX_BYTES;
    int ok = EVP_PKEY_decrypt(ctx, plain, plain_len, ct, ct_len) > 0;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        return KEY_ERR_DECRYPT;
    return *plain_len > 0 ? KEY_OK : KEY_ERR_LENGTH;
}

int protection_key_unwrap(const protection_key_t *pk, const char *encrypted_b64,
                          uint8_t *key_out, size_t key_cap, size_t *key_len)
{
    if (pk == NULL || encrypted_b64 == NULL || key_out == NULL || key_len == NULL)
        return KEY_ERR_ARGUMENT;
    uint8_t ct[RSA_MAX_BYTES], plain[RSA_MAX_BYTES];
    size_t modulus_len = (size_t)EVP_PKEY_get_size(pk->pkey), plain_len = 0;
    int rc = decode_ciphertext(encrypted_b64, ct, modulus_len);
    if (rc == KEY_OK)
        rc = oaep_decrypt(pk->pkey, ct, modulus_len, plain, &plain_len);
    if (rc == KEY_OK && plain_len > key_cap)
        rc = KEY_ERR_CAPACITY;
    if (rc == KEY_OK) {
        memcpy(key_out, plain, plain_len);
        *key_len = plain_len;
    } else {
        OPENSSL_cleanse(key_out, key_cap);
    }
    OPENSSL_cleanse(plain, sizeof(plain));
    ERR_clear_error();
    return rc;
}

/* key (1 .. modulus - 42 bytes) encrypted for pkey, in base64. */
static int oaep_encrypt_b64(EVP_PKEY *pkey, const uint8_t *key, size_t len, char **out)
{
    size_t modulus_len = (size_t)EVP_PKEY_get_size(pkey);
    if (len == 0 || len + OAEP_SHA1_OVERHEAD > modulus_len)
        return KEY_ERR_LENGTH;
    uint8_t ct[RSA_MAX_BYTES];
    size_t ct_len = sizeof(ct);
    EVP_PKEY_CTX *ctx = oaep_sha1_ctx(pkey, 0);
    int ok = ctx != NULL && EVP_PKEY_encrypt(ctx, ct, &ct_len, key, len) > 0;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    if (!ok)
        return KEY_ERR_CRYPTO;
    *out = base64_encode_alloc(ct, ct_len);
    return *out != NULL ? KEY_OK : KEY_ERR_NOMEM;
}

int protection_key_wrap(const protection_key_t *pk, const uint8_t *key, size_t len,
                        char **encrypted_b64_out)
{
    if (pk == NULL || key == NULL || encrypted_b64_out == NULL)
        return KEY_ERR_ARGUMENT;
    *encrypted_b64_out = NULL;
    return oaep_encrypt_b64(pk->pkey, key, len, encrypted_b64_out);
}

/* The certificate of strict base64 DER text, or NULL. */
static X509 *certificate_from_b64(const char *cert_b64)
{
    size_t text_len = strlen(cert_b64), der_len = 0;
    uint8_t *der = malloc(text_len / 4 * 3 + 3);
    const uint8_t *p = der;
    X509 *cert = NULL;
    if (der != NULL && text_len > 0
        && base64_decode_strict(cert_b64, text_len, der, text_len / 4 * 3 + 3, &der_len) == BASE64_OK)
        cert = d2i_X509(NULL, &p, (long)der_len);
    if (cert != NULL && p != der + der_len) {    /* trailing bytes: not one certificate */
        X509_free(cert);
        cert = NULL;
    }
    free(der);
    ERR_clear_error();
    return cert;
}

int oaep_wrap_for_certificate(const char *cert_b64, const uint8_t *key, size_t len,
                              char **encrypted_b64_out)
{
    if (cert_b64 == NULL || key == NULL || encrypted_b64_out == NULL)
        return KEY_ERR_ARGUMENT;
    *encrypted_b64_out = NULL;
    X509 *cert = certificate_from_b64(cert_b64);
    if (cert == NULL)
        return KEY_ERR_ENCODING;
    EVP_PKEY *pkey = X509_get0_pubkey(cert);
    int rc = pkey != NULL && EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA
                 ? oaep_encrypt_b64(pkey, key, len, encrypted_b64_out)
                 : KEY_ERR_ARGUMENT;
    X509_free(cert);
    ERR_clear_error();
    return rc;
}
