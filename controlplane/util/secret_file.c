/*
 * secret_file.c — create-once random secret files: written to a temp name,
 * fsync'ed, linked into place and the folder fsync'ed, so a crash never
 * leaves a short key nor loses a key already used to sign something.  A key
 * file that others than its owner may access is refused, never used.
 */
#define _GNU_SOURCE
#include "util/secret_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/rand.h>

static int read_exact(const char *path, uint8_t *out, size_t len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    ssize_t n;

    if (fd < 0) {
        return -errno;
    }
    if (fstat(fd, &st) != 0 || (size_t) st.st_size != len) {
        snprintf(err, errlen, "%s: expected %zu bytes; refusing to use or replace it", path, len);
        close(fd);
        return -EINVAL;
    }
    if ((st.st_mode & 077) != 0 || st.st_uid != geteuid()) {
        snprintf(err, errlen, "%s: mode %04o, owner %u: a key must be the daemon user's own, "
                 "mode 0600 (chmod 600 it); refusing to use it", path,
                 (unsigned) (st.st_mode & 07777), (unsigned) st.st_uid);
        close(fd);
        return -EINVAL;
    }
    n = read(fd, out, len);
    close(fd);
    if (n != (ssize_t) len) {
        snprintf(err, errlen, "%s: short read", path);
        return -EIO;
    }
    return 0;
}

/* fsync of the folder holding path: the new name survives a crash. */
static int sync_folder(const char *path)
{
    char dir[1100];
    const char *slash = strrchr(path, '/');
    int fd, rc;

    if (slash == NULL) {
        snprintf(dir, sizeof(dir), ".");
    } else {
        snprintf(dir, sizeof(dir), "%.*s", (int) (slash == path ? 1 : slash - path), path);
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    rc = fsync(fd) == 0 ? 0 : -1;
    close(fd);
    return rc;
}

static int create_new(const char *path, uint8_t *out, size_t len, char *err, size_t errlen)
{
    char tmp[1100];
    int fd, rc = 0;

    if (RAND_bytes(out, (int) len) != 1) {
        snprintf(err, errlen, "no randomness for %s", path);
        return -1;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, out, len) != (ssize_t) len || fsync(fd) != 0) {
        rc = -1;
    }
    if (fd >= 0) {
        close(fd);
    }
    /* link() fails if another process created it meanwhile: then use theirs */
    if (rc == 0 && link(tmp, path) != 0) {
        rc = errno == EEXIST ? 1 : -1;
    }
    unlink(tmp);
    if (rc == 0) {
        rc = sync_folder(path);
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    }
    return rc;
}

int secret_file_load_or_create(const char *path, uint8_t *out, size_t len, char *err, size_t errlen)
{
    int rc = read_exact(path, out, len, err, errlen);

    if (rc == -ENOENT) {
        rc = create_new(path, out, len, err, errlen);
        if (rc == 1) {
            rc = read_exact(path, out, len, err, errlen);
        }
    } else if (rc < 0 && rc != -EINVAL && rc != -EIO) {
        snprintf(err, errlen, "%s: %s", path, strerror(-rc));
    }
    return rc < 0 ? -1 : 0;
}
