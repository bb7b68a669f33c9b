/*
 * dash_manifest.h — MPEG-DASH MPD (static, ISO/IEC 23009-1, DASH-IF IOP) in
 * AMS's shape: one Period, one AdaptationSet per type and language,
 * SegmentTemplate with SegmentTimeline at timescale 10,000,000,
 * media "QualityLevels($Bandwidth$)/Fragments(video=$Time$,format=...)"
 * and initialization "QualityLevels($Bandwidth$)/Fragments(video=i,format=...)".
 */
#ifndef DASH_MANIFEST_H
#define DASH_MANIFEST_H

#include "../segment/mp_segment.h"
#include "../url/mp_url.h"

struct mp_protection_s;

/* pr: common encryption to signal (ContentProtection), or NULL. */
int dash_write_mpd(mp_wr_t *w, const mp_presentation_t *p, const mp_timeline_t *tl,
                   mp_format_t format, const struct mp_protection_s *pr);

#endif
