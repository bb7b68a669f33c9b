/*
 * enc_sandbox.h — confines the encoder process, and the ffmpeg processes it
 * runs, before any untrusted media is opened: Linux Landlock rules that let
 * it read the system (libraries, /etc, /proc, /dev) and the task's input
 * files, read and write only the task's directory, and open no TCP socket.
 * The daemon's data directory (token.key, sas.key, origin.key, keys/, the
 * catalog) is out of reach even though the encoder runs as its user.
 */
#ifndef ENC_SANDBOX_H
#define ENC_SANDBOX_H

#include <stddef.h>

typedef enum {
    ENC_SANDBOX_APPLIED,        /* confined */
    ENC_SANDBOX_UNAVAILABLE,    /* the kernel has no Landlock: runs unconfined */
    ENC_SANDBOX_FAILED          /* a rule could not be set: err says which */
} enc_sandbox_result_t;

/* inputs: files read; task_dir: the one directory written (outputs, logs);
 * extra_exec: a directory with a non-system ffmpeg, or NULL. */
enc_sandbox_result_t enc_sandbox_apply(char *const *inputs, int input_count,
                                       const char *config_file, const char *task_dir,
                                       const char *extra_exec, char *err, size_t err_len);

#endif
