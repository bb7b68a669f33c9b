/*
 * test_crypto_producers.c — the producers encryption stacks: the AES-128-CBC
 * whole-body cipher (mp_aes_cbc.c) over an in-memory producer, checked by
 * decrypting with OpenSSL, and the head + file-ranges producer
 * (mp_ranges_producer.c), both fed chunk sizes from 1 byte up and reads
 * that would block (MP_ERR_AGAIN) at every turn.
 */
#include "unit_helpers.h"

#include <openssl/evp.h>
#include <stdlib.h>

#include "crypto/mp_aes_cbc.h"
#include "package/mp_ranges_producer.h"

/* ---- an in-memory producer that answers MP_ERR_AGAIN every other call ---- */

typedef struct {
    mp_producer_t producer;
    const uint8_t *data;
    size_t len, pos;
    int again_every, calls;
    int closed;
} mem_producer_t;

static int mem_read(mp_producer_t *p, uint8_t *out, size_t cap, size_t *written, int *done)
{
    mem_producer_t *m = (mem_producer_t *) p;
    size_t k = m->len - m->pos < cap ? m->len - m->pos : cap;
    int again = m->again_every && ++m->calls % m->again_every == 0;
    if (again) {
        k /= 2;                        /* part of it, then "would block" */
    }
    memcpy(out, m->data + m->pos, k);
    m->pos += k;
    *written = k;
    *done = !again && m->pos == m->len;
    return again ? MP_ERR_AGAIN : MP_OK;
}

static void mem_close(mp_producer_t *p)
{
    ((mem_producer_t *) p)->closed++;
}

static uint8_t *pattern(size_t len, uint32_t seed)
{
    uint8_t *p = malloc(len ? len : 1);
    for (size_t i = 0; i < len; i++) {
        p[i] = (uint8_t) (seed * 131 + i * 7 + (i >> 8));
    }
    return p;
}

/* Read a producer to the end with reads of at most cap bytes. */
static uint8_t *drain(mp_producer_t *p, uint64_t size, size_t cap, int *agains)
{
    uint8_t *out = malloc(size + cap);
    size_t n = 0;
    int done = 0;
    *agains = 0;
    while (!done) {
        size_t w = 0;
        int rc = mp_producer_read(p, out + n, cap, &w, &done);
        assert_true(rc == MP_OK || rc == MP_ERR_AGAIN);
        *agains += rc == MP_ERR_AGAIN;
        assert_true(w <= cap);
        n += w;
        assert_true(n <= size);
    }
    assert_int_equal(n, size);
    return out;
}

static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static uint8_t *decrypt(const uint8_t *in, size_t len, const uint8_t iv[16], size_t *plain_len)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t *out = malloc(len + 16);
    int n = 0, m = 0;
    assert_int_equal(EVP_DecryptInit_ex(c, EVP_aes_128_cbc(), NULL, key, iv), 1);
    assert_int_equal(EVP_DecryptUpdate(c, out, &n, in, (int) len), 1);
    assert_int_equal(EVP_DecryptFinal_ex(c, out + n, &m), 1);   /* padding checks out */
    EVP_CIPHER_CTX_free(c);
    *plain_len = (size_t) (n + m);
    return out;
}

/* Every body length around block boundaries, every read size from tiny to
 * large, with and without blocking reads: decrypts to the input, and the
 * announced size is exact. */
static void test_aes_cbc_roundtrip(void **state)
{
    (void) state;
    static const size_t lens[] = { 0, 1, 15, 16, 17, 31, 32, 188, 1000, 65536, 100003 };
    static const size_t caps[] = { 48, 49, 63, 64, 4096, 1 << 18 };
    uint8_t iv[16];
    mp_aes_cbc_sequence_iv(0x0102, iv);
    assert_int_equal(iv[15], 0x02);
    assert_int_equal(iv[14], 0x01);
    assert_int_equal(iv[0], 0);
    for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
        uint8_t *data = pattern(lens[l], (uint32_t) l);
        for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
            for (int again = 0; again <= 3; again += 3) {
                mem_producer_t inner = { { mem_read, mem_close, NULL }, data, lens[l], 0, again, 0, 0 };
                mp_producer_t *aes;
                uint64_t size;
                assert_int_equal(mp_aes_cbc_open(&inner.producer, lens[l], key, iv, &aes, &size),
                                 MP_OK);
                assert_int_equal(size, (lens[l] / 16 + 1) * 16);
                int agains;
                uint8_t *enc = drain(aes, size, caps[c], &agains);
                assert_true(again == 0 || lens[l] < 3 * caps[c] || agains > 0);
                size_t plain_len;
                uint8_t *plain = decrypt(enc, (size_t) size, iv, &plain_len);
                assert_int_equal(plain_len, lens[l]);
                if (lens[l] > 0) {
                    assert_memory_equal(plain, data, lens[l]);
                }
                mp_producer_close(aes);
                assert_int_equal(inner.closed, 1);   /* the wrapper closes what it wraps */
                free(enc);
                free(plain);
            }
        }
        free(data);
    }
}

/* A source over memory; with again_every, every again_every-th read while
 * nowait is set would block. */
typedef struct {
    mp_source_t src;
    const uint8_t *data;
    size_t len;
    int again_every, calls;
} mem_source_t;

static int mem_source_read(mp_source_t *s, void *buf, size_t len, uint64_t off)
{
    mem_source_t *m = (mem_source_t *) s;
    if (m->again_every && ++m->calls % m->again_every == 0) {
        return MP_ERR_AGAIN;
    }
    if (off > m->len || len > m->len - off) {
        return MP_ERR_IO;
    }
    memcpy(buf, m->data + off, len);
    return MP_OK;
}

/* Head + ranges (in any order, of any size) equal the concatenation, through
 * blocking reads and tiny buffers; a range past the end is MP_ERR_IO. */
static void test_ranges_producer(void **state)
{
    (void) state;
    uint8_t *file = pattern(50000, 9);
    static const uint8_t head[] = "moof+mdat header";
    const mp_range_t ranges[] = { { 40000, 5000 }, { 10, 1 }, { 100, 0 }, { 0, 3000 },
                                  { 45000, 5000 } };
    size_t want_len = sizeof(head) + 5000 + 1 + 3000 + 5000;
    uint8_t *want = malloc(want_len), *w = want;
    memcpy(w, head, sizeof(head));
    w += sizeof(head);
    for (size_t i = 0; i < 5; i++) {
        memcpy(w, file + ranges[i].offset, ranges[i].length);
        w += ranges[i].length;
    }
    static const size_t caps[] = { 1, 7, 188, 4096, 1 << 20 };
    for (size_t c = 0; c < 5; c++) {
        for (int again = 0; again <= 2; again += 2) {
            mem_source_t src = { { .read = mem_source_read }, file, 50000, again, 0 };
            mp_producer_t *p;
            uint64_t size;
            assert_int_equal(mp_ranges_producer_open(head, sizeof(head), ranges, 5, &src.src, &p,
                                                     &size), MP_OK);
            assert_int_equal(size, want_len);
            int agains;
            uint8_t *got = drain(p, size, caps[c], &agains);
            assert_memory_equal(got, want, want_len);
            assert_true(again == 0 || agains > 0);
            mp_producer_close(p);
            free(got);
        }
    }
    const mp_range_t bad = { 49999, 2 };
    mem_source_t src = { { .read = mem_source_read }, file, 50000, 0, 0 };
    mp_producer_t *p;
    uint64_t size;
    assert_int_equal(mp_ranges_producer_open(head, sizeof(head), &bad, 1, &src.src, &p, &size),
                     MP_OK);
    uint8_t buf[64];
    size_t n;
    int done;
    assert_int_equal(mp_producer_read(p, buf, sizeof(buf), &n, &done), MP_ERR_IO);
    mp_producer_close(p);
    free(want);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aes_cbc_roundtrip),
        cmocka_unit_test(test_ranges_producer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
