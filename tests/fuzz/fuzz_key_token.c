/*
 * fuzz_key_token.c — key_token_verify, which the key service runs on every
 * token a client sends, on arbitrary tokens against a JWT template with a
 * symmetric key, a JWT template with an RSA key (RS256; the key is made at
 * start, never stored) and an SWT template.  It must never crash or read
 * past the token, and must never accept: the fuzzer can forge neither an
 * HMAC-SHA256 under the templates' key nor an RSA signature.
 */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token/key_token.h"
#include "fuzz_check.h"

#define SYM "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\""
#define KID_CLAIM "\"claims\":[{\"type\":\"urn:microsoft:azure:mediaservices:contentkeyidentifier\"," \
                  "\"value\":null}]"

static char templates[4096];

/* The three templates, the RSA one with a public key made now. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    EVP_PKEY *key = EVP_RSA_gen(2048);
    unsigned char *der = NULL;
    char pub[1024];
    int len = key ? i2d_PublicKey(key, &der) : -1;
    FUZZ_CHECK(len > 0 && (size_t) len / 3 * 4 + 4 < sizeof(pub));
    EVP_EncodeBlock((unsigned char *) pub, der, len);
    OPENSSL_free(der);
    EVP_PKEY_free(key);
    snprintf(templates, sizeof(templates),
             "[{\"issuer\":\"http://issuer/\",\"audience\":\"urn:test\",\"type\":\"JWT\","
             "\"keys\":[" SYM "]," KID_CLAIM "},"
             "{\"issuer\":\"http://issuer/\",\"audience\":\"urn:test\",\"type\":\"JWT\","
             "\"keys\":[],\"rsa_keys\":[\"%s\"]," KID_CLAIM "},"
             "{\"issuer\":\"http://issuer/\",\"audience\":\"urn:test\",\"type\":\"SWT\","
             "\"keys\":[" SYM "],\"claims\":[]}]", pub);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char reason[160];
    char *token = malloc(size ? size : 1);
    memcpy(token, data, size);
    FUZZ_CHECK(key_token_verify(templates, token, size, "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                                1700000000, reason, sizeof(reason)) != 0);
    FUZZ_CHECK(strlen(reason) < sizeof(reason));
    free(token);
    return 0;
}
