/*
 * enc_probe.h — what the encoder needs to know about its inputs (libavformat):
 * which file holds the video and which the audio, picture size, display
 * aspect, frame rate, bit rate and duration.  Also picks the inputs to use
 * from the task's file list (ignoring manifests, images, captions).
 */
#ifndef ENC_PROBE_H
#define ENC_PROBE_H

#include "enc_preset.h"

typedef struct {
    char path[4096];
    int has_video, has_audio;
    int video_index, audio_index;     /* stream index in the file, -1 if none */
    int width, height;                /* coded picture size */
    double display_aspect;            /* width / height as displayed (SAR applied) */
    double fps;                       /* average frame rate, 0 if unknown */
    double duration;                  /* seconds */
    int video_kbps;                   /* 0 if unknown */
    double key_gap;                   /* longest stretch between video key frames
                                         (the container's index; seconds, 0 if unknown):
                                         what an accurate seek may have to decode */
} enc_input_t;

typedef struct {
    enc_input_t video;                /* valid when video_found */
    enc_input_t audio;                /* valid when audio_found */
    int video_found, audio_found;
} enc_sources_t;

/* Probe one file.  Returns 0, or -1 with "input is not a media file: <file>:
 * <reason>" in err. */
int enc_probe_file(const char *path, enc_input_t *out, char *err, size_t err_len);

/* 1 if the file is ignored as an encoder input (.ism, .ismc, .xml, images,
 * captions, manifests). */
int enc_input_ignored(const char *path);

/* Choose the video input (first with a video stream) and the audio input
 * (the video file if it has audio, else the first with audio).  Returns 0 or
 * -1 with err set (unreadable input, no usable input). */
int enc_pick_sources(char *const *paths, int count, enc_sources_t *out, char *err, size_t err_len);

#endif
