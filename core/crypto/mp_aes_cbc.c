/*
 * mp_aes_cbc.c — the AES-128-CBC producer (mp_aes_cbc.h) on OpenSSL's EVP:
 * the inner producer writes into the caller's buffer after the bytes of an
 * incomplete block carried from the previous call, whole blocks are
 * encrypted in place, the rest is carried; at the inner end the last block
 * is padded.  An inner MP_ERR_AGAIN passes through with the whole blocks
 * encrypted so far.
 */
#include "mp_aes_cbc.h"

#include <openssl/evp.h>
#include <stdlib.h>

typedef struct {
    mp_producer_t producer;   /* first */
    mp_producer_t *inner;
    EVP_CIPHER_CTX *evp;
    uint8_t carry[16];
    size_t carry_len;
    int done;
} mp_aes_cbc_t;

void mp_aes_cbc_sequence_iv(uint64_t sequence, uint8_t iv[16])
{
    memset(iv, 0, 8);
    for (int i = 0; i < 8; i++) {
        iv[15 - i] = (uint8_t) (sequence >> (8 * i));
    }
}

/* Encrypt len bytes at p in place (the cipher holds nothing back: len is a
 * multiple of 16, or final pads what is left). */
static int mp_aes_cbc_update(mp_aes_cbc_t *a, uint8_t *p, size_t len, int final, size_t *out)
{
    int n = 0, m = 0;
    if (len > 0 && EVP_EncryptUpdate(a->evp, p, &n, p, (int) len) != 1) {
        return MP_ERR_NO_MEMORY;
    }
    if (final && EVP_EncryptFinal_ex(a->evp, p + n, &m) != 1) {
        return MP_ERR_NO_MEMORY;
    }
    *out = (size_t) n + (size_t) m;
    return MP_OK;
}

static int mp_aes_cbc_read(mp_producer_t *pr, uint8_t *out, size_t cap, size_t *written,
                           int *done)
{
    mp_aes_cbc_t *a = (mp_aes_cbc_t *) pr;
    size_t got = 0;
    int inner_done = 0;
    *written = 0;
    *done = a->done;
    if (a->done) {
        return MP_OK;
    }
    if (cap < 48) {                    /* room for a carried part, a block and padding */
        return MP_ERR_BAD_REQUEST;
    }
    memcpy(out, a->carry, a->carry_len);
    /* room for the carry, and for the padding block at the end */
    size_t room = (cap - a->carry_len - 16) & ~(size_t) 15;
    int rc = mp_producer_read(a->inner, out + a->carry_len, room, &got, &inner_done);
    if (rc != MP_OK && rc != MP_ERR_AGAIN) {
        return rc;
    }
    size_t have = a->carry_len + got;
    size_t whole = inner_done ? have : have & ~(size_t) 15;
    size_t enc = 0;
    int erc = mp_aes_cbc_update(a, out, whole, inner_done, &enc);
    if (erc != MP_OK) {
        return erc;
    }
    a->carry_len = have - whole;
    memcpy(a->carry, out + whole, a->carry_len);
    a->done = inner_done;
    *written = enc;
    *done = inner_done;
    return rc;
}

static void mp_aes_cbc_close(mp_producer_t *pr)
{
    mp_aes_cbc_t *a = (mp_aes_cbc_t *) pr;
    mp_producer_close(a->inner);
    EVP_CIPHER_CTX_free(a->evp);
    OPENSSL_cleanse(a, sizeof(*a));
    free(a);
}

int mp_aes_cbc_open(mp_producer_t *inner, uint64_t inner_size, const uint8_t key[16],
                    const uint8_t iv[16], mp_producer_t **out, uint64_t *size)
{
    mp_aes_cbc_t *a = calloc(1, sizeof(*a));
    if (a != NULL) {
        a->evp = EVP_CIPHER_CTX_new();
    }
    if (a == NULL || a->evp == NULL
        || EVP_EncryptInit_ex(a->evp, EVP_aes_128_cbc(), NULL, key, iv) != 1) {
        if (a != NULL) {
            EVP_CIPHER_CTX_free(a->evp);
            free(a);
        }
        mp_producer_close(inner);
        return MP_ERR_NO_MEMORY;
    }
    a->producer.read = mp_aes_cbc_read;
    a->producer.close = mp_aes_cbc_close;
    a->inner = inner;
    *out = &a->producer;
    *size = mp_aes_cbc_size(inner_size);
    return MP_OK;
}
