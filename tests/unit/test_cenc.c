/*
 * test_cenc.c — common encryption of one sample (core/crypto/mp_cenc.c):
 * the subsample map of H.264/HEVC samples (non-VCL NAL units clear, a clear
 * lead on slices, CTR ranges whole blocks, long clear runs split at 65535,
 * malformed lengths and too many slices refused) and the ciphers, checked
 * against OpenSSL decrypting the same ranges by hand ('cenc': one counter
 * across subsamples; 'cbcs': the IV restarted per subsample, 1:9 pattern,
 * partial blocks clear).
 */
#include "unit_helpers.h"

#include <openssl/evp.h>
#include <stdlib.h>

#include "crypto/mp_cenc.h"

static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t iv[16] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7 };

/* Append one NAL unit of type `type` (AVC header byte) with len bytes in all, 4-byte length. */
static size_t put_nal(uint8_t *p, uint8_t header, uint32_t len)
{
    p[0] = (uint8_t) (len >> 24);
    p[1] = (uint8_t) (len >> 16);
    p[2] = (uint8_t) (len >> 8);
    p[3] = (uint8_t) len;
    p[4] = header;
    for (uint32_t i = 1; i < len; i++) {
        p[4 + i] = (uint8_t) (i * 7);
    }
    return 4 + len;
}

static void test_avc_map(void **state)
{
    (void) state;
    uint8_t s[4096];
    size_t n = 0;
    n += put_nal(s + n, 0x67, 20);      /* SPS */
    n += put_nal(s + n, 0x68, 6);       /* PPS */
    n += put_nal(s + n, 0x65, 1000);    /* IDR slice */
    n += put_nal(s + n, 0x01, 40);      /* a slice too small to protect */
    n += put_nal(s + n, 0x06, 10);      /* SEI after */
    mp_subsample_t sub[8];
    uint32_t count;
    assert_int_equal(mp_cenc_video_subsamples(s, n, 4, 0, MP_CENC_CTR, sub, 8, &count), MP_OK);
    assert_int_equal(count, 2);
    /* 24 + 10 clear, then the slice: 4 + 32 + (968 % 16 = 8) clear, 960 protected */
    assert_int_equal(sub[0].clear, 24 + 10 + 4 + 32 + 8);
    assert_int_equal(sub[0].protected_bytes, 960);
    assert_int_equal(sub[1].clear, 44 + 14);
    assert_int_equal(sub[1].protected_bytes, 0);
    assert_int_equal(mp_cenc_video_subsamples(s, n, 4, 0, MP_CENC_CBCS, sub, 8, &count), MP_OK);
    assert_int_equal(sub[0].clear, 24 + 10 + 4 + 32);
    assert_int_equal(sub[0].protected_bytes, 968);   /* the partial block stays clear by rule */
}

static void test_hevc_types(void **state)
{
    (void) state;
    uint8_t s[512];
    size_t n = 0;
    n += put_nal(s + n, 0x40, 100);     /* VPS (type 32): clear */
    n += put_nal(s + n, 0x26, 200);     /* IDR_W_RADL (type 19): protected */
    mp_subsample_t sub[4];
    uint32_t count;
    assert_int_equal(mp_cenc_video_subsamples(s, n, 4, 1, MP_CENC_CBCS, sub, 4, &count), MP_OK);
    assert_int_equal(count, 1);
    assert_int_equal(sub[0].clear, 104 + 4 + 32);
    assert_int_equal(sub[0].protected_bytes, 168);
}

static void test_long_clear_run_split(void **state)
{
    (void) state;
    uint8_t *s = malloc(140000);
    size_t n = put_nal(s, 0x06, 70000); /* a huge SEI */
    n += put_nal(s + n, 0x06, 69000);
    mp_subsample_t sub[8];
    uint32_t count;
    assert_int_equal(mp_cenc_video_subsamples(s, n, 4, 0, MP_CENC_CTR, sub, 8, &count), MP_OK);
    assert_int_equal(count, 3);
    assert_int_equal(sub[0].clear, 65535);
    assert_int_equal(sub[1].clear, 65535);
    assert_int_equal((size_t) sub[0].clear + sub[1].clear + sub[2].clear, n);
    free(s);
}

static void test_malformed_and_bounds(void **state)
{
    (void) state;
    uint8_t s[4096];
    mp_subsample_t sub[MP_CENC_MAX_SUBSAMPLES];
    uint32_t count;
    size_t n = put_nal(s, 0x65, 100);
    s[3] = 101;                         /* one byte past the sample */
    assert_int_equal(mp_cenc_video_subsamples(s, n, 4, 0, MP_CENC_CTR, sub, 8, &count),
                     MP_ERR_BAD_MEDIA);
    assert_int_equal(mp_cenc_video_subsamples(s, 3, 4, 0, MP_CENC_CTR, sub, 8, &count),
                     MP_ERR_BAD_MEDIA);
    assert_int_equal(mp_cenc_video_subsamples(s, n, 5, 0, MP_CENC_CTR, sub, 8, &count),
                     MP_ERR_BAD_MEDIA);
    n = 0;
    for (int i = 0; i < 41; i++) {      /* 41 slices: one over the bound */
        n += put_nal(s + n, 0x01, 60);
    }
    assert_int_equal(mp_cenc_video_subsamples(s, n, 4, 0, MP_CENC_CTR, sub,
                                              MP_CENC_MAX_SUBSAMPLES, &count), MP_ERR_BAD_MEDIA);
    n -= 64;                            /* 40: at the bound */
    assert_int_equal(mp_cenc_video_subsamples(s, n, 4, 0, MP_CENC_CTR, sub,
                                              MP_CENC_MAX_SUBSAMPLES, &count), MP_OK);
    assert_int_equal(count, 40);
}

static void crypt_range(const EVP_CIPHER *c, const uint8_t *civ, uint8_t *p, size_t len,
                        EVP_CIPHER_CTX **ctx, int restart)
{
    int out;
    if (restart) {
        EVP_CIPHER_CTX_free(*ctx);
        *ctx = EVP_CIPHER_CTX_new();
        EVP_DecryptInit_ex(*ctx, c, NULL, key, civ);
        EVP_CIPHER_CTX_set_padding(*ctx, 0);
    }
    if (len) {
        EVP_DecryptUpdate(*ctx, p, &out, p, (int) len);
    }
}

static void test_ctr_counter_runs_across_subsamples(void **state)
{
    (void) state;
    uint8_t clear[300], s[300];
    for (int i = 0; i < 300; i++) {
        clear[i] = (uint8_t) i;
    }
    memcpy(s, clear, sizeof(s));
    mp_subsample_t sub[2] = { { 10, 100 }, { 20, 170 } };
    mp_cenc_cipher_t *c = mp_cenc_cipher_new(MP_CENC_CTR, key, 0, 0);
    assert_int_equal(mp_cenc_encrypt_sample(c, iv, sub, 2, s, sizeof(s)), MP_OK);
    assert_memory_equal(s, clear, 10);
    assert_memory_equal(s + 110, clear + 110, 20);
    assert_memory_not_equal(s + 10, clear + 10, 100);
    EVP_CIPHER_CTX *ctx = NULL;
    crypt_range(EVP_aes_128_ctr(), iv, s + 10, 100, &ctx, 1);
    crypt_range(EVP_aes_128_ctr(), iv, s + 130, 170, &ctx, 0);   /* the counter continues */
    assert_memory_equal(s, clear, sizeof(s));
    /* a map that exceeds the sample */
    sub[1].protected_bytes = 171;
    assert_int_equal(mp_cenc_encrypt_sample(c, iv, sub, 2, s, sizeof(s)), MP_ERR_BAD_MEDIA);
    EVP_CIPHER_CTX_free(ctx);
    mp_cenc_cipher_free(c);
}

static void test_cbcs_pattern_and_restart(void **state)
{
    (void) state;
    enum { LEN = 16 * 25 + 5 };
    uint8_t clear[2 * LEN], s[2 * LEN];
    for (int i = 0; i < 2 * LEN; i++) {
        clear[i] = (uint8_t) (i * 13);
    }
    memcpy(s, clear, sizeof(s));
    mp_subsample_t sub[2] = { { 0, LEN }, { 0, LEN } };
    mp_cenc_cipher_t *c = mp_cenc_cipher_new(MP_CENC_CBCS, key, 1, 9);
    assert_int_equal(mp_cenc_encrypt_sample(c, iv, sub, 2, s, sizeof(s)), MP_OK);
    for (int r = 0; r < 2; r++) {
        uint8_t *p = s + r * LEN;
        const uint8_t *q = clear + r * LEN;
        /* blocks 0, 10, 20 encrypted; 1-9, 11-19, 21-24 and the 5-byte tail clear */
        assert_memory_not_equal(p, q, 16);
        assert_memory_equal(p + 16, q + 16, 16 * 9);
        assert_memory_not_equal(p + 160, q + 160, 16);
        assert_memory_equal(p + 176, q + 176, 16 * 9);
        assert_memory_equal(p + 16 * 21, q + 16 * 21, 16 * 4 + 5);
        EVP_CIPHER_CTX *ctx = NULL;
        crypt_range(EVP_aes_128_cbc(), iv, p, 16, &ctx, 1);       /* the IV restarts */
        crypt_range(EVP_aes_128_cbc(), iv, p + 160, 16, &ctx, 0); /* the chain continues */
        crypt_range(EVP_aes_128_cbc(), iv, p + 320, 16, &ctx, 0);
        EVP_CIPHER_CTX_free(ctx);
    }
    assert_memory_equal(s, clear, sizeof(s));
    mp_cenc_cipher_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_avc_map),
        cmocka_unit_test(test_hevc_types),
        cmocka_unit_test(test_long_clear_run_split),
        cmocka_unit_test(test_malformed_and_bounds),
        cmocka_unit_test(test_ctr_counter_runs_across_subsamples),
        cmocka_unit_test(test_cbcs_pattern_and_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
