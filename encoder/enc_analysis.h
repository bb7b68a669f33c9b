/*
 * enc_analysis.h — the fast analysis of a content-aware encode: constant
 * quality probe encodes (x264 superfast, CRF 23) of a few sampled stretches
 * of the title at two heights (at most 540p and about half of that), in one
 * ffmpeg run; the bitrates they need
 * tell enc_ladder.c how hard the title is.
 */
#ifndef ENC_ANALYSIS_H
#define ENC_ANALYSIS_H

#include "enc_command.h"
#include "enc_ladder.h"

#define ENC_PROBE_CRF 23
#define ENC_PROBE_MAX_STRETCHES 3

typedef struct {
    int count;
    double start[ENC_PROBE_MAX_STRETCHES];   /* seconds into the input */
    double seconds;                          /* length of each */
} enc_stretches_t;

/* The stretches of a clip [clip_start, clip_start + duration): the whole
 * clip up to 4 s, else three stretches of 10 % of it (1 to 3 s each)
 * centred at 1/6, 1/2 and 5/6. */
void enc_probe_stretches(double clip_start, double duration, enc_stretches_t *out);

/* 1 when one decode from the first stretch to the end of the last costs
 * less than an accurate seek per stretch (each decodes from the key frame
 * before it: on average half of src->key_gap more); 0 when the key frame
 * distance is unknown.  Long-GOP mezzanines of short titles decode faster
 * in one go (the bench's 10 s titles have one key frame per 8.3 s). */
int enc_probe_one_decode(const enc_input_t *src, const enc_stretches_t *st);

/* The probe command: stretches of src concatenated (enc_probe_one_decode
 * says how they are read), scaled to both heights
 * (one when equal), encoded to <dir>/probe-0.h264 (high) and probe-1.h264. */
int enc_analysis_command(const enc_input_t *src, const enc_stretches_t *st, int high, int low,
                         const char *ffmpeg, const char *dir, enc_argv_t *out);

#endif
