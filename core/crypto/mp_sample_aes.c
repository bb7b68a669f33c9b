/*
 * mp_sample_aes.c — SAMPLE-AES of H.264 and AAC samples (mp_sample_aes.h)
 * on OpenSSL's EVP AES-128-CBC without padding.
 */
#include "mp_sample_aes.h"

#include <openssl/evp.h>
#include <stdlib.h>

#define SAMPLE_AES_NAL_LEAD 32
#define SAMPLE_AES_NAL_MIN 48
#define SAMPLE_AES_PATTERN 160        /* one block encrypted, nine clear */

struct mp_sample_aes_s {
    EVP_CIPHER_CTX *evp;
    uint8_t iv[16];
    uint8_t *scratch;                 /* one NAL unit being encrypted */
    size_t scratch_cap;
};

mp_sample_aes_t *mp_sample_aes_new(const uint8_t key[16], const uint8_t iv[16])
{
    mp_sample_aes_t *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->evp = EVP_CIPHER_CTX_new()) == NULL
        || EVP_EncryptInit_ex(c->evp, EVP_aes_128_cbc(), NULL, key, iv) != 1
        || EVP_CIPHER_CTX_set_padding(c->evp, 0) != 1) {
        mp_sample_aes_free(c);
        return NULL;
    }
    memcpy(c->iv, iv, 16);
    return c;
}

void mp_sample_aes_free(mp_sample_aes_t *c)
{
    if (c != NULL) {
        EVP_CIPHER_CTX_free(c->evp);
        free(c->scratch);
        free(c);
    }
}

static int mp_sample_aes_block(mp_sample_aes_t *c, uint8_t *p)
{
    int n = 0;
    return EVP_EncryptUpdate(c->evp, p, &n, p, 16) == 1 ? MP_OK : MP_ERR_NO_MEMORY;
}

static int mp_sample_aes_restart(mp_sample_aes_t *c)
{
    return EVP_EncryptInit_ex(c->evp, NULL, NULL, NULL, c->iv) == 1 ? MP_OK : MP_ERR_NO_MEMORY;
}

/* Encrypt a slice NAL unit in place: blocks at 32, 192, 352, ... each
 * ending before the unit's last byte. */
static int mp_sample_aes_nal(mp_sample_aes_t *c, uint8_t *nal, size_t len)
{
    int rc = mp_sample_aes_restart(c);
    for (size_t pos = SAMPLE_AES_NAL_LEAD; rc == MP_OK && pos + 16 < len;
         pos += SAMPLE_AES_PATTERN) {
        rc = mp_sample_aes_block(c, nal + pos);
    }
    return rc;
}

/* Copy nal to out with emulation prevention (0x03 after two zero bytes
 * before a byte <= 3); returns the bytes written. */
static size_t mp_sample_aes_escape(const uint8_t *nal, size_t len, uint8_t *out)
{
    size_t n = 0;
    int zeros = 0;
    for (size_t i = 0; i < len; i++) {
        if (zeros >= 2 && nal[i] <= 3) {
            out[n++] = 3;
            zeros = 0;
        }
        out[n++] = nal[i];
        zeros = nal[i] == 0 ? zeros + 1 : 0;
    }
    return n;
}

static void mp_sample_aes_put_len(uint8_t *p, unsigned len_size, size_t v)
{
    for (unsigned i = 0; i < len_size; i++) {
        p[i] = (uint8_t) (v >> (8 * (len_size - 1 - i)));
    }
}

static int mp_sample_aes_scratch(mp_sample_aes_t *c, size_t len)
{
    if (len <= c->scratch_cap) {
        return MP_OK;
    }
    uint8_t *p = realloc(c->scratch, len);
    if (p == NULL) {
        return MP_ERR_NO_MEMORY;
    }
    c->scratch = p;
    c->scratch_cap = len;
    return MP_OK;
}

int mp_sample_aes_video(mp_sample_aes_t *c, const uint8_t *in, size_t size, unsigned len_size,
                        uint8_t *out, size_t *out_len)
{
    size_t pos = 0, n = 0;
    if (len_size < 1 || len_size > 4) {
        return MP_ERR_BAD_MEDIA;
    }
    while (pos < size) {
        uint64_t len = 0;
        if (size - pos < len_size) {
            return MP_ERR_BAD_MEDIA;
        }
        for (unsigned i = 0; i < len_size; i++) {
            len = len << 8 | in[pos + i];
        }
        pos += len_size;
        if (len > size - pos) {
            return MP_ERR_BAD_MEDIA;
        }
        unsigned type = len > 0 ? in[pos] & 0x1f : 0;
        size_t w;
        if (len > SAMPLE_AES_NAL_MIN && (type == 1 || type == 5)) {
            int rc = mp_sample_aes_scratch(c, len);
            if (rc != MP_OK) {
                return rc;
            }
            memcpy(c->scratch, in + pos, len);
            rc = mp_sample_aes_nal(c, c->scratch, len);
            if (rc != MP_OK) {
                return rc;
            }
            w = mp_sample_aes_escape(c->scratch, len, out + n + len_size);
        } else {
            memcpy(out + n + len_size, in + pos, len);
            w = len;
        }
        if (len_size < 4 && w >> (8 * len_size) != 0) {
            return MP_ERR_BAD_MEDIA;
        }
        mp_sample_aes_put_len(out + n, len_size, w);
        n += len_size + w;
        pos += len;
    }
    *out_len = n;
    return MP_OK;
}

int mp_sample_aes_audio(mp_sample_aes_t *c, uint8_t *frame, size_t size)
{
    if (size <= 16) {
        return MP_OK;
    }
    int rc = mp_sample_aes_restart(c);
    size_t whole = (size - 16) & ~(size_t) 15;
    int n = 0;
    if (rc == MP_OK && whole > 0 && EVP_EncryptUpdate(c->evp, frame + 16, &n, frame + 16,
                                                      (int) whole) != 1) {
        rc = MP_ERR_NO_MEMORY;
    }
    return rc;
}
