/*
 * swt.c — signing and verifying Simple Web Tokens (see swt.h).  Signatures
 * are compared in constant time; claims are read with the form parser.
 */
#include "auth/swt.h"
#include "util/text_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define SIG_FIELD "&HMACSHA256="

static int hmac(const uint8_t *key, size_t key_len, const char *text, size_t len, uint8_t out[32])
{
    unsigned int n = 0;
    return HMAC(EVP_sha256(), key, (int) key_len, (const uint8_t *) text, len, out, &n) != NULL
           && n == 32 ? 0 : -1;
}

char *swt_sign(const uint8_t *key, size_t key_len, const char *claims)
{
    uint8_t mac[32];
    char b64[64], enc[128];
    size_t n = strlen(claims), total;
    char *token;

    if (hmac(key, key_len, claims, n, mac) != 0 || base64_encode(mac, 32, b64, sizeof(b64)) < 0
        || url_encode(b64, strlen(b64), enc, sizeof(enc)) < 0) {
        return NULL;
    }
    total = n + strlen(SIG_FIELD) + strlen(enc) + 1;
    token = malloc(total);
    if (token != NULL) {
        snprintf(token, total, "%s%s%s", claims, SIG_FIELD, enc);
    }
    return token;
}

static int take_claim(const char *k, const char *v, void *arg)
{
    swt_claims_t *c = arg;

    if (strcmp(k, "Issuer") == 0) {
        snprintf(c->issuer, sizeof(c->issuer), "%s", v);
    } else if (strcmp(k, "Audience") == 0) {
        snprintf(c->audience, sizeof(c->audience), "%s", v);
    } else if (strcmp(k, "ExpiresOn") == 0) {
        char *end;
        c->expires_on = strtoll(v, &end, 10);
        if (*end != '\0') {
            return -1;
        }
    } else if (strcmp(k, "client_id") == 0) {
        snprintf(c->subject, sizeof(c->subject), "%s", v);
    }
    return 0;
}

swt_result_t swt_verify(const uint8_t *key, size_t key_len, const char *token, int64_t now,
                        swt_claims_t *claims)
{
    const char *sig;
    char b64[128];
    uint8_t want[32], got[48];
    size_t len;

    memset(claims, 0, sizeof(*claims));
    if (token == NULL || (len = strlen(token)) > SWT_MAX_LEN
        || (sig = strstr(token, SIG_FIELD)) == NULL) {
        return SWT_MALFORMED;
    }
    if (strlen(sig + strlen(SIG_FIELD)) >= sizeof(b64)) {
        return SWT_MALFORMED;
    }
    strcpy(b64, sig + strlen(SIG_FIELD));
    if (url_decode_inplace(b64, 0) < 0 || base64_decode(b64, strlen(b64), got, sizeof(got)) != 32) {
        return SWT_MALFORMED;
    }
    if (hmac(key, key_len, token, (size_t) (sig - token), want) != 0
        || CRYPTO_memcmp(want, got, 32) != 0) {
        return SWT_BAD_SIGNATURE;
    }
    if (form_each(token, (size_t) (sig - token), take_claim, claims) != 0) {
        return SWT_MALFORMED;
    }
    if (claims->expires_on <= now) {
        return SWT_EXPIRED;
    }
    return SWT_OK;
}
