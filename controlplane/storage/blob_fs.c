/*
 * blob_fs.c — fd-relative filesystem primitives for the blob store: opening
 * directories without following symlinks, durable writes, temp files with
 * random names and recursive removal with openat/unlinkat.
 */
#include "blob_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob_names.h"
#include "util/text_codec.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

blob_status_t blob_fs_open_container(const char *root, const char *container, int *dir_fd)
{
    if (!blob_container_name_ok(container))
        return BLOB_BAD_NAME;
    int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return BLOB_IO;
    *dir_fd = openat(root_fd, container, DIR_FLAGS);
    int err = errno;
    close(root_fd);
    if (*dir_fd >= 0)
        return BLOB_OK;
    return err == ENOENT || err == ENOTDIR || err == ELOOP ? BLOB_CONTAINER_NOT_FOUND : BLOB_IO;
}

blob_status_t blob_fs_open_subdir(int dir_fd, const char *name, bool create, int *sub_fd)
{
    bool created = false;
    if (create) {
        if (mkdirat(dir_fd, name, 0777) == 0)
            created = true;
        else if (errno != EEXIST)
            return BLOB_IO;
    }
    *sub_fd = openat(dir_fd, name, DIR_FLAGS);
    if (*sub_fd < 0)
        return errno == ENOENT ? BLOB_NOT_FOUND : BLOB_IO;
    if (created && fsync(dir_fd) != 0) {
        close(*sub_fd);
        *sub_fd = -1;
        return BLOB_IO;
    }
    return BLOB_OK;
}

blob_status_t blob_fs_sync(int fd)
{
    return fsync(fd) == 0 ? BLOB_OK : BLOB_IO;
}

blob_status_t blob_fs_write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return BLOB_IO;
        p += n;
        len -= (size_t) n;
    }
    return BLOB_OK;
}

blob_status_t blob_fs_read_full(int fd, void *buf, size_t cap, size_t *got)
{
    uint8_t *p = buf;
    *got = 0;
    while (*got < cap) {
        ssize_t n = read(fd, p + *got, cap - *got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return BLOB_IO;
        if (n == 0)
            break;
        *got += (size_t) n;
    }
    return BLOB_OK;
}

blob_status_t blob_fs_random_name(char out[BLOB_RANDOM_NAME_SIZE])
{
    uint8_t bits[16];
    size_t have = 0;
    while (have < sizeof bits) {
        ssize_t n = getrandom(bits + have, sizeof bits - have, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return BLOB_IO;
        have += (size_t) n;
    }
    hex_encode(bits, sizeof bits, out, BLOB_RANDOM_NAME_SIZE, 0);
    return BLOB_OK;
}

blob_status_t blob_fs_create_temp(int dir_fd, char name[BLOB_RANDOM_NAME_SIZE], int *fd)
{
    blob_status_t st = blob_fs_random_name(name);
    if (st != BLOB_OK)
        return st;
    *fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    return *fd >= 0 ? BLOB_OK : BLOB_IO;
}

DIR *blob_fs_opendir(int dir_fd)
{
    int fd = openat(dir_fd, ".", DIR_FLAGS);
    if (fd < 0)
        return NULL;
    DIR *dir = fdopendir(fd);
    if (dir == NULL)
        close(fd);
    return dir;
}

blob_status_t blob_fs_each_entry(int dir_fd, blob_fs_entry_fn fn, void *arg)
{
    DIR *dir = blob_fs_opendir(dir_fd);
    if (dir == NULL)
        return BLOB_IO;
    blob_status_t st = BLOB_OK;
    struct dirent *e;
    errno = 0;
    while (st == BLOB_OK && (e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            st = fn(dir_fd, e->d_name, arg);
        errno = 0;
    }
    if (st == BLOB_OK && errno != 0)
        st = BLOB_IO;
    closedir(dir);
    return st;
}

static blob_status_t remove_child(int dir_fd, const char *name, void *arg)
{
    (void) arg;
    blob_status_t st = blob_fs_remove_tree(dir_fd, name);
    return st == BLOB_NOT_FOUND ? BLOB_OK : st;   /* removed by someone else meanwhile */
}

blob_status_t blob_fs_remove_tree(int dir_fd, const char *name)
{
    if (unlinkat(dir_fd, name, 0) == 0)
        return BLOB_OK;
    if (errno == ENOENT)
        return BLOB_NOT_FOUND;
    if (errno != EISDIR && errno != EPERM)
        return BLOB_IO;
    int sub_fd = openat(dir_fd, name, DIR_FLAGS);
    if (sub_fd < 0)
        return errno == ENOENT ? BLOB_NOT_FOUND : BLOB_IO;
    blob_status_t st = blob_fs_each_entry(sub_fd, remove_child, NULL);
    close(sub_fd);
    if (st == BLOB_OK && unlinkat(dir_fd, name, AT_REMOVEDIR) != 0)
        st = BLOB_IO;
    return st;
}

blob_status_t blob_fs_close(int fd)
{
    if (fd < 0)
        return BLOB_OK;
    return close(fd) == 0 ? BLOB_OK : BLOB_IO;
}
