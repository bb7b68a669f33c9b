/*
 * catalog_okey.c — sealing and opening of the origin's content-key records
 * (catalog_okey.h) with OpenSSL's AES-256-GCM; the record header and the key
 * id are the additional authenticated data.
 */
#include "catalog_okey.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#define OKEY_MAGIC "MPK1"
#define OKEY_HEAD  8
#define OKEY_NONCE 12
#define OKEY_TAG   16

/* AES-256-GCM over in (len bytes, then len2 at in2) with aad = header +
 * kid; enc selects the direction; tag is written (enc) or checked (dec). */
static int okey_gcm(int enc, const uint8_t *key, const uint8_t *nonce, const uint8_t *head,
                    const char *kid, const uint8_t *in, size_t len, const uint8_t *in2,
                    size_t len2, uint8_t *out, uint8_t *tag)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int m = 0, n = 0, ok = c != NULL
        && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce, enc) == 1
        && EVP_CipherUpdate(c, NULL, &n, head, OKEY_HEAD) == 1
        && EVP_CipherUpdate(c, NULL, &n, (const uint8_t *) kid, (int) strlen(kid)) == 1
        && EVP_CipherUpdate(c, out, &m, in, (int) len) == 1
        && (len2 == 0 || EVP_CipherUpdate(c, out + m, &n, in2, (int) len2) == 1)
        && (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, OKEY_TAG, tag) == 1)
        && EVP_CipherFinal_ex(c, out + n, &n) == 1
        && (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, OKEY_TAG, tag) == 1);
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

size_t catalog_okey_seal(const uint8_t origin_key[CATALOG_ORIGIN_KEY_LEN], const char *kid,
                         const catalog_okey_t *k, uint8_t *buf, size_t cap)
{
    size_t rest = k->restrictions_len;
    size_t len = OKEY_HEAD + OKEY_NONCE + k->key_len + rest + OKEY_TAG;
    if (k->key_len == 0 || k->key_len > CATALOG_OKEY_MAX_KEY || k->auth > 255
        || rest > CATALOG_OKEY_RESTRICTIONS_MAX || cap < len) {
        return 0;
    }
    memcpy(buf, OKEY_MAGIC, 4);
    buf[4] = (uint8_t) k->key_len;
    buf[5] = (uint8_t) k->auth;
    buf[6] = buf[7] = 0;
    uint8_t *nonce = buf + OKEY_HEAD, *ct = nonce + OKEY_NONCE;
    if (RAND_bytes(nonce, OKEY_NONCE) != 1
        || okey_gcm(1, origin_key, nonce, buf, kid, k->key, k->key_len,
                    (const uint8_t *) k->restrictions, rest, ct, ct + k->key_len + rest)) {
        return 0;
    }
    return len;
}

void catalog_okey_wipe(catalog_okey_t *k)
{
    size_t n = k->restrictions_len <= CATALOG_OKEY_RESTRICTIONS_MAX ? k->restrictions_len
                                                                    : CATALOG_OKEY_RESTRICTIONS_MAX;
    OPENSSL_cleanse(k->key, sizeof(k->key));
    OPENSSL_cleanse(k->restrictions, n + 1);
    k->key_len = k->restrictions_len = 0;
    k->auth = 0;
}

int catalog_okey_open(const uint8_t origin_key[CATALOG_ORIGIN_KEY_LEN], const char *kid,
                      const uint8_t *buf, size_t len, catalog_okey_t *out)
{
    out->key_len = out->restrictions_len = out->auth = 0;
    out->restrictions[0] = '\0';
    if (len < OKEY_HEAD + OKEY_NONCE + OKEY_TAG || memcmp(buf, OKEY_MAGIC, 4) != 0) {
        return -1;
    }
    size_t key_len = buf[4];
    if (key_len == 0 || key_len > CATALOG_OKEY_MAX_KEY
        || len < OKEY_HEAD + OKEY_NONCE + key_len + OKEY_TAG
        || len - (OKEY_HEAD + OKEY_NONCE + key_len + OKEY_TAG) > CATALOG_OKEY_RESTRICTIONS_MAX) {
        return -1;
    }
    size_t body = len - OKEY_HEAD - OKEY_NONCE - OKEY_TAG;
    const uint8_t *nonce = buf + OKEY_HEAD, *ct = nonce + OKEY_NONCE;
    uint8_t tag[OKEY_TAG], plain[CATALOG_OKEY_MAX_KEY + CATALOG_OKEY_RESTRICTIONS_MAX];
    memcpy(tag, ct + body, OKEY_TAG);
    if (okey_gcm(0, origin_key, nonce, buf, kid, ct, body, NULL, 0, plain, tag) != 0) {
        OPENSSL_cleanse(plain, body);
        return -1;
    }
    memcpy(out->key, plain, key_len);
    out->key_len = (uint32_t) key_len;
    out->restrictions_len = (uint32_t) (body - key_len);
    memcpy(out->restrictions, plain + key_len, out->restrictions_len);
    out->restrictions[out->restrictions_len] = '\0';
    out->auth = buf[5];
    OPENSSL_cleanse(plain, body);
    return 0;
}
