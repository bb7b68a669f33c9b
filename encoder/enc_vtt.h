/*
 * enc_vtt.h — the WebVTT index of a thumbnail sprite: one cue per tile from
 * its time to the next one's, pointing at "<sprite>#xywh=x,y,w,h".
 */
#ifndef ENC_VTT_H
#define ENC_VTT_H

#include "enc_plan.h"

/* The index text of thumbnail set t (malloc()ed), NULL on allocation failure. */
char *enc_vtt_text(const enc_out_thumb_t *t, double duration);

/* Write DIR/<vtt_file>.  Returns 0 or -1. */
int enc_write_vtt(const enc_out_thumb_t *t, double duration, const char *dir);

#endif
