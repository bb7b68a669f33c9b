/*
 * mp4_internal.h — state shared between the moov walker (mp4_parse.c), the
 * index builder (mp4_build.c) and the sample-entry reader (mp4_entry.c).
 * Not part of the core's public interface.
 */
#ifndef MP4_INTERNAL_H
#define MP4_INTERNAL_H

#include "mp4_parse.h"

#define MP4_MAX_TRAKS 64

typedef struct {
    const uint8_t *p;     /* box body (after the 8/16-byte header) */
    size_t len;
} mp4_span_t;

/* A fragmented track: its trex defaults, then what the scan of its track
 * fragments found (mp4_frag.c), then the cursor of the pass that fills the
 * index arrays.  Counted and filled by the same walk, so the two agree. */
typedef struct {
    int has_trex;
    uint32_t def_duration, def_size, def_flags;   /* trex defaults */
    uint32_t sample_count, key_count;
    int has_cto, has_base;
    uint32_t dts_runs;          /* runs of equal durations, breaks at tfdt gaps */
    uint32_t last_delta;
    int gap;                    /* a tfdt jumped ahead: the next sample starts a run */
    int64_t base_dts;           /* first tfdt (tfxd): times are kept relative to it */
    uint64_t end_dts;           /* relative decode time after the last sample */
    uint64_t total_bytes;
    uint32_t max_size;
} mp4_frag_trak_t;

/* Where the fill pass writes one track's arrays (NULL while counting). */
typedef struct {
    void *offsets, *dts;
    uint32_t *sizes, *keys;
    int32_t *cto;
    int offsets32, dts32, dts_as_runs;
    uint32_t cap_samples, cap_keys, cap_runs;
} mp4_frag_out_t;

typedef struct {
    uint32_t track_id;
    uint32_t handler;     /* 'vide', 'soun', ... */
    uint32_t timescale;
    char language[4];
    uint64_t empty_edit;  /* movie timescale */
    int64_t media_time;   /* track timescale */
    int has_media_time;
    mp4_span_t stsd, stts, ctts, stss, stsc, stsz, stz2, stco, co64;
    mp4_frag_trak_t frag;
    mp4_frag_out_t out;
} mp4_trak_t;

typedef struct {
    char *err;
    size_t err_len;
    uint64_t file_size;
    mp_allocator_t *alloc;      /* for the index blob; NULL = malloc */
    mp4_limits_t limits;        /* 0 fields: no bound beyond the built-in ones */
    uint32_t movie_timescale;
    uint64_t movie_duration;
    int fragmented;
    uint64_t fragment_duration; /* mehd, movie timescale */
    uint32_t fragments;         /* moofs read (mediaplane_max_fragments) */
    mp4_span_t mvex;            /* read once the traks are known */
    size_t walk_window;         /* bytes viewed at once while walking fragments */
    int depth;
    uint32_t trak_count;
    mp4_trak_t traks[MP4_MAX_TRAKS];
} mp4_parse_ctx_t;

/* What the sample entry tells: codec, dimensions, config, RFC 6381 string. */
typedef struct {
    uint32_t fourcc;
    uint32_t codec;
    uint16_t width, height;
    uint32_t sample_rate;
    uint16_t channels, sample_size_bits;
    uint32_t nal_length_size;
    const uint8_t *entry;       /* whole sample entry box, header included */
    uint32_t entry_len;
    const uint8_t *config;      /* avcC/hvcC body, AudioSpecificConfig, dac3/dec3 body */
    uint32_t config_len;
    char codecs[40];
} mp4_entry_info_t;

int mp4_fail(mp4_parse_ctx_t *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
mp_index_t *mp4_build_index(mp4_parse_ctx_t *ctx);
/* Walk a moov box (header included) into ctx's traks; an mvex marks the
 * file fragmented and its trex defaults go to the traks. */
int mp4_walk_moov(mp4_parse_ctx_t *ctx, const uint8_t *moov, size_t len);
mp_index_t *mp4_parse_moov_with(const uint8_t *moov, size_t len, uint64_t file_size,
                                const mp4_limits_t *lim, mp_allocator_t *a, char *err,
                                size_t err_len);

/* Fragmented files (mp4_frag.c).  mp4_read_trex: a trex box of the moov's
 * mvex.  mp4_frag_read_moof: one moof at file offset moof_off, followed by
 * the box at next_off (an mdat from next_off to next_end, or next_end ==
 * next_off): its samples counted into each trak's frag (out NULL) or written
 * to the arrays of trak->out.  Both passes take moofs one at a time and keep
 * their state in the traks (decode time, counts), so fragments appended to a
 * growing file can be counted from where a walk stopped; the blob is laid
 * out for the counted totals, so a live index would be re-laid (or given
 * spare capacity) before the new fragments are filled in. */
int mp4_read_trex(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len);
int mp4_frag_read_moof(mp4_parse_ctx_t *ctx, const uint8_t *moof, size_t len, uint64_t moof_off,
                       uint64_t mdat_off, uint64_t mdat_end, int fill);
/* Walk every top-level box after the moov (at moov_end) through the view,
 * reading each moof (fill: writing the arrays). */
int mp4_frag_walk(mp4_parse_ctx_t *ctx, mp_source_t *m, uint64_t moov_end, int fill);
/* The blob of a fragmented file from its moov (viewed again: the walk moved
 * the view) and the traks' scanned fragments. */
mp_index_t *mp4_build_fragmented(mp4_parse_ctx_t *ctx, mp_source_t *m, uint64_t moov_off,
                                 uint64_t moov_size);

/* A traf's tfdt (version 0 or 1) or Smooth tfxd uuid box body: 1 with the
 * decode time, 0 for another uuid, -1 malformed (mp4_frag.c; mp4_ingest.c). */
int mp4_traf_time(const uint8_t *b, size_t len, uint32_t type, uint64_t *time);
/* The next child box of a container body at *p: 1 with its body, 0 at the
 * end, -1 for a box exceeding the container. */
int mp4_next_child(const uint8_t **p, size_t *len, const uint8_t **body, size_t *blen,
                   uint32_t *type);

/* Read the first stsd entry.  Returns MP_OK, MP_ERR_NOT_FOUND for a codec
 * mediaplane does not package (track skipped) or MP_ERR_BAD_MEDIA. */
int mp4_read_sample_entry(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, mp4_entry_info_t *info);

#endif
