/*
 * mp_track_info.h — what the manifest writers (HLS, DASH, Smooth) say about a
 * track beyond its raw index fields: its language as an RFC 5646 tag and an
 * English label, its codec family, its decoder configuration as hex
 * (Smooth CodecPrivateData), and its segment list with run-length helpers for
 * the DASH <S> and Smooth <c> timelines.
 */
#ifndef MP_TRACK_INFO_H
#define MP_TRACK_INFO_H

#include "mp_segment.h"

/* Language of a presentation track as an RFC 5646 tag: the two-letter ISO 639-1
 * code when one exists ("eng" -> "en"), else the code as given; "und" when
 * unknown.  The result is static or points into lang. */
const char *mp_lang_tag(const char *lang);

/* English name of a language ("eng", "en", "en-US" -> "English"), or NULL. */
const char *mp_lang_name(const char *lang);

/* Short codec family name: "avc", "hevc", "aac", "ac3", "ec3" ("" if unknown). */
const char *mp_codec_name(uint32_t codec);

/* Upper-case hex of len bytes. */
void mp_wr_hex(mp_wr_t *w, const uint8_t *p, size_t len);

/* Decoder configuration in Smooth's CodecPrivateData form: AVC/HEVC parameter
 * sets from avcC/hvcC, each behind a 00000001 start code; audio: the config
 * blob itself (AudioSpecificConfig, dac3/dec3 body).  Returns MP_OK or
 * MP_ERR_BAD_MEDIA for a malformed avcC/hvcC. */
int mp_wr_codec_private_hex(mp_wr_t *w, const mp_index_t *ix, const mp_track_t *t);

/* The segments of t on the timeline, malloc()ed (free()); *count may be 0.
 * Returns MP_OK or MP_ERR_NO_MEMORY. */
int mp_track_seg_list(const mp_pres_track_t *t, const mp_timeline_t *tl, mp_seg_t **segs,
                      uint32_t *count);

/* Number of segments from i on (at least 1) that have segs[i]'s duration and
 * follow each other without a gap: one <S>/<c> element with a repeat count. */
uint32_t mp_seg_run(const mp_seg_t *segs, uint32_t count, uint32_t i);

/* Does segs[i] start somewhere other than where segs[i - 1] ended (or is it the
 * first)?  Timelines then need an explicit t=. */
int mp_seg_needs_time(const mp_seg_t *segs, uint32_t i);

#endif
