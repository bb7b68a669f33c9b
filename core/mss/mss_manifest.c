/*
 * mss_manifest.c — the Smooth Streaming client manifest (MS-SSTR 2.2).
 *
 * One StreamIndex per type and stream name (all video renditions share
 * "video"; each audio language has its own name such as "audio_eng"), with a
 * QualityLevel per track and the <c> fragment list of its first track.  Every
 * first <c> carries t= because fragments start at the timeline shift (B-frame
 * delay, AAC priming), not at 0; r= is the total count of equal fragments
 * (MinorVersion 2), as GStreamer and dash.js read it.
 */
#include "mss_manifest.h"
#include "../crypto/mp_drm.h"

#include "../segment/mp_track_info.h"

#include <stdlib.h>

#define MSS_AUDIO_TAG_AAC        255
#define MSS_AUDIO_TAG_EXTENSIBLE 65534   /* WAVE_FORMAT_EXTENSIBLE: AC-3, E-AC-3 */

typedef struct {
    const mp_pres_track_t *levels[MP_MAX_TRACKS];
    uint32_t count;
} mss_stream_t;

static int mss_same_stream(const mp_pres_track_t *a, const mp_pres_track_t *b)
{
    return a->track->type == b->track->type && strcmp(a->name, b->name) == 0;
}

static int mss_opens_stream(const mp_presentation_t *p, uint32_t i)
{
    for (uint32_t j = 0; j < i; j++) {
        if (mss_same_stream(&p->tracks[j], &p->tracks[i])) {
            return 0;
        }
    }
    return 1;
}

static void mss_collect(mss_stream_t *s, const mp_presentation_t *p, uint32_t first)
{
    s->count = 0;
    for (uint32_t i = first; i < p->count; i++) {
        if (mss_same_stream(&p->tracks[first], &p->tracks[i])) {
            s->levels[s->count++] = &p->tracks[i];
        }
    }
}

/* ---- codec description -------------------------------------------------- */

static int mss_is_he_aac(const mp_track_t *t)
{
    return strcmp(t->codecs, "mp4a.40.5") == 0 || strcmp(t->codecs, "mp4a.40.29") == 0;
}

static const char *mss_fourcc(const mp_track_t *t)
{
    switch (t->codec) {
    case MP_CODEC_AVC: return "H264";
    case MP_CODEC_HEVC: return "HVC1";
    case MP_CODEC_AAC: return mss_is_he_aac(t) ? "AACH" : "AACL";
    case MP_CODEC_AC3: return "AC-3";
    case MP_CODEC_EAC3: return "EC-3";
    default: return "";
    }
}

static uint32_t mss_channel_mask(uint32_t channels)
{
    switch (channels) {
    case 1: return 0x4;         /* FC */
    case 6: return 0x3f;        /* 5.1 */
    case 8: return 0x63f;       /* 7.1 */
    default: return channels < 32 ? (1u << channels) - 1 : 0;
    }
}

/* Dolby CodecPrivateData: the WAVEFORMATEXTENSIBLE tail (samples per block
 * 1536, channel mask, SubFormat GUID, little-endian) then the dac3/dec3 body. */
static void mss_wr_dolby_private(mp_wr_t *w, const mp_index_t *ix, const mp_track_t *t)
{
    static const uint8_t ec3_guid[16] = { 0xaf, 0x87, 0xfb, 0xa7, 0x02, 0x2d, 0xfb, 0x42,
                                          0xa4, 0xd4, 0x05, 0xcd, 0x93, 0x84, 0x3b, 0xdd };
    static const uint8_t ac3_guid[16] = { 0x92, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
                                          0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71 };
    uint32_t mask = mss_channel_mask(t->channels);
    uint8_t head[6] = { 0x00, 0x06, (uint8_t) mask, (uint8_t) (mask >> 8),
                        (uint8_t) (mask >> 16), (uint8_t) (mask >> 24) };
    mp_wr_hex(w, head, sizeof(head));
    mp_wr_hex(w, t->codec == MP_CODEC_EAC3 ? ec3_guid : ac3_guid, 16);
    mp_wr_hex(w, mp_track_config(ix, t), t->config_len);
}

static int mss_wr_private_data(mp_wr_t *w, const mp_pres_track_t *pt)
{
    int rc = MP_OK;
    mp_wr_str(w, " CodecPrivateData=\"");
    if (pt->track->codec == MP_CODEC_AC3 || pt->track->codec == MP_CODEC_EAC3) {
        mss_wr_dolby_private(w, pt->index, pt->track);
    } else {
        rc = mp_wr_codec_private_hex(w, pt->index, pt->track);
    }
    mp_wr_str(w, "\"");
    return rc;
}

static int mss_wr_quality_level(mp_wr_t *w, const mp_pres_track_t *pt, uint32_t index)
{
    const mp_track_t *t = pt->track;
    mp_wr_printf(w, "<QualityLevel Index=\"%u\" Bitrate=\"%u\" FourCC=\"%s\"", index,
                 pt->bitrate, mss_fourcc(t));
    if (t->type == MP_TRACK_VIDEO) {
        mp_wr_printf(w, " MaxWidth=\"%u\" MaxHeight=\"%u\"", t->width, t->height);
    } else {
        mp_wr_printf(w, " SamplingRate=\"%u\" Channels=\"%u\" BitsPerSample=\"16\""
                     " PacketSize=\"4\" AudioTag=\"%u\"", t->sample_rate, t->channels,
                     t->codec == MP_CODEC_AAC ? MSS_AUDIO_TAG_AAC : MSS_AUDIO_TAG_EXTENSIBLE);
    }
    int rc = mss_wr_private_data(w, pt);
    mp_wr_str(w, "/>\n");
    return rc;
}

/* ---- stream index ------------------------------------------------------- */

static void mss_wr_video_size(mp_wr_t *w, const mss_stream_t *s)
{
    uint32_t mw = 0, mh = 0;
    for (uint32_t r = 0; r < s->count; r++) {
        mw = s->levels[r]->track->width > mw ? s->levels[r]->track->width : mw;
        mh = s->levels[r]->track->height > mh ? s->levels[r]->track->height : mh;
    }
    mp_wr_printf(w, " MaxWidth=\"%u\" MaxHeight=\"%u\" DisplayWidth=\"%u\" DisplayHeight=\"%u\"",
                 mw, mh, mw, mh);
}

static void mss_wr_stream_open(mp_wr_t *w, const mss_stream_t *s, uint32_t chunks)
{
    const mp_pres_track_t *t = s->levels[0];
    int video = t->track->type == MP_TRACK_VIDEO;
    mp_wr_printf(w, "<StreamIndex Type=\"%s\" Name=\"", video ? "video" : "audio");
    mp_wr_xml_escaped(w, t->name);
    mp_wr_str(w, "\"");
    if (!video && t->language[0] != '\0') {
        mp_wr_str(w, " Language=\"");
        mp_wr_xml_escaped(w, t->language);
        mp_wr_str(w, "\"");
    }
    mp_wr_printf(w, " Chunks=\"%u\" QualityLevels=\"%u\" Url=\"QualityLevels({bitrate})/Fragments(",
                 chunks, s->count);
    mp_wr_xml_escaped(w, t->name);
    mp_wr_str(w, "={start time})\"");
    if (video) {
        mss_wr_video_size(w, s);
    }
    mp_wr_str(w, ">\n");
}

static void mss_wr_chunks(mp_wr_t *w, const mp_seg_t *segs, uint32_t count)
{
    for (uint32_t i = 0; i < count;) {
        uint32_t run = mp_seg_run(segs, count, i);
        mp_wr_str(w, "<c");
        if (mp_seg_needs_time(segs, i)) {
            mp_wr_printf(w, " t=\"%llu\"", (unsigned long long) segs[i].start_10m);
        }
        mp_wr_printf(w, " d=\"%llu\"", (unsigned long long) segs[i].duration_10m);
        if (run > 1) {
            mp_wr_printf(w, " r=\"%u\"", run);
        }
        mp_wr_str(w, "/>\n");
        i += run;
    }
}

static int mss_wr_stream(mp_wr_t *w, const mss_stream_t *s, const mp_timeline_t *tl)
{
    mp_seg_t *segs;
    uint32_t count;
    int rc = mp_track_seg_list(s->levels[0], tl, &segs, &count);
    if (rc != MP_OK) {
        return rc;
    }
    mss_wr_stream_open(w, s, count);
    for (uint32_t r = 0; r < s->count && rc == MP_OK; r++) {
        rc = mss_wr_quality_level(w, s->levels[r], r);
    }
    mss_wr_chunks(w, segs, count);
    mp_wr_str(w, "</StreamIndex>\n");
    free(segs);
    return rc;
}

/* <Protection> with the PlayReady Object in base64 (MS-SSTR 2.2.2.2). */
static void mss_wr_protection(mp_wr_t *w, const mp_protection_t *pr)
{
    mp_wr_str(w, "<Protection>\n<ProtectionHeader SystemID=\"9a04f079-9840-4286-ab92-e65be0885f95\">");
    mp_drm_write_playready_pro_base64(w, pr);
    mp_wr_str(w, "</ProtectionHeader>\n</Protection>\n");
}

int mss_write_manifest(mp_wr_t *w, const mp_presentation_t *p, const mp_timeline_t *tl,
                       const mp_protection_t *pr)
{
    mss_stream_t s;
    int rc = MP_OK;
    if (p->count == 0) {
        return MP_ERR_BAD_MEDIA;
    }
    mp_wr_printf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"2\" Duration=\"%llu\""
                 " TimeScale=\"10000000\"", tl->live != NULL ? 0ull
                                               : (unsigned long long) p->duration_10m);
    if (tl->live != NULL) {     /* live: the DVR window; no tfrf look-ahead */
        mp_wr_printf(w, " IsLive=\"TRUE\" DVRWindowLength=\"%llu\" LookAheadFragmentCount=\"0\"",
                     (unsigned long long) tl->live->window_10m);
    }
    mp_wr_str(w, ">\n");
    if (pr != NULL) {
        mss_wr_protection(w, pr);
    }
    for (uint32_t i = 0; i < p->count && rc == MP_OK; i++) {
        if (mss_opens_stream(p, i)) {
            mss_collect(&s, p, i);
            rc = mss_wr_stream(w, &s, tl);
        }
    }
    mp_wr_str(w, "</SmoothStreamingMedia>\n");
    if (rc == MP_OK && w->failed) {
        rc = MP_ERR_NO_MEMORY;
    }
    return rc;
}
