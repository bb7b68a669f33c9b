/*
 * mp_url.h — parses AMS dynamic-packaging URLs into a request:
 *   {asset}.ism/Manifest[(format=...,audio-only=false,filter=a;b)]     manifests
 *   {asset}.ism/QualityLevels(b)/Manifest(video,format=m3u8-aapl)     HLS media playlist
 *   {asset}.ism/QualityLevels(b)/Fragments(video=t[,format=...])      segment (t = 10 MHz)
 *   {asset}.ism/QualityLevels(b)/Fragments(video=i,format=...)        init segment
 *   {file}.mp4                                                        progressive download
 * {asset} may equally be a single {file}.mp4.  "Manifest", "QualityLevels" and
 * "Fragments" match case-insensitively, as AMS did.  The asset part is returned
 * verbatim so the caller (direct root or catalog lookup) decides what it maps to.
 */
#ifndef MP_URL_H
#define MP_URL_H

#include "../mp_common.h"

typedef enum {
    MP_FMT_SMOOTH = 1,     /* no format option */
    MP_FMT_HLS_V4,         /* m3u8-aapl: HLS, fMP4 segments */
    MP_FMT_HLS_CMAF,       /* m3u8-cmaf: HLS, CMAF segments */
    MP_FMT_HLS_TS,         /* m3u8-aapl-v3: HLS, MPEG-TS segments */
    MP_FMT_DASH_CSF,       /* mpd-time-csf */
    MP_FMT_DASH_CMAF       /* mpd-time-cmaf */
} mp_format_t;

typedef enum {
    MP_REQ_MANIFEST = 1,   /* Smooth client manifest, HLS master, DASH MPD */
    MP_REQ_PLAYLIST,       /* HLS media playlist */
    MP_REQ_INIT,           /* fMP4 init segment */
    MP_REQ_FRAGMENT,       /* media segment */
    MP_REQ_FILE            /* progressive download of an .mp4 */
} mp_req_kind_t;

/* encryption= of an AMS URL: which of an asset's protections the client
 * wants (AMS let a client pick where an asset had several). */
typedef enum {
    MP_ENC_ANY = 0,        /* not given: the delivery policy decides */
    MP_ENC_CBC,            /* "cbc": AES-128 envelope */
    MP_ENC_CENC,           /* "cenc": common encryption, AES-CTR */
    MP_ENC_CBCS            /* "cbcs-aapl" (or "cbcs"): common encryption, cbcs */
} mp_encryption_t;

#define MP_STREAM_NAME_LEN 32
#define MP_URL_MAX_FILTERS 3        /* filter=a;b;c, as AMS allowed */
#define MP_URL_FILTER_NAME_MAX 64   /* characters of one name */

typedef struct {
    mp_req_kind_t kind;
    mp_format_t format;
    const char *asset;         /* points into the URI: "/dir/name.ism" or "/dir/f.mp4" */
    size_t asset_len;
    int asset_is_ism;          /* .ism set (1) or a single .mp4 (0) */
    uint32_t bitrate;          /* QualityLevels(b); 0 if absent */
    char stream[MP_STREAM_NAME_LEN]; /* "video", "audio_eng", ... */
    uint64_t time_10m;         /* Fragments(x=t) */
    int audio_only;            /* HLS v3: offer an audio-only variant (default 1) */
    mp_encryption_t encryption;
    /* filter=a;b (dynamic manifests): the names as written, pointing into
     * the URI (NULL: none), and how many (1..MP_URL_MAX_FILTERS) */
    const char *filter;
    size_t filter_len;
    uint32_t filter_count;
    /* set by the caller, not from the URL: the filters those names stand
     * for (filter/mp_filter.h); NULL applies none */
    const struct mp_filter_set_s *filters;
    /* set by the caller, not from the URL: the delivery policy's protection
     * (crypto/mp_protection.h); NULL serves in the clear */
    const struct mp_protection_s *protection;
} mp_request_t;

/* Parse a decoded URI path.  Returns MP_OK, MP_ERR_BAD_REQUEST (malformed,
 * unknown format -> 400) or MP_ERR_NOT_FOUND (not a packaging URL, e.g. a raw
 * .ism or an unknown extension -> 404), with a reason in err. */
int mp_url_parse(const char *uri, size_t len, mp_request_t *out, char *err, size_t err_len);

/* A filter name as URLs carry it: 1..MP_URL_FILTER_NAME_MAX characters of
 * [A-Za-z0-9._~-]. */
int mp_url_filter_name_ok(const char *name, size_t len);

/* The format option as written in URLs ("m3u8-aapl", ... ; "" for Smooth). */
const char *mp_format_name(mp_format_t f);
int mp_format_is_hls(mp_format_t f);
int mp_format_is_dash(mp_format_t f);

#endif
