/*
 * key_file.c — owner-only key files: permission-checked reads and atomic,
 * no-overwrite creation (mkstemp + fsync + link + directory fsync).
 */
#include "key_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

void key_set_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

key_file_result_t key_dir_ensure(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0700) == 0)
        return KEY_FILE_OK;
    struct stat st;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return KEY_FILE_OK;
    key_set_error(err, errlen, "key directory %s: %s", dir,
                  errno == EEXIST ? "not a directory" : strerror(errno));
    return KEY_FILE_FAILED;
}

key_file_result_t key_path_join(const char *dir, const char *name, char *out,
                                size_t outlen, char *err, size_t errlen)
{
    int n = snprintf(out, outlen, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= outlen) {
        key_set_error(err, errlen, "key directory path too long: %s", dir);
        return KEY_FILE_FAILED;
    }
    return KEY_FILE_OK;
}

static key_file_result_t check_private_stat(const char *path, const struct stat *st,
                                            size_t cap, char *err, size_t errlen)
{
    if (!S_ISREG(st->st_mode)) {
        key_set_error(err, errlen, "%s is not a regular file", path);
        return KEY_FILE_FAILED;
    }
    if (st->st_mode & 077) {
        key_set_error(err, errlen, "%s has mode %04o; key files must be 0600 "
                      "(chmod 600 it if its content is trusted)", path,
                      (unsigned)(st->st_mode & 07777));
        return KEY_FILE_FAILED;
    }
    if ((uintmax_t)st->st_size > cap) {
        key_set_error(err, errlen, "%s is %jd bytes, more than a key file holds",
                      path, (intmax_t)st->st_size);
        return KEY_FILE_FAILED;
    }
    return KEY_FILE_OK;
}

static int read_fully(int fd, uint8_t *buf, size_t want, size_t *got)
{
    *got = 0;
    while (*got < want) {
        ssize_t n = read(fd, buf + *got, want - *got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? 0 : -1;
        *got += (size_t)n;
    }
    return 0;
}

key_file_result_t key_file_read_private(const char *path, uint8_t *buf, size_t cap,
                                        size_t *len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return KEY_FILE_ABSENT;
        key_set_error(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return KEY_FILE_FAILED;
    }
    struct stat st;
    key_file_result_t rc = KEY_FILE_FAILED;
    if (fstat(fd, &st) != 0)
        key_set_error(err, errlen, "cannot stat %s: %s", path, strerror(errno));
    else if (check_private_stat(path, &st, cap, err, errlen) == KEY_FILE_OK) {
        if (read_fully(fd, buf, (size_t)st.st_size, len) != 0 || *len != (size_t)st.st_size)
            key_set_error(err, errlen, "cannot read %s", path);
        else
            rc = KEY_FILE_OK;
    }
    close(fd);
    if (rc != KEY_FILE_OK)
        OPENSSL_cleanse(buf, cap);
    return rc;
}

static int write_fully(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static void sync_parent_dir(const char *path)
{
    char copy[PATH_MAX];
    snprintf(copy, sizeof(copy), "%s", path);
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

/* Writes data into a new 0600 temporary file; its name is left in tmp. */
static key_file_result_t write_temp(const char *path, char *tmp, size_t tmplen,
                                    const uint8_t *data, size_t len,
                                    char *err, size_t errlen)
{
    int n = snprintf(tmp, tmplen, "%s.tmp.XXXXXX", path);
    if (n < 0 || (size_t)n >= tmplen) {
        key_set_error(err, errlen, "key file path too long: %s", path);
        return KEY_FILE_FAILED;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        key_set_error(err, errlen, "cannot create a file next to %s: %s", path, strerror(errno));
        return KEY_FILE_FAILED;
    }
    int ok = fchmod(fd, 0600) == 0 && write_fully(fd, data, len) == 0 && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        unlink(tmp);
        key_set_error(err, errlen, "cannot write %s: %s", tmp, strerror(saved));
        return KEY_FILE_FAILED;
    }
    return KEY_FILE_OK;
}

key_file_result_t key_file_create_private(const char *path, const uint8_t *data,
                                          size_t len, char *err, size_t errlen)
{
    char tmp[PATH_MAX];
    if (write_temp(path, tmp, sizeof(tmp), data, len, err, errlen) != KEY_FILE_OK)
        return KEY_FILE_FAILED;
    int linked = link(tmp, path);
    int saved = errno;
    unlink(tmp);
    if (linked != 0) {
        if (saved == EEXIST)
            return KEY_FILE_EXISTS;
        key_set_error(err, errlen, "cannot create %s: %s", path, strerror(saved));
        return KEY_FILE_FAILED;
    }
    sync_parent_dir(path);
    return KEY_FILE_OK;
}
