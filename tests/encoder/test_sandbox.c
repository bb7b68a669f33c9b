/*
 * test_sandbox.c — the encoder's Landlock confinement (enc_sandbox.c), each
 * case in a forked child (a confinement cannot be undone): the input is
 * readable, the task directory writable, a file beside them (standing for
 * the daemon's token.key) is neither, nothing outside may be created, and
 * no TCP connection is opened.  Skipped where the kernel has no Landlock.
 */
#include "enc_sandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/landlock.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

static char root[64], task[96], input[96], secret[96];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void) state;
    snprintf(root, sizeof(root), "/tmp/enc-sandbox-XXXXXX");
    assert_non_null(mkdtemp(root));
    snprintf(task, sizeof(task), "%s/task", root);
    snprintf(input, sizeof(input), "%s/input.mp4", root);
    snprintf(secret, sizeof(secret), "%s/token.key", root);
    assert_int_equal(mkdir(task, 0700), 0);
    write_file(input, "media");
    write_file(secret, "secret");
    return 0;
}

static int teardown(void **state)
{
    char cmd[96];
    (void) state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    return system(cmd);
}

static int can_open(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC, 0600);
    if (fd < 0) {
        return 0;
    }
    close(fd);
    return 1;
}

/* Runs in the child; the exit status is the number of the first failure. */
static int confined_checks(int port)
{
    char err[256], out[128], outside[128];
    char *inputs[] = { input };
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
    int s;

    if (enc_sandbox_apply(inputs, 1, NULL, task, NULL, err, sizeof(err)) != ENC_SANDBOX_APPLIED) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    snprintf(out, sizeof(out), "%s/out.mp4", task);
    snprintf(outside, sizeof(outside), "%s/planted", root);
    if (!can_open(input, O_RDONLY)) return 2;
    if (!can_open(out, O_WRONLY | O_CREAT)) return 3;
    if (can_open(secret, O_RDONLY)) return 4;
    if (can_open(outside, O_WRONLY | O_CREAT)) return 5;
    if (can_open(input, O_WRONLY)) return 6;
    if (!can_open("/etc/passwd", O_RDONLY) || !can_open("/dev/null", O_WRONLY)) return 7;
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (s >= 0 && connect(s, (struct sockaddr *) &sa, sizeof(sa)) == 0) return 8;
    return 0;
}

static long landlock_abi(void)
{
    return syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
}

static void test_confinement(void **state)
{
    char err[256];
    int status = 0, lst;
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof(sa);
    pid_t pid;
    (void) state;

    if (enc_sandbox_apply(NULL, 0, NULL, "/nonexistent", NULL, err, sizeof(err))
        == ENC_SANDBOX_UNAVAILABLE) {
        skip();
    }
    lst = socket(AF_INET, SOCK_STREAM, 0);        /* something to connect to */
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(bind(lst, (struct sockaddr *) &sa, sizeof(sa)), 0);
    assert_int_equal(listen(lst, 1), 0);
    getsockname(lst, (struct sockaddr *) &sa, &len);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        _exit(confined_checks(ntohs(sa.sin_port)));
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    close(lst);
    assert_true(WIFEXITED(status));
    /* 8 (TCP allowed) is only a failure where Landlock can deny TCP (ABI 4) */
    if (WEXITSTATUS(status) != 8 || landlock_abi() >= 4) {
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

static void test_missing_task_dir_fails(void **state)
{
    char err[256];
    int status = 0;
    pid_t pid;
    (void) state;
    pid = fork();
    if (pid == 0) {
        enc_sandbox_result_t r = enc_sandbox_apply(NULL, 0, NULL, "/nonexistent/task", NULL,
                                                   err, sizeof(err));
        _exit(r == ENC_SANDBOX_FAILED && strstr(err, "/nonexistent/task") ? 0
              : r == ENC_SANDBOX_UNAVAILABLE ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confinement),
        cmocka_unit_test(test_missing_task_dir_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
