/*
 * mss_manifest.h — Smooth Streaming client manifest (MS-SSTR): one
 * StreamIndex per type/language with QualityLevels (CodecPrivateData, FourCC)
 * and the <c t d r> fragment timeline at TimeScale 10,000,000.  Every first
 * <c> carries t= (fragments start at the B-frame / priming offset).
 */
#ifndef MSS_MANIFEST_H
#define MSS_MANIFEST_H

#include "../segment/mp_segment.h"

struct mp_protection_s;

/* pr: common encryption ('cenc') to signal as a PlayReady ProtectionHeader
 * (AMS's Smooth Streaming with PlayReady), or NULL. */
int mss_write_manifest(mp_wr_t *w, const mp_presentation_t *p, const mp_timeline_t *tl,
                       const struct mp_protection_s *pr);

#endif
