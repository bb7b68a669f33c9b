/*
 * protection_oaep.c — RSA-OAEP with SHA-1 and MGF1-SHA-1 under the protection
 * key: unwrap of clients' EncryptedContentKey values, and wrap for tests and
 * tools.  Every decryption failure yields the same status.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

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

int protection_key_wrap(const protection_key_t *pk, const uint8_t *key, size_t len,
                        char **encrypted_b64_out)
{
    if (pk == NULL || key == NULL || encrypted_b64_out == NULL)
        return KEY_ERR_ARGUMENT;
    *encrypted_b64_out = NULL;
    size_t modulus_len = (size_t)EVP_PKEY_get_size(pk->pkey);
    if (len == 0 || len + OAEP_SHA1_OVERHEAD > modulus_len)
        return KEY_ERR_LENGTH;
    uint8_t ct[RSA_MAX_BYTES];
    size_t ct_len = sizeof(ct);
    EVP_PKEY_CTX *ctx = oaep_sha1_ctx(pk->pkey, 0);
    int ok = ctx != NULL && EVP_PKEY_encrypt(ctx, ct, &ct_len, key, len) > 0;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    if (!ok)
        return KEY_ERR_CRYPTO;
    *encrypted_b64_out = base64_encode_alloc(ct, ct_len);
    return *encrypted_b64_out != NULL ? KEY_OK : KEY_ERR_NOMEM;
}
