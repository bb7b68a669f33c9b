/*
 * blob_digest.c — MD5 and SHA-256 helpers over OpenSSL EVP, and the store's
 * text forms of them (strict base64 Content-MD5, lower-case hex names), both
 * through util/text_codec.
 */
#include "blob_digest.h"

#include <string.h>

#include <openssl/evp.h>

#include "util/text_codec.h"

blob_status_t blob_md5_parse(const char *b64, uint8_t md5[BLOB_MD5_LEN])
{
    size_t got = 0;
    if (base64_decode_strict(b64, strlen(b64), md5, BLOB_MD5_LEN, &got) != BASE64_OK
        || got != BLOB_MD5_LEN)
        return BLOB_BAD_MD5;
    return BLOB_OK;
}

void blob_md5_format(const uint8_t md5[BLOB_MD5_LEN], char out[BLOB_MD5_B64_SIZE])
{
    base64_encode(md5, BLOB_MD5_LEN, out, BLOB_MD5_B64_SIZE);
}

static blob_status_t digest_of(const EVP_MD *type, const void *data, size_t len, uint8_t *out)
{
    unsigned int out_len = 0;
    return EVP_Digest(data, len, out, &out_len, type, NULL) == 1 ? BLOB_OK : BLOB_IO;
}

blob_status_t blob_md5_of(const void *data, size_t len, uint8_t md5[BLOB_MD5_LEN])
{
    return digest_of(EVP_md5(), data, len, md5);
}

blob_status_t blob_md5_check(const void *data, size_t len, const char *expected_b64)
{
    if (expected_b64 == NULL)
        return BLOB_OK;
    uint8_t expected[BLOB_MD5_LEN], actual[BLOB_MD5_LEN];
    blob_status_t st = blob_md5_parse(expected_b64, expected);
    if (st == BLOB_OK)
        st = blob_md5_of(data, len, actual);
    if (st == BLOB_OK && memcmp(expected, actual, BLOB_MD5_LEN) != 0)
        st = BLOB_MD5_MISMATCH;
    return st;
}

blob_status_t blob_name_hash(const char *name, char out[BLOB_NAME_HASH_SIZE])
{
    uint8_t sha[32];
    blob_status_t st = digest_of(EVP_sha256(), name, strlen(name), sha);
    if (st == BLOB_OK)
        hex_encode(sha, sizeof sha, out, BLOB_NAME_HASH_SIZE, 0);
    return st;
}
