/*
 * encoder_check.c — runs `mediaplane-encoder --check-config FILE` (see
 * encoder_check.h): the configuration goes to a private temporary file, the
 * encoder's stdout is read through a pipe until it exits or the timeout
 * kills it; exit 0 accepts, exit 1 rejects with its `error <Code> <message>`.
 */
#define _GNU_SOURCE
#include "sched/encoder_check.h"
#include "sched/encoder_protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int write_config_file(const char *tmp_dir, const char *config, char *path, size_t cap)
{
    size_t len = strlen(config), done = 0;
    int fd;

    snprintf(path, cap, "%s/check-config-XXXXXX", tmp_dir);
    fd = mkstemp(path);
    if (fd < 0) {
        return -1;
    }
    while (done < len) {
        ssize_t n = write(fd, config + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        done += (size_t) n;
    }
    close(fd);
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the child's stdout into out (cap bytes) until EOF or the deadline. */
static int read_until_eof(int fd, char *out, size_t cap, long long deadline)
{
    size_t len = 0;

    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        long long left = deadline - now_ms();
        ssize_t n;
        if (left <= 0) {
            return -1;
        }
        if (poll(&p, 1, (int) left) < 0 && errno != EINTR) {
            return -1;
        }
        if (!(p.revents & (POLLIN | POLLHUP))) {
            continue;
        }
        n = read(fd, out + len, cap - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            break;
        }
        len += (size_t) n;
        if (len + 1 >= cap) {
            break;
        }
    }
    out[len] = '\0';
    return 0;
}

static pid_t spawn_check(const char *encoder, const char *file, int out_fd, int *err_no)
{
    posix_spawn_file_actions_t fa;
    char *argv[] = { (char *) encoder, "--check-config", (char *) file, NULL };
    pid_t pid = -1;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    *err_no = posix_spawn(&pid, encoder, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return *err_no == 0 ? pid : -1;
}

static encoder_check_t judge(int status, const char *output, char *msg, size_t cap)
{
    encoder_line_t line;
    const char *p = output;

    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return ENCODER_CHECK_OK;
    }
    while (*p != '\0') {
        size_t n = strcspn(p, "\n");
        if (encoder_line_parse(p, n, &line) == 0 && line.kind == ENCODER_LINE_ERROR) {
            snprintf(msg, cap, "%s: %s", line.code, line.text);
            return ENCODER_CHECK_REJECTED;
        }
        p += n + (p[n] == '\n');
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
        snprintf(msg, cap, "InvalidConfiguration: the encoder rejected the configuration");
        return ENCODER_CHECK_REJECTED;
    }
    snprintf(msg, cap, "the encoder's configuration check failed (status %d)", status);
    return ENCODER_CHECK_UNAVAILABLE;
}

encoder_check_t encoder_check_config(const char *encoder, const char *tmp_dir,
                                     const char *config, char *msg, size_t cap)
{
    char path[4096], output[8192];
    int pipefd[2], err_no = 0, status = 0;
    pid_t pid;
    encoder_check_t result;

    if (access(encoder, X_OK) != 0) {
        snprintf(msg, cap, "encoder %s is not executable: %s", encoder, strerror(errno));
        return ENCODER_CHECK_UNAVAILABLE;
    }
    if (write_config_file(tmp_dir, config, path, sizeof(path)) != 0) {
        snprintf(msg, cap, "cannot write a temporary file in %s: %s", tmp_dir, strerror(errno));
        return ENCODER_CHECK_UNAVAILABLE;
    }
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        unlink(path);
        snprintf(msg, cap, "pipe: %s", strerror(errno));
        return ENCODER_CHECK_UNAVAILABLE;
    }
    pid = spawn_check(encoder, path, pipefd[1], &err_no);
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        unlink(path);
        snprintf(msg, cap, "cannot run %s: %s", encoder, strerror(err_no));
        return ENCODER_CHECK_UNAVAILABLE;
    }
    if (read_until_eof(pipefd[0], output, sizeof(output), now_ms() + ENCODER_CHECK_TIMEOUT_MS) != 0) {
        kill(pid, SIGKILL);
    }
    close(pipefd[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    unlink(path);
    output[sizeof(output) - 1] = '\0';
    result = judge(status, output, msg, cap);
    return result;
}
