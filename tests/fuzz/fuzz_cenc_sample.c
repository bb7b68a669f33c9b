/*
 * fuzz_cenc_sample.c — the common-encryption subsample map and cipher on
 * arbitrary samples.  The first byte picks the NAL length size, codec and
 * scheme; the rest is the sample.  Checks what the fMP4 writer relies on:
 * a successful map covers the sample exactly, 'cenc' ranges are whole
 * blocks, entries stay within the bound, and encrypting by the map keeps
 * every clear byte and never reads or writes outside the sample.
 */
#include <stdlib.h>

#include "crypto/mp_cenc.h"
#include "fuzz_check.h"

static const uint8_t key[16] = { 7 };
static const uint8_t iv[16] = { 9 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    unsigned len_size = (data[0] & 3) + 1;
    int hevc = (data[0] >> 2) & 1;
    mp_cenc_scheme_t scheme = (data[0] >> 3) & 1 ? MP_CENC_CBCS : MP_CENC_CTR;
    size_t n = size - 1;
    uint8_t *s = malloc(n ? n : 1), *orig = malloc(n ? n : 1);
    FUZZ_CHECK(s != NULL && orig != NULL);
    memcpy(s, data + 1, n);
    memcpy(orig, data + 1, n);
    mp_subsample_t sub[MP_CENC_MAX_SUBSAMPLES];
    uint32_t count = 0;
    int rc = mp_cenc_video_subsamples(s, n, len_size, hevc, scheme, sub, MP_CENC_MAX_SUBSAMPLES,
                                      &count);
    FUZZ_CHECK(rc == MP_OK || rc == MP_ERR_BAD_MEDIA);
    if (rc == MP_OK) {
        uint64_t total = 0;
        FUZZ_CHECK(count >= 1 && count <= MP_CENC_MAX_SUBSAMPLES);
        for (uint32_t i = 0; i < count; i++) {
            total += (uint64_t) sub[i].clear + sub[i].protected_bytes;
            FUZZ_CHECK(scheme != MP_CENC_CTR || sub[i].protected_bytes % 16 == 0);
        }
        FUZZ_CHECK(total == n);
        mp_cenc_cipher_t *c = mp_cenc_cipher_new(scheme, key, 1, 9);
        FUZZ_CHECK(c != NULL);
        FUZZ_CHECK(mp_cenc_encrypt_sample(c, iv, sub, count, s, n) == MP_OK);
        size_t pos = 0;
        for (uint32_t i = 0; i < count; i++) {
            FUZZ_CHECK(memcmp(s + pos, orig + pos, sub[i].clear) == 0);
            pos += (size_t) sub[i].clear + sub[i].protected_bytes;
        }
        mp_cenc_cipher_free(c);
    }
    free(s);
    free(orig);
    return 0;
}
