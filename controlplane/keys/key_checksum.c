/*
 * key_checksum.c — AMS ContentKey checksums: one AES-ECB block over the key
 * Id under the content key, first 8 bytes in base64 (see key_checksum.h for
 * the SDK sources and the Java variant).
 */
#include "key_checksum.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "key_guid.h"
#include "key_status.h"
#include "util/text_codec.h"

#define CHECKSUM_BYTES 8

static const EVP_CIPHER *aes_ecb_for_key_len(size_t key_len)
{
    switch (key_len) {
    case 16: return EVP_aes_128_ecb();
    case 24: return EVP_aes_192_ecb();
    case 32: return EVP_aes_256_ecb();
    default: return NULL;
    }
}

/* Encrypts one 16-byte block with AES-ECB, no padding. */
static int aes_ecb_block(const uint8_t *key, size_t key_len, const uint8_t in[16], uint8_t out[16])
{
    const EVP_CIPHER *cipher = aes_ecb_for_key_len(key_len);
    if (cipher == NULL)
        return KEY_ERR_ARGUMENT;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return KEY_ERR_NOMEM;
    int n = 0, tail = 0;
    int ok = EVP_EncryptInit_ex2(ctx, cipher, key, NULL, NULL)
             && EVP_CIPHER_CTX_set_padding(ctx, 0)
             && EVP_EncryptUpdate(ctx, out, &n, in, 16)
             && EVP_EncryptFinal_ex(ctx, out + n, &tail)
             && n + tail == 16;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        ERR_clear_error();
        return KEY_ERR_CRYPTO;
    }
    return KEY_OK;
}

static int checksum_of_block(const uint8_t *key, size_t key_len, const uint8_t block[16],
                             char out_b64[CONTENT_KEY_CHECKSUM_LEN + 1])
{
    uint8_t encrypted[16];
    int rc = aes_ecb_block(key, key_len, block, encrypted);
    if (rc == KEY_OK)
        base64_encode(encrypted, CHECKSUM_BYTES, out_b64, CONTENT_KEY_CHECKSUM_LEN + 1);
    OPENSSL_cleanse(encrypted, sizeof(encrypted));
    return rc;
}

int content_key_checksum_for_kid(const uint8_t *key, size_t key_len, const uint8_t kid_rfc[16],
                                 char out_b64[CONTENT_KEY_CHECKSUM_LEN + 1])
{
    if (key == NULL || kid_rfc == NULL || out_b64 == NULL)
        return KEY_ERR_ARGUMENT;
    uint8_t kid_dotnet[16];
    guid_to_dotnet_bytes(kid_rfc, kid_dotnet);
    return checksum_of_block(key, key_len, kid_dotnet, out_b64);
}

int content_key_checksum_java_sdk(const uint8_t *key, size_t key_len, const uint8_t kid_rfc[16],
                                  char out_b64[CONTENT_KEY_CHECKSUM_LEN + 1])
{
    if (key == NULL || kid_rfc == NULL || out_b64 == NULL)
        return KEY_ERR_ARGUMENT;
    char text[GUID_TEXT_LEN + 1];
    guid_format(kid_rfc, text);
    return checksum_of_block(key, key_len, (const uint8_t *)text, out_b64);
}

/* A bare GUID or an "nb:kid:UUID:" Id, into RFC 4122 order. */
static int parse_kid(const char *kid, uint8_t out[16])
{
    if (kid == NULL)
        return KEY_ERR_ARGUMENT;
    if (guid_parse(kid, out) == KEY_OK)
        return KEY_OK;
    return content_key_id_parse(kid, out);
}

int content_key_checksum(const uint8_t *key, size_t key_len, const char *kid_guid,
                         char out_b64[CONTENT_KEY_CHECKSUM_LEN + 1])
{
    uint8_t kid[16];
    int rc = parse_kid(kid_guid, kid);
    return rc == KEY_OK ? content_key_checksum_for_kid(key, key_len, kid, out_b64) : rc;
}

static int same_checksum(const char *a, const char *b)
{
    return strlen(b) == CONTENT_KEY_CHECKSUM_LEN
           && CRYPTO_memcmp(a, b, CONTENT_KEY_CHECKSUM_LEN) == 0;
}

int content_key_checksum_check(const uint8_t *key, size_t key_len, const char *kid_guid,
                               const char *checksum_b64)
{
    uint8_t kid[16];
    char expected[CONTENT_KEY_CHECKSUM_LEN + 1];
    if (checksum_b64 == NULL)
        return KEY_ERR_ARGUMENT;
    int rc = parse_kid(kid_guid, kid);
    if (rc == KEY_OK)
        rc = content_key_checksum_for_kid(key, key_len, kid, expected);
    if (rc != KEY_OK)
        return rc;
    if (same_checksum(expected, checksum_b64))
        return CHECKSUM_MATCHES_DOTNET;
    rc = content_key_checksum_java_sdk(key, key_len, kid, expected);
    if (rc != KEY_OK)
        return rc;
    return same_checksum(expected, checksum_b64) ? CHECKSUM_MATCHES_JAVA_SDK : CHECKSUM_MISMATCH;
}
