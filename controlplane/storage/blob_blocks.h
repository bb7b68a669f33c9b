/*
 * blob_blocks.h — Put Block and Put Block List: staging blocks of a blob
 * under <container>/.blocks/ and committing a block list by concatenating the
 * named blocks, in list order, into the blob (atomically, like a whole put).
 *
 * Block ids are the base64 text from the request (already URL-decoded): strict
 * padded base64 of 1..64 bytes.  All ids of one blob must have the same
 * decoded length, as Azure requires.
 *
 * Latest, Uncommitted and Committed entries all name a staged block.  The
 * store does not keep the block structure of committed blobs: a successful
 * commit (or whole put, or delete) discards the blob's staged blocks, so a
 * Committed entry naming a block of an earlier commit gives
 * BLOB_BLOCK_NOT_FOUND rather than reusing that block.  (Clients uploading a
 * new blob — the AMS case — only send Latest.)
 *
 * Races, as in Azure, are resolved by "last commit wins": a Put Block
 * finishing while a Put Block List of the same blob removes its staging
 * directory may fail with BLOB_IO (the client retries), and two concurrent
 * commits of one blob may leave the loser with BLOB_BLOCK_NOT_FOUND.  The
 * committed blob is always one whole list's content.
 */
#ifndef BLOB_BLOCKS_H
#define BLOB_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "blob_block_list.h"
#include "blob_quota.h"
#include "blob_writer.h"

#define BLOB_MAX_BLOCK_SIZE (100ull << 20)     /* 100 MiB per block */

/* Starts a staged block: the body goes through w (blob_put_write, then
 * blob_put_finish with the request's Content-MD5 or blob_put_abort).  A block
 * of the same id staged before is replaced when finish succeeds.  size is the
 * declared length (BLOB_SIZE_UNKNOWN if none); lim (NULL: none) admits it
 * against the container's staged budget and the free-space floor (the errors
 * of blob_quota_reserve).  Errors: BLOB_BAD_NAME, BLOB_BAD_BLOCK_ID (also
 * when other staged blocks of this blob have ids of another length),
 * BLOB_CONTAINER_NOT_FOUND, BLOB_IO; a declared size or writes past 100 MiB
 * or past what was admitted give BLOB_TOO_LARGE. */
blob_status_t blob_block_begin(const char *root, const char *container, const char *name,
                               const char *block_id_b64, const blob_limits_t *lim, uint64_t size,
                               blob_writer_t **w);

/* Put Block List.  xml_md5_b64 is the request's Content-MD5 (of the XML body,
 * NULL if not sent); blob_md5_b64 is x-ms-blob-content-md5 (of the whole blob,
 * NULL if not sent) and unlike Azure we verify it, since we compute it anyway.
 * Errors: BLOB_BAD_NAME, BLOB_BAD_MD5, BLOB_MD5_MISMATCH (XML or blob; the
 * blob is then not stored), the parse errors of blob_block_list_parse,
 * BLOB_CONTAINER_NOT_FOUND, BLOB_BLOCK_NOT_FOUND, BLOB_IO, and with lim (NULL:
 * none) BLOB_BLOB_LIMIT, BLOB_CONTAINER_LIMIT or BLOB_NO_SPACE, all judged
 * from the staged blocks' sizes before a byte is copied.  On success the blob
 * is committed, md5_b64_out (may be NULL) holds its MD5, and all staged
 * blocks of the blob are gone (on failure they stay, as in Azure).  Unlike
 * Azure, a list naming one block twice is refused (BLOB_DUPLICATE_BLOCK): no
 * upload client repeats a block, and repeats would let a small list write a
 * blob many times the size of what was staged.  An empty list commits an
 * empty blob. */
blob_status_t blob_block_list_commit(const char *root, const char *container, const char *name,
                                     const char *xml, size_t xml_len,
                                     const char *xml_md5_b64, const char *blob_md5_b64,
                                     const blob_limits_t *lim, char md5_b64_out[BLOB_MD5_B64_SIZE]);

#endif
