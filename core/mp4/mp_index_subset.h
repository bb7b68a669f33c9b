/*
 * mp_index_subset.h — a one-track index of some consecutive samples of a
 * track, with new sample sizes and offsets: how a producer that rewrites
 * samples (SAMPLE-AES changes their sizes) hands them to a muxer that reads
 * samples through an index and a source.  Times, composition offsets, sync
 * samples and the sample entry are the original track's.
 */
#ifndef MP_INDEX_SUBSET_H
#define MP_INDEX_SUBSET_H

#include "../segment/mp_segment.h"

/* Samples seg->first .. seg->end - 1 of pt as a malloc()ed index whose
 * sample i has sizes[i] bytes at offsets[i].  *sub gets pt with that index
 * and track, *sub_seg the segment renumbered from 0.  NULL when out of
 * memory; free() the index (sub points into it). */
mp_index_t *mp_index_subset(const mp_pres_track_t *pt, const mp_seg_t *seg, const uint32_t *sizes,
                            const uint64_t *offsets, mp_pres_track_t *sub, mp_seg_t *sub_seg);

#endif
