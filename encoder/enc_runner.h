/*
 * enc_runner.h — runs ffmpeg as a child in its own process group (killed with
 * the encoder: PR_SET_PDEATHSIG), reads its -progress output (out_time_us)
 * and keeps the last line of its stderr for the error message, while
 * watching a cancel flag set by the signal handler.
 */
#ifndef ENC_RUNNER_H
#define ENC_RUNNER_H

#include <signal.h>
#include <stddef.h>

typedef enum {
    ENC_RUN_OK = 0,
    ENC_RUN_FAILED,               /* non-zero exit or signal: last_line says why */
    ENC_RUN_CANCELED
} enc_run_status_t;

typedef struct {
    volatile sig_atomic_t *cancel;            /* checked every 100 ms */
    void (*on_progress)(double out_seconds, void *ctx);  /* also called as a heartbeat */
    void *ctx;
} enc_run_opts_t;

typedef struct {
    double cpu_seconds;           /* user + sys of the child */
    double wall_seconds;
    char last_line[512];          /* last non-empty stderr line */
} enc_run_result_t;

enc_run_status_t enc_run(char *const *argv, const enc_run_opts_t *o, enc_run_result_t *res);

#endif
