/*
 * mp_scratch.h — large reusable buffers for producers that must hold a
 * whole segment (common encryption reads, maps and encrypts a segment
 * before its first byte).  A fresh malloc of a few hundred KB is an mmap
 * whose every page faults on first touch — at segment rates that is a
 * large share of the request's CPU — so each thread keeps the last
 * MP_SCRATCH_KEEP buffers it released (already faulted in) for the next
 * request.  Bounded: at most MP_SCRATCH_KEEP buffers of at most
 * MP_SCRATCH_MAX bytes per thread are kept.
 */
#ifndef MP_SCRATCH_H
#define MP_SCRATCH_H

#include <stddef.h>

#define MP_SCRATCH_KEEP 2
#define MP_SCRATCH_MAX (64u << 20)

/* A buffer of at least size bytes (*cap gets its real size), or NULL. */
void *mp_scratch_get(size_t size, size_t *cap);

/* Give a buffer of mp_scratch_get back (kept for reuse or freed). */
void mp_scratch_put(void *p, size_t cap);

#endif
