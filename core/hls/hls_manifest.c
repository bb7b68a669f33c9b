/*
 * hls_manifest.c — HLS master and media playlists in AMS's URL scheme.
 *
 * fMP4 formats (m3u8-aapl, m3u8-cmaf) offer each audio track as an
 * EXT-X-MEDIA rendition (one GROUP-ID per audio codec family, "audio" when
 * there is only one) and one EXT-X-STREAM-INF per video track and group.  TS
 * (m3u8-aapl-v3) follows AMS: the default audio is muxed into every video
 * segment, so variants carry video+audio CODECS and there are no renditions;
 * an optional audio-only variant points at the audio playlist.  A set without
 * video lists its audio playlists as the variants.
 *
 * BANDWIDTH is an upper estimate of the peak: the highest bit rate over
 * windows of whole GOPs lasting at least a second (segments are cut at key
 * frames, so no segment can exceed it), plus container overhead.
 */
#include "hls_manifest.h"

#include "../crypto/mp_protection.h"
#include "../crypto/mp_drm.h"

#include "../segment/mp_track_info.h"

#include <stdlib.h>

/* Container bytes added per sample.  fMP4: a trun entry.  TS video: PES
 * header, AUD, PCR and on average half a packet of stuffing; TS audio: ADTS
 * header and a share of the PES that groups ~100 ms of frames.  TS also pays
 * 4 header bytes per 188. */
#define HLS_FMP4_SAMPLE_OVERHEAD     16
#define HLS_TS_VIDEO_SAMPLE_OVERHEAD 128
#define HLS_TS_AUDIO_SAMPLE_OVERHEAD 32

typedef struct {
    uint64_t peak;      /* bits/s, BANDWIDTH */
    uint64_t avg;       /* bits/s, AVERAGE-BANDWIDTH */
} hls_rate_t;

/* One EXT-X-STREAM-INF line: a video track (or none) with the audio it plays
 * with, and the playlist it points at. */
typedef struct {
    const mp_pres_track_t *video;   /* NULL for audio-only variants */
    const mp_pres_track_t *audio;   /* muxed/default audio or group leader; may be NULL */
    int group;                      /* audio names an EXT-X-MEDIA group (fMP4) */
    const mp_pres_track_t *uri;     /* the media playlist */
} hls_variant_t;

static int hls_is_ts(const hls_params_t *hp)
{
    return hp->format == MP_FMT_HLS_TS;
}

static int hls_check_params(const hls_params_t *hp)
{
    return hp != NULL && mp_format_is_hls(hp->format) ? MP_OK : MP_ERR_BAD_REQUEST;
}

static int hls_done(mp_wr_t *w)
{
    return w->failed ? MP_ERR_NO_MEMORY : MP_OK;
}

/* ---- bit rates ---------------------------------------------------------- */

static uint64_t hls_with_overhead(const mp_track_t *t, uint64_t bytes, uint32_t samples,
                                  const hls_params_t *hp)
{
    if (!hls_is_ts(hp)) {
        return bytes + (uint64_t) samples * HLS_FMP4_SAMPLE_OVERHEAD;
    }
    uint64_t per_sample = t->type == MP_TRACK_VIDEO ? HLS_TS_VIDEO_SAMPLE_OVERHEAD
                                                    : HLS_TS_AUDIO_SAMPLE_OVERHEAD;
    return (bytes + samples * per_sample) * 188 / 184;
}

static uint64_t hls_bps(uint64_t bytes, uint64_t duration, uint32_t timescale)
{
    return duration ? mp_rescale(bytes * 8, duration, timescale) : 0;
}

/* Highest rate over windows of whole GOPs of at least one second; a shorter
 * tail window counts as one second. */
static uint64_t hls_peak_bps(const mp_pres_track_t *pt, const hls_params_t *hp)
{
    const mp_index_t *ix = pt->index;
    const mp_track_t *t = pt->track;
    uint32_t keys = mp_key_count(t), start = 0, i = 0;
    uint64_t peak = 0, bytes = 0;
    for (uint32_t k = 1; k <= keys; k++) {
        uint32_t end = k < keys ? mp_key_sample(ix, t, k) : t->sample_count;
        for (; i < end; i++) {
            bytes += mp_sample_size(ix, t, i);
        }
        uint64_t dur = mp_sample_dts(ix, t, end) - mp_sample_dts(ix, t, start);
        if (dur >= t->timescale || k == keys) {
            uint64_t b = hls_with_overhead(t, bytes, end - start, hp);
            uint64_t rate = hls_bps(b, dur > t->timescale ? dur : t->timescale, t->timescale);
            peak = rate > peak ? rate : peak;
            bytes = 0;
            start = end;
        }
    }
    return peak;
}

static hls_rate_t hls_track_rate(const mp_pres_track_t *pt, const hls_params_t *hp)
{
    const mp_track_t *t = pt->track;
    uint64_t bytes = hls_with_overhead(t, t->total_bytes, t->sample_count, hp);
    hls_rate_t r = { hls_peak_bps(pt, hp), hls_bps(bytes, t->duration, t->timescale) };
    if (r.avg == 0) {
        r.avg = pt->bitrate;
    }
    if (r.peak < r.avg) {
        r.peak = r.avg;
    }
    if (r.peak < pt->bitrate) {
        r.peak = pt->bitrate;
    }
    return r;
}

/* ---- master playlist context ------------------------------------------- */

/* What every master-playlist writer needs, computed once per request. */
typedef struct {
    const mp_presentation_t *p;
    const hls_params_t *hp;
    int mixed_audio;                    /* audio codec families differ */
    hls_rate_t rates[MP_MAX_TRACKS];    /* per presentation track */
} hls_master_t;

static const mp_pres_track_t *hls_first_of_type(const mp_presentation_t *p, uint32_t type)
{
    for (uint32_t i = 0; i < p->count; i++) {
        if (p->tracks[i].track->type == type) {
            return &p->tracks[i];
        }
    }
    return NULL;
}

static int hls_mixed_audio(const mp_presentation_t *p)
{
    const mp_pres_track_t *a = hls_first_of_type(p, MP_TRACK_AUDIO);
    for (uint32_t i = 0; a != NULL && i < p->count; i++) {
        const mp_track_t *t = p->tracks[i].track;
        if (t->type == MP_TRACK_AUDIO && t->codec != a->track->codec) {
            return 1;
        }
    }
    return 0;
}

static void hls_master_init(hls_master_t *m, const mp_presentation_t *p, const hls_params_t *hp)
{
    m->p = p;
    m->hp = hp;
    m->mixed_audio = hls_mixed_audio(p);
    for (uint32_t i = 0; i < p->count; i++) {
        m->rates[i] = hls_track_rate(&p->tracks[i], hp);
    }
}

static hls_rate_t hls_rate_of(const hls_master_t *m, const mp_pres_track_t *t)
{
    return m->rates[t - m->p->tracks];
}

/* ---- audio groups: one per codec family, "audio" when there is one ------ */

static int hls_same_group(const hls_master_t *m, const mp_pres_track_t *a,
                          const mp_pres_track_t *b)
{
    return !m->mixed_audio || a->track->codec == b->track->codec;
}

/* The first audio track of t's group: the group's DEFAULT rendition. */
static const mp_pres_track_t *hls_group_leader(const hls_master_t *m, const mp_pres_track_t *t)
{
    for (uint32_t i = 0; i < m->p->count; i++) {
        const mp_pres_track_t *a = &m->p->tracks[i];
        if (a->track->type == MP_TRACK_AUDIO && hls_same_group(m, a, t)) {
            return a;
        }
    }
    return t;
}

static void hls_wr_group_id(mp_wr_t *w, const hls_master_t *m, const mp_pres_track_t *t)
{
    mp_wr_str(w, "audio");
    if (m->mixed_audio) {
        mp_wr_printf(w, "_%s", mp_codec_name(t->track->codec));
    }
}

/* Is audio track t played by variant v? */
static int hls_variant_has(const hls_master_t *m, const hls_variant_t *v,
                           const mp_pres_track_t *t)
{
    if (v->audio == NULL || t->track->type != MP_TRACK_AUDIO) {
        return 0;
    }
    return t == v->audio || (v->group && hls_same_group(m, v->audio, t));
}

/* ---- attribute writers -------------------------------------------------- */

/* Text inside a quoted-string: '"', CR and LF are not allowed (RFC 8216 4.2). */
static void hls_wr_quotable(mp_wr_t *w, const char *s)
{
    for (; *s; s++) {
        if (*s != '"' && *s != '\r' && *s != '\n') {
            mp_wr_bytes(w, s, 1);
        }
    }
}

static void hls_wr_quoted(mp_wr_t *w, const char *s)
{
    mp_wr_str(w, "\"");
    hls_wr_quotable(w, s);
    mp_wr_str(w, "\"");
}

static void hls_wr_playlist_uri(mp_wr_t *w, const mp_pres_track_t *t, const hls_params_t *hp)
{
    mp_wr_printf(w, "QualityLevels(%u)/Manifest(%s,format=%s", t->bitrate, t->name,
                 mp_format_name(hp->format));
    if (hp->filter != NULL) {
        /* the media playlist trims its segments by the same filters */
        mp_wr_printf(w, ",filter=%.*s", (int) hp->filter_len, hp->filter);
    }
    mp_wr_str(w, ")");
}

/* Rendition label: the language's name, else the stream name. */
static const char *hls_label(const mp_pres_track_t *t)
{
    const char *name = mp_lang_name(t->language);
    return name != NULL ? name : t->name;
}

/* NAME of an audio rendition: its label, with the bit rate added when
 * another track of the group has the same label (NAME must be unique). */
static void hls_wr_rendition_name(mp_wr_t *w, const hls_master_t *m, const mp_pres_track_t *t)
{
    const char *label = hls_label(t);
    int unique = 1;
    for (uint32_t i = 0; i < m->p->count; i++) {
        const mp_pres_track_t *o = &m->p->tracks[i];
        if (o != t && o->track->type == MP_TRACK_AUDIO && hls_same_group(m, o, t)
            && strcmp(hls_label(o), label) == 0) {
            unique = 0;
        }
    }
    mp_wr_str(w, "\"");
    hls_wr_quotable(w, label);
    if (!unique) {
        mp_wr_printf(w, " %u kbps", t->bitrate / 1000);
    }
    mp_wr_str(w, "\"");
}

static void hls_wr_media_line(mp_wr_t *w, const hls_master_t *m, const mp_pres_track_t *t)
{
    int is_default = hls_group_leader(m, t) == t;
    mp_wr_str(w, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"");
    hls_wr_group_id(w, m, t);
    mp_wr_str(w, "\",NAME=");
    hls_wr_rendition_name(w, m, t);
    if (t->language[0] != '\0') {
        mp_wr_str(w, ",LANGUAGE=");
        hls_wr_quoted(w, mp_lang_tag(t->language));
    }
    mp_wr_printf(w, ",DEFAULT=%s,AUTOSELECT=YES", is_default ? "YES" : "NO");
    if (t->track->channels) {
        mp_wr_printf(w, ",CHANNELS=\"%u\"", t->track->channels);
    }
    mp_wr_str(w, ",URI=\"");
    hls_wr_playlist_uri(w, t, m->hp);
    mp_wr_str(w, "\"\n");
}

/* Does an earlier audio track of variant v have the same codecs as track i? */
static int hls_codecs_listed(const hls_master_t *m, const hls_variant_t *v, uint32_t i)
{
    const mp_pres_track_t *tracks = m->p->tracks;
    for (uint32_t j = 0; j < i; j++) {
        if (hls_variant_has(m, v, &tracks[j])
            && strcmp(tracks[j].track->codecs, tracks[i].track->codecs) == 0) {
            return 1;
        }
    }
    return 0;
}

/* CODECS: the video codec and every distinct codec of the variant's audio. */
static void hls_wr_codecs(mp_wr_t *w, const hls_master_t *m, const hls_variant_t *v)
{
    const char *sep = "";
    mp_wr_str(w, ",CODECS=\"");
    if (v->video != NULL) {
        mp_wr_str(w, v->video->track->codecs);
        sep = ",";
    }
    for (uint32_t i = 0; i < m->p->count; i++) {
        if (hls_variant_has(m, v, &m->p->tracks[i]) && !hls_codecs_listed(m, v, i)) {
            mp_wr_printf(w, "%s%s", sep, m->p->tracks[i].track->codecs);
            sep = ",";
        }
    }
    mp_wr_str(w, "\"");
}

/* Video rate plus the highest rate among the variant's audio. */
static hls_rate_t hls_variant_rate(const hls_master_t *m, const hls_variant_t *v)
{
    hls_rate_t sum = { 0, 0 }, audio = { 0, 0 };
    if (v->video != NULL) {
        sum = hls_rate_of(m, v->video);
    }
    for (uint32_t i = 0; i < m->p->count; i++) {
        if (hls_variant_has(m, v, &m->p->tracks[i])) {
            hls_rate_t r = m->rates[i];
            audio.peak = r.peak > audio.peak ? r.peak : audio.peak;
            audio.avg = r.avg > audio.avg ? r.avg : audio.avg;
        }
    }
    sum.peak += audio.peak;
    sum.avg += audio.avg;
    return sum;
}

static void hls_wr_video_attrs(mp_wr_t *w, const mp_track_t *t)
{
    if (t->width && t->height) {
        mp_wr_printf(w, ",RESOLUTION=%ux%u", t->width, t->height);
    }
    if (t->frame_rate_milli) {
        mp_wr_printf(w, ",FRAME-RATE=%u.%03u", t->frame_rate_milli / 1000,
                     t->frame_rate_milli % 1000);
    }
}

static void hls_wr_stream_inf(mp_wr_t *w, const hls_master_t *m, const hls_variant_t *v)
{
    hls_rate_t r = hls_variant_rate(m, v);
    mp_wr_printf(w, "#EXT-X-STREAM-INF:BANDWIDTH=%llu,AVERAGE-BANDWIDTH=%llu",
                 (unsigned long long) r.peak, (unsigned long long) r.avg);
    hls_wr_codecs(w, m, v);
    if (v->video != NULL) {
        hls_wr_video_attrs(w, v->video->track);
    }
    if (v->group) {
        mp_wr_str(w, ",AUDIO=\"");
        hls_wr_group_id(w, m, v->audio);
        mp_wr_str(w, "\"");
    }
    mp_wr_str(w, "\n");
    hls_wr_playlist_uri(w, v->uri, m->hp);
    mp_wr_str(w, "\n");
}

/* ---- master playlist ---------------------------------------------------- */

/* fMP4: renditions, then every video track once per audio group. */
static void hls_wr_fmp4_variants(mp_wr_t *w, const hls_master_t *m)
{
    const mp_presentation_t *p = m->p;
    for (uint32_t i = 0; i < p->count; i++) {
        if (p->tracks[i].track->type == MP_TRACK_AUDIO) {
            hls_wr_media_line(w, m, &p->tracks[i]);
        }
    }
    for (uint32_t i = 0; i < p->count; i++) {
        const mp_pres_track_t *v = &p->tracks[i];
        hls_variant_t var = { v, NULL, 0, v };
        if (v->track->type != MP_TRACK_VIDEO) {
            continue;
        }
        for (uint32_t j = 0; j < p->count; j++) {
            const mp_pres_track_t *a = &p->tracks[j];
            if (a->track->type == MP_TRACK_AUDIO && hls_group_leader(m, a) == a) {
                var.audio = a;
                var.group = 1;
                hls_wr_stream_inf(w, m, &var);
            }
        }
        if (var.audio == NULL) {
            hls_wr_stream_inf(w, m, &var);
        }
    }
}

/* TS: video variants with the default audio (mp_presentation_ts_audio: the
 * first AAC track) muxed in, plus optionally that audio alone. */
static void hls_wr_ts_variants(mp_wr_t *w, const hls_master_t *m)
{
    const mp_pres_track_t *audio = mp_presentation_ts_audio(m->p);
    for (uint32_t i = 0; i < m->p->count; i++) {
        const mp_pres_track_t *v = &m->p->tracks[i];
        if (v->track->type == MP_TRACK_VIDEO) {
            hls_variant_t var = { v, audio, 0, v };
            hls_wr_stream_inf(w, m, &var);
        }
    }
    if (m->hp->audio_only && audio != NULL) {
        hls_variant_t var = { NULL, audio, 0, audio };
        hls_wr_stream_inf(w, m, &var);
    }
}

/* No video: each audio playlist is a variant of its own. */
static void hls_wr_audio_variants(mp_wr_t *w, const hls_master_t *m)
{
    for (uint32_t i = 0; i < m->p->count; i++) {
        const mp_pres_track_t *a = &m->p->tracks[i];
        if (a->track->type == MP_TRACK_AUDIO) {
            hls_variant_t var = { NULL, a, 0, a };
            hls_wr_stream_inf(w, m, &var);
        }
    }
}

static void hls_wr_header(mp_wr_t *w, const hls_params_t *hp)
{
    /* KEYFORMAT (SAMPLE-AES of TS) needs version 5 */
    int sample_aes = hp->protection != NULL && hp->protection->method == MP_PROTECT_CBCS;
    mp_wr_printf(w, "#EXTM3U\n#EXT-X-VERSION:%d\n", hls_is_ts(hp) ? (sample_aes ? 5 : 3) : 7);
}

int hls_write_master(mp_wr_t *w, const mp_presentation_t *p, const hls_params_t *hp)
{
    hls_master_t m;
    int rc = hls_check_params(hp);
    if (rc != MP_OK) {
        return rc;
    }
    if (p->count == 0) {
        return MP_ERR_BAD_MEDIA;
    }
    hls_master_init(&m, p, hp);
    hls_wr_header(w, hp);
    mp_wr_str(w, "#EXT-X-INDEPENDENT-SEGMENTS\n");
    if (hls_first_of_type(p, MP_TRACK_VIDEO) == NULL) {
        hls_wr_audio_variants(w, &m);
    } else if (hls_is_ts(hp)) {
        hls_wr_ts_variants(w, &m);
    } else {
        hls_wr_fmp4_variants(w, &m);
    }
    return hls_done(w);
}

/* ---- media playlist ----------------------------------------------------- */

/* Segment edges rounded to milliseconds: EXTINF values then add up to the
 * track's duration exactly instead of accumulating rounding errors. */
static uint64_t hls_ms(uint64_t t_10m)
{
    return (t_10m + 5000) / 10000;
}

static uint64_t hls_seg_ms(const mp_seg_t *s)
{
    return hls_ms(s->start_10m + s->duration_10m) - hls_ms(s->start_10m);
}

static uint64_t hls_target_duration(const mp_seg_t *segs, uint32_t count)
{
    uint64_t max_ms = 1;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t ms = hls_seg_ms(&segs[i]);
        max_ms = ms > max_ms ? ms : max_ms;
    }
    return (max_ms + 999) / 1000;
}

static void hls_wr_segments(mp_wr_t *w, const mp_pres_track_t *t, const mp_seg_t *segs,
                            uint32_t count, const hls_params_t *hp)
{
    const char *fmt = mp_format_name(hp->format);
    for (uint32_t i = 0; i < count; i++) {
        uint64_t ms = hls_seg_ms(&segs[i]);
        mp_wr_printf(w, "#EXTINF:%llu.%03llu,\nFragments(%s=%llu,format=%s)\n",
                     (unsigned long long) (ms / 1000), (unsigned long long) (ms % 1000), t->name,
                     (unsigned long long) segs[i].start_10m, fmt);
    }
}

/* FairPlay (cbcs): the license server's URL as skd:// (AMS's form), for
 * Safari's com.apple.streamingkeydelivery. */
static void hls_wr_fairplay_key(mp_wr_t *w, const mp_protection_t *pr)
{
    const char *u = pr->fairplay_url;
    const char *rest = strncmp(u, "https://", 8) == 0 ? u + 8 : strncmp(u, "http://", 7) == 0
                       ? u + 7 : strncmp(u, "skd://", 6) == 0 ? u + 6 : u;
    if (u[0] == '\0') {
        return;
    }
    mp_wr_str(w, "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://");
    hls_wr_quotable(w, rest);
    mp_wr_str(w, "\",KEYFORMAT=\"com.apple.streamingkeydelivery\",KEYFORMATVERSIONS=\"1\"\n");
}

static void hls_wr_kid(mp_wr_t *w, const mp_protection_t *pr)
{
    mp_wr_str(w, ",KEYID=0x");
    for (int i = 0; i < 16; i++) {
        mp_wr_printf(w, "%02X", pr->kid[i]);
    }
}

/* A data: URI with the base64 of a PSSH box (Widevine) or PlayReady Object. */
static void hls_wr_drm_uri(mp_wr_t *w, const mp_protection_t *pr, int playready)
{
    mp_wr_str(w, playready ? "URI=\"data:text/plain;charset=UTF-16;base64," : "URI=\"data:text/plain;base64,");
    if (playready) {
        mp_drm_write_playready_pro_base64(w, pr);
    } else {
        mp_drm_write_pssh_base64(w, mp_drm_system_widevine, pr);
    }
    mp_wr_str(w, "\"");
}

/* Common encryption of fMP4 segments: one EXT-X-KEY per key system, all
 * applying to every segment (RFC 8216 4.3.2.4): W3C ClearKey (hls.js
 * "org.w3.clearkey": the KID, the license service as URI), for 'cenc' also
 * KEYFORMAT identity with the raw key's URL (shaka's ClearKey in HLS; not
 * for 'cbcs', whose METHOD SAMPLE-AES identity hls.js takes for MPEG-TS
 * SAMPLE-AES), Widevine and PlayReady when the policy names their servers. */
static void hls_wr_common_keys(mp_wr_t *w, const mp_protection_t *pr)
{
    const char *method = pr->method == MP_PROTECT_CBCS ? "SAMPLE-AES" : "SAMPLE-AES-CTR";
    mp_wr_printf(w, "#EXT-X-KEY:METHOD=%s,URI=", method);
    hls_wr_quoted(w, pr->clearkey_url[0] ? pr->clearkey_url : pr->key_uri);
    hls_wr_kid(w, pr);
    mp_wr_str(w, ",KEYFORMAT=\"org.w3.clearkey\",KEYFORMATVERSIONS=\"1\"\n");
    if (pr->method == MP_PROTECT_CENC && pr->key_uri[0]) {
        mp_wr_printf(w, "#EXT-X-KEY:METHOD=%s,URI=", method);
        hls_wr_quoted(w, pr->key_uri);
        mp_wr_str(w, ",KEYFORMAT=\"identity\"\n");
    }
    if (pr->widevine_url[0]) {
        mp_wr_printf(w, "#EXT-X-KEY:METHOD=%s,", method);
        hls_wr_drm_uri(w, pr, 0);
        hls_wr_kid(w, pr);
        mp_wr_str(w, ",KEYFORMAT=\"urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed\","
                     "KEYFORMATVERSIONS=\"1\"\n");
    }
    if (pr->playready_url[0]) {
        mp_wr_printf(w, "#EXT-X-KEY:METHOD=%s,", method);
        hls_wr_drm_uri(w, pr, 1);
        mp_wr_str(w, ",KEYFORMAT=\"com.microsoft.playready\",KEYFORMATVERSIONS=\"1\"\n");
    }
    if (pr->method == MP_PROTECT_CBCS) {
        hls_wr_fairplay_key(w, pr);
    }
}

/* SAMPLE-AES of MPEG-TS (cbcs assets over m3u8-aapl-v3): the raw key of
 * the key service (KEYFORMAT identity, as hls.js and Safari take it) and
 * the constant IV. */
static void hls_wr_sample_aes_ts_key(mp_wr_t *w, const mp_protection_t *pr)
{
    mp_wr_str(w, "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=");
    hls_wr_quoted(w, pr->key_uri);
    mp_wr_str(w, ",IV=0x");
    for (int i = 0; i < 16; i++) {
        mp_wr_printf(w, "%02X", pr->iv[i]);
    }
    mp_wr_str(w, ",KEYFORMAT=\"identity\",KEYFORMATVERSIONS=\"1\"\n");
    hls_wr_fairplay_key(w, pr);
}

/* AES-128: one EXT-X-KEY for every segment, after EXT-X-MAP so the
 * initialization section stays in the clear (RFC 8216 4.3.2.5). */
static void hls_wr_key(mp_wr_t *w, const hls_params_t *hp)
{
    const mp_protection_t *pr = hp->protection;
    if (pr != NULL && pr->method == MP_PROTECT_CBCS && hls_is_ts(hp)) {
        hls_wr_sample_aes_ts_key(w, pr);
        return;
    }
    if (mp_protection_is_common(pr)) {
        hls_wr_common_keys(w, pr);
        return;
    }
    if (pr == NULL || pr->method != MP_PROTECT_AES128) {
        return;
    }
    mp_wr_str(w, "#EXT-X-KEY:METHOD=AES-128,URI=");
    hls_wr_quoted(w, pr->key_uri);
    if (pr->has_iv) {
        mp_wr_str(w, ",IV=0x");
        for (int i = 0; i < 16; i++) {
            mp_wr_printf(w, "%02X", pr->iv[i]);
        }
    }
    mp_wr_str(w, "\n");
}

int hls_write_media(mp_wr_t *w, const mp_presentation_t *p, const mp_pres_track_t *t,
                    const mp_timeline_t *tl, const hls_params_t *hp)
{
    (void) p;
    mp_seg_t *segs;
    uint32_t count;
    int rc = hls_check_params(hp);
    if (rc != MP_OK || (rc = mp_track_seg_list(t, tl, &segs, &count)) != MP_OK) {
        return rc;
    }
    if (count == 0) {
        free(segs);
        return MP_ERR_NOT_FOUND;
    }
    hls_wr_header(w, hp);
    /* live: a sliding window (no playlist type), the sequence number of its
     * first segment in the whole archive, no end */
    mp_wr_printf(w, "#EXT-X-TARGETDURATION:%llu\n#EXT-X-MEDIA-SEQUENCE:%u\n%s",
                 (unsigned long long) hls_target_duration(segs, count), tl->first_no,
                 tl->live != NULL ? "" : "#EXT-X-PLAYLIST-TYPE:VOD\n");
    if (!hls_is_ts(hp)) {
        mp_wr_printf(w, "#EXT-X-MAP:URI=\"Fragments(%s=i,format=%s)\"\n", t->name,
                     mp_format_name(hp->format));
    }
    hls_wr_key(w, hp);
    hls_wr_segments(w, t, segs, count, hp);
    if (tl->live == NULL) {
        mp_wr_str(w, "#EXT-X-ENDLIST\n");
    }
    free(segs);
    return hls_done(w);
}
