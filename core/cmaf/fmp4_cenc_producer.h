/*
 * fmp4_cenc_producer.h — an fMP4 media segment under common encryption, as
 * a producer.  Its moof must describe every sample's subsamples (senc),
 * which depend on where the NAL units lie, so open reads the segment's
 * samples first (one read per contiguous run; a nowait source that would
 * block gives MP_ERR_AGAIN and nothing to close), walks and encrypts them
 * in place, writes the header, and the reads then copy out.  The payload
 * is bounded by FMP4_CENC_MAX_PAYLOAD (415 above it).
 *
 * Per-sample IVs ('cenc') are deterministic, so a CDN may cache segments
 * and a retry gets the same bytes: the upper 32 bits name the track (a hash
 * of its stream name and bitrate), the lower 32 its sample number — unique
 * per sample within an asset, which is what AES-CTR requires of a key.
 */
#ifndef FMP4_CENC_PRODUCER_H
#define FMP4_CENC_PRODUCER_H

#include "fmp4_mux.h"
#include "../crypto/mp_cenc.h"
#include "../mp_producer.h"

#define FMP4_CENC_MAX_PAYLOAD (64u << 20)

typedef struct {
    const mp_pres_track_t *pt;    /* lives as long as the response */
    mp_seg_t seg;
    fmp4_flavor_t flavor;
    uint32_t sequence_number;
    mp_cenc_scheme_t scheme;
    uint8_t key[16];
    uint8_t constant_iv[16];      /* cbcs */
} fmp4_cenc_recipe_t;

/* mp_producer_open_pt for a fmp4_cenc_recipe_t. */
int fmp4_cenc_producer_open(const void *recipe, mp_source_t *const *sources, mp_producer_t **out,
                            uint64_t *size);

/* The samples of seg, read run by run into one mp_scratch buffer (*cap
 * its size, give it back with mp_scratch_put); *len payload bytes.  MP_OK,
 * MP_ERR_BAD_MEDIA (over FMP4_CENC_MAX_PAYLOAD), MP_ERR_AGAIN / MP_ERR_IO
 * from the source (nothing kept) or MP_ERR_NO_MEMORY. */
int fmp4_segment_read(const mp_pres_track_t *pt, const mp_seg_t *seg, mp_source_t *src,
                      uint8_t **out, uint64_t *len, size_t *cap);

/* The 8-byte IV of sample i of pt (the first half of the CTR block). */
void fmp4_cenc_sample_iv(const mp_pres_track_t *pt, uint32_t i, uint8_t iv[16]);

#endif
