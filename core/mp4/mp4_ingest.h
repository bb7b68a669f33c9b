/*
 * mp4_ingest.h — fragmented MP4 as live encoders push it (Smooth / fMP4
 * ingest, `POST …/ingest.isml/Streams(name)`): the tracks of the pushed
 * moov, one track's own moov (an archive file's header: that trak and its
 * trex only, track ID 1), what a moof says (its one track, its time from
 * tfdt or Smooth's tfxd), and whether a fragment parses with the origin's
 * own fragmented-MP4 reader (mp4_frag.c).  Buffers in, buffers out: the
 * control plane does the I/O.
 */
#ifndef MP4_INGEST_H
#define MP4_INGEST_H

#include <stddef.h>
#include <stdint.h>

#define MP4_INGEST_MAX_TRACKS 8     /* traks of one pushed moov */

typedef struct {
    uint32_t track_id;
    uint32_t handler;               /* 'vide', 'soun', … */
} mp4_ingest_track_t;

/* The traks of a fragmented moov (header included, with an mvex): their
 * count (1..max) with out filled, or -1 with a reason in err. */
int mp4_ingest_tracks(const uint8_t *moov, size_t len, mp4_ingest_track_t *out, int max,
                      char *err, size_t err_len);

/* The moov of track_id alone, written to out (cap >= len): every box but
 * the other traks and their trex kept, the track renumbered 1 (tkhd, trex).
 * Its length, or 0 with a reason in err. */
size_t mp4_ingest_track_moov(const uint8_t *moov, size_t len, uint32_t track_id, uint8_t *out,
                             size_t cap, char *err, size_t err_len);

typedef struct {
    uint32_t track_id;              /* tfhd's */
    size_t   track_id_at;           /* where tfhd's track ID lies in the moof */
    int64_t  time;                  /* tfdt, else tfxd (Smooth), in the track's timescale */
    int      has_time;
} mp4_ingest_moof_t;

/* A moof box (header included) with exactly one traf, its tfhd without a
 * base-data-offset (fragments are moved: only moof-relative offsets stay
 * true): 0, or -1 with err. */
int mp4_ingest_read_moof(const uint8_t *moof, size_t len, mp4_ingest_moof_t *info, char *err,
                         size_t err_len);

/* Whether file (an archive file's ftyp + single-track moov, then one
 * moof + mdat) parses with the origin's fragmented-MP4 reader, every
 * sample inside its mdat: 0, or -1 with the reader's reason in err. */
int mp4_ingest_check(const uint8_t *file, size_t len, char *err, size_t err_len);

#endif
