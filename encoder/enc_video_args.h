/*
 * enc_video_args.h — the encoder options of one video layer on the ffmpeg
 * command line: libx264 or libx265 (hvc1 sample entries), the speed preset,
 * closed GOPs forced at the same times in every layer, and the rate control
 * (ABR with a VBV cap, CBR, CRF capped at the layer's bitrate, two passes).
 */
#ifndef ENC_VIDEO_ARGS_H
#define ENC_VIDEO_ARGS_H

#include "enc_command.h"

/* Appends "-c:v ... " for layer i (everything between "-map [vI]" and the
 * output options).  pass: 0 single pass, 1 or 2 of two passes (passlog: the
 * stats file prefix of this layer). */
void enc_video_args(enc_argv_t *a, const enc_plan_t *p, int i, const char *speed_preset, int pass,
                    const char *passlog);

#endif
