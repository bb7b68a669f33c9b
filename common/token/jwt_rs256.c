/*
 * jwt_rs256.c — RS256 verification for the key service (see jwt_rs256.h):
 * base64 DER PKCS#1 RSAPublicKey → EVP_PKEY (RSA only), then
 * EVP_DigestVerify with SHA-256 and PKCS#1 v1.5 padding.
 */
#include "jwt_rs256.h"

#include "../codec/b64_lenient.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <string.h>

/* The RSA public key of one base64 RSAPublicKey, or NULL. */
static EVP_PKEY *rsa_public_key(const char *b64)
{
    uint8_t der[JWT_RS256_KEY_DER_MAX];
    long n = b64 ? b64_decode_lenient(b64, strlen(b64), der, sizeof(der)) : -1;
    const unsigned char *p = der;
    EVP_PKEY *key = n > 0 ? d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, n) : NULL;

    if (key != NULL && (p != der + n || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    return key;
}

static int signed_by(EVP_PKEY *key, const char *data, size_t len, const uint8_t *sig,
                     size_t sig_len)
{
    EVP_MD_CTX *md;
    EVP_PKEY_CTX *pctx = NULL;
    int ok;

    if (EVP_PKEY_get_size(key) <= 0 || (size_t) EVP_PKEY_get_size(key) != sig_len
        || (md = EVP_MD_CTX_new()) == NULL) {
        return 0;
    }
    ok = EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key) == 1
         && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
         && EVP_DigestVerify(md, sig, sig_len, (const unsigned char *) data, len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

int jwt_rs256_matches(const json_t *keys, const char *data, size_t len, const uint8_t *sig,
                      size_t sig_len)
{
    size_t i;
    int ok = 0;

    for (i = 0; i < json_array_size(keys) && !ok; i++) {
        EVP_PKEY *key = rsa_public_key(json_string_value(json_array_get(keys, i)));
        ok = key != NULL && signed_by(key, data, len, sig, sig_len);
        EVP_PKEY_free(key);
    }
    ERR_clear_error();
    return ok;
}
