/*
 * enc_command.h — the one ffmpeg command line of a task: every input decoded
 * once, a filter graph that splits the video into a scale per layer (and per
 * thumbnail set), libx264 per layer with closed 2 s GOPs forced at the same
 * times in every layer (no scene-cut key frames), AAC once into its own MP4,
 * progress on stdout (-progress pipe:1).
 */
#ifndef ENC_COMMAND_H
#define ENC_COMMAND_H

#include "enc_plan.h"

#define ENC_MAX_ARGS 512

typedef struct {
    int argc;
    char *argv[ENC_MAX_ARGS + 1];     /* NULL-terminated, malloc()ed strings */
} enc_argv_t;

typedef struct {
    const char *ffmpeg;               /* program, e.g. "ffmpeg" */
    const char *x264_preset;          /* e.g. "veryfast" */
    const char *output_dir;
} enc_command_opts_t;

/* Build the command.  Returns 0, or -1 if it does not fit (too many outputs). */
int enc_command_build(const enc_plan_t *p, const enc_command_opts_t *o, enc_argv_t *out);

void enc_argv_free(enc_argv_t *a);

/* The argv joined with spaces (for logs and the benchmark); malloc()ed. */
char *enc_argv_join(const enc_argv_t *a);

#endif
