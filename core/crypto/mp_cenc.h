/*
 * mp_cenc.h — ISO/IEC 23001-7 common encryption of one sample: the
 * subsample map of a video sample (which bytes of its NAL units stay
 * clear) and the in-place cipher for the two schemes players decrypt:
 *   'cenc'  AES-128-CTR, 8-byte per-sample IV, the counter running on
 *           across a sample's subsamples; protected ranges of video are
 *           whole blocks;
 *   'cbcs'  AES-128-CBC with a constant IV restarted at every subsample and
 *           a crypt:skip block pattern (1:9 video, 1:0 audio); a partial
 *           last block stays clear.
 * Audio samples are protected whole ('cenc': no subsamples; 'cbcs': one
 * subsample 0 clear + the whole sample, which shaka needs to see).
 */
#ifndef MP_CENC_H
#define MP_CENC_H

#include "../mp_common.h"

typedef enum {
    MP_CENC_CTR = 1,          /* scheme 'cenc' */
    MP_CENC_CBCS              /* scheme 'cbcs' */
} mp_cenc_scheme_t;

typedef struct {
    uint16_t clear;           /* BytesOfClearData */
    uint32_t protected_bytes; /* BytesOfProtectedData */
} mp_subsample_t;

/* Bytes at the start of every VCL NAL unit that stay clear (after the
 * length field): the NAL header and the slice header that hardware
 * decryptors parse, as Apple's SAMPLE-AES does. */
#define MP_CENC_VCL_CLEAR_LEAD 32

/* Most subsamples one sample may have: its auxiliary information (IV,
 * count, 6 bytes per subsample) must fit saiz's 8-bit sizes, 255 bytes,
 * with an 8-byte IV.  A sample needing more is refused as bad media. */
#define MP_CENC_MAX_SUBSAMPLES 40

/* The subsample map of one AVC (hevc = 0) or HEVC sample of NAL units with
 * nal_len_size-byte lengths.  *count entries into out (room for max).
 * MP_OK or MP_ERR_BAD_MEDIA (a NAL length runs past the sample, or more
 * than max entries). */
int mp_cenc_video_subsamples(const uint8_t *sample, size_t size, unsigned nal_len_size, int hevc,
                             mp_cenc_scheme_t scheme, mp_subsample_t *out, uint32_t max,
                             uint32_t *count);

typedef struct mp_cenc_cipher_s mp_cenc_cipher_t;

/* A cipher for key under scheme; crypt:skip is the cbcs pattern (ignored
 * for 'cenc').  NULL when out of memory. */
mp_cenc_cipher_t *mp_cenc_cipher_new(mp_cenc_scheme_t scheme, const uint8_t key[16],
                                     unsigned crypt, unsigned skip);
void mp_cenc_cipher_free(mp_cenc_cipher_t *c);

/* Encrypt one sample in place.  iv: 16 bytes ('cenc': the 8-byte
 * per-sample IV followed by a zero block counter; 'cbcs': the constant IV).
 * subs == NULL / n == 0: the whole sample is one protected range.
 * MP_OK, MP_ERR_BAD_MEDIA (the map exceeds size) or MP_ERR_NO_MEMORY. */
int mp_cenc_encrypt_sample(mp_cenc_cipher_t *c, const uint8_t iv[16], const mp_subsample_t *subs,
                           uint32_t n, uint8_t *sample, size_t size);

/* A 'cbcs' constant IV for a key that has none given: AES-128-ECB of the
 * KID under the key (stable per key, unpredictable without it).  MP_OK or
 * MP_ERR_NO_MEMORY. */
int mp_cenc_derive_iv(const uint8_t key[16], const uint8_t kid[16], uint8_t iv[16]);

#endif
