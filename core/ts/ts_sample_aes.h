/*
 * ts_sample_aes.h — an HLS MPEG-TS segment with SAMPLE-AES (Apple's sample
 * encryption of H.264 slices and AAC frames), as a producer.  Encryption
 * adds emulation prevention bytes, so sizes are only known once the
 * samples are encrypted: open reads the segment's samples (a nowait source
 * that would block gives MP_ERR_AGAIN and nothing to close), encrypts them
 * into memory, and runs the TS muxer over them through a one-track index
 * of the new sizes (mp_index_subset) and a memory source, with the PMT's
 * SAMPLE-AES stream types.  Bounded by FMP4_CENC_MAX_PAYLOAD per track.
 */
#ifndef TS_SAMPLE_AES_H
#define TS_SAMPLE_AES_H

#include "ts_mux.h"

/* mp_producer_open_pt of a ts_recipe_t with sample_aes set. */
int ts_sample_aes_open(const void *recipe, mp_source_t *const *sources, mp_producer_t **out,
                       uint64_t *size);

#endif
