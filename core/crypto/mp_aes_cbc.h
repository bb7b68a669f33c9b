/*
 * mp_aes_cbc.h — whole-body AES-128-CBC with PKCS#7 padding as a producer
 * stacked on another (HLS AES-128 "envelope" encryption of TS and fMP4
 * segments, RFC 8216 4.3.2.4).  The size is exact up front: the inner size
 * rounded up to the next multiple of 16 (always one to 16 bytes of padding).
 */
#ifndef MP_AES_CBC_H
#define MP_AES_CBC_H

#include "../mp_producer.h"

/* The padded size of a body of size bytes. */
static inline uint64_t mp_aes_cbc_size(uint64_t size)
{
    return (size / 16 + 1) * 16;
}

/* Wrap inner (whose size is inner_size; the wrapper closes it) with key and
 * iv.  Reads need a cap of at least 48 bytes.  MP_OK or MP_ERR_NO_MEMORY
 * (inner closed then too). */
int mp_aes_cbc_open(mp_producer_t *inner, uint64_t inner_size, const uint8_t key[16],
                    const uint8_t iv[16], mp_producer_t **out, uint64_t *size);

/* The IV HLS implies when EXT-X-KEY has none: the media sequence number as a
 * 128-bit big-endian integer. */
void mp_aes_cbc_sequence_iv(uint64_t sequence, uint8_t iv[16]);

#endif
