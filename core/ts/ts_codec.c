/*
 * ts_codec.c — codec configuration for HLS TS: avcC parameter sets to Annex B,
 * AudioSpecificConfig to ADTS header fields (a small MSB-first bit reader),
 * and ADTS headers.
 */
#include "ts_codec.h"

#include <string.h>

#include "../mp_common.h"

static const uint8_t ts_start_code[TS_START_CODE_LEN] = { 0, 0, 0, 1 };

/* Append count length-prefixed (u16) parameter sets at *pos as Annex B.
 * With out == NULL only measures. */
static int ts_avcc_list(const uint8_t *c, size_t len, size_t *pos, uint32_t count,
                        uint8_t *out, size_t *out_len)
{
    for (uint32_t i = 0; i < count; i++) {
        if (len - *pos < 2 || len - *pos - 2 < mp_rd16(c + *pos)) {
            return MP_ERR_BAD_MEDIA;
        }
        size_t n = mp_rd16(c + *pos);
        if (out != NULL) {
            memcpy(out + *out_len, ts_start_code, TS_START_CODE_LEN);
            memcpy(out + *out_len + TS_START_CODE_LEN, c + *pos + 2, n);
        }
        *out_len += TS_START_CODE_LEN + n;
        *pos += 2 + n;
    }
    return MP_OK;
}

int ts_avcc_params(const uint8_t *c, size_t len, uint8_t *out, size_t *out_len)
{
    size_t pos = 6;
    *out_len = 0;
    if (len < 7 || c[0] != 1) {
        return MP_ERR_BAD_MEDIA;
    }
    if (ts_avcc_list(c, len, &pos, c[5] & 0x1F, out, out_len) != MP_OK || pos >= len) {
        return MP_ERR_BAD_MEDIA;
    }
    uint32_t pps = c[pos++];
    return ts_avcc_list(c, len, &pos, pps, out, out_len);
}

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t bit;
} ts_bits_t;

/* Next n (<= 24) bits MSB first; bits past the end read as 1 so that
 * truncated configurations fail the range checks below. */
static uint32_t ts_bits(ts_bits_t *b, unsigned n)
{
    uint32_t v = 0;
    while (n--) {
        size_t byte = b->bit >> 3;
        uint32_t bit = byte < b->len ? (b->p[byte] >> (7 - (b->bit & 7))) & 1 : 1;
        v = (v << 1) | bit;
        b->bit++;
    }
    return v;
}

static uint32_t ts_aac_object_type(ts_bits_t *b)
{
    uint32_t aot = ts_bits(b, 5);
    return aot == 31 ? 32 + ts_bits(b, 6) : aot;
}

/* Sampling frequency index; 15 (explicit frequency) cannot go into ADTS. */
static uint32_t ts_aac_freq_index(ts_bits_t *b)
{
    uint32_t i = ts_bits(b, 4);
    if (i == 15) {
        ts_bits(b, 24);
    }
    return i;
}

int ts_aac_config(const uint8_t *c, size_t len, ts_aac_t *out)
{
    ts_bits_t b = { c, len, 0 };
    if (len < 2) {
        return MP_ERR_BAD_MEDIA;
    }
    uint32_t aot = ts_aac_object_type(&b);
    uint32_t freq = ts_aac_freq_index(&b);
    uint32_t chan = ts_bits(&b, 4);
    if (aot == 5 || aot == 29) {
        ts_aac_freq_index(&b);
        aot = ts_aac_object_type(&b);
    }
    if (aot < 1 || aot > 4 || freq > 12 || chan < 1 || chan > 7) {
        return MP_ERR_BAD_MEDIA;
    }
    out->profile = (uint8_t) (aot - 1);
    out->freq_index = (uint8_t) freq;
    out->channels = (uint8_t) chan;
    return MP_OK;
}

void ts_adts_header(const ts_aac_t *a, size_t payload, uint8_t h[TS_ADTS_LEN])
{
    size_t len = TS_ADTS_LEN + payload;
    h[0] = 0xFF;
    h[1] = 0xF1;                        /* MPEG-4, layer 0, no CRC */
    h[2] = (uint8_t) ((a->profile << 6) | (a->freq_index << 2) | (a->channels >> 2));
    h[3] = (uint8_t) (((a->channels & 3) << 6) | (len >> 11));
    h[4] = (uint8_t) (len >> 3);
    h[5] = (uint8_t) (((len & 7) << 5) | 0x1F);   /* buffer fullness 0x7FF: VBR */
    h[6] = 0xFC;
}
