/*
 * fmp4_mux.h — fragmented MP4 (ISO BMFF / CMAF) output: init segments
 * (ftyp + moov with mvex) and media segments (moof + mdat), for HLS fMP4,
 * DASH and Smooth.  A media segment is written as a small header in memory
 * followed by the sample payload as file ranges, so the glue can send the
 * payload with sendfile or thread-pool reads without copying it.
 *
 * Encryption (next issue) slots in through mp_frag_opts_t: the init writer
 * will add sinf/pssh, the fragment writer senc/saiz/saio, and the payload
 * ranges get a transform; the clear path stays zero-copy.
 */
#ifndef FMP4_MUX_H
#define FMP4_MUX_H

#include "../segment/mp_segment.h"

typedef enum {
    FMP4_FLAVOR_CMAF = 0,      /* HLS fMP4 / DASH: tfdt, native timescale */
    FMP4_FLAVOR_SMOOTH         /* Smooth: tfxd, 10 MHz durations, no init segment */
} fmp4_flavor_t;

typedef struct {
    fmp4_flavor_t flavor;
    uint32_t sequence_number;  /* mfhd */
} fmp4_frag_opts_t;

typedef struct {
    uint64_t offset;
    uint64_t length;
} mp_range_t;

/* ftyp + moov for one track.  Returns MP_OK (w->failed on overflow). */
int fmp4_write_init(mp_wr_t *w, const mp_pres_track_t *t);

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
