/*
 * blob_container.c — creating containers and deleting them atomically
 * (rename out of sight, then remove recursively).
 */
#include "blob_container.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob_fs.h"
#include "blob_names.h"
#include "blob_sweep.h"

blob_status_t blob_container_create(const char *root, const char *container)
{
    if (!blob_container_name_ok(container))
        return BLOB_BAD_NAME;
    int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return BLOB_IO;
    int dir_fd = -1;
    blob_status_t st = blob_fs_open_subdir(root_fd, container, true, &dir_fd);
    blob_fs_close(dir_fd);
    close(root_fd);
    return st == BLOB_NOT_FOUND ? BLOB_IO : st;
}

/* Renames <root>/<container> to a fresh .deleting-<random> name (durably). */
static blob_status_t move_out_of_sight(int root_fd, const char *container, char *doomed, size_t doomed_size)
{
    char random[BLOB_RANDOM_NAME_SIZE];
    blob_status_t st = blob_fs_random_name(random);
    if (st != BLOB_OK)
        return st;
    snprintf(doomed, doomed_size, "%s%s", BLOB_DELETING_PREFIX, random);
    struct stat sb;
    if (fstatat(root_fd, container, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? BLOB_CONTAINER_NOT_FOUND : BLOB_IO;
    if (!S_ISDIR(sb.st_mode))
        return BLOB_CONTAINER_NOT_FOUND;
    if (renameat(root_fd, container, root_fd, doomed) != 0)
        return errno == ENOENT ? BLOB_CONTAINER_NOT_FOUND : BLOB_IO;
    return blob_fs_sync(root_fd);
}

blob_status_t blob_container_delete(const char *root, const char *container)
{
    if (!blob_container_name_ok(container))
        return BLOB_BAD_NAME;
    int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return BLOB_IO;
    char doomed[sizeof BLOB_DELETING_PREFIX + BLOB_RANDOM_NAME_SIZE];
    blob_status_t st = move_out_of_sight(root_fd, container, doomed, sizeof doomed);
    if (st == BLOB_OK)
        st = blob_fs_remove_tree(root_fd, doomed);
    if (st == BLOB_OK)
        st = blob_fs_sync(root_fd);
    close(root_fd);
    return st;
}
