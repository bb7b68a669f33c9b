/*
 * mp4_entry.c — reads a track's first sample description (stsd entry):
 * codec, picture size or audio format, the decoder configuration (avcC,
 * hvcC, AudioSpecificConfig from esds, dac3/dec3) and the RFC 6381 codecs
 * string players need in manifests.
 */
#include "mp4_internal.h"

#include <stdio.h>

#define VISUAL_ENTRY_FIXED 78   /* bytes after the box header before child boxes */
#define AUDIO_ENTRY_FIXED 28

typedef struct {
    uint32_t fourcc;
    uint32_t codec;
    uint32_t config_box;       /* child box holding the decoder configuration */
} mp4_codec_map_t;

static const mp4_codec_map_t mp4_codecs[] = {
    { MP_FOURCC('a', 'v', 'c', '1'), MP_CODEC_AVC, MP_FOURCC('a', 'v', 'c', 'C') },
    { MP_FOURCC('a', 'v', 'c', '3'), MP_CODEC_AVC, MP_FOURCC('a', 'v', 'c', 'C') },
    { MP_FOURCC('h', 'v', 'c', '1'), MP_CODEC_HEVC, MP_FOURCC('h', 'v', 'c', 'C') },
    { MP_FOURCC('h', 'e', 'v', '1'), MP_CODEC_HEVC, MP_FOURCC('h', 'v', 'c', 'C') },
    { MP_FOURCC('m', 'p', '4', 'a'), MP_CODEC_AAC, MP_FOURCC('e', 's', 'd', 's') },
    { MP_FOURCC('a', 'c', '-', '3'), MP_CODEC_AC3, MP_FOURCC('d', 'a', 'c', '3') },
    { MP_FOURCC('e', 'c', '-', '3'), MP_CODEC_EAC3, MP_FOURCC('d', 'e', 'c', '3') },
    { 0, 0, 0 }
};

/* Find a child box of type in [p, p+len); returns its body or NULL. */
static const uint8_t *mp4_find_child(const uint8_t *p, size_t len, uint32_t type,
                                     size_t *body_len)
{
    while (len >= 8) {
        uint64_t size;
        uint32_t t;
        size_t hdr = mp4_box_header(p, len, &size, &t);
        if (hdr == 0 || size > len) {
            return NULL;
        }
        if (t == type) {
            *body_len = (size_t) size - hdr;
            return p + hdr;
        }
        p += size;
        len -= (size_t) size;
    }
    return NULL;
}

/* MPEG-4 descriptor length: up to four 7-bit groups. */
static int mp4_desc_len(const uint8_t **p, const uint8_t *end, uint32_t *len)
{
    *len = 0;
    for (int i = 0; i < 4; i++) {
        if (*p >= end) {
            return MP_ERR_BAD_MEDIA;
        }
        uint8_t b = *(*p)++;
        *len = (*len << 7) | (b & 0x7f);
        if (!(b & 0x80)) {
            return *len <= (size_t) (end - *p) ? MP_OK : MP_ERR_BAD_MEDIA;
        }
    }
    return MP_ERR_BAD_MEDIA;
}

/* esds → ES_Descriptor → DecoderConfigDescriptor → DecoderSpecificInfo. */
static int mp4_read_esds(const uint8_t *b, size_t len, mp4_entry_info_t *info)
{
    if (len < 4) {
        return MP_ERR_BAD_MEDIA;
    }
    const uint8_t *p = b + 4, *end = b + len;
    uint32_t dlen;
    if (p >= end || *p++ != 0x03 || mp4_desc_len(&p, end, &dlen) != MP_OK || dlen < 3) {
        return MP_ERR_BAD_MEDIA;
    }
    uint8_t flags = p[2];
    p += 3;
    p += (flags & 0x80) ? 2 : 0;                 /* streamDependenceFlag */
    if ((flags & 0x40) && p < end) {
        p += 1 + *p;                             /* URL_Flag */
    }
    p += (flags & 0x20) ? 2 : 0;                 /* OCRstreamFlag */
    if (p >= end || *p++ != 0x04 || mp4_desc_len(&p, end, &dlen) != MP_OK || dlen < 13) {
        return MP_ERR_BAD_MEDIA;
    }
    uint8_t object_type = p[0];
    const uint8_t *dcd_end = p + dlen;
    p += 13;
    if (object_type != 0x40 && object_type != 0x66 && object_type != 0x67) {
        return MP_ERR_NOT_FOUND;                 /* not AAC (e.g. MP3) */
    }
    if (p >= dcd_end || *p++ != 0x05 || mp4_desc_len(&p, dcd_end, &dlen) != MP_OK || dlen < 2) {
        return MP_ERR_BAD_MEDIA;
    }
    info->config = p;
    info->config_len = dlen;
    uint32_t aot = p[0] >> 3;
    if (aot == 31) {
        aot = 32 + (((p[0] & 7) << 3) | (p[1] >> 5));
    }
    snprintf(info->codecs, sizeof(info->codecs), "mp4a.40.%u", aot);
    return MP_OK;
}

static void mp4_avc_codecs(mp4_entry_info_t *info)
{
    const uint8_t *c = info->config;
    snprintf(info->codecs, sizeof(info->codecs), "%.4s.%02x%02x%02x",
             info->fourcc == MP_FOURCC('a', 'v', 'c', '3') ? "avc3" : "avc1", c[1], c[2], c[3]);
}

/* hvc1.<space><profile>.<compat, bit-reversed hex>.<tier><level>.<constraints> */
static void mp4_hevc_codecs(mp4_entry_info_t *info)
{
    const uint8_t *c = info->config;
    static const char *space[] = { "", "A", "B", "C" };
    uint32_t compat = mp_rd32(c + 2), reversed = 0;
    for (int i = 0; i < 32; i++) {
        reversed |= ((compat >> i) & 1) << (31 - i);
    }
    int n = snprintf(info->codecs, sizeof(info->codecs), "%s.%s%u.%X.%c%u",
                     info->fourcc == MP_FOURCC('h', 'e', 'v', '1') ? "hev1" : "hvc1",
                     space[c[1] >> 6], c[1] & 0x1f, reversed, (c[1] & 0x20) ? 'H' : 'L', c[12]);
    int last = 5;
    while (last >= 0 && c[6 + last] == 0) {
        last--;
    }
    for (int i = 0; i <= last && n > 0 && (size_t) n + 4 < sizeof(info->codecs); i++) {
        n += snprintf(info->codecs + n, sizeof(info->codecs) - (size_t) n, ".%X", c[6 + i]);
    }
}

static int mp4_read_visual(mp4_parse_ctx_t *ctx, const uint8_t *body, size_t len,
                           const mp4_codec_map_t *m, mp4_entry_info_t *info)
{
    if (len < VISUAL_ENTRY_FIXED) {
        return mp4_fail(ctx, "visual sample entry too short");
    }
    info->width = mp_rd16(body + 24);
    info->height = mp_rd16(body + 26);
    size_t clen;
    const uint8_t *cfg = mp4_find_child(body + VISUAL_ENTRY_FIXED, len - VISUAL_ENTRY_FIXED,
                                        m->config_box, &clen);
    size_t min = m->codec == MP_CODEC_AVC ? 7 : 23;
    if (cfg == NULL || clen < min) {
        return mp4_fail(ctx, "video track has no usable %s box", m->codec == MP_CODEC_AVC ? "avcC" : "hvcC");
    }
    info->config = cfg;
    info->config_len = (uint32_t) clen;
    info->nal_length_size = (m->codec == MP_CODEC_AVC ? cfg[4] : cfg[21]) & 3;
    info->nal_length_size += 1;
    if (info->nal_length_size == 3) {
        return mp4_fail(ctx, "invalid NAL length size 3");
    }
    if (m->codec == MP_CODEC_AVC) {
        mp4_avc_codecs(info);
    } else {
        mp4_hevc_codecs(info);
    }
    return MP_OK;
}

static int mp4_read_audio(mp4_parse_ctx_t *ctx, const uint8_t *body, size_t len,
                          const mp4_codec_map_t *m, mp4_entry_info_t *info)
{
    if (len < AUDIO_ENTRY_FIXED) {
        return mp4_fail(ctx, "audio sample entry too short");
    }
    uint16_t version = mp_rd16(body + 8);
    size_t fixed = AUDIO_ENTRY_FIXED + (version == 1 ? 16 : version == 2 ? 36 : 0);
    if (len < fixed) {
        return mp4_fail(ctx, "audio sample entry v%u too short", version);
    }
    info->channels = mp_rd16(body + 16);
    info->sample_size_bits = mp_rd16(body + 18);
    info->sample_rate = mp_rd32(body + 24) >> 16;
    size_t clen;
    const uint8_t *cfg = mp4_find_child(body + fixed, len - fixed, m->config_box, &clen);
    if (cfg == NULL) {
        return mp4_fail(ctx, "audio track has no decoder configuration box");
    }
    if (m->codec == MP_CODEC_AAC) {
        int rc = mp4_read_esds(cfg, clen, info);
        if (rc == MP_ERR_BAD_MEDIA) {
            return mp4_fail(ctx, "malformed esds in AAC track");
        }
        return rc;
    }
    info->config = cfg;
    info->config_len = (uint32_t) clen;
    snprintf(info->codecs, sizeof(info->codecs), "%s", m->codec == MP_CODEC_AC3 ? "ac-3" : "ec-3");
    return MP_OK;
}

int mp4_read_sample_entry(mp4_parse_ctx_t *ctx, const mp4_trak_t *t, mp4_entry_info_t *info)
{
    memset(info, 0, sizeof(*info));
    if (t->stsd.p == NULL || t->stsd.len < 8 + 8 || mp_rd32(t->stsd.p + 4) == 0) {
        return mp4_fail(ctx, "track %u has no sample description", t->track_id);
    }
    const uint8_t *e = t->stsd.p + 8;
    uint64_t size;
    uint32_t type;
    size_t hdr = mp4_box_header(e, t->stsd.len - 8, &size, &type);
    if (hdr == 0 || size > t->stsd.len - 8) {
        return mp4_fail(ctx, "track %u: malformed sample description", t->track_id);
    }
    const mp4_codec_map_t *m = mp4_codecs;
    while (m->fourcc && m->fourcc != type) {
        m++;
    }
    if (m->fourcc == 0) {
        return MP_ERR_NOT_FOUND;
    }
    info->fourcc = type;
    info->codec = m->codec;
    info->entry = e;
    info->entry_len = (uint32_t) size;
    const uint8_t *body = e + hdr;
    size_t len = (size_t) size - hdr;
    if (m->codec == MP_CODEC_AVC || m->codec == MP_CODEC_HEVC) {
        return mp4_read_visual(ctx, body, len, m, info);
    }
    return mp4_read_audio(ctx, body, len, m, info);
}
