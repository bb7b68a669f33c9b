/*
 * enc_names.h — output file names: the {Basename} (from the input file name,
 * made URL-safe and short) and the MES file-name macros ({Basename},
 * {Width}, {Height}, {Bitrate}, {VideoBitrate}, {AudioBitrate}, {Channels},
 * {SamplingRate}, {Index}, {Extension}, {Label}).
 */
#ifndef ENC_NAMES_H
#define ENC_NAMES_H

#include <stddef.h>

#define ENC_BASENAME_MAX 100      /* so that names with their suffixes stay <= 200 bytes */
#define ENC_FILENAME_MAX 200

typedef struct {
    const char *basename;
    int width, height;
    int bitrate;                  /* {Bitrate}: the file's main bitrate, kbps */
    int video_kbps, audio_kbps;
    int channels, sampling_rate;
    const char *index;            /* {Index}: already formatted, e.g. "000001" or "%06d" */
    const char *extension;        /* {Extension}: ".jpg" */
    const char *label;
} enc_macros_t;

/* {Basename} from a path or a given name: the file name without directory and
 * extension, every byte outside [A-Za-z0-9._-] replaced by '_', cut to
 * ENC_BASENAME_MAX bytes; "output" if nothing is left. */
void enc_basename(const char *path_or_name, int strip_extension, char *out, size_t out_len);

/* 1 if the pattern only uses known macros (else 0 and the bad macro in bad). */
int enc_pattern_valid(const char *pattern, char *bad, size_t bad_len);

/* Expand a pattern.  Returns 0, or -1 when the result is empty, longer than
 * ENC_FILENAME_MAX, or not a plain file name (a '/', "." or ".."). */
int enc_expand(const char *pattern, const enc_macros_t *m, char *out, size_t out_len);

#endif
