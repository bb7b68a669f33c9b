/*
 * blob_container.h — containers: directories <root>/<container> (names
 * [a-z0-9-]{3,63}).  Inside, committed blobs are plain files; the store's own
 * bookkeeping lives in dot-directories (.incoming, .blocks).
 */
#ifndef BLOB_CONTAINER_H
#define BLOB_CONTAINER_H

#include "blob_status.h"

/* Creates the container (durably).  An existing container is BLOB_OK: AMS
 * creates the container with its asset, and a retried create must not fail.
 * root must exist. */
blob_status_t blob_container_create(const char *root, const char *container);

/* Deletes the container and everything in it.  The container disappears
 * atomically first (renamed to <root>/.deleting-<random>, durably), then its
 * contents are removed; if that removal fails (BLOB_IO) the container is
 * still gone and blob_sweep() finishes the job later.  Bodies being written
 * into it when it is deleted fail at finish.  BLOB_CONTAINER_NOT_FOUND when
 * there is none. */
blob_status_t blob_container_delete(const char *root, const char *container);

#endif
