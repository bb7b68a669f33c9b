/*
 * ts_mux.h — MPEG-2 Transport Stream segments for HLS v3 (m3u8-aapl-v3):
 * PAT, PMT, then PES packets of H.264 (converted to Annex B with AUD and, on
 * key frames, SPS/PPS from avcC) and AAC (ADTS framed), interleaved by decode
 * time; PCR on the first PID.  The exact output size is known at open (for
 * Content-Length) and output is produced in caller-sized chunks, so memory
 * per request is bounded whatever the segment size.
 */
#ifndef TS_MUX_H
#define TS_MUX_H

#include "../segment/mp_segment.h"

typedef struct {
    const mp_pres_track_t *video;   /* NULL for audio-only */
    const mp_seg_t *video_seg;
    mp_reader_t *video_reader;      /* reads video->index's file */
    const mp_pres_track_t *audio;   /* NULL for video-only */
    const mp_seg_t *audio_seg;
    mp_reader_t *audio_reader;
    uint32_t segment_number;        /* seeds continuity counters */
} ts_segment_params_t;

/* The tracks, their indexes and the readers must outlive the muxer; the
 * segments are copied at open. */
typedef struct ts_muxer_s ts_muxer_t;

/* Plan the segment; *total_size gets the exact byte count.  May read sample
 * data when sizes cannot be known otherwise (NAL length size != 4).
 * Returns MP_OK, MP_ERR_BAD_MEDIA (e.g. HEVC, which AMS also kept out of TS),
 * MP_ERR_IO or MP_ERR_NO_MEMORY. */
int ts_mux_open(ts_muxer_t **out, const ts_segment_params_t *p, uint64_t *total_size);

/* Produce up to cap bytes (a multiple of 188 when cap is); *done = 1 at end.
 * Reads sample data through the readers.  Returns MP_OK or an error. */
int ts_mux_read(ts_muxer_t *m, uint8_t *out, size_t cap, size_t *written, int *done);

/* From now on take sample data from mappers instead of the readers (NULL:
 * keep that track's reader): payload is then copied once, from the mapping
 * into the packets, and samples of any size are whole.  Call between open
 * and the first read; the mappers must outlive the muxer. */
void ts_mux_set_mappers(ts_muxer_t *m, mp_mapper_t *video, mp_mapper_t *audio);

void ts_mux_close(ts_muxer_t *m);

#endif
