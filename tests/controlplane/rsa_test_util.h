/*
 * rsa_test_util.h — RSA material made at test time for the RS256 tests (no
 * key in git): RSA and EC keys, a self-signed certificate, base64 of DER
 * SubjectPublicKeyInfo, PKCS#1 RSAPublicKey (the form token templates keep)
 * and certificates, and JWTs signed HS256 or RS256.
 * Include after <cmocka.h>.
 */
#ifndef RSA_TEST_UTIL_H
#define RSA_TEST_UTIL_H

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline EVP_PKEY *rt_rsa_key(unsigned int bits)
{
    EVP_PKEY *k = EVP_RSA_gen(bits);
    assert_non_null(k);
    return k;
}

static inline EVP_PKEY *rt_ec_key(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    assert_non_null(k);
    return k;
}

/* Standard padded base64 of in[0..len) (malloc'ed). */
static inline char *rt_b64(const unsigned char *in, size_t len)
{
    char *out = malloc(len / 3 * 4 + 8);
    assert_non_null(out);
    EVP_EncodeBlock((unsigned char *) out, in, (int) len);
    return out;
}

/* base64url without padding (malloc'ed). */
static inline char *rt_b64url(const unsigned char *in, size_t len)
{
    char *s = rt_b64(in, len), *e = s + strlen(s);
    while (e > s && e[-1] == '=') {
        *--e = '\0';
    }
    for (char *p = s; *p; p++) {
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    }
    return s;
}

/* DER of the public key (SubjectPublicKeyInfo), length in *len. */
static inline unsigned char *rt_spki_der(EVP_PKEY *k, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    assert_true(n > 0);
    *len = (size_t) n;
    return der;
}

static inline char *rt_spki_b64(EVP_PKEY *k)
{
    size_t n;
    unsigned char *der = rt_spki_der(k, &n);
    char *s = rt_b64(der, n);
    OPENSSL_free(der);
    return s;
}

/* DER PKCS#1 RSAPublicKey of k, length in *len. */
static inline unsigned char *rt_rsa_pub_der(EVP_PKEY *k, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_PublicKey(k, &der);
    assert_true(n > 0);
    *len = (size_t) n;
    return der;
}

static inline char *rt_rsa_pub_b64(EVP_PKEY *k)
{
    size_t n;
    unsigned char *der = rt_rsa_pub_der(k, &n);
    char *s = rt_b64(der, n);
    OPENSSL_free(der);
    return s;
}

/* A self-signed certificate of k (CN=mediaplane test), DER in *len. */
static inline unsigned char *rt_cert_der(EVP_PKEY *k, size_t *len)
{
    X509 *x = X509_new();
    unsigned char *der = NULL;
    assert_non_null(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, k);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *) "mediaplane test", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    assert_true(X509_sign(x, k, EVP_sha256()) > 0);
    int n = i2d_X509(x, &der);
    assert_true(n > 0);
    *len = (size_t) n;
    X509_free(x);
    return der;
}

static inline char *rt_cert_b64(EVP_PKEY *k)
{
    size_t n;
    unsigned char *der = rt_cert_der(k, &n);
    char *s = rt_b64(der, n);
    OPENSSL_free(der);
    return s;
}

/* "<header>.<payload>" of alg and the claims (JSON text), malloc'ed. */
static inline char *rt_jwt_unsigned(const char *header_json, const char *claims_json)
{
    char *h = rt_b64url((const unsigned char *) header_json, strlen(header_json));
    char *b = rt_b64url((const unsigned char *) claims_json, strlen(claims_json));
    char *out = malloc(strlen(h) + strlen(b) + 2);
    assert_non_null(out);
    sprintf(out, "%s.%s", h, b);
    free(h);
    free(b);
    return out;
}

static inline char *rt_jwt_append_sig(char *signed_part, const unsigned char *sig, size_t len)
{
    char *s = rt_b64url(sig, len);
    char *out = malloc(strlen(signed_part) + strlen(s) + 2);
    assert_non_null(out);
    sprintf(out, "%s.%s", signed_part, s);
    free(s);
    free(signed_part);
    return out;
}

/* A JWT with header {"alg":alg,"typ":"JWT"} signed RS256 with k (malloc'ed). */
static inline char *rt_jwt_rs256(const char *alg, const char *claims_json, EVP_PKEY *k)
{
    char head[128];
    unsigned char sig[1024];
    size_t sig_len = sizeof(sig);
    snprintf(head, sizeof(head), "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
    char *part = rt_jwt_unsigned(head, claims_json);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k), 1);
    assert_int_equal(EVP_DigestSign(md, sig, &sig_len, (unsigned char *) part, strlen(part)), 1);
    EVP_MD_CTX_free(md);
    return rt_jwt_append_sig(part, sig, sig_len);
}

/* A JWT with header {"alg":alg,"typ":"JWT"} "signed" HMAC-SHA256 with
 * secret[0..len) (malloc'ed). */
static inline char *rt_jwt_hs256(const char *alg, const char *claims_json,
                                 const unsigned char *secret, size_t len)
{
    char head[128];
    unsigned char mac[32];
    unsigned int mac_len = 0;
    snprintf(head, sizeof(head), "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
    char *part = rt_jwt_unsigned(head, claims_json);
    assert_non_null(HMAC(EVP_sha256(), secret, (int) len, (unsigned char *) part, strlen(part),
                         mac, &mac_len));
    return rt_jwt_append_sig(part, mac, mac_len);
}

#endif
