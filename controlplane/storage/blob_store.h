/*
 * blob_store.h — the Azure Blob-like storage behind mediaplaned's upload
 * endpoints: whole-blob put (streamed), list, stat, read and delete of
 * committed blobs.  No HTTP here; callers map results with blob_status_http()
 * and blob_status_code().  Including this header gives the whole storage API
 * (containers, blocks, sweep).
 *
 * On disk: <root>/<container>/<blob name> for committed blobs; bodies in
 * flight in <container>/.incoming/, staged blocks in <container>/.blocks/.
 * Every body is fsynced and renamed into place, and the directory fsynced,
 * before success is reported; a failed, aborted or half-written upload never
 * appears under its final name.  Files and directories are created with
 * modes 0666 / 0777 less the process umask.
 *
 * All functions are safe to call from several threads; concurrent writes of
 * the same blob each commit whole (last rename wins).  libxml2 is used for
 * block lists: call xmlInitParser() once at startup, before starting threads.
 */
#ifndef BLOB_STORE_H
#define BLOB_STORE_H

#include <stdint.h>
#include <time.h>

#include "blob_blocks.h"
#include "blob_container.h"
#include "blob_move.h"
#include "blob_names.h"
#include "blob_quota.h"
#include "blob_status.h"
#include "blob_sweep.h"
#include "blob_writer.h"

#define BLOB_MAX_PUT_SIZE (5000ull << 20)     /* Azure's Put Blob limit, 5000 MiB */

typedef struct {
    uint64_t size;
    struct timespec mtime;      /* when it was committed: for Last-Modified / ETag */
} blob_info_t;

/* Starts a whole-blob upload (Put Blob): stream the body with
 * blob_put_write, then blob_put_finish (or blob_put_abort).  A successful
 * finish replaces any blob of that name and discards its staged blocks.
 * size is the body's declared length (BLOB_SIZE_UNKNOWN if none); lim (NULL:
 * none) admits it against the blob, container and free-space limits first
 * (the errors of blob_quota_reserve).  Errors: BLOB_BAD_NAME,
 * BLOB_CONTAINER_NOT_FOUND, BLOB_IO; a declared size or writes past
 * BLOB_MAX_PUT_SIZE or past what was admitted give BLOB_TOO_LARGE. */
blob_status_t blob_put_begin(const char *root, const char *container, const char *name,
                             const blob_limits_t *lim, uint64_t size, blob_writer_t **w);

/* Called by blob_list for each blob; returning non-zero stops the listing
 * (blob_list still returns BLOB_OK). */
typedef int (*blob_list_fn)(const char *name, const blob_info_t *info, void *arg);

/* Committed blobs of the container, sorted by name (byte order, like Azure);
 * temp files, staged blocks and anything not a valid blob name are skipped. */
blob_status_t blob_list(const char *root, const char *container, blob_list_fn fn, void *arg);

/* Size and time of a committed blob: BLOB_NOT_FOUND if none. */
blob_status_t blob_stat(const char *root, const char *container, const char *name, blob_info_t *info);

/* Deletes a committed blob (durably) and any blocks staged for it. */
blob_status_t blob_delete(const char *root, const char *container, const char *name);

/* Opens a committed blob for reading; the caller closes *fd.  The open file
 * keeps its content even if the blob is replaced or deleted meanwhile. */
blob_status_t blob_open_read(const char *root, const char *container, const char *name, int *fd,
                             blob_info_t *info);

/* blob_info_t of a stat result (shared by blob_store.c and blob_listing.c). */
struct stat;
void blob_info_from_stat(const struct stat *sb, blob_info_t *info);

#endif
