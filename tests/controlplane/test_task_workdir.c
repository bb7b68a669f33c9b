/*
 * test_task_workdir.c — a task's outputs are moved into the asset's
 * container durably: every file fsync'ed before its rename, the container
 * folder fsync'ed after the last one (before the scheduler commits the task
 * Finished); a failing fsync fails the move.
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

#include "sched/task_workdir.h"

/* fsync and rename interposed: recorded in order; fsync of a path
 * containing fail_under fails with EIO. */
static char events[16][TASK_WORKDIR_MAX + 64];
static int event_count;
static const char *fail_under;

static void record(const char *op, const char *path)
{
    if (event_count < 16)
        snprintf(events[event_count++], sizeof events[0], "%s %s", op, path);
}

int fsync(int fd)
{
    char link[64], path[512];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    path[n < 0 ? 0 : n] = '\0';
    record("fsync", path);
    if (fail_under != NULL && strstr(path, fail_under) != NULL) {
        errno = EIO;
        return -1;
    }
    return (int) syscall(SYS_fsync, fd);
}

int rename(const char *from, const char *to)
{
    record("rename", to);
    return (int) syscall(SYS_renameat, AT_FDCWD, from, AT_FDCWD, to);
}

static char root[64], dest[128];
static task_workdir_t w;

static int setup(void **state)
{
    (void) state;
    char err[256];
    strcpy(root, "/tmp/workdirtest.XXXXXX");
    assert_non_null(mkdtemp(root));
    snprintf(dest, sizeof dest, "%s/asset-1", root);
    assert_int_equal(mkdir(dest, 0750), 0);
    task_workdir_paths(root, "task-1", &w);
    assert_int_equal(task_workdir_create(&w, "{}", err, sizeof err), 0);
    for (int i = 0; i < 2; i++) {
        char path[TASK_WORKDIR_MAX + 64];
        snprintf(path, sizeof path, "%s/out%d.mp4", w.out, i);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("bytes", f);
        fclose(f);
    }
    event_count = 0;
    fail_under = NULL;
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd);
}

static int find(int from, const char *want)
{
    for (int i = from; i < event_count; i++)
        if (strcmp(events[i], want) == 0)
            return i;
    return -1;
}

static void test_outputs_move_durably(void **state)
{
    (void) state;
    char err[256] = "", want[TASK_WORKDIR_MAX + 64];
    assert_int_equal(task_workdir_move_outputs(&w, dest, err, sizeof err), 0);
    for (int i = 0; i < 2; i++) {
        snprintf(want, sizeof want, "fsync %s/out%d.mp4", w.out, i);
        int synced = find(0, want);
        snprintf(want, sizeof want, "rename %s/out%d.mp4", dest, i);
        int renamed = find(0, want);
        assert_true(synced >= 0 && renamed > synced);
    }
    snprintf(want, sizeof want, "fsync %s", dest);
    assert_int_equal(find(0, want), event_count - 1);        /* the folder, last */
    struct stat st;
    snprintf(want, sizeof want, "%s/out1.mp4", dest);
    assert_int_equal(stat(want, &st), 0);
}

static void test_failed_fsync_fails_the_move(void **state)
{
    (void) state;
    char err[256] = "";
    fail_under = "/asset-1";                                 /* the folder's fsync */
    assert_int_equal(task_workdir_move_outputs(&w, dest, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot sync"));
}

static void test_failed_file_fsync_keeps_it_out(void **state)
{
    (void) state;
    char err[256] = "", path[TASK_WORKDIR_MAX + 64];
    fail_under = "out0.mp4";
    assert_int_equal(task_workdir_move_outputs(&w, dest, err, sizeof err), -1);
    snprintf(path, sizeof path, "%s/out0.mp4", dest);
    assert_int_equal(access(path, F_OK), -1);                /* never renamed in */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_outputs_move_durably, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_fsync_fails_the_move, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_file_fsync_keeps_it_out, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
