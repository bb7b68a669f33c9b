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
        return 400;
    case BLOB_NOT_FOUND:
    case BLOB_CONTAINER_NOT_FOUND:
        return 404;
    case BLOB_TOO_LARGE:
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
        return "InvalidBlockList";
    case BLOB_BLOCK_LIST_TOO_LONG:
        return "BlockListTooLong";
    case BLOB_TOO_LARGE:
        return "RequestBodyTooLarge";
    case BLOB_IO:
        break;
    }
    return "InternalError";
}
