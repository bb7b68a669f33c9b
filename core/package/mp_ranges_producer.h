/*
 * mp_ranges_producer.h — a body of a memory head followed by byte ranges of
 * one source (an fMP4 segment: moof + mdat header, then its samples) as a
 * producer, for when the bytes must pass through the process (a cipher
 * stacked on it) instead of going out as file buffers with sendfile.
 */
#ifndef MP_RANGES_PRODUCER_H
#define MP_RANGES_PRODUCER_H

#include "../cmaf/fmp4_mux.h"
#include "../mp_producer.h"

/* The head and ranges are copied; src must outlive the producer.  *size
 * gets head_len + the ranges' lengths.  MP_OK or MP_ERR_NO_MEMORY. */
int mp_ranges_producer_open(const uint8_t *head, size_t head_len, const mp_range_t *ranges,
                            uint32_t count, mp_source_t *src, mp_producer_t **out,
                            uint64_t *size);

#endif
