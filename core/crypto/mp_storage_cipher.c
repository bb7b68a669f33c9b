/*
 * mp_storage_cipher.c — AES-256-CTR of AMS storage encryption (see the
 * header): the counter layout, in-place crypt at any
 * file offset with OpenSSL's EVP (which carries the 128-bit counter across
 * blocks exactly as the SDK's per-block construction: the block number
 * never reaches 2^64), and the decrypting source.
 */
#include "mp_storage_cipher.h"

#include <openssl/evp.h>
#include <sys/uio.h>

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t) v;
        v >>= 8;
    }
}

void mp_storage_counter(uint64_t iv, uint64_t block, uint8_t out[16])
{
    put_be64(out, iv);
    put_be64(out + 8, block);
}

/* Bytes per EVP call (its lengths are int). */
#define MP_STORAGE_CHUNK (1u << 30)

int mp_storage_xor(const mp_storage_key_t *k, uint64_t offset, uint8_t *buf, size_t len)
{
    static const uint8_t zeros[16];
    uint8_t counter[16], skip[16];
    EVP_CIPHER_CTX *ctx;
    int ok, n = 0;

    if (len == 0) {
        return MP_OK;
    }
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return MP_ERR_NO_MEMORY;
    }
    mp_storage_counter(k->iv, offset / 16, counter);
    ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, k->key, counter) == 1;
    if (ok && offset % 16 != 0) {               /* step into the first block */
        ok = EVP_EncryptUpdate(ctx, skip, &n, zeros, (int) (offset % 16)) == 1;
    }
    while (ok && len > 0) {
        size_t take = len < MP_STORAGE_CHUNK ? len : MP_STORAGE_CHUNK;
        ok = EVP_EncryptUpdate(ctx, buf, &n, buf, (int) take) == 1 && (size_t) n == take;
        buf += take;
        len -= take;
    }
    EVP_CIPHER_CTX_free(ctx);
    return ok ? MP_OK : MP_ERR_NO_MEMORY;
}

static int mp_storage_source_read(mp_source_t *src, void *buf, size_t len, uint64_t offset)
{
    mp_storage_source_t *s = (mp_storage_source_t *) src;
    int rc;

    s->inner->nowait = src->nowait;
    rc = s->inner->read(s->inner, buf, len, offset);
    return rc != MP_OK ? rc : mp_storage_xor(s->key, offset, buf, len);
}

static int mp_storage_source_readv(mp_source_t *src, const struct iovec *iov, int count,
                                   uint64_t offset)
{
    mp_storage_source_t *s = (mp_storage_source_t *) src;
    int rc = MP_OK;

    s->inner->nowait = src->nowait;
    if (s->inner->readv != NULL) {
        rc = s->inner->readv(s->inner, iov, count, offset);
        for (int i = 0; rc == MP_OK && i < count; i++) {
            rc = mp_storage_xor(s->key, offset, iov[i].iov_base, iov[i].iov_len);
            offset += iov[i].iov_len;
        }
        return rc;
    }
    for (int i = 0; rc == MP_OK && i < count; i++) {
        rc = mp_storage_source_read(src, iov[i].iov_base, iov[i].iov_len, offset);
        offset += iov[i].iov_len;
    }
    return rc;
}

void mp_storage_source_init(mp_storage_source_t *s, mp_source_t *inner,
                            const mp_storage_key_t *key)
{
    memset(s, 0, sizeof(*s));
    s->src.read = mp_storage_source_read;
    s->src.readv = mp_storage_source_readv;
    s->src.ctx = s;
    s->src.nowait = inner->nowait;
    s->inner = inner;
    s->key = key;
}
