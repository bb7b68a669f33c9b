/*
 * keys_test_util.h — helpers for the content-key cryptography tests: private
 * temporary directories, small files, and running the openssl command-line
 * tool as an independent implementation to cross-check against.
 * Include after <cmocka.h>; define _GNU_SOURCE before any include (nftw).
 */
#ifndef KEYS_TEST_UTIL_H
#define KEYS_TEST_UTIL_H

#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KT_PATH 512

/* A fresh empty directory under $TMPDIR (or /tmp), name written to out. */
static inline void kt_make_temp_dir(char out[KT_PATH])
{
    const char *tmp = getenv("TMPDIR");
    snprintf(out, KT_PATH, "%s/mp-keys-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(out));
}

static int kt_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static inline void kt_remove_tree(const char *dir)
{
    nftw(dir, kt_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void kt_join(char out[KT_PATH], const char *dir, const char *name)
{
    int n = snprintf(out, KT_PATH, "%s/%s", dir, name);
    assert_true(n > 0 && n < KT_PATH);
}

static inline void kt_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(fchmod(fd, mode), 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

/* Reads at most cap - 1 bytes, NUL-terminates; returns the length. */
static inline size_t kt_read_file(const char *path, void *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    assert_int_equal(ferror(f), 0);
    fclose(f);
    ((char *)buf)[n] = '\0';
    return n;
}

static inline mode_t kt_mode(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

/* Runs a shell command (printf-style); returns its exit status. */
static inline int kt_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int kt_run(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof(cmd));
    int status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static inline void kt_hex(const uint8_t *in, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", in[i]);
    out[2 * len] = '\0';
}

/* Forks n children that start together (released through a pipe) and each
 * run child(dir, index); a child exits 0 when child returns 0.  Returns how
 * many children failed. */
static inline int kt_race(int n, const char *dir, int (*child)(const char *dir, int index))
{
    int gate[2];
    pid_t pids[32];
    assert_true(n <= 32);
    assert_int_equal(pipe(gate), 0);
    for (int i = 0; i < n; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            char c;
            close(gate[1]);
            if (read(gate[0], &c, 1) < 0) { /* EOF releases every child at once */ }
            _exit(child(dir, i) == 0 ? 0 : 1);
        }
    }
    close(gate[0]);
    close(gate[1]);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    return failed;
}

#endif
