/*
 * blob_status.c — maps blob storage results to the HTTP status and Azure
 * Storage error code a Blob service client expects.
 */
#include "blob_status.h"

int blob_status_http(blob_status_t s)
{
    switch (s) {
    case BLOB_OK:
        return 200;
    case BLOB_BAD_NAME:
    case BLOB_BAD_MD5:
    case BLOB_MD5_MISMATCH:
    case BLOB_BAD_BLOCK_ID:
    case BLOB_BAD_BLOCK_LIST:
    case BLOB_BLOCK_NOT_FOUND:
    case BLOB_BLOCK_LIST_TOO_LONG:
    case BLOB_DUPLICATE_BLOCK:
        return 400;
    case BLOB_STAGED_LIMIT:
        return 409;
    case BLOB_NO_SPACE:
        return 507;
    case BLOB_NOT_FOUND:
    case BLOB_CONTAINER_NOT_FOUND:
        return 404;
    case BLOB_TOO_LARGE:
    case BLOB_BLOB_LIMIT:
    case BLOB_CONTAINER_LIMIT:
        return 413;
    case BLOB_IO:
        break;
    }
    return 500;
}

const char *blob_status_code(blob_status_t s)
{
    switch (s) {
    case BLOB_OK:
        return "Success";
    case BLOB_BAD_NAME:
        return "InvalidResourceName";
    case BLOB_NOT_FOUND:
        return "BlobNotFound";
    case BLOB_CONTAINER_NOT_FOUND:
        return "ContainerNotFound";
    case BLOB_BAD_MD5:
        return "InvalidMd5";
    case BLOB_MD5_MISMATCH:
        return "Md5Mismatch";
    case BLOB_BAD_BLOCK_ID:
        return "InvalidBlockId";
    case BLOB_BAD_BLOCK_LIST:
    case BLOB_BLOCK_NOT_FOUND:
    case BLOB_DUPLICATE_BLOCK:
        return "InvalidBlockList";
    case BLOB_BLOCK_LIST_TOO_LONG:
        return "BlockListTooLong";
    case BLOB_TOO_LARGE:
    case BLOB_BLOB_LIMIT:
        return "RequestBodyTooLarge";
    case BLOB_CONTAINER_LIMIT:
        return "ContainerQuotaExceeded";
    case BLOB_STAGED_LIMIT:
        return "RequestEntityTooLargeBlockCountExceedsLimit";
    case BLOB_NO_SPACE:
        return "InsufficientStorage";
    case BLOB_IO:
        break;
    }
    return "InternalError";
}

const char *blob_status_message(blob_status_t s)
{
    switch (s) {
    case BLOB_DUPLICATE_BLOCK:
        return "the block list names a block id more than once";
    case BLOB_BLOCK_NOT_FOUND:
        return "the block list names a block that is not staged";
    case BLOB_BLOB_LIMIT:
        return "the blob would exceed the largest blob size (upload_max_blob_size)";
    case BLOB_CONTAINER_LIMIT:
        return "the container's blobs would exceed their total size limit (upload_max_container_size)";
    case BLOB_STAGED_LIMIT:
        return "the container's uncommitted blocks would exceed their limit (upload_max_staged_size, "
               "100000 blocks)";
    case BLOB_NO_SPACE:
        return "the storage would fall below its free-space floor (upload_min_free_space)";
    default:
        return blob_status_code(s);
    }
}
