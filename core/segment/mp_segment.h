/*
 * mp_segment.h — the segmenter.  One list of boundaries (10 MHz timeline
 * times) is derived from the key frames of a reference track (the first video
 * track, else the first audio track) for a target duration; every track is cut
 * at those boundaries: a video track at its first key frame at/after the
 * boundary, audio at its first frame at/after it.  Aligned-GOP renditions thus
 * get identical segment times, which DASH/Smooth timelines and HLS need.
 */
#ifndef MP_SEGMENT_H
#define MP_SEGMENT_H

#include "mp_presentation.h"

/* A live presentation's facts for the manifests: when it became available
 * (unix ms), the time of this answer, the DVR window (10 MHz, 0: all). */
typedef struct {
    int64_t  start_ms;
    int64_t  now_ms;
    uint64_t window_10m;
} mp_live_t;

typedef struct {
    uint64_t *bounds_10m;   /* boundary start times, ascending; bounds_10m[0] is the first */
    uint32_t count;
    uint64_t end_10m;       /* end of the reference track */
    /* live (mp_timeline_live): the last boundary closes the last segment
     * instead of opening one that runs to the end of the samples, and the
     * boundaries before the DVR window are left out: bounds_10m[0] is
     * boundary number first_no of the whole archive */
    const mp_live_t *live;  /* NULL: on demand */
    int      closed;
    uint32_t first_no;
} mp_timeline_t;

/* One segment of one track: samples [first, end). */
typedef struct {
    uint32_t first;
    uint32_t end;
    uint64_t start;         /* timeline time, track timescale */
    uint64_t duration;      /* track timescale */
    uint64_t start_10m;
    uint64_t duration_10m;
} mp_seg_t;

/* Compute boundaries for target duration (10 MHz).  malloc()s bounds; free
 * with mp_timeline_free.  Returns MP_OK, MP_ERR_BAD_MEDIA (no samples) or
 * MP_ERR_NO_MEMORY. */
int mp_timeline_build(const mp_presentation_t *p, uint64_t target_10m, mp_timeline_t *tl);
void mp_timeline_free(mp_timeline_t *tl);

/* A live archive's timeline (bounds stay where they are; only the view
 * moves): the samples after the last boundary are a segment still being
 * written (it ends at a key frame that does not exist yet), so the last
 * boundary closes the timeline; the segments that end window_10m or more
 * before it are left out (live->window_10m; 0: none).  tl keeps live.  Fewer than two boundaries leave no
 * segment. */
void mp_timeline_live(mp_timeline_t *tl, const mp_live_t *live);

/* Segments of one track (empty ones skipped); out needs tl->count entries.
 * Returns the number written. */
uint32_t mp_track_segments(const mp_pres_track_t *t, const mp_timeline_t *tl, mp_seg_t *out);

/* The segment of t that starts at time_10m exactly (as printed in manifests
 * and URLs).  Returns MP_OK or MP_ERR_NOT_FOUND. */
int mp_track_segment_at(const mp_pres_track_t *t, const mp_timeline_t *tl, uint64_t time_10m,
                        mp_seg_t *out);

/* Index of the boundary that opens the segment containing time_10m
 * (0 if time_10m precedes every boundary). */
uint32_t mp_timeline_find(const mp_timeline_t *tl, uint64_t time_10m);

/* The segment of t opened by boundary b (MP_ERR_NOT_FOUND if t has no
 * samples from there on). */
int mp_track_segment_at_boundary(const mp_pres_track_t *t, const mp_timeline_t *tl, uint32_t b,
                                 mp_seg_t *out);

/* Leave out of seg the leading audio frames the source's edit list hides
 * (mp_pt_hidden_frames: AAC/E-AC-3 priming), for outputs that cannot carry
 * an edit list (MPEG-TS).  Only the first segment has such frames. */
void mp_seg_skip_hidden(const mp_pres_track_t *t, mp_seg_t *seg);

/* The file bytes the samples of seg lie in: [*lo, *hi) from the lowest
 * sample offset to the highest sample end (what reading the segment's
 * payload touches, gaps included).  An empty seg gives lo = hi = 0. */
void mp_seg_byte_span(const mp_pres_track_t *t, const mp_seg_t *seg, uint64_t *lo, uint64_t *hi);

/* Same, by 0-based segment number (HLS by-index addressing if ever needed). */
int mp_track_segment_nth(const mp_pres_track_t *t, const mp_timeline_t *tl, uint32_t n,
                         mp_seg_t *out);

#endif
