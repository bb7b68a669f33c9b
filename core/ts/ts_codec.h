/*
 * ts_codec.h — what HLS TS needs of the codecs' configurations: H.264
 * parameter sets (SPS/PPS of an avcC) as Annex B, and the ADTS header
 * fields of an AAC AudioSpecificConfig.
 */
#ifndef TS_CODEC_H
#define TS_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "ts_defs.h"

typedef struct {
    uint8_t profile;          /* ADTS profile = audio object type - 1 */
    uint8_t freq_index;
    uint8_t channels;
} ts_aac_t;

/* SPS and PPS of an avcC body as Annex B into out (NULL: measure only);
 * *out_len gets their size.  MP_OK or MP_ERR_BAD_MEDIA. */
int ts_avcc_params(const uint8_t *avcc, size_t len, uint8_t *out, size_t *out_len);

/* AudioSpecificConfig -> ADTS fields.  Explicit SBR/PS signalling (object
 * types 5 and 29) maps to the underlying core object type and rate.  MP_OK,
 * or MP_ERR_BAD_MEDIA for what ADTS cannot carry. */
int ts_aac_config(const uint8_t *asc, size_t len, ts_aac_t *out);

/* The 7-byte ADTS header of a raw frame of payload bytes. */
void ts_adts_header(const ts_aac_t *a, size_t payload, uint8_t h[TS_ADTS_LEN]);

#endif
