/*
 * fmp4_mux.h — fragmented MP4 (ISO BMFF / CMAF) output: init segments
 * (ftyp + moov with mvex) and media segments (moof + mdat), for HLS fMP4,
 * DASH and Smooth.  A media segment is written as a small header in memory
 * followed by the sample payload as file ranges, so the glue can send the
 * payload with sendfile or thread-pool reads without copying it.
 *
 * Common encryption: the init writer takes the protection (encv/enca with
 * sinf, PSSH boxes), the fragment writer the per-sample auxiliary data
 * (saiz/saio/senc); the encrypted payload is fmp4_cenc_producer's.  The
 * clear path stays zero-copy.
 */
#ifndef FMP4_MUX_H
#define FMP4_MUX_H

#include "../segment/mp_segment.h"

typedef enum {
    FMP4_FLAVOR_CMAF = 0,      /* HLS fMP4 / DASH: tfdt, native timescale */
    FMP4_FLAVOR_SMOOTH         /* Smooth: tfxd, 10 MHz durations, no init segment */
} fmp4_flavor_t;

struct fmp4_cenc_aux_s;
struct mp_protection_s;

typedef struct {
    fmp4_flavor_t flavor;
    uint32_t sequence_number;  /* mfhd */
    const struct fmp4_cenc_aux_s *cenc;  /* NULL: clear samples */
} fmp4_frag_opts_t;

typedef struct {
    uint64_t offset;
    uint64_t length;
} mp_range_t;

/* ftyp + moov for one track.  Returns MP_OK (w->failed on overflow). */
int fmp4_write_init(mp_wr_t *w, const mp_pres_track_t *t);

/* The same for samples protected by pr (common encryption); pr NULL = clear. */
int fmp4_write_init_protected(mp_wr_t *w, const mp_pres_track_t *t,
                              const struct mp_protection_s *pr);

/* moof + mdat header for seg of track t; the payload follows as the ranges
 * of fmp4_payload_ranges(). */
int fmp4_write_fragment_header(mp_wr_t *w, const mp_pres_track_t *t, const mp_seg_t *seg,
                               const fmp4_frag_opts_t *o);

/* Sample payload of seg as merged contiguous file ranges, in order.  With
 * out == NULL only counts.  Returns the number of ranges. */
uint32_t fmp4_payload_ranges(const mp_pres_track_t *t, const mp_seg_t *seg, mp_range_t *out);

/* Payload bytes of seg (sum of sample sizes). */
uint64_t fmp4_payload_size(const mp_pres_track_t *t, const mp_seg_t *seg);

#endif
