/*
 * blob_staging.c — the on-disk layout of staged blocks: naming block files,
 * opening and discarding a blob's staging directory, and reading which id
 * length a blob's staged blocks use.
 */
#include "blob_staging.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "blob_digest.h"
#include "blob_fs.h"
#include "util/text_codec.h"

blob_status_t blob_block_file_name(const char *id_b64, size_t len, char out[BLOB_BLOCK_FILE_SIZE])
{
    uint8_t id[BLOB_BLOCK_ID_MAX];
    size_t id_len = 0;
    if (base64_decode_strict(id_b64, len, id, sizeof id, &id_len) != BASE64_OK)
        return BLOB_BAD_BLOCK_ID;
    hex_encode(id, id_len, out, BLOB_BLOCK_FILE_SIZE, 0);
    return BLOB_OK;
}

blob_status_t blob_staging_open(int container_fd, const char *name, bool create, int *staging_fd)
{
    char hash[BLOB_NAME_HASH_SIZE];
    blob_status_t st = blob_name_hash(name, hash);
    if (st != BLOB_OK)
        return st;
    int blocks_fd = -1;
    st = blob_fs_open_subdir(container_fd, BLOB_BLOCKS_DIR, create, &blocks_fd);
    if (st != BLOB_OK)
        return st;
    st = blob_fs_open_subdir(blocks_fd, hash, create, staging_fd);
    close(blocks_fd);
    return st;
}

blob_status_t blob_staging_id_length(int staging_fd, size_t *file_name_len)
{
    DIR *dir = blob_fs_opendir(staging_fd);
    if (dir == NULL)
        return BLOB_IO;
    *file_name_len = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] != '.') {
            *file_name_len = strlen(e->d_name);
            break;
        }
    }
    blob_status_t st = e == NULL && errno != 0 ? BLOB_IO : BLOB_OK;
    closedir(dir);
    return st;
}

blob_status_t blob_staging_discard(int container_fd, const char *name)
{
    char hash[BLOB_NAME_HASH_SIZE];
    blob_status_t st = blob_name_hash(name, hash);
    if (st != BLOB_OK)
        return st;
    int blocks_fd = -1;
    st = blob_fs_open_subdir(container_fd, BLOB_BLOCKS_DIR, false, &blocks_fd);
    if (st == BLOB_OK) {
        st = blob_fs_remove_tree(blocks_fd, hash);
        close(blocks_fd);
    }
    return st == BLOB_NOT_FOUND ? BLOB_OK : st;
}
