/*
 * mp_presentation.h — a presentation is the set of tracks one streaming URL
 * addresses (every track of an .ism set, or of a single MP4), each with its
 * stream name ("video", "audio_eng"), QualityLevels bitrate and the timeline
 * shift that keeps A/V in sync across edit lists (B-frame delay, AAC priming)
 * without negative times: timeline time = dts + shift, for every track.
 */
#ifndef MP_PRESENTATION_H
#define MP_PRESENTATION_H

#include "../mp4/mp_index.h"

typedef struct {
    const mp_index_t *index;      /* the file this track lives in */
    const mp_track_t *track;
    uint32_t file_no;             /* position of that file in the caller's list */
    uint32_t bitrate;             /* unique within the presentation and type */
    uint64_t shift;               /* timeline = dts + shift (track timescale) */
    uint64_t start;               /* timeline time where the edit lists start the
                                   * presentation (the presentation's start_10m in
                                   * track timescale); audio frames that end at or
                                   * before it (AAC/E-AC-3 priming) are not heard */
    uint64_t end;                 /* timeline time where its last sample's presentation ends */
    char name[32];                /* Smooth/HLS stream name: video, audio, audio_eng */
    char language[4];             /* "" when unknown/undetermined */
} mp_pres_track_t;

typedef struct {
    uint32_t count;
    mp_pres_track_t tracks[MP_MAX_TRACKS];
    uint64_t duration_10m;        /* longest track end on the timeline, 10 MHz */
    uint64_t start_10m;           /* where presentation time 0 (after edit lists) lies */
    uint64_t end_10m;             /* where the last presented sample ends */
} mp_presentation_t;

/* Add one track; bitrate 0 = use the track's measured average; lang "" = mdhd.
 * Returns MP_OK or MP_ERR_BAD_MEDIA (too many tracks). */
int mp_presentation_add(mp_presentation_t *p, const mp_index_t *ix, uint32_t track_no,
                        uint32_t file_no, uint32_t bitrate, const char *lang);

/* After all adds: compute shifts, names, unique bitrates, duration.  Sorts
 * tracks: video first (descending bitrate), then audio. */
void mp_presentation_finish(mp_presentation_t *p);

/* Find a track by stream name and bitrate (QualityLevels); bitrate 0 = any. */
const mp_pres_track_t *mp_presentation_find(const mp_presentation_t *p, const char *name,
                                            size_t name_len, uint32_t bitrate);

/* The audio muxed into HLS v3 (MPEG-TS) video segments, as AMS did: the first
 * AAC track (TS carries AAC only), else the first audio track (whose TS
 * segments then answer 415); NULL without audio. */
const mp_pres_track_t *mp_presentation_ts_audio(const mp_presentation_t *p);

/* Timeline time of sample i of t, in t's timescale and in 10 MHz. */
static inline uint64_t mp_pt_time(const mp_pres_track_t *t, uint32_t i)
{
    return mp_sample_dts(t->index, t->track, i) + t->shift;
}

/* Number of leading audio frames the source's edit list hides: frames whose
 * presentation ends at or before t->start (the encoder's priming).  0 for
 * video (its lead-in is composition delay, not hidden frames). */
uint32_t mp_pt_hidden_frames(const mp_pres_track_t *t);

static inline uint64_t mp_pt_time_10m(const mp_pres_track_t *t, uint32_t i)
{
    return mp_to_10m(mp_pt_time(t, i), t->track->timescale);
}

#endif
