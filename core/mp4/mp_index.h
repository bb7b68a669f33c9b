/*
 * mp_index.h — the compact per-file media index: everything the packager needs
 * from an MP4's moov, flattened into one relocatable blob (offsets, never
 * pointers) so it can live in nginx shared memory and be shared by workers.
 *
 * Blob layout: mp_index_t | mp_track_t[track_count] | per-track arrays ...
 * Per sample: file offset, size (u32), decode time (one extra entry at the
 * end holding the track's end time), composition offset (i32, only when the
 * file has ctts) and the list of sync samples (absent = all are sync).
 * Offsets are u32 when the file is smaller than 4 GiB and decode times u32
 * when the track's duration fits (track flags), u64 otherwise; decode times
 * are kept as runs of equal durations (the stts runs) instead when that is
 * smaller, as it is for constant frame rates and AAC.  A typical file's
 * index takes 8 bytes per sample instead of 20: less shared memory, and
 * fewer fresh pages to fault in on a cold request (about half its cost).
 */
#ifndef MP_INDEX_H
#define MP_INDEX_H

#include "../mp_common.h"

#define MP_INDEX_MAGIC   0x4d504958u   /* "MPIX" */
#define MP_INDEX_VERSION 2u
#define MP_MAX_TRACKS    32

typedef enum {
    MP_TRACK_VIDEO = 1,
    MP_TRACK_AUDIO = 2
} mp_track_type_t;

enum {
    MP_TRACK_OFFSETS32 = 1,   /* offsets array is uint32_t[sample_count] */
    MP_TRACK_DTS32 = 2,       /* dts array is uint32_t[sample_count + 1] */
    MP_TRACK_DTS_RUNS = 4     /* dts_off holds mp_dts_run_t[dts_runs] instead */
};

/* Samples [first, next run's first) last delta ticks each; the first starts
 * at dts.  The first run starts at sample 0; the last covers the end time. */
typedef struct {
    uint32_t first;
    uint32_t delta;
    uint64_t dts;
} mp_dts_run_t;

typedef enum {
    MP_CODEC_AVC = 1,
    MP_CODEC_HEVC,
    MP_CODEC_AAC,
    MP_CODEC_AC3,
    MP_CODEC_EAC3
} mp_codec_t;

typedef struct {
    uint32_t type;            /* mp_track_type_t */
    uint32_t codec;           /* mp_codec_t */
    uint32_t fourcc;          /* sample entry type: avc1 avc3 hvc1 hev1 mp4a ac-3 ec-3 */
    uint32_t track_id;
    uint32_t timescale;       /* mdhd timescale */
    uint32_t sample_count;
    uint32_t key_count;       /* 0 => every sample is a sync sample */
    uint32_t nal_length_size; /* AVC/HEVC: 1, 2 or 4 */
    uint32_t flags;           /* MP_TRACK_OFFSETS32, MP_TRACK_DTS32, MP_TRACK_DTS_RUNS */
    uint32_t dts_runs;        /* with MP_TRACK_DTS_RUNS */
    uint64_t duration;        /* sum of sample durations, timescale units */
    int64_t  pres_offset;     /* edit list: presentation = dts + cto + pres_offset */
    uint64_t total_bytes;     /* sum of sample sizes */
    uint32_t avg_bitrate;     /* bits/s over the track's duration */
    uint32_t max_sample_size;
    uint16_t width, height;   /* video: tkhd/visual sample entry */
    uint32_t sample_rate;     /* audio */
    uint16_t channels;
    uint16_t sample_size_bits;
    uint32_t frame_rate_milli;/* video: average frames per 1000 s */
    char     language[4];     /* ISO 639-2/T from mdhd, NUL terminated ("und") */
    char     codecs[40];      /* RFC 6381 string, e.g. avc1.64001f, mp4a.40.2 */
    /* blob offsets */
    uint32_t entry_off, entry_len;    /* raw stsd sample entry, header included */
    uint32_t config_off, config_len;  /* avcC/hvcC body, AudioSpecificConfig, dac3/dec3 body */
    uint64_t offsets_off;     /* uint64_t[sample_count] (u32 with MP_TRACK_OFFSETS32) */
    uint64_t sizes_off;       /* uint32_t[sample_count] */
    uint64_t dts_off;         /* uint64_t[sample_count + 1] (u32 with MP_TRACK_DTS32), or runs */
    uint64_t cto_off;         /* int32_t[sample_count] or 0 */
    uint64_t keys_off;        /* uint32_t[key_count] sample numbers or 0 */
} mp_track_t;

typedef struct {
    uint32_t magic;
    uint32_t version;
    uint64_t total_size;      /* bytes of the whole blob */
    uint32_t track_count;
    uint32_t movie_timescale;
    uint64_t movie_duration;
    uint64_t tracks_off;      /* mp_track_t[track_count] */
} mp_index_t;

static inline const mp_track_t *mp_index_track(const mp_index_t *ix, uint32_t i)
{
    return (const mp_track_t *) ((const uint8_t *) ix + ix->tracks_off) + i;
}

#define MP_IX_ARRAY(ix, off, type) ((const type *) ((const uint8_t *) (ix) + (off)))

static inline uint64_t mp_sample_offset(const mp_index_t *ix, const mp_track_t *t, uint32_t i)
{
    return (t->flags & MP_TRACK_OFFSETS32) ? MP_IX_ARRAY(ix, t->offsets_off, uint32_t)[i]
                                           : MP_IX_ARRAY(ix, t->offsets_off, uint64_t)[i];
}

static inline uint32_t mp_sample_size(const mp_index_t *ix, const mp_track_t *t, uint32_t i)
{
    return MP_IX_ARRAY(ix, t->sizes_off, uint32_t)[i];
}

/* Decode time of sample i; i == sample_count gives the track's end time. */
uint64_t mp_dts_from_runs(const mp_index_t *ix, const mp_track_t *t, uint32_t i);

static inline uint64_t mp_sample_dts(const mp_index_t *ix, const mp_track_t *t, uint32_t i)
{
    if (t->flags & MP_TRACK_DTS_RUNS) {
        const mp_dts_run_t *r = MP_IX_ARRAY(ix, t->dts_off, mp_dts_run_t);
        return t->dts_runs == 1 ? r->dts + (uint64_t) i * r->delta : mp_dts_from_runs(ix, t, i);
    }
    return (t->flags & MP_TRACK_DTS32) ? MP_IX_ARRAY(ix, t->dts_off, uint32_t)[i]
                                       : MP_IX_ARRAY(ix, t->dts_off, uint64_t)[i];
}

/* Bytes per entry of the offsets and dts arrays. */
static inline uint32_t mp_offset_width(const mp_track_t *t)
{
    return (t->flags & MP_TRACK_OFFSETS32) ? 4 : 8;
}

static inline uint32_t mp_dts_width(const mp_track_t *t)
{
    return (t->flags & MP_TRACK_DTS32) ? 4 : 8;
}

/* Bytes of the dts array or run table. */
static inline uint64_t mp_dts_bytes(const mp_track_t *t)
{
    return (t->flags & MP_TRACK_DTS_RUNS) ? sizeof(mp_dts_run_t) * (uint64_t) t->dts_runs
                                          : mp_dts_width(t) * ((uint64_t) t->sample_count + 1);
}

static inline int32_t mp_sample_cto(const mp_index_t *ix, const mp_track_t *t, uint32_t i)
{
    return t->cto_off ? MP_IX_ARRAY(ix, t->cto_off, int32_t)[i] : 0;
}

static inline const uint8_t *mp_track_entry(const mp_index_t *ix, const mp_track_t *t)
{
    return (const uint8_t *) ix + t->entry_off;
}

static inline const uint8_t *mp_track_config(const mp_index_t *ix, const mp_track_t *t)
{
    return (const uint8_t *) ix + t->config_off;
}

/* Is sample i a sync sample?  O(log key_count). */
int mp_sample_is_key(const mp_index_t *ix, const mp_track_t *t, uint32_t i);

/* Number of sync samples and the sample number of the k-th one. */
uint32_t mp_key_count(const mp_track_t *t);
uint32_t mp_key_sample(const mp_index_t *ix, const mp_track_t *t, uint32_t k);

/* First sample whose dts >= dts (sample_count if none). O(log n). */
uint32_t mp_sample_at_or_after(const mp_index_t *ix, const mp_track_t *t, uint64_t dts);

/* Validate a blob that came from shared memory or a fuzzer: sizes and offsets
 * in range.  Returns MP_OK or MP_ERR_BAD_MEDIA. */
int mp_index_check(const mp_index_t *ix, size_t size);

#endif
