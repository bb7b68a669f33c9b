/*
 * mp_cenc.c — common encryption of one sample (mp_cenc.h): the NAL walk
 * that decides which bytes stay clear, and the two ciphers on OpenSSL's
 * EVP (the key schedule is set once per cipher; each sample only resets
 * the IV).
 */
#include "mp_cenc.h"

#include <openssl/evp.h>
#include <stdlib.h>

struct mp_cenc_cipher_s {
    mp_cenc_scheme_t scheme;
    unsigned crypt, skip;     /* cbcs pattern, in 16-byte blocks */
    EVP_CIPHER_CTX *evp;
};

/* Append (clear, protected), splitting a clear run that does not fit 16 bits. */
static int mp_cenc_emit(mp_subsample_t *out, uint32_t max, uint32_t *n, uint64_t clear,
                        uint32_t prot)
{
    while (clear > 0xffff) {
        if (*n >= max) {
            return MP_ERR_BAD_MEDIA;
        }
        out[(*n)++] = (mp_subsample_t) { 0xffff, 0 };
        clear -= 0xffff;
    }
    if (*n >= max) {
        return MP_ERR_BAD_MEDIA;
    }
    out[(*n)++] = (mp_subsample_t) { (uint16_t) clear, prot };
    return MP_OK;
}

static int mp_cenc_is_vcl(uint8_t header, int hevc)
{
    if (hevc) {
        return ((header >> 1) & 0x3f) < 32;
    }
    unsigned type = header & 0x1f;
    return type >= 1 && type <= 5;
}

static uint32_t mp_cenc_nal_length(const uint8_t *p, unsigned len_size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < len_size; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

int mp_cenc_video_subsamples(const uint8_t *s, size_t size, unsigned len_size, int hevc,
                             mp_cenc_scheme_t scheme, mp_subsample_t *out, uint32_t max,
                             uint32_t *count)
{
    uint64_t clear = 0;
    size_t pos = 0;
    *count = 0;
    if (len_size < 1 || len_size > 4) {
        return MP_ERR_BAD_MEDIA;
    }
    while (pos < size) {
        if (size - pos < len_size) {
            return MP_ERR_BAD_MEDIA;
        }
        uint32_t nal = mp_cenc_nal_length(s + pos, len_size);
        pos += len_size;
        if (nal > size - pos) {
            return MP_ERR_BAD_MEDIA;
        }
        if (nal >= MP_CENC_VCL_CLEAR_LEAD + 16 && mp_cenc_is_vcl(s[pos], hevc)) {
            uint32_t lead = MP_CENC_VCL_CLEAR_LEAD, prot = nal - lead;
            if (scheme == MP_CENC_CTR) {
                lead += prot % 16;          /* whole blocks only */
                prot -= prot % 16;
            }
            if (mp_cenc_emit(out, max, count, clear + len_size + lead, prot) != MP_OK) {
                return MP_ERR_BAD_MEDIA;
            }
            clear = 0;
        } else {
            clear += len_size + (uint64_t) nal;
        }
        pos += nal;
    }
    if (clear > 0 || *count == 0) {
        return mp_cenc_emit(out, max, count, clear, 0);
    }
    return MP_OK;
}

mp_cenc_cipher_t *mp_cenc_cipher_new(mp_cenc_scheme_t scheme, const uint8_t key[16],
                                     unsigned crypt, unsigned skip)
{
    mp_cenc_cipher_t *c = calloc(1, sizeof(*c));
    const EVP_CIPHER *cipher = scheme == MP_CENC_CTR ? EVP_aes_128_ctr() : EVP_aes_128_cbc();
    if (c == NULL || (c->evp = EVP_CIPHER_CTX_new()) == NULL
        || EVP_EncryptInit_ex(c->evp, cipher, NULL, key, NULL) != 1
        || EVP_CIPHER_CTX_set_padding(c->evp, 0) != 1) {
        mp_cenc_cipher_free(c);
        return NULL;
    }
    c->scheme = scheme;
    c->crypt = crypt ? crypt : 1;
    c->skip = skip;
    return c;
}

void mp_cenc_cipher_free(mp_cenc_cipher_t *c)
{
    if (c != NULL) {
        EVP_CIPHER_CTX_free(c->evp);
        free(c);
    }
}

static int mp_cenc_update(mp_cenc_cipher_t *c, uint8_t *p, size_t len)
{
    int out = 0;
    while (len > 0) {                 /* EVP takes int lengths */
        int part = len > (1u << 30) ? 1 << 30 : (int) len;
        if (EVP_EncryptUpdate(c->evp, p, &out, p, part) != 1) {
            return MP_ERR_NO_MEMORY;
        }
        p += part;
        len -= (size_t) part;
    }
    return MP_OK;
}

/* One cbcs protected range: CBC from the constant IV over the pattern's
 * encrypted blocks; skipped blocks and a partial tail stay clear. */
static int mp_cenc_cbcs_range(mp_cenc_cipher_t *c, const uint8_t iv[16], uint8_t *p, size_t len)
{
    if (EVP_EncryptInit_ex(c->evp, NULL, NULL, NULL, iv) != 1) {
        return MP_ERR_NO_MEMORY;
    }
    if (c->skip == 0) {
        return mp_cenc_update(c, p, len & ~(size_t) 15);
    }
    size_t crypt = 16 * (size_t) c->crypt, skip = 16 * (size_t) c->skip;
    while (len >= 16) {
        size_t take = len >= crypt ? crypt : len & ~(size_t) 15;
        if (mp_cenc_update(c, p, take) != MP_OK) {
            return MP_ERR_NO_MEMORY;
        }
        p += take;
        len -= take;
        size_t hop = len < skip ? len : skip;
        p += hop;
        len -= hop;
    }
    return MP_OK;
}

int mp_cenc_encrypt_sample(mp_cenc_cipher_t *c, const uint8_t iv[16], const mp_subsample_t *subs,
                           uint32_t n, uint8_t *sample, size_t size)
{
    mp_subsample_t whole = { 0, (uint32_t) size };
    size_t pos = 0;
    if (n == 0) {
        subs = &whole;
        n = 1;
    }
    if (c->scheme == MP_CENC_CTR && EVP_EncryptInit_ex(c->evp, NULL, NULL, NULL, iv) != 1) {
        return MP_ERR_NO_MEMORY;
    }
    for (uint32_t i = 0; i < n; i++) {
        if ((uint64_t) subs[i].clear + subs[i].protected_bytes > size - pos) {
            return MP_ERR_BAD_MEDIA;
        }
        pos += subs[i].clear;
        int rc = c->scheme == MP_CENC_CTR
                 ? mp_cenc_update(c, sample + pos, subs[i].protected_bytes)
                 : mp_cenc_cbcs_range(c, iv, sample + pos, subs[i].protected_bytes);
        if (rc != MP_OK) {
            return rc;
        }
        pos += subs[i].protected_bytes;
    }
    return MP_OK;
}

int mp_cenc_derive_iv(const uint8_t key[16], const uint8_t kid[16], uint8_t iv[16])
{
    EVP_CIPHER_CTX *evp = EVP_CIPHER_CTX_new();
    int n = 0, ok = evp != NULL && EVP_EncryptInit_ex(evp, EVP_aes_128_ecb(), NULL, key, NULL) == 1
                    && EVP_CIPHER_CTX_set_padding(evp, 0) == 1
                    && EVP_EncryptUpdate(evp, iv, &n, kid, 16) == 1 && n == 16;
    EVP_CIPHER_CTX_free(evp);
    return ok ? MP_OK : MP_ERR_NO_MEMORY;
}
