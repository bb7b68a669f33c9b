/*
 * blob_sweep.h — garbage collection of what interrupted work leaves behind:
 * temp files of uploads that never finished (crash, or a dropped connection
 * whose writer was never aborted), staged blocks never committed (Azure
 * discards those after a week), and containers whose deletion was interrupted.
 */
#ifndef BLOB_SWEEP_H
#define BLOB_SWEEP_H

#include <time.h>

#include "blob_status.h"

/* Name prefix, in the root, of containers being deleted. */
#define BLOB_DELETING_PREFIX ".deleting-"

/* Removes, under root: every .deleting-* directory; in every container, the
 * temp files in .incoming last modified before incoming_before, and the
 * per-blob staging directories (all staged blocks of one blob) last modified
 * before staged_before.  A temp file's mtime moves with each write and a
 * staging directory's with each staged block, so live uploads are kept.
 * Typical use: at daemon startup (no upload can be live) incoming_before =
 * now; periodically incoming_before = now - 1 day; staged_before = now -
 * 7 days.  Keeps going past errors; returns the first one. */
blob_status_t blob_sweep(const char *root, time_t incoming_before, time_t staged_before);

#endif
