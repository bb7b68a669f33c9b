/*
 * enc_outdir.h — the output directory the encoder owns: must exist and be
 * empty at the start; emptied again when the task fails or is canceled;
 * listed (sorted) for the "output" lines on success.
 */
#ifndef ENC_OUTDIR_H
#define ENC_OUTDIR_H

#include <stddef.h>

/* 0 if dir is an existing empty directory, else -1 with err set. */
int enc_outdir_check(const char *dir, char *err, size_t err_len);

/* Remove every entry of dir (files; the encoder writes no subdirectories). */
void enc_outdir_clear(const char *dir);

/* Call fn for each file name in dir in sorted order; returns the count. */
int enc_outdir_list(const char *dir, void (*fn)(const char *name));

#endif
