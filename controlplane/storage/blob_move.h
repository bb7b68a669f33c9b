/*
 * blob_move.h — a committed blob moved into another container of the same
 * store (bulk ingest: from the manifest's upload container into its asset's).
 */
#ifndef BLOB_MOVE_H
#define BLOB_MOVE_H

#include "blob_status.h"

/* Renames <from>/<name> to <to>/<name>, replacing a blob of that name, and
 * fsyncs both directories.  BLOB_BAD_NAME, BLOB_CONTAINER_NOT_FOUND,
 * BLOB_NOT_FOUND (no such committed blob) or BLOB_IO. */
blob_status_t blob_move(const char *root, const char *from, const char *name, const char *to);

#endif
