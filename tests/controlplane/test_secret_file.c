/*
 * test_secret_file.c — the daemon's key files (token.key, sas.key,
 * origin.key): created 0600 with the file and then its folder fsync'ed,
 * loaded unchanged on the next start, refused when another size, or when
 * group or others may access them.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/secret_file.h"

/* fsync interposed: the paths synced, in order. */
static char synced[8][512];
static int synced_count;

int fsync(int fd)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    if (synced_count < 8) {
        ssize_t n = readlink(link, synced[synced_count], sizeof synced[0] - 1);
        synced[synced_count++][n < 0 ? 0 : n] = '\0';
    }
    return (int) syscall(SYS_fsync, fd);
}

static char dir[64];

static int setup(void **state)
{
    (void) state;
    strcpy(dir, "/tmp/secrettest.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void test_created_durably_then_loaded(void **state)
{
    (void) state;
    char path[128], err[256] = "";
    uint8_t first[32], again[32];
    snprintf(path, sizeof path, "%s/token.key", dir);
    synced_count = 0;
    assert_int_equal(secret_file_load_or_create(path, first, sizeof first, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);
    /* the key's bytes, then the folder that names it */
    assert_int_equal(synced_count, 2);
    assert_non_null(strstr(synced[0], "token.key.tmp"));
    assert_string_equal(synced[1], dir);
    assert_int_equal(secret_file_load_or_create(path, again, sizeof again, err, sizeof err), 0);
    assert_memory_equal(first, again, 32);
}

static void test_loose_modes_refused(void **state)
{
    (void) state;
    char path[128], err[256] = "";
    uint8_t key[32];
    snprintf(path, sizeof path, "%s/sas.key", dir);
    assert_int_equal(secret_file_load_or_create(path, key, sizeof key, err, sizeof err), 0);
    static const mode_t loose[] = { 0640, 0604, 0660, 0644, 0610 };
    for (size_t i = 0; i < sizeof loose / sizeof loose[0]; i++) {
        assert_int_equal(chmod(path, loose[i]), 0);
        err[0] = '\0';
        assert_int_equal(secret_file_load_or_create(path, key, sizeof key, err, sizeof err), -1);
        assert_non_null(strstr(err, "chmod 600"));
    }
    assert_int_equal(chmod(path, 0400), 0);             /* read-only for its owner: fine */
    assert_int_equal(secret_file_load_or_create(path, key, sizeof key, err, sizeof err), 0);
}

static void test_wrong_size_refused(void **state)
{
    (void) state;
    char path[128], err[256] = "";
    uint8_t key[32];
    snprintf(path, sizeof path, "%s/origin.key", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "short", 5), 5);
    close(fd);
    assert_int_equal(secret_file_load_or_create(path, key, sizeof key, err, sizeof err), -1);
    assert_non_null(strstr(err, "expected 32 bytes"));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 5);                    /* never replaced */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_created_durably_then_loaded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loose_modes_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_size_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
