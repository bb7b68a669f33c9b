/*
 * hls_manifest.h — HLS playlists (RFC 8216) for AMS URLs: the master playlist
 * (variants with BANDWIDTH/AVERAGE-BANDWIDTH, CODECS, RESOLUTION, FRAME-RATE;
 * one EXT-X-MEDIA per audio language) and media playlists (EXTINF per segment
 * of the shared timeline; EXT-X-MAP for fMP4).  URLs are relative.
 */
#ifndef HLS_MANIFEST_H
#define HLS_MANIFEST_H

#include "../segment/mp_segment.h"
#include "../url/mp_url.h"

typedef struct {
    mp_format_t format;        /* MP_FMT_HLS_V4, MP_FMT_HLS_CMAF or MP_FMT_HLS_TS */
    int audio_only;            /* TS: add an audio-only variant */
    const struct mp_protection_s *protection;   /* AES-128: EXT-X-KEY; NULL: clear */
    const char *filter;        /* filter=a;b carried into playlist URIs (NULL: none) */
    size_t filter_len;
} hls_params_t;

/* {asset}/Manifest(format=...) */
int hls_write_master(mp_wr_t *w, const mp_presentation_t *p, const hls_params_t *hp);

/* QualityLevels(b)/Manifest(name,format=...) for track t. */
int hls_write_media(mp_wr_t *w, const mp_presentation_t *p, const mp_pres_track_t *t,
                    const mp_timeline_t *tl, const hls_params_t *hp);

#endif
