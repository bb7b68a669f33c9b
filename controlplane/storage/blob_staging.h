/*
 * blob_staging.h — where staged (uncommitted) blocks live: one directory per
 * blob, <container>/.blocks/<hex SHA-256 of blob name>/, holding one file per
 * block named by the hex of the decoded block id.
 */
#ifndef BLOB_STAGING_H
#define BLOB_STAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blob_status.h"

#define BLOB_BLOCKS_DIR ".blocks"
#define BLOB_BLOCK_ID_MAX 64                          /* decoded bytes */
#define BLOB_BLOCK_FILE_SIZE (2 * BLOB_BLOCK_ID_MAX + 1)

/* Staging file name (hex of the decoded id) for a base64 block id of len
 * characters; BLOB_BAD_BLOCK_ID unless it is strict base64 of 1..64 bytes. */
blob_status_t blob_block_file_name(const char *id_b64, size_t len, char out[BLOB_BLOCK_FILE_SIZE]);

/* Opens the staging directory of blob `name`.  With create, makes the missing
 * directories (durably); without, a missing one gives BLOB_NOT_FOUND. */
blob_status_t blob_staging_open(int container_fd, const char *name, bool create, int *staging_fd);

/* Length of the file names (2 x decoded id length) of the blocks already
 * staged in staging_fd, or 0 when none are. */
blob_status_t blob_staging_id_length(int staging_fd, size_t *file_name_len);

/* Removes every staged block of blob `name`; none staged is BLOB_OK. */
blob_status_t blob_staging_discard(int container_fd, const char *name);

#endif
