/*
 * blob_writer.h — one request body streamed to disk: bytes go to a temp file
 * in <container>/.incoming/ while their MD5 is computed; finish checks the
 * Content-MD5, fsyncs, renames the file onto its final name and fsyncs that
 * directory.  Until then nothing appears under the final name.  Memory use is
 * constant whatever the body size.  Used for whole blobs, staged blocks and
 * block-list commits alike.
 */
#ifndef BLOB_WRITER_H
#define BLOB_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blob_digest.h"
#include "blob_quota.h"
#include "blob_status.h"

typedef struct blob_writer blob_writer_t;

/* Appends a chunk of the body.  Fails with BLOB_TOO_LARGE when the body
 * passes its limit, BLOB_IO on a write error; after a failure every further
 * write fails the same way and finish returns it (after cleaning up).  The
 * caller should then call blob_put_abort (or finish, which also cleans up). */
blob_status_t blob_put_write(blob_writer_t *w, const void *data, size_t len);

/* Commits the body.  content_md5_b64 is the request's Content-MD5 (NULL when
 * not sent): malformed -> BLOB_BAD_MD5, different -> BLOB_MD5_MISMATCH, and in
 * both cases nothing is stored.  On success md5_b64_out (may be NULL) gets the
 * body's MD5 in base64.  Always frees w, whatever the result.  One corner:
 * if the final directory fsync fails after the rename, the result is BLOB_IO
 * although the body is already visible under its name (it cannot be taken
 * back); a retried upload simply replaces it. */
blob_status_t blob_put_finish(blob_writer_t *w, const char *content_md5_b64,
                              char md5_b64_out[BLOB_MD5_B64_SIZE]);

/* Drops the body: removes the temp file and frees w.  NULL is a no-op. */
void blob_put_abort(blob_writer_t *w);

/* ---- for the store's own modules ---------------------------------------- */

typedef struct {
    int container_fd;            /* container directory (dup'ed) */
    int final_dir_fd;            /* directory receiving final_name (dup'ed) */
    const char *final_name;      /* name inside final_dir_fd */
    uint64_t limit;              /* most bytes the body may have */
    const char *blob_name;       /* committed blob: its staged blocks are discarded
                                    after the commit; NULL for a staged block */
    blob_reservation_t *reservation; /* the body's admitted bytes (may be NULL): caps
                                    limit; the writer settles or releases it */
} blob_writer_target_t;

/* Starts a body for target (temp file in <container>/.incoming/).  Takes
 * the reservation whatever the result. */
blob_status_t blob_writer_open(const blob_writer_target_t *target, blob_writer_t **w);

#endif
