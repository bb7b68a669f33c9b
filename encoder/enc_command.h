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
    const char *speed_preset;         /* x264/x265 -preset, e.g. "medium" */
    const char *output_dir;
    int pass;                         /* 0 single pass; 1, 2: two-pass (plan->two_pass) */
    const char *passlog_dir;          /* two-pass stats files (not the output dir) */
} enc_command_opts_t;

/* Build the command.  Returns 0, or -1 if it does not fit (too many outputs). */
int enc_command_build(const enc_plan_t *p, const enc_command_opts_t *o, enc_argv_t *out);

void enc_argv_free(enc_argv_t *a);

/* The program and the options every ffmpeg run of the encoder starts with:
 * quiet, errors only, machine-readable progress on stdout twice a second. */
void enc_argv_ffmpeg(enc_argv_t *a, const char *ffmpeg);

/* Terminate the argv for exec: 0, or -1 (everything freed) when an argument
 * did not fit (more than ENC_MAX_ARGS) or could not be allocated. */
int enc_argv_finish(enc_argv_t *a);

/* What an uploaded input may be: the demuxers of media containers and raw
 * streams a Media Encoder Standard input could be (no playlists, concat
 * lists, image sequences or devices, which open further files or URLs), read
 * through the file protocol only. */
#define ENC_INPUT_FORMATS                                                      \
    "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,asf,mpegts,mpeg,mpegvideo,flv,"  \
    "mxf,gxf,dv,wav,w64,aiff,caf,mp3,aac,ac3,eac3,flac,ogg,h264,hevc,m4v,"      \
    "yuv4mpegpipe"
#define ENC_INPUT_PROTOCOLS "file"

/* "-protocol_whitelist … -format_whitelist … -i <path>": an untrusted input. */
void enc_argv_input(enc_argv_t *a, const char *path);

/* Append one printf-formatted argument (an overflow is reported by
 * enc_command_build). */
void enc_argv_add(enc_argv_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The argv joined with spaces (for logs and the benchmark); malloc()ed. */
char *enc_argv_join(const enc_argv_t *a);

#endif
