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

typedef struct {
    uint32_t track_id;
    uint32_t handler;     /* 'vide', 'soun', ... */
    uint32_t timescale;
    char language[4];
    uint64_t empty_edit;  /* movie timescale */
    int64_t media_time;   /* track timescale */
    int has_media_time;
    mp4_span_t stsd, stts, ctts, stss, stsc, stsz, stz2, stco, co64;
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
size_t mp4_box_header(const uint8_t *p, size_t len, uint64_t *size, uint32_t *type);
mp_index_t *mp4_build_index(mp4_parse_ctx_t *ctx);
mp_index_t *mp4_parse_moov_with(const uint8_t *moov, size_t len, uint64_t file_size,
                                const mp4_limits_t *lim, mp_allocator_t *a, char *err,
                                size_t err_len);

/* Read the first stsd entry.  Returns MP_OK, MP_ERR_NOT_FOUND for a codec
 * mediaplane does not package (track skipped) or MP_ERR_BAD_MEDIA. */
int mp4_read_sample_entry(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, mp4_entry_info_t *info);

#endif
