/*
 * blob_status.h — the result vocabulary of the blob storage layer and how each
 * result is reported to an Azure Storage client (HTTP status + error code).
 */
#ifndef BLOB_STATUS_H
#define BLOB_STATUS_H

typedef enum {
    BLOB_OK = 0,
    BLOB_BAD_NAME,               /* invalid container or blob name        -> 400 InvalidResourceName */
    BLOB_NOT_FOUND,              /* no committed blob of that name        -> 404 BlobNotFound */
    BLOB_CONTAINER_NOT_FOUND,    /* no such container                     -> 404 ContainerNotFound */
    BLOB_BAD_MD5,                /* Content-MD5 is not base64 of 16 bytes -> 400 InvalidMd5 */
    BLOB_MD5_MISMATCH,           /* body does not match Content-MD5       -> 400 Md5Mismatch */
    BLOB_BAD_BLOCK_ID,           /* not base64 / >64 bytes / other length -> 400 InvalidBlockId */
    BLOB_BAD_BLOCK_LIST,         /* malformed block-list XML              -> 400 InvalidBlockList */
    BLOB_BLOCK_NOT_FOUND,        /* list names a block not staged         -> 400 InvalidBlockList */
    BLOB_BLOCK_LIST_TOO_LONG,    /* more than BLOB_MAX_BLOCKS entries     -> 400 BlockListTooLong */
    BLOB_TOO_LARGE,              /* body or block-list XML over its limit -> 413 RequestBodyTooLarge */
    BLOB_DUPLICATE_BLOCK,        /* list names one block id twice         -> 400 InvalidBlockList */
    BLOB_BLOB_LIMIT,             /* committed blob over its size limit    -> 413 RequestBodyTooLarge */
    BLOB_CONTAINER_LIMIT,        /* container's committed bytes over      -> 413 ContainerQuotaExceeded */
    BLOB_STAGED_LIMIT,           /* container's staged blocks over        -> 409 RequestEntityTooLargeBlockCountExceedsLimit */
    BLOB_NO_SPACE,               /* free space would fall under the floor -> 507 InsufficientStorage */
    BLOB_IO                      /* filesystem error (ENOSPC, EIO, ...)   -> 500 InternalError */
} blob_status_t;

/* HTTP status for a result.  BLOB_OK gives 200; the caller picks the exact
 * success code (Put Blob / Put Block / Put Block List answer 201). */
int blob_status_http(blob_status_t s);

/* Azure Storage error code (x-ms-error-code and <Code> in the error body). */
const char *blob_status_code(blob_status_t s);

/* A sentence for the <Message> of the error body. */
const char *blob_status_message(blob_status_t s);

#endif
