/*
 * mp_filter.h — AMS dynamic manifests (Filters / AssetFilters): the rules a
 * URL's filter=a;b applies to a manifest.  A filter keeps the tracks that
 * match any of its track selections (each an AND of property conditions),
 * trims the timeline to its presentation time range at segment boundaries,
 * and may name the quality an HLS master lists first.  Several filters
 * narrow each other: a track must be kept by every filter that selects
 * tracks, time ranges intersect.
 *
 * Filters reach the origin as one line of text the control plane writes
 * (the catalog's "ofilters", catalog_ofilter.h) and mp_filter_parse reads:
 *
 *   ts=<timescale>;start=<t>;end=<t>;window=<d>;backoff=<d>;fq=<bitrate>;
 *   track=<prop>:<eq|ne>:<value>,<prop>:<eq|ne>:<value>;track=...
 *
 * every item optional, props type|name|language|fourcc|bitrate, values of
 * [A-Za-z0-9._-] (bitrate "n" or "lo-hi").  Times are in ts units (default
 * 10,000,000) on the timeline of the manifests' fragment times.
 */
#ifndef MP_FILTER_H
#define MP_FILTER_H

#include "../segment/mp_segment.h"
#include "../url/mp_url.h"

#define MP_FILTER_NAME_MAX        MP_URL_FILTER_NAME_MAX  /* characters of a name */
#define MP_FILTER_MAX_PER_URL     MP_URL_MAX_FILTERS      /* filter=a;b;c (AMS's limit) */
#define MP_FILTER_MAX_SELECTIONS  16   /* track selections of one filter */
#define MP_FILTER_MAX_CONDITIONS  8    /* property conditions of one selection */
#define MP_FILTER_VALUE_MAX       64   /* characters of a condition's value */
#define MP_FILTER_TEXT_MAX        4096 /* the text form, at most */

typedef enum {
    MP_FPROP_TYPE = 1,
    MP_FPROP_NAME,
    MP_FPROP_LANGUAGE,
    MP_FPROP_FOURCC,
    MP_FPROP_BITRATE
} mp_filter_prop_t;

typedef struct {
    mp_filter_prop_t prop;
    int not_equal;                         /* Operator NotEqual */
    char value[MP_FILTER_VALUE_MAX + 1];
    uint32_t lo, hi;                       /* bitrate range (inclusive) */
} mp_filter_cond_t;

typedef struct {
    uint32_t count;
    mp_filter_cond_t conds[MP_FILTER_MAX_CONDITIONS];
} mp_filter_select_t;

#define MP_FILTER_HAS_START    0x01
#define MP_FILTER_HAS_END      0x02
#define MP_FILTER_HAS_WINDOW   0x04
#define MP_FILTER_HAS_BACKOFF  0x08

typedef struct {
    uint32_t flags;                        /* MP_FILTER_HAS_* */
    uint64_t start_10m, end_10m;           /* presentation time range */
    uint64_t window_10m;                   /* PresentationWindowDuration */
    uint64_t backoff_10m;                  /* LiveBackoffDuration (live only) */
    uint32_t first_quality;                /* FirstQuality bitrate, 0: none */
    uint32_t select_count;                 /* 0: every track */
    mp_filter_select_t selects[MP_FILTER_MAX_SELECTIONS];
} mp_filter_t;

/* The filters of one request, in URL order. */
typedef struct mp_filter_set_s {
    uint32_t count;
    const mp_filter_t *filters[MP_FILTER_MAX_PER_URL];
} mp_filter_set_t;

/* The text form into f.  MP_OK, or MP_ERR_BAD_REQUEST with the reason. */
int mp_filter_parse(const char *text, size_t len, mp_filter_t *f, char *err, size_t err_len);

/* Does the filter set keep track t? */
int mp_filter_keeps(const mp_filter_set_t *fs, const mp_pres_track_t *t);

/* The tracks of p the filters keep, into out (p's order; with first quality
 * and hls set, that video track moved first).  MP_OK, or
 * MP_ERR_BAD_REQUEST when no track is left. */
int mp_filter_presentation(const mp_filter_set_t *fs, const mp_presentation_t *p, int hls,
                           mp_presentation_t *out, char *err, size_t err_len);

/* Narrows the view tl (as mp_timeline_live does: bounds kept, first_no
 * moved) to the segments the filters' time range overlaps, and p's start
 * and end to match.  Call after mp_timeline_live for live.  MP_OK, or
 * MP_ERR_BAD_REQUEST when no segment is left. */
int mp_filter_timeline(const mp_filter_set_t *fs, mp_timeline_t *tl, mp_presentation_t *p,
                       char *err, size_t err_len);

#endif
