/*
 * mp_segment.c — the segmenter: boundaries from the reference track's key
 * frames (nearest key frame to each multiple of the target duration), then
 * each track's segments as the samples between consecutive boundaries.
 * Everything is computed from the index on demand with binary searches, so
 * a segment request never expands more than it serves.
 */
#include "mp_segment.h"

#include <stdlib.h>

/* A video key frame within 1 ms of a boundary belongs to it (timescale rounding). */
#define MP_BOUNDARY_TOLERANCE_10M 10000

/* A last segment shorter than target / MP_MIN_TAIL_DIV is merged into the one
 * before: an audio reference track (every frame a key) would otherwise end on
 * a sliver such as one 5 ms AAC frame, which players choke on. */
#define MP_MIN_TAIL_DIV 4

static const mp_pres_track_t *mp_reference_track(const mp_presentation_t *p)
{
    for (uint32_t i = 0; i < p->count; i++) {
        if (p->tracks[i].track->type == MP_TRACK_VIDEO) {
            return &p->tracks[i];
        }
    }
    return p->count ? &p->tracks[0] : NULL;
}

static uint64_t mp_key_time_10m(const mp_pres_track_t *t, uint32_t k)
{
    return mp_pt_time_10m(t, mp_key_sample(t->index, t->track, k));
}

/* A decode time (track ticks) just below the first sample whose timeline time
 * is >= t10: raw binary searches start there without converting every probe
 * to 10 MHz, then step forward over the one or two samples rounding leaves. */
static uint64_t mp_dts_floor(const mp_pres_track_t *t, uint64_t t10)
{
    uint32_t ts = t->track->timescale;
    uint64_t margin = 2 + 2 * (ts / MP_TIMESCALE_10M);
    uint64_t tl = mp_rescale(t10, MP_TIMESCALE_10M, ts);
    tl = tl > margin ? tl - margin : 0;
    return tl > t->shift ? tl - t->shift : 0;
}

static uint64_t mp_key_dts(const mp_pres_track_t *t, uint32_t k)
{
    return mp_sample_dts(t->index, t->track, mp_key_sample(t->index, t->track, k));
}

/* First key frame k >= from with time >= t10 (key count if none); from is
 * a lower bound the caller knows (0: none).  Gallops from there, so walking
 * boundaries in order costs O(1) per boundary rather than a search of all
 * key frames. */
static uint32_t mp_first_key_from(const mp_pres_track_t *t, uint64_t t10, uint32_t from)
{
    uint64_t floor_dts = mp_dts_floor(t, t10);
    uint32_t n = mp_key_count(t->track), lo = from < n ? from : n, hi = lo;
    if (lo < n && mp_key_dts(t, lo) < floor_dts) {
        uint32_t step = 1;
        for (;;) {                    /* keys lo.. are below: look further */
            hi = n - lo > step ? lo + step : n;
            if (hi == n || mp_key_dts(t, hi) >= floor_dts) {
                break;
            }
            lo = hi;
            step = step < (1u << 30) ? step * 2 : step;
        }
        lo++;
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (mp_key_dts(t, mid) < floor_dts) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    while (lo < mp_key_count(t->track) && mp_key_time_10m(t, lo) < t10) {
        lo++;
    }
    return lo;
}

/* First sample with time >= t10 (sample count if none). */
static uint32_t mp_first_sample_from(const mp_pres_track_t *t, uint64_t t10)
{
    uint32_t i = mp_sample_at_or_after(t->index, t->track, mp_dts_floor(t, t10));
    while (i < t->track->sample_count && mp_pt_time_10m(t, i) < t10) {
        i++;
    }
    return i;
}

int mp_timeline_build(const mp_presentation_t *p, uint64_t target_10m, mp_timeline_t *tl)
{
    memset(tl, 0, sizeof(*tl));
    const mp_pres_track_t *ref = mp_reference_track(p);
    if (ref == NULL) {
        return MP_ERR_BAD_MEDIA;
    }
    uint32_t keys = mp_key_count(ref->track);
    tl->bounds_10m = malloc(sizeof(uint64_t) * ((size_t) keys + 1));
    if (tl->bounds_10m == NULL) {
        return MP_ERR_NO_MEMORY;
    }
    target_10m = target_10m ? target_10m : 1;
    uint64_t end = mp_pt_time_10m(ref, ref->track->sample_count);
    uint64_t start = mp_key_time_10m(ref, 0);
    uint32_t k_start = 0;                   /* the key frame at start */
    tl->bounds_10m[tl->count++] = start;
    for (;;) {
        if (target_10m > UINT64_MAX - start) {
            break;              /* the goal would wrap: no boundary after start */
        }
        uint64_t goal = start + target_10m;
        uint32_t k1 = mp_first_key_from(ref, goal, k_start);
        if (k1 >= keys) {
            break;
        }
        uint32_t k = k1;
        if (k1 > 0) {
            uint64_t before = mp_key_time_10m(ref, k1 - 1);
            if (before > start && goal - before < mp_key_time_10m(ref, k1) - goal) {
                k = k1 - 1;     /* the earlier key frame is nearer the target */
            }
        }
        start = mp_key_time_10m(ref, k);
        k_start = k;
        if (end <= start || end - start < target_10m / MP_MIN_TAIL_DIV) {
            break;
        }
        tl->bounds_10m[tl->count++] = start;
    }
    tl->end_10m = end;
    return MP_OK;
}

void mp_timeline_free(mp_timeline_t *tl)
{
    free(tl->bounds_10m != NULL ? tl->bounds_10m - tl->first_no : NULL);  /* live moved it */
    tl->bounds_10m = NULL;
    tl->count = 0;
    tl->first_no = 0;
}

void mp_timeline_live(mp_timeline_t *tl, const mp_live_t *live)
{
    uint64_t window_10m = live->window_10m;
    tl->live = live;
    tl->closed = 1;
    if (tl->count < 2) {
        tl->count = 0;
        return;
    }
    tl->end_10m = tl->bounds_10m[tl->count - 1];
    while (window_10m != 0 && tl->count > 2 && tl->bounds_10m[1] + window_10m <= tl->end_10m) {
        tl->bounds_10m++;
        tl->count--;
        tl->first_no++;
    }
}

/* First sample of t at/after boundary b: for video the first key frame.
 * Callers walking boundaries in order pass a key hint (the key frame found
 * for an earlier boundary, updated here); others NULL. */
static uint32_t mp_boundary_sample(const mp_pres_track_t *t, const mp_timeline_t *tl, uint32_t b,
                                   uint32_t *hint)
{
    const mp_track_t *tr = t->track;
    int video = tr->type == MP_TRACK_VIDEO;
    if (b == 0 && tl->first_no == 0 && !video) {
        return 0;              /* anything before the first boundary opens segment 0 */
    }
    uint64_t t10 = tl->bounds_10m[b];
    t10 = video && t10 > MP_BOUNDARY_TOLERANCE_10M ? t10 - MP_BOUNDARY_TOLERANCE_10M : t10;
    if (video) {
        uint32_t k = mp_first_key_from(t, t10, hint ? *hint : 0);
        if (hint) {
            *hint = k;
        }
        return k < mp_key_count(tr) ? mp_key_sample(t->index, tr, k) : tr->sample_count;
    }
    return mp_first_sample_from(t, t10);
}

static void mp_fill_seg(const mp_pres_track_t *t, uint32_t first, uint32_t end, mp_seg_t *s)
{
    s->first = first;
    s->end = end;
    s->start = mp_pt_time(t, first);
    s->duration = mp_pt_time(t, end) - s->start;
    s->start_10m = mp_pt_time_10m(t, first);
    s->duration_10m = mp_pt_time_10m(t, end) - s->start_10m;
}

void mp_seg_skip_hidden(const mp_pres_track_t *t, mp_seg_t *seg)
{
    uint32_t hidden = mp_pt_hidden_frames(t);
    if (seg->first < hidden && seg->first < seg->end) {
        mp_fill_seg(t, hidden < seg->end ? hidden : seg->end, seg->end, seg);
    }
}

/* The segment opened by boundary b: its end is the next boundary that moves. */
int mp_track_segment_at_boundary(const mp_pres_track_t *t, const mp_timeline_t *tl, uint32_t b,
                                 mp_seg_t *out)
{
    uint32_t hint = 0;
    uint32_t first = mp_boundary_sample(t, tl, b, &hint);
    if (first >= t->track->sample_count) {
        return MP_ERR_NOT_FOUND;
    }
    uint32_t end = t->track->sample_count;
    uint32_t last = tl->closed ? tl->count - 1 : tl->count;
    if (tl->closed && b >= last) {
        return MP_ERR_NOT_FOUND;
    }
    int ended = !tl->closed;
    for (uint32_t n = b + 1; n < tl->count; n++) {
        uint32_t s = mp_boundary_sample(t, tl, n, &hint);
        if (tl->closed && s >= t->track->sample_count) {
            break;             /* live: this track's file has not reached that boundary yet */
        }
        if (s > first) {
            end = s;
            ended = 1;
            break;
        }
    }
    if (!ended) {
        return MP_ERR_NOT_FOUND;   /* no later boundary moved: still being written */
    }
    mp_fill_seg(t, first, end, out);
    return MP_OK;
}

uint32_t mp_track_segments(const mp_pres_track_t *t, const mp_timeline_t *tl, mp_seg_t *out)
{
    uint32_t n = 0, prev = 0, hint = 0;
    int have_prev = 0;
    uint32_t stop = tl->closed ? tl->count : tl->count + 1;
    for (uint32_t b = 0; b < stop; b++) {
        uint32_t s = b < tl->count ? mp_boundary_sample(t, tl, b, &hint) : t->track->sample_count;
        if (tl->closed && s >= t->track->sample_count) {
            break;             /* live: a track written behind the reference (audio
                                * fragments cut apart from the video's) ends here */
        }
        if (have_prev && s > prev) {
            mp_fill_seg(t, prev, s, &out[n++]);
        }
        if (!have_prev || s > prev) {
            prev = s;
            have_prev = 1;
        }
    }
    return n;
}

int mp_track_segment_at(const mp_pres_track_t *t, const mp_timeline_t *tl, uint64_t time_10m,
                        mp_seg_t *out)
{
    /* Boundary samples ascend with b: binary search the last b starting <= time. */
    uint32_t lo = 0, hi = tl->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t s = mp_boundary_sample(t, tl, mid, NULL);
        if (s < t->track->sample_count && mp_pt_time_10m(t, s) <= time_10m) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0 || mp_track_segment_at_boundary(t, tl, lo - 1, out) != MP_OK ||
        out->start_10m != time_10m) {
        return MP_ERR_NOT_FOUND;
    }
    return MP_OK;
}

int mp_track_segment_nth(const mp_pres_track_t *t, const mp_timeline_t *tl, uint32_t n,
                         mp_seg_t *out)
{
    uint32_t seen = 0, prev = 0, hint = 0;
    int have_prev = 0;
    uint32_t stop = tl->closed ? tl->count : tl->count + 1;
    for (uint32_t b = 0; b < stop; b++) {
        uint32_t s = b < tl->count ? mp_boundary_sample(t, tl, b, &hint) : t->track->sample_count;
        if (tl->closed && s >= t->track->sample_count) {
            break;             /* live: a track written behind the reference (audio
                                * fragments cut apart from the video's) ends here */
        }
        if (have_prev && s > prev) {
            if (seen++ == n) {
                mp_fill_seg(t, prev, s, out);
                return MP_OK;
            }
        }
        if (!have_prev || s > prev) {
            prev = s;
            have_prev = 1;
        }
    }
    return MP_ERR_NOT_FOUND;
}

uint32_t mp_timeline_find(const mp_timeline_t *tl, uint64_t time_10m)
{
    uint64_t t = time_10m + MP_BOUNDARY_TOLERANCE_10M;
    uint32_t lo = 0, hi = tl->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tl->bounds_10m[mid] <= t) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo ? lo - 1 : 0;
}

void mp_seg_byte_span(const mp_pres_track_t *t, const mp_seg_t *seg, uint64_t *lo, uint64_t *hi)
{
    uint64_t low = UINT64_MAX, high = 0;
    for (uint32_t i = seg->first; i < seg->end; i++) {
        uint64_t off = mp_sample_offset(t->index, t->track, i);
        uint64_t end = off + mp_sample_size(t->index, t->track, i);
        low = off < low ? off : low;
        high = end > high ? end : high;
    }
    *lo = low <= high ? low : 0;
    *hi = high;
}
