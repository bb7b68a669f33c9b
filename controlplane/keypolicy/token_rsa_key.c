/*
 * token_rsa_key.c — X509CertTokenVerificationKey and RsaTokenVerificationKey
 * RawBody → checked RSA public key → base64 DER PKCS#1 RSAPublicKey (see
 * token_rsa_key.h), with OpenSSL (certificate and key decoding, the public
 * key check) and jansson (the RSA form's JSON).
 */
#include "keypolicy/token_rsa_key.h"
#include "util/text_codec.h"

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static EVP_PKEY *from_certificate(const uint8_t *raw, size_t len, char *err, size_t errlen)
{
    const unsigned char *p = raw;
    X509 *cert = d2i_X509(NULL, &p, (long) len);
    EVP_PKEY *key = NULL;

    if (cert == NULL || p != raw + len) {
        snprintf(err, errlen, "is not a DER X.509 certificate (RawBody: base64 of the "
                 "certificate's DER bytes)");
    } else if ((key = X509_get_pubkey(cert)) == NULL) {
        snprintf(err, errlen, "has a certificate whose public key cannot be read");
    }
    X509_free(cert);
    return key;
}

/* One big-endian integer of the RSA JSON form, base64 (either alphabet). */
static BIGNUM *json_bignum(json_t *obj, const char *name)
{
    const char *b64 = json_string_value(json_object_get(obj, name));
    uint8_t buf[2 * TOKEN_RSA_MAX_BITS / 8 + 1];   /* room to report a too large key */
    long n = b64 ? base64_decode(b64, strlen(b64), buf, sizeof(buf)) : -1;

    if (n <= 0) {
        return NULL;
    }
    return BN_bin2bn(buf, (int) n, NULL);
}

static EVP_PKEY *from_numbers(BIGNUM *n, BIGNUM *e)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *key = NULL;

    if (bld != NULL && ctx != NULL && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n)
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)
        && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL
        && EVP_PKEY_fromdata_init(ctx) == 1) {
        if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
            key = NULL;
        }
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    return key;
}

static EVP_PKEY *from_json(const uint8_t *raw, size_t len, char *err, size_t errlen)
{
    json_t *obj = json_loadb((const char *) raw, len, 0, NULL);
    BIGNUM *n = json_bignum(obj, "n"), *e = json_bignum(obj, "e");
    EVP_PKEY *key = n && e ? from_numbers(n, e) : NULL;

    if (key == NULL) {
        snprintf(err, errlen, "needs RawBody = base64 of the JSON {\"e\":\"<base64 exponent>\","
                 "\"n\":\"<base64 modulus>\"}");
    }
    BN_free(n);
    BN_free(e);
    json_decref(obj);
    return key;
}

/* RSA, of a size we take, and sound (odd modulus, odd exponent > 1, …). */
static int check_key(EVP_PKEY *key, char *err, size_t errlen)
{
    EVP_PKEY_CTX *ctx;
    int bits, ok;

    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        snprintf(err, errlen, "has a %s key; only RSA keys verify RS256 tokens",
                 OBJ_nid2sn(EVP_PKEY_get_base_id(key)));
        return -1;
    }
    bits = EVP_PKEY_get_bits(key);
    if (bits < TOKEN_RSA_MIN_BITS || bits > TOKEN_RSA_MAX_BITS) {
        snprintf(err, errlen, "has an RSA key of %d bits; %d to %d are accepted", bits,
                 TOKEN_RSA_MIN_BITS, TOKEN_RSA_MAX_BITS);
        return -1;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        snprintf(err, errlen, "has an RSA public key that fails OpenSSL's key check");
        return -1;
    }
    return 0;
}

static char *rsa_public_base64(EVP_PKEY *key)
{
    unsigned char *der = NULL;
    int len = i2d_PublicKey(key, &der);
    char *out = len > 0 ? malloc((size_t) len / 3 * 4 + 8) : NULL;

    if (out != NULL) {
        EVP_EncodeBlock((unsigned char *) out, der, len);
    }
    OPENSSL_free(der);
    return out;
}

char *token_rsa_key_der(token_rsa_form_t form, const uint8_t *raw, size_t len, char *err,
                         size_t errlen)
{
    EVP_PKEY *key = form == TOKEN_RSA_X509_CERT ? from_certificate(raw, len, err, errlen)
                                                : from_json(raw, len, err, errlen);
    char *out = NULL;

    if (key != NULL && check_key(key, err, errlen) == 0) {
        out = rsa_public_base64(key);
        if (out == NULL) {
            snprintf(err, errlen, "cannot be encoded (out of memory)");
        }
    }
    EVP_PKEY_free(key);
    ERR_clear_error();
    return out;
}
