/*
 * secret_file.c — create-once random secret files: written to a temp name,
 * fsync'ed and linked into place, so a crash never leaves a short key.
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
    n = read(fd, out, len);
    close(fd);
    if (n != (ssize_t) len) {
        snprintf(err, errlen, "%s: short read", path);
        return -EIO;
    }
    return 0;
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
