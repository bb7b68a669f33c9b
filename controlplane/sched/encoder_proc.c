/*
 * encoder_proc.c — spawning and watching one encoder process (see
 * encoder_proc.h).  The child gets default dispositions for SIGPIPE, SIGTERM
 * and SIGINT (the daemon ignores SIGPIPE; ignored signals would survive
 * exec): if the daemon dies, the encoder's next progress line kills it.
 */
#define _GNU_SOURCE
#include "sched/encoder_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char **build_argv(const encoder_args_t *a)
{
    size_t n = 10 + 2 * a->ninputs + 2 * a->nurls + 6, k = 0;
    char **argv = calloc(n, sizeof(*argv));
    static char max_bytes[32], timeout[32];      /* copied by posix_spawn before reuse */

    if (argv == NULL) {
        return NULL;
    }
    argv[k++] = (char *) a->encoder;
    argv[k++] = "--config-file";
    argv[k++] = (char *) a->config_file;
    argv[k++] = "--output-dir";
    argv[k++] = (char *) a->output_dir;
    if (a->complexity != NULL) {
        argv[k++] = "--complexity";
        argv[k++] = (char *) a->complexity;
    }
    if (a->storage_keys != NULL) {
        argv[k++] = "--storage-keys";
        argv[k++] = (char *) a->storage_keys;
    }
    for (size_t i = 0; i < a->ninputs; i++) {
        argv[k++] = "--input";
        argv[k++] = (char *) a->inputs[i];
    }
    for (size_t i = 0; i < a->nurls; i++) {
        argv[k++] = "--input-url";
        argv[k++] = (char *) a->urls[i];
    }
    if (a->nurls > 0) {
        snprintf(max_bytes, sizeof(max_bytes), "%llu", a->fetch_max_bytes);
        snprintf(timeout, sizeof(timeout), "%u", a->fetch_timeout);
        argv[k++] = "--fetch-max-bytes";
        argv[k++] = max_bytes;
        argv[k++] = "--fetch-timeout";
        argv[k++] = timeout;
        if (a->fetch_private) argv[k++] = "--fetch-allow-private";
    }
    argv[k] = NULL;
    return argv;
}

static void child_attributes(posix_spawnattr_t *attr)
{
    sigset_t def, none;

    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    sigaddset(&def, SIGTERM);
    sigaddset(&def, SIGINT);
    sigemptyset(&none);
    posix_spawnattr_init(attr);
    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF
                                   | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(attr, 0);
    posix_spawnattr_setsigdefault(attr, &def);
    posix_spawnattr_setsigmask(attr, &none);
}

int encoder_proc_start(encoder_proc_t *p, const encoder_args_t *a, char *err, size_t cap)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    char **argv = build_argv(a);
    int pipefd[2], rc;

    memset(p, 0, sizeof(*p));
    p->out_fd = -1;
    if (argv == NULL || pipe2(pipefd, O_CLOEXEC) != 0) {
        free(argv);
        snprintf(err, cap, "cannot prepare the encoder: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    child_attributes(&attr);
    rc = posix_spawn(&p->pid, a->encoder, &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    free(argv);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        snprintf(err, cap, "cannot run %s: %s", a->encoder, strerror(rc));
        return -1;
    }
    fcntl(pipefd[0], F_SETFL, fcntl(pipefd[0], F_GETFL) | O_NONBLOCK);
    p->out_fd = pipefd[0];
    return 0;
}

static void on_line(const encoder_line_t *line, void *arg)
{
    encoder_proc_t *p = arg;

    switch (line->kind) {
    case ENCODER_LINE_PROGRESS:
        if (line->progress != p->progress) {
            p->progress = line->progress;
            p->progress_changed = true;
        }
        break;
    case ENCODER_LINE_PERF:
        snprintf(p->perf, sizeof(p->perf), "%s", line->text);
        break;
    case ENCODER_LINE_ERROR:
        snprintf(p->err_code, sizeof(p->err_code), "%s", line->code);
        snprintf(p->err_msg, sizeof(p->err_msg), "%s", line->text);
        break;
    case ENCODER_LINE_OUTPUT:
        break;                 /* the output dir is the truth; names are informative */
    }
}

static void drain(encoder_proc_t *p)
{
    char buf[4096];

    while (p->out_fd >= 0) {
        ssize_t n = read(p->out_fd, buf, sizeof(buf));
        if (n > 0) {
            encoder_reader_feed(&p->reader, buf, (size_t) n, on_line, p);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n == 0) {
            close(p->out_fd);
            p->out_fd = -1;
        }
        break;                 /* EAGAIN: nothing more now */
    }
}

void encoder_proc_poll(encoder_proc_t *p)
{
    drain(p);
    if (!p->exited && waitpid(p->pid, &p->status, WNOHANG) == p->pid) {
        p->exited = true;
        /* what it wrote before exiting is in the pipe; a grandchild that
         * still holds the pipe open must not keep the task alive */
        drain(p);
        encoder_proc_close(p);
    }
}

bool encoder_proc_done(const encoder_proc_t *p)
{
    return p->exited && p->out_fd < 0;
}

void encoder_proc_signal(const encoder_proc_t *p, int sig)
{
    if (!p->exited && p->pid > 0) {
        /* SIGTERM asks the encoder, which stops its own children and cleans
         * up; SIGKILL takes its whole process group */
        kill(sig == SIGKILL ? -p->pid : p->pid, sig);
    }
}

void encoder_proc_close(encoder_proc_t *p)
{
    if (p->out_fd >= 0) {
        close(p->out_fd);
        p->out_fd = -1;
    }
}
