/*
 * ts_mux.h — MPEG-2 Transport Stream segments for HLS v3 (m3u8-aapl-v3):
 * PAT, PMT, then PES packets of H.264 (converted to Annex B with AUD and, on
 * key frames, SPS/PPS from avcC) and AAC (ADTS framed), interleaved by decode
 * time; PCR on the first PID.  The exact output size is known at open (for
 * Content-Length) and output is produced in caller-sized chunks, so memory
 * per request is bounded whatever the segment size.  Sample bytes are read
 * through mp_source_t once into one reused buffer and copied once into the
 * packets; a nowait source that would block makes open or read answer
 * MP_ERR_AGAIN (read: with the bytes produced so far), to be called again
 * where blocking is allowed.
 */
#ifndef TS_MUX_H
#define TS_MUX_H

#include "../mp_producer.h"
#include "../segment/mp_segment.h"

/* The muxer's input buffer: sample bytes read ahead of the packets. */
#ifndef TS_INPUT_SIZE
#define TS_INPUT_SIZE (256 * 1024)
#endif

typedef struct {
    const mp_pres_track_t *video;   /* NULL for audio-only */
    const mp_seg_t *video_seg;
    mp_source_t *video_source;      /* reads video->index's file */
    const mp_pres_track_t *audio;   /* NULL for video-only */
    const mp_seg_t *audio_seg;
    mp_source_t *audio_source;
    uint32_t segment_number;        /* seeds continuity counters */
    int sample_aes;                 /* samples are SAMPLE-AES encrypted: PMT says so */
} ts_segment_params_t;

/* The tracks, their indexes and the sources must outlive the muxer; the
 * segments are copied at open. */
typedef struct ts_muxer_s ts_muxer_t;

/* Plan the segment; *total_size gets the exact byte count.  Reads sample
 * data only when sizes cannot be known otherwise (NAL length size != 4).
 * Returns MP_OK, MP_ERR_BAD_MEDIA (e.g. HEVC, which AMS also kept out of TS),
 * MP_ERR_AGAIN (nothing to close: open again where blocking is allowed),
 * MP_ERR_IO or MP_ERR_NO_MEMORY. */
int ts_mux_open(ts_muxer_t **out, const ts_segment_params_t *p, uint64_t *total_size);

/* Produce up to cap bytes (a multiple of 188 when cap is); *done = 1 at end.
 * Returns MP_OK, MP_ERR_AGAIN (*written bytes are valid output; call again)
 * or an error (sticky). */
int ts_mux_read(ts_muxer_t *m, uint8_t *out, size_t cap, size_t *written, int *done);

/* What the packager plans for a TS segment response: tracks and their
 * segments by file number (sources[file_no] at open). */
typedef struct {
    const mp_pres_track_t *video;   /* NULL for audio-only */
    mp_seg_t video_seg;
    const mp_pres_track_t *audio;   /* NULL for video-only */
    mp_seg_t audio_seg;
    uint32_t segment_number;
    int sample_aes;                 /* with sample_aes_key/iv: SAMPLE-AES (ts_sample_aes.c) */
    uint8_t sample_aes_key[16];
    uint8_t sample_aes_iv[16];
} ts_recipe_t;

/* mp_producer_open_pt of a ts_recipe_t: the muxer as a producer. */
int ts_producer_open(const void *recipe, mp_source_t *const *sources, mp_producer_t **out,
                     uint64_t *size);

void ts_mux_close(ts_muxer_t *m);

#endif
