/*
 * test_storage_cipher.c — AMS storage encryption (core/crypto/mp_storage_cipher.c):
 * the counter block layout (IV and block number big-endian), a known keystream (computed with
 * python3-cryptography's AES-256-ECB over the SDK's counter blocks), the
 * cipher against AES-256-ECB of hand-built counter blocks, random access
 * (any offset/length decrypts alone to the same bytes) and the decrypting
 * source over a memory source, read and readv.
 */
#include "unit_helpers.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "crypto/mp_storage_cipher.h"

#define BODY 4099

static mp_storage_key_t test_key(void)
{
    mp_storage_key_t k;
    for (int i = 0; i < 32; i++) {
        k.key[i] = (uint8_t) i;
    }
    k.iv = 12345678901234567890ULL;
    return k;
}

static void test_counter_layout(void **state)
{
    (void) state;
    uint8_t c[16];
    static const uint8_t want[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0x11, 0x22 };
    mp_storage_counter(0x0102030405060708ULL, 0x1122, c);
    assert_memory_equal(c, want, 16);
}

static void unhex(const char *h, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned b;
        sscanf(h + 2 * i, "%2x", &b);
        out[i] = (uint8_t) b;
    }
}

/* Keystream bytes from python3-cryptography (AES-256-ECB of
 * BE64(iv) || BE64(block)), key 00..1f, iv 12345678901234567890. */
static void test_known_keystream(void **state)
{
    (void) state;
    mp_storage_key_t k = test_key();
    uint8_t want[40], buf[40] = { 0 };
    unhex("bc12ae50ada8a28c2625fd9a3bc6c0e062dd119be399dfbe968836287626bad3aff7a8f5af0a4de9",
          want, 40);
    assert_int_equal(mp_storage_xor(&k, 0, buf, 40), MP_OK);
    assert_memory_equal(buf, want, 40);
    /* block 0xffffffff: the block number is a full 64-bit counter */
    unhex("574e5a8f4275750c31a6d7ba76a260581909294f", want, 20);
    memset(buf, 0, sizeof(buf));
    assert_int_equal(mp_storage_xor(&k, 0xffffffffULL * 16, buf, 20), MP_OK);
    assert_memory_equal(buf, want, 20);
}

/* Reference: ECB of counter blocks built byte by byte here, XORed. */
static void reference_encrypt(const mp_storage_key_t *k, const uint8_t *in, uint8_t *out, size_t n)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    assert_non_null(ctx);
    assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_256_ecb(), NULL, k->key, NULL), 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    for (size_t block = 0; block * 16 < n; block++) {
        uint8_t ctr[16], ks[16];
        int len = 0;
        for (int i = 0; i < 8; i++) {
            ctr[i] = (uint8_t) (k->iv >> (56 - 8 * i));
            ctr[8 + i] = (uint8_t) ((uint64_t) block >> (56 - 8 * i));
        }
        assert_int_equal(EVP_EncryptUpdate(ctx, ks, &len, ctr, 16), 1);
        for (size_t i = 0; i < 16 && block * 16 + i < n; i++) {
            out[block * 16 + i] = in[block * 16 + i] ^ ks[i];
        }
    }
    EVP_CIPHER_CTX_free(ctx);
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t) (i * 31 + (i >> 8));
    }
}

static void test_against_ecb_reference(void **state)
{
    (void) state;
    mp_storage_key_t k = test_key();
    static uint8_t clear[BODY], ref[BODY], ours[BODY];
    fill(clear, BODY);
    reference_encrypt(&k, clear, ref, BODY);
    memcpy(ours, clear, BODY);
    assert_int_equal(mp_storage_xor(&k, 0, ours, BODY), MP_OK);
    assert_memory_equal(ours, ref, BODY);
    assert_int_equal(mp_storage_xor(&k, 0, ours, BODY), MP_OK);   /* its own inverse */
    assert_memory_equal(ours, clear, BODY);
}

/* Any slice of the ciphertext decrypts alone, from its offset. */
static void test_random_access(void **state)
{
    (void) state;
    mp_storage_key_t k = test_key();
    static uint8_t clear[BODY], enc[BODY], piece[BODY];
    fill(clear, BODY);
    reference_encrypt(&k, clear, enc, BODY);
    srand(7);
    for (int t = 0; t < 3000; t++) {
        size_t off = (size_t) rand() % BODY;
        size_t len = (size_t) rand() % (BODY - off + 1);
        memcpy(piece, enc + off, len);
        assert_int_equal(mp_storage_xor(&k, off, piece, len), MP_OK);
        assert_memory_equal(piece, clear + off, len);
    }
}

/* ---- the decrypting source over memory ---- */

typedef struct {
    mp_source_t src;
    const uint8_t *data;
    size_t size;
} mem_source_t;

static int mem_read(mp_source_t *s, void *buf, size_t len, uint64_t offset)
{
    mem_source_t *m = (mem_source_t *) s;
    if (offset > m->size || len > m->size - offset) {
        return MP_ERR_IO;
    }
    if (s->nowait) {
        return MP_ERR_AGAIN;
    }
    memcpy(buf, m->data + offset, len);
    return MP_OK;
}

static void test_source(void **state)
{
    (void) state;
    mp_storage_key_t k = test_key();
    static uint8_t clear[BODY], enc[BODY], a[100], b[333], c[17];
    mem_source_t mem = { { .read = mem_read }, enc, BODY };
    mp_storage_source_t s;
    struct iovec iov[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };

    fill(clear, BODY);
    reference_encrypt(&k, clear, enc, BODY);
    mem.src.ctx = &mem;
    mp_storage_source_init(&s, &mem.src, &k);
    assert_null(s.src.view);
    assert_int_equal(s.src.read(&s.src, a, sizeof(a), 1001), MP_OK);
    assert_memory_equal(a, clear + 1001, sizeof(a));
    assert_int_equal(s.src.readv(&s.src, iov, 3, 7), MP_OK);   /* inner without readv */
    assert_memory_equal(a, clear + 7, sizeof(a));
    assert_memory_equal(b, clear + 107, sizeof(b));
    assert_memory_equal(c, clear + 440, sizeof(c));
    assert_int_equal(s.src.read(&s.src, a, sizeof(a), BODY - 10), MP_ERR_IO);
    s.src.nowait = 1;                                            /* passed down */
    assert_int_equal(s.src.read(&s.src, a, 10, 0), MP_ERR_AGAIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_layout),
        cmocka_unit_test(test_known_keystream),
        cmocka_unit_test(test_against_ecb_reference),
        cmocka_unit_test(test_random_access),
        cmocka_unit_test(test_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
