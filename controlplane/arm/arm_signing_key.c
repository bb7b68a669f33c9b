/*
 * arm_signing_key.c — the v3 token signing key (see arm_signing_key.h):
 * PEM file I/O, RSA generation, RS256 signing and the JWK, with OpenSSL 3.
 */
#include "arm/arm_signing_key.h"
#include "util/text_codec.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARM_KEY_FILE "arm-token.pem"
#define ARM_KEY_BITS 2048

struct arm_signing_key {
    EVP_PKEY *pkey;
    char      kid[32];
    json_t   *verifiers;
};

static EVP_PKEY *load_key(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;

    if (f != NULL) {
        fclose(f);
    }
    return k;
}

static EVP_PKEY *create_key(const char *path, char *err, size_t errlen)
{
    EVP_PKEY *k = EVP_RSA_gen(ARM_KEY_BITS);
    int fd;
    FILE *f;

    if (k == NULL) {
        snprintf(err, errlen, "cannot generate an RSA key");
        return NULL;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL || PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) != 1
        || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        EVP_PKEY_free(k);
        k = NULL;
    }
    if (f != NULL) {
        fclose(f);
    } else if (fd >= 0) {
        close(fd);
    }
    return k;
}

static int describe_public(arm_signing_key_t *k)
{
    unsigned char *der = NULL, digest[SHA256_DIGEST_LENGTH];
    int len = i2d_PublicKey(k->pkey, &der);
    char *b64, *kid;

    if (len <= 0) {
        return -1;
    }
    SHA256(der, (size_t) len, digest);
    b64 = base64_encode_alloc(der, (size_t) len);
    kid = base64url_encode_alloc(digest, 16);
    OPENSSL_free(der);
    if (b64 == NULL || kid == NULL) {
        free(b64);
        free(kid);
        return -1;
    }
    snprintf(k->kid, sizeof(k->kid), "%s", kid);
    k->verifiers = json_pack("[s]", b64);
    free(b64);
    free(kid);
    return k->verifiers != NULL ? 0 : -1;
}

arm_signing_key_t *arm_signing_key_load_or_create(const char *keys_dir, char *err, size_t errlen)
{
    char path[1100];
    arm_signing_key_t *k = calloc(1, sizeof(*k));

    if (k == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/%s", keys_dir, ARM_KEY_FILE);
    k->pkey = access(path, F_OK) == 0 ? load_key(path) : create_key(path, err, errlen);
    if (k->pkey == NULL && access(path, F_OK) == 0) {
        snprintf(err, errlen, "%s: not a PEM private key", path);
    } else if (k->pkey != NULL && EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_RSA) {
        snprintf(err, errlen, "%s: not an RSA key", path);
    } else if (k->pkey != NULL && describe_public(k) != 0) {
        snprintf(err, errlen, "%s: cannot encode the public key", path);
    } else if (k->pkey != NULL) {
        ERR_clear_error();
        return k;
    }
    ERR_clear_error();
    arm_signing_key_free(k);
    return NULL;
}

void arm_signing_key_free(arm_signing_key_t *k)
{
    if (k == NULL) {
        return;
    }
    EVP_PKEY_free(k->pkey);
    json_decref(k->verifiers);
    free(k);
}

const char *arm_signing_key_id(const arm_signing_key_t *k)
{
    return k->kid;
}

const json_t *arm_signing_key_verifiers(const arm_signing_key_t *k)
{
    return k->verifiers;
}

char *arm_signing_key_sign(const arm_signing_key_t *k, const char *data, size_t len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char sig[512];
    size_t sig_len = sizeof(sig);
    char *out = NULL;

    if (md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->pkey) == 1
        && EVP_DigestSign(md, sig, &sig_len, (const unsigned char *) data, len) == 1) {
        out = base64url_encode_alloc(sig, sig_len);
    }
    EVP_MD_CTX_free(md);
    ERR_clear_error();
    return out;
}

static char *bn_param_b64url(const EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = NULL;
    unsigned char buf[1024];
    char *out = NULL;
    int n;

    if (EVP_PKEY_get_bn_param(pkey, name, &bn) == 1 && (n = BN_num_bytes(bn)) > 0
        && (size_t) n <= sizeof(buf)) {
        BN_bn2bin(bn, buf);
        out = base64url_encode_alloc(buf, (size_t) n);
    }
    BN_free(bn);
    return out;
}

json_t *arm_signing_key_jwk(const arm_signing_key_t *k)
{
    char *n = bn_param_b64url(k->pkey, OSSL_PKEY_PARAM_RSA_N);
    char *e = bn_param_b64url(k->pkey, OSSL_PKEY_PARAM_RSA_E);
    json_t *jwk = NULL;

    if (n != NULL && e != NULL) {
        jwk = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kty", "RSA", "use", "sig", "alg", "RS256",
                        "kid", k->kid, "n", n, "e", e);
    }
    free(n);
    free(e);
    ERR_clear_error();
    return jwk;
}
