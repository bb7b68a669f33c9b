/*
 * blob_store.c — operations on committed blobs: starting a whole put, list,
 * stat, delete and open for reading, each resolved relative to the
 * container's directory fd.
 */
#include "blob_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob_fs.h"
#include "blob_staging.h"

/* Opens the container for an operation on blob `name`, both validated. */
static blob_status_t open_for_blob(const char *root, const char *container, const char *name, int *dir_fd)
{
    if (!blob_name_ok(name) || !blob_container_name_ok(container))
        return BLOB_BAD_NAME;
    return blob_fs_open_container(root, container, dir_fd);
}

void blob_info_from_stat(const struct stat *sb, blob_info_t *info)
{
    info->size = (uint64_t) sb->st_size;
    info->mtime = sb->st_mtim;
}

blob_status_t blob_put_begin(const char *root, const char *container, const char *name,
                             const blob_limits_t *lim, uint64_t size, blob_writer_t **w)
{
    *w = NULL;
    int dir_fd = -1;
    bool exact = size != BLOB_SIZE_UNKNOWN;
    if (exact && size > BLOB_MAX_PUT_SIZE)
        return BLOB_TOO_LARGE;
    blob_status_t st = open_for_blob(root, container, name, &dir_fd);
    if (st != BLOB_OK)
        return st;
    blob_writer_target_t target = { dir_fd, dir_fd, name, BLOB_MAX_PUT_SIZE, name, NULL };
    blob_claim_t claim = { BLOB_BUDGET_COMMITTED, exact ? size : BLOB_MAX_PUT_SIZE, exact, name, 0 };
    st = blob_quota_reserve(lim, dir_fd, &claim, &target.reservation);
    if (st == BLOB_OK)
        st = blob_writer_open(&target, w);
    close(dir_fd);
    return st;
}

blob_status_t blob_stat(const char *root, const char *container, const char *name, blob_info_t *info)
{
    int dir_fd = -1;
    blob_status_t st = open_for_blob(root, container, name, &dir_fd);
    if (st != BLOB_OK)
        return st;
    struct stat sb;
    if (fstatat(dir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        st = errno == ENOENT ? BLOB_NOT_FOUND : BLOB_IO;
    else if (!S_ISREG(sb.st_mode))
        st = BLOB_NOT_FOUND;
    else
        blob_info_from_stat(&sb, info);
    close(dir_fd);
    return st;
}

blob_status_t blob_delete(const char *root, const char *container, const char *name)
{
    int dir_fd = -1;
    blob_status_t st = open_for_blob(root, container, name, &dir_fd);
    if (st != BLOB_OK)
        return st;
    if (unlinkat(dir_fd, name, 0) != 0)
        st = errno == ENOENT || errno == EISDIR ? BLOB_NOT_FOUND : BLOB_IO;
    if (st == BLOB_OK)
        st = blob_fs_sync(dir_fd);
    if (st == BLOB_OK) {
        (void) blob_staging_discard(dir_fd, name);   /* best effort: the blob is gone */
        blob_quota_staged_changed(dir_fd);
    }
    close(dir_fd);
    return st;
}

blob_status_t blob_open_read(const char *root, const char *container, const char *name, int *fd,
                             blob_info_t *info)
{
    *fd = -1;
    int dir_fd = -1;
    blob_status_t st = open_for_blob(root, container, name, &dir_fd);
    if (st != BLOB_OK)
        return st;
    int file_fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    close(dir_fd);
    if (file_fd < 0)
        return err == ENOENT || err == ELOOP ? BLOB_NOT_FOUND : BLOB_IO;
    struct stat sb;
    if (fstat(file_fd, &sb) != 0)
        st = BLOB_IO;
    else if (!S_ISREG(sb.st_mode))
        st = BLOB_NOT_FOUND;
    if (st != BLOB_OK) {
        close(file_fd);
        return st;
    }
    blob_info_from_stat(&sb, info);
    *fd = file_fd;
    return BLOB_OK;
}
