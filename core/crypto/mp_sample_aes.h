/*
 * mp_sample_aes.h — Apple's SAMPLE-AES for MPEG-TS (HTTP Live Streaming
 * sample encryption), applied to MP4 samples before they are muxed:
 *   H.264: every coded slice NAL unit (types 1 and 5) longer than 48 bytes
 *     keeps its first 32 bytes clear, then one 16-byte block in ten is
 *     AES-128-CBC encrypted (the chain restarting from the IV at each NAL
 *     unit) while more than 16 bytes remain; the NAL unit is then given
 *     emulation prevention bytes, so a player removes them, decrypts and
 *     gets the original unit.  Other NAL units are untouched.
 *   AAC: after 16 clear bytes of the raw frame, every whole 16-byte block
 *     is encrypted (CBC from the IV at each frame); the size is unchanged.
 */
#ifndef MP_SAMPLE_AES_H
#define MP_SAMPLE_AES_H

#include "../mp_common.h"

typedef struct mp_sample_aes_s mp_sample_aes_t;

mp_sample_aes_t *mp_sample_aes_new(const uint8_t key[16], const uint8_t iv[16]);
void mp_sample_aes_free(mp_sample_aes_t *c);

/* Worst-case output size of an H.264 sample of size bytes. */
static inline size_t mp_sample_aes_video_cap(size_t size)
{
    return size + size / 2 + 16;
}

/* One H.264 sample (NAL units with len_size-byte lengths) from in into out
 * (room for mp_sample_aes_video_cap(size)); *out_len its new size.  MP_OK,
 * MP_ERR_BAD_MEDIA (malformed lengths, or a NAL unit that outgrows its
 * length field) or MP_ERR_NO_MEMORY. */
int mp_sample_aes_video(mp_sample_aes_t *c, const uint8_t *in, size_t size, unsigned len_size,
                        uint8_t *out, size_t *out_len);

/* One raw AAC frame, in place. */
int mp_sample_aes_audio(mp_sample_aes_t *c, uint8_t *frame, size_t size);

#endif
