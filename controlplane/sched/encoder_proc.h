/*
 * encoder_proc.h — one running mediaplane-encoder: spawned (posix_spawn) in
 * its own process group with stdout on a non-blocking pipe; polled for its
 * protocol lines (progress, outputs, perf, error) and its exit; stopped
 * with SIGTERM (cancel) and, after the grace period, SIGKILL to the group.
 */
#ifndef ENCODER_PROC_H
#define ENCODER_PROC_H

#include "sched/encoder_protocol.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    pid_t  pid;
    int    out_fd;                 /* -1 once EOF was read */
    encoder_reader_t reader;
    double progress;
    bool   progress_changed;
    char   perf[ENCODER_LINE_MAX];
    char   err_code[64];
    char   err_msg[ENCODER_LINE_MAX];
    bool   exited;
    int    status;                 /* waitpid status once exited */
} encoder_proc_t;

typedef struct {
    const char *encoder;
    const char *config_file;
    const char *output_dir;
    const char *const *inputs;     /* primary file first */
    size_t      ninputs;
    const char *complexity;        /* --complexity (the daemon's encoder_complexity); NULL: none */
    const char *storage_keys;      /* --storage-keys (task_storage_keys.h); NULL: none */
    const char *const *urls;       /* --input-url (v3 JobInputHttp), fetched by the encoder */
    size_t      nurls;
    unsigned long long fetch_max_bytes;  /* --fetch-max-bytes (http_input_max_bytes) */
    unsigned    fetch_timeout;     /* --fetch-timeout seconds (http_input_timeout) */
    bool        fetch_private;     /* --fetch-allow-private (http_input_private on) */
} encoder_args_t;

/* 0, or -1 with err. */
int  encoder_proc_start(encoder_proc_t *p, const encoder_args_t *a, char *err, size_t cap);
/* Reads what stdout has (without blocking) and reaps the process if it exited. */
void encoder_proc_poll(encoder_proc_t *p);
/* True once it exited and its stdout is drained. */
bool encoder_proc_done(const encoder_proc_t *p);
/* SIGTERM goes to the encoder itself, SIGKILL to its whole process group. */
void encoder_proc_signal(const encoder_proc_t *p, int sig);
/* Frees the pipe (call after done, or after SIGKILL + waiting). */
void encoder_proc_close(encoder_proc_t *p);

#endif
