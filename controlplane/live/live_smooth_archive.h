/*
 * live_smooth_archive.h — fragments pushed by Smooth / fMP4 ingest written
 * into the archives of the channel's Running programs: the same per-track
 * fragmented MP4 files (`<ManifestName>_video.mp4`, `_audio.mp4`) beside
 * the .ism that the RTMP archivers write (live_archive_files.c), header
 * (ftyp + the track's own moov) first, then moof + mdat as pushed.
 */
#ifndef LIVE_SMOOTH_ARCHIVE_H
#define LIVE_SMOOTH_ARCHIVE_H

#include "api/api_context.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    bool           video;        /* else audio */
    const uint8_t *header;       /* ftyp + the track's moov (track ID 1) */
    size_t         header_len;
    const uint8_t *fragment;     /* moof + mdat, tfhd's track ID 1 */
    size_t         fragment_len;
    int64_t        time;         /* the moof's tfxd / tfdt */
} smooth_fragment_t;

typedef struct {
    int written;                 /* programs whose archive took it */
    int duplicates;              /* programs whose archive had it (time at or behind its last) */
} smooth_write_result_t;

/* The fragment appended to the archive track of every Running program of
 * channel_id, durably (fdatasync before the next), unless that archive has
 * it already (a redundant encoder, a re-sent fragment): 0, or -1 when a
 * write failed (logged; what is on disk stays readable). */
int  live_smooth_write(app_t *app, const char *channel_id, const smooth_fragment_t *f,
                       smooth_write_result_t *out);

/* Waits for a write in progress: Program Stop calls it (the program is
 * Stopping, so no write begins after) before closing the archive. */
void live_smooth_quiesce(void);

#endif
