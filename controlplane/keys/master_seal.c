/*
 * master_seal.c — AES-256-GCM under the master key for secrets at rest.
 * Sealed form: "v1:" + base64(nonce[12] | ciphertext | tag[16]); the
 * authenticated data is "v1:" followed by the optional context string.
 */
#include "master_key.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "key_status.h"
#include "master_key_internal.h"
#include "util/text_codec.h"

#define GCM_NONCE_LEN 12
#define GCM_TAG_LEN 16
#define SEAL_OVERHEAD (GCM_NONCE_LEN + GCM_TAG_LEN)
#define SEAL_PREFIX_LEN (sizeof(MASTER_SEAL_PREFIX) - 1)

/* Starts AES-256-GCM (encrypt or decrypt) and feeds the authenticated data. */
static int gcm_start(EVP_CIPHER_CTX *ctx, int encrypt, const master_key_t *mk,
                     const uint8_t nonce[GCM_NONCE_LEN], const char *context)
{
    int n = 0;
    if (!EVP_CipherInit_ex2(ctx, EVP_aes_256_gcm(), mk->key, nonce, encrypt, NULL))
        return 0;
    if (!EVP_CipherUpdate(ctx, NULL, &n, (const uint8_t *)MASTER_SEAL_PREFIX, (int)SEAL_PREFIX_LEN))
        return 0;
    if (context != NULL && context[0] != '\0'
        && !EVP_CipherUpdate(ctx, NULL, &n, (const uint8_t *)context, (int)strlen(context)))
        return 0;
    return 1;
}

/* Encrypts plain into blob = nonce | ciphertext | tag. */
static int gcm_seal_blob(const master_key_t *mk, const char *context,
                         const uint8_t *plain, size_t len, uint8_t *blob)
{
    uint8_t *nonce = blob, *ct = blob + GCM_NONCE_LEN, *tag = ct + len;
    if (RAND_bytes(nonce, GCM_NONCE_LEN) != 1)
        return KEY_ERR_CRYPTO;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return KEY_ERR_NOMEM;
    int n = 0, tail = 0;
    int ok = gcm_start(ctx, 1, mk, nonce, context)
             && (len == 0 || EVP_EncryptUpdate(ctx, ct, &n, plain, (int)len))
             && EVP_EncryptFinal_ex(ctx, ct + n, &tail)
             && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, GCM_TAG_LEN, tag);
    EVP_CIPHER_CTX_free(ctx);
    return ok ? KEY_OK : KEY_ERR_CRYPTO;
}

int master_key_seal_bound(const master_key_t *mk, const char *context,
                          const uint8_t *plain, size_t len, char **sealed_out)
{
    if (mk == NULL || sealed_out == NULL || (plain == NULL && len > 0) || len > MASTER_SEAL_MAX_PLAIN)
        return KEY_ERR_ARGUMENT;
    *sealed_out = NULL;
    size_t blob_len = len + SEAL_OVERHEAD;
    uint8_t *blob = malloc(blob_len);
    char *sealed = malloc(SEAL_PREFIX_LEN + BASE64_ENCODED_SIZE(blob_len));
    int rc = (blob && sealed) ? gcm_seal_blob(mk, context, plain, len, blob) : KEY_ERR_NOMEM;
    if (rc == KEY_OK) {
        memcpy(sealed, MASTER_SEAL_PREFIX, SEAL_PREFIX_LEN);
        base64_encode(blob, blob_len, sealed + SEAL_PREFIX_LEN, BASE64_ENCODED_SIZE(blob_len));
        *sealed_out = sealed;
        sealed = NULL;
    }
    ERR_clear_error();
    free(blob);
    free(sealed);
    return rc;
}

int master_key_seal(const master_key_t *mk, const uint8_t *plain, size_t len, char **sealed_out)
{
    return master_key_seal_bound(mk, NULL, plain, len, sealed_out);
}

/* Decrypts blob = nonce | ciphertext | tag into out (room checked by caller). */
static int gcm_open_blob(const master_key_t *mk, const char *context,
                         const uint8_t *blob, size_t blob_len, uint8_t *out)
{
    size_t ct_len = blob_len - SEAL_OVERHEAD;
    const uint8_t *nonce = blob, *ct = blob + GCM_NONCE_LEN, *tag = ct + ct_len;
    uint8_t no_output[1];
    uint8_t *dst = out != NULL ? out : no_output;       /* empty plaintext, cap 0 */
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return KEY_ERR_NOMEM;
    int n = 0, tail = 0;
    int ok = gcm_start(ctx, 0, mk, nonce, context)
             && (ct_len == 0 || EVP_DecryptUpdate(ctx, dst, &n, ct, (int)ct_len))
             && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, GCM_TAG_LEN, (void *)tag);
    int verified = ok && EVP_DecryptFinal_ex(ctx, dst + n, &tail) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok)
        return KEY_ERR_CRYPTO;
    return verified ? KEY_OK : KEY_ERR_DECRYPT;
}

/* Decodes the strict base64 after the prefix into a malloc'ed blob (empty
 * text is zero bytes, so a length error). */
static int sealed_decode(const char *sealed, uint8_t **blob, size_t *blob_len)
{
    if (strncmp(sealed, MASTER_SEAL_PREFIX, SEAL_PREFIX_LEN) != 0)
        return KEY_ERR_ENCODING;
    const char *b64 = sealed + SEAL_PREFIX_LEN;
    size_t len = strlen(b64), cap = len / 4 * 3;
    if (len == 0 || cap > MASTER_SEAL_MAX_PLAIN + SEAL_OVERHEAD + 2)   /* +2: padding */
        return KEY_ERR_LENGTH;
    *blob = malloc(cap ? cap : 1);
    if (*blob == NULL)
        return KEY_ERR_NOMEM;
    base64_status_t st = base64_decode_strict(b64, len, *blob, cap, blob_len);   /* cap fits */
    int rc = st == BASE64_OK ? KEY_OK : KEY_ERR_ENCODING;
    if (rc == KEY_OK && *blob_len < SEAL_OVERHEAD)
        rc = KEY_ERR_LENGTH;
    if (rc != KEY_OK) {
        free(*blob);
        *blob = NULL;
    }
    return rc;
}

int master_key_open_bound(const master_key_t *mk, const char *context,
                          const char *sealed, uint8_t *out, size_t cap, size_t *len)
{
    if (mk == NULL || sealed == NULL || len == NULL || (out == NULL && cap > 0))
        return KEY_ERR_ARGUMENT;
    uint8_t *blob = NULL;
    size_t blob_len = 0;
    int rc = sealed_decode(sealed, &blob, &blob_len);
    if (rc == KEY_OK && blob_len - SEAL_OVERHEAD > cap)
        rc = KEY_ERR_CAPACITY;
    if (rc == KEY_OK)
        rc = gcm_open_blob(mk, context, blob, blob_len, out);
    if (rc == KEY_OK)
        *len = blob_len - SEAL_OVERHEAD;
    else if (out != NULL)
        OPENSSL_cleanse(out, cap);
    ERR_clear_error();
    free(blob);
    return rc;
}

int master_key_open(const master_key_t *mk, const char *sealed, uint8_t *out, size_t cap, size_t *len)
{
    return master_key_open_bound(mk, NULL, sealed, out, cap, len);
}
