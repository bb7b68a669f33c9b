/*
 * mp4_parse.h — reads an ISO BMFF / MP4 file's moov and produces its compact
 * index (mp_index.h).  Locating the moov needs a few positional reads (it may
 * sit at the start or after mdat); parsing works on the moov bytes alone,
 * except for fragmented files (moov with mvex), whose samples are described
 * by the moofs after the moov, read through the source (mp4_frag.c).
 */
#ifndef MP4_PARSE_H
#define MP4_PARSE_H

#include "mp_index.h"

/* Largest moov we agree to load (a 24-hour 60 fps file is ~40 MB). */
#define MP4_MAX_MOOV_SIZE (256u * 1024 * 1024)

/* Most movie fragments (moofs) of a fragmented file without a configured
 * bound; every moof is also bounded by the moov size limit. */
#define MP4_MAX_FRAGMENTS 100000u

/* The header of the box at p (len bytes there): its length (8, or 16 for a
 * 64-bit size) with *size (size 0: to the end, len) and *type; 0 when the
 * header is short or its size smaller than itself. */
size_t mp4_box_header(const uint8_t *p, size_t len, uint64_t *size, uint32_t *type);

/* Walk top-level boxes to find moov.  buf holds bytes read at file offset
 * buf_off.  Returns MP_OK with *moov_off and *moov_size, MP_ERR_NEED_MORE with
 * *next_off = where the caller should read the next box header (at least 16
 * bytes), or MP_ERR_BAD_MEDIA with err filled. */
int mp4_find_moov(const uint8_t *buf, size_t len, uint64_t buf_off, uint64_t file_size,
                  uint64_t *moov_off, uint64_t *moov_size, uint64_t *next_off,
                  char *err, size_t err_len);

/* Parse a moov box (header included) into a malloc()ed index blob.
 * Returns NULL on failure with a reason in err (-> HTTP 415).  A fragmented
 * file's moov (mvex) describes no samples: index it through its file
 * (mp4_index_source), which reads the moofs after the moov. */
mp_index_t *mp4_parse_moov(const uint8_t *moov, size_t len, uint64_t file_size,
                           char *err, size_t err_len);

/* Bounds on what one file may make the parser allocate and expand, judged
 * from the moov's tables before anything is allocated (0: no bound but the
 * built-in ones: MP4_MAX_MOOV_SIZE, MP_MAX_TRACKS, and no more samples than
 * the file has bytes).  A file over one fails with a message naming it. */
typedef struct {
    uint64_t max_moov;          /* bytes of the moov box */
    uint32_t max_samples;       /* samples of one track */
    uint32_t max_tracks;        /* packaged (audio and video) tracks */
    uint64_t max_index;         /* bytes of the index blob */
    uint32_t max_fragments;     /* moofs of a fragmented file (MP4_MAX_FRAGMENTS) */
    int      growing;           /* a live archive being written: the walk ends at
                                   the last complete moof+mdat, a half-written
                                   tail is not an error */
} mp4_limits_t;

/* mp4_index_source with every bound of lim (NULL: the built-in ones). */
mp_index_t *mp4_index_source_limited(mp_source_t *s, uint64_t file_size, const mp4_limits_t *lim,
                                     mp_allocator_t *a, char *err, size_t err_len);

/* Find and parse the moov of a file through a source; moovs larger than
 * max_moov (0 = MP4_MAX_MOOV_SIZE) are refused.  The index blob is allocated
 * with a (NULL: malloc; free it with mp_free(a, ix)).  With the source's
 * view (zero copy) the moov is parsed where it lies and nothing but the
 * index is allocated, so a caller may jump out of it and free just that;
 * without one it is read into a buffer first. */
mp_index_t *mp4_index_source(mp_source_t *s, uint64_t file_size, uint64_t max_moov,
                             mp_allocator_t *a, char *err, size_t err_len);

/* Convenience: the same through the source's reads only, malloc()ed. */
mp_index_t *mp4_index_file(mp_source_t *s, uint64_t file_size, uint64_t max_moov,
                           char *err, size_t err_len);

#endif
