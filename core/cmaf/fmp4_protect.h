/*
 * fmp4_protect.h — the common-encryption boxes of fragmented MP4: in the
 * init segment the protected sample entry (encv/enca with sinf: frma,
 * schm, schi/tenc) and the PSSH boxes; in each media segment the sample
 * auxiliary information (saiz, saio, senc; Smooth: PIFF's uuid box)
 * describing every sample's IV and subsamples.
 */
#ifndef FMP4_PROTECT_H
#define FMP4_PROTECT_H

#include "../crypto/mp_cenc.h"
#include "../crypto/mp_protection.h"
#include "../segment/mp_presentation.h"

/* Per-sample encryption data of one fragment. */
typedef struct fmp4_cenc_aux_s {
    uint32_t sample_count;
    uint32_t iv_size;                 /* 8 ('cenc') or 0 ('cbcs': constant IV in tenc) */
    const uint8_t *ivs;               /* iv_size bytes per sample */
    const uint32_t *sub_start;        /* NULL: no subsamples; else sample i has
                                       * subs[sub_start[i] .. sub_start[i + 1]) */
    const mp_subsample_t *subs;
} fmp4_cenc_aux_t;

/* The cbcs pattern of a track: 1:9 for video, 1:0 (every block) for audio. */
void fmp4_cbcs_pattern(const mp_track_t *t, unsigned *crypt, unsigned *skip);

/* The sample entry of pt as encv/enca with its sinf appended. */
void fmp4_write_protected_entry(mp_wr_t *w, const mp_pres_track_t *pt, const mp_protection_t *pr);

/* saiz, saio and senc for a traf whose moof starts at moof_start (the
 * tfhd has default-base-is-moof, so saio points into senc from there). */
void fmp4_write_cenc_aux(mp_wr_t *w, const fmp4_cenc_aux_t *aux, size_t moof_start);

/* Smooth Streaming (PIFF 1.1): the same entries in the SampleEncryptionBox
 * uuid a2394f52-5a9b-4f14-a244-6c427c648df4 (no saiz/saio). */
void fmp4_write_piff_senc(mp_wr_t *w, const fmp4_cenc_aux_t *aux);

#endif
