/*
 * blob_move.c — moving a committed blob between two containers of one store
 * (see blob_move.h): one rename between directory fds, then both fsynced.
 */
#include "blob_move.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>          /* renameat */
#include <sys/stat.h>
#include <unistd.h>

#include "blob_fs.h"
#include "blob_names.h"

/* A regular file named `name` in dir_fd (not a symlink or a directory). */
static blob_status_t committed(int dir_fd, const char *name)
{
    struct stat sb;

    if (fstatat(dir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? BLOB_NOT_FOUND : BLOB_IO;
    return S_ISREG(sb.st_mode) ? BLOB_OK : BLOB_NOT_FOUND;
}

blob_status_t blob_move(const char *root, const char *from, const char *name, const char *to)
{
    int from_fd = -1, to_fd = -1;
    blob_status_t st;

    if (!blob_name_ok(name) || !blob_container_name_ok(from) || !blob_container_name_ok(to))
        return BLOB_BAD_NAME;
    st = blob_fs_open_container(root, from, &from_fd);
    if (st == BLOB_OK)
        st = blob_fs_open_container(root, to, &to_fd);
    if (st == BLOB_OK)
        st = committed(from_fd, name);
    if (st == BLOB_OK && renameat(from_fd, name, to_fd, name) != 0)
        st = BLOB_IO;
    if (st == BLOB_OK)
        st = blob_fs_sync(to_fd);
    if (st == BLOB_OK)
        st = blob_fs_sync(from_fd);
    if (from_fd >= 0)
        close(from_fd);
    if (to_fd >= 0)
        close(to_fd);
    return st;
}
