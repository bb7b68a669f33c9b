/*
 * enc_runner.c — the ffmpeg child process: spawn, progress, cancel, reap.
 */
#define _GNU_SOURCE
#include "enc_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    char buf[4096];
    size_t len;
} line_buf_t;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

static void child_exec(char *const *argv, int out_fd, int err_fd, pid_t parent)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
        _exit(127);
    }
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
    }
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* hand complete lines to fn; keeps a partial line for later */
static void split_lines(line_buf_t *b, void (*fn)(const char *, void *), void *ctx)
{
    size_t start = 0;
    for (size_t i = 0; i < b->len; i++) {
        if (b->buf[i] == '\n' || b->buf[i] == '\r') {
            b->buf[i] = '\0';
            fn(b->buf + start, ctx);
            start = i + 1;
        }
    }
    memmove(b->buf, b->buf + start, b->len - start);
    b->len -= start;
    if (b->len == sizeof(b->buf)) {       /* an over-long line: drop it */
        b->len = 0;
    }
}

typedef struct {
    const enc_run_opts_t *opts;
    enc_run_result_t *res;
    double out_seconds;
} run_state_t;

static void on_progress_line(const char *line, void *ctx)
{
    run_state_t *st = ctx;
    long long us;
    if (sscanf(line, "out_time_us=%lld", &us) == 1 && us > 0) {
        st->out_seconds = us / 1e6;
    }
}

static void on_stderr_line(const char *line, void *ctx)
{
    run_state_t *st = ctx;
    fprintf(stderr, "ffmpeg: %s\n", line);
    if (line[strspn(line, " \t")] != '\0') {
        snprintf(st->res->last_line, sizeof(st->res->last_line), "%s", line);
    }
}

/* read what is there; returns 0 at EOF */
static int drain(int fd, line_buf_t *b, void (*fn)(const char *, void *), void *ctx)
{
    ssize_t n = read(fd, b->buf + b->len, sizeof(b->buf) - b->len);
    if (n <= 0) {
        return n < 0 && (errno == EINTR || errno == EAGAIN);
    }
    b->len += (size_t) n;
    split_lines(b, fn, ctx);
    return 1;
}

static void pump(int out_fd, int err_fd, pid_t pid, run_state_t *st, int *canceled)
{
    line_buf_t out_buf = { .len = 0 }, err_buf = { .len = 0 };
    struct pollfd fds[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
    int open_count = 2;
    while (open_count > 0) {
        if (*st->opts->cancel) {
            kill(-pid, SIGKILL);
            *canceled = 1;
            return;
        }
        if (poll(fds, 2, 100) > 0) {
            for (int i = 0; i < 2; i++) {
                if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
                    && !drain(fds[i].fd, i ? &err_buf : &out_buf,
                              i ? on_stderr_line : on_progress_line, st)) {
                    fds[i].fd = -1;
                    open_count--;
                }
            }
        }
        st->opts->on_progress(st->out_seconds, st->opts->ctx);
    }
}

static void describe_exit(int status, enc_run_result_t *res)
{
    if (WIFSIGNALED(status)) {
        char tail[sizeof(res->last_line)];
        int n = snprintf(tail, sizeof(tail), "ffmpeg killed by signal %d%s", WTERMSIG(status),
                         res->last_line[0] ? ": " : "");
        size_t keep = sizeof(tail) - 1 - (size_t) n;
        strncat(tail, res->last_line, keep);
        memcpy(res->last_line, tail, sizeof(tail));
    } else if (res->last_line[0] == '\0') {
        snprintf(res->last_line, sizeof(res->last_line), "ffmpeg exited with status %d",
                 WEXITSTATUS(status));
    }
}

enc_run_status_t enc_run(char *const *argv, const enc_run_opts_t *o, enc_run_result_t *res)
{
    memset(res, 0, sizeof(*res));
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        snprintf(res->last_line, sizeof(res->last_line), "pipe: %s", strerror(errno));
        return ENC_RUN_FAILED;
    }
    double t0 = now_seconds();
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        child_exec(argv, out_pipe[1], err_pipe[1], parent);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (pid < 0) {
        snprintf(res->last_line, sizeof(res->last_line), "fork: %s", strerror(errno));
        close(out_pipe[0]);
        close(err_pipe[0]);
        return ENC_RUN_FAILED;
    }
    setpgid(pid, pid);
    run_state_t st = { o, res, 0 };
    int canceled = 0, status = 0;
    pump(out_pipe[0], err_pipe[0], pid, &st, &canceled);
    close(out_pipe[0]);
    close(err_pipe[0]);
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    res->wall_seconds = now_seconds() - t0;
    res->cpu_seconds = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
                     + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    if (canceled) {
        return ENC_RUN_CANCELED;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return ENC_RUN_OK;
    }
    describe_exit(status, res);
    return ENC_RUN_FAILED;
}
