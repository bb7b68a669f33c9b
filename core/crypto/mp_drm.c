/*
 * mp_drm.c — PSSH boxes and the DRM headers inside them (mp_drm.h): the
 * common-system PSSH v1 (what W3C ClearKey reads), the Widevine PSSH data
 * (a protobuf with the KID and the protection scheme), and the PlayReady
 * Object with its WRMHEADER XML in UTF-16LE.
 */
#include "mp_drm.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

const uint8_t mp_drm_system_common[16] = {
    0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02, 0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b
};
const uint8_t mp_drm_system_widevine[16] = {
    0xed, 0xef, 0x8b, 0xa9, 0x79, 0xd6, 0x4a, 0xce, 0xa3, 0xc8, 0x27, 0xdc, 0xd5, 0x1d, 0x21, 0xed
};
const uint8_t mp_drm_system_playready[16] = {
    0x9a, 0x04, 0xf0, 0x79, 0x98, 0x40, 0x42, 0x86, 0xab, 0x92, 0xe6, 0x5b, 0xe0, 0x88, 0x5f, 0x95
};

void mp_drm_guid_text(const uint8_t id[16], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10],
             id[11], id[12], id[13], id[14], id[15]);
}

void mp_wr_base64(mp_wr_t *w, const uint8_t *data, size_t len)
{
    uint8_t out[4 * 48 / 3 + 1];
    while (len > 0) {
        size_t part = len < 48 ? len : 48;
        int n = EVP_EncodeBlock(out, data, (int) part);
        mp_wr_bytes(w, out, (size_t) n);
        data += part;
        len -= part;
    }
}

static void mp_drm_varint(mp_wr_t *w, uint64_t v)
{
    while (v >= 0x80) {
        mp_wr_u8(w, (uint32_t) (v & 0x7f) | 0x80);
        v >>= 7;
    }
    mp_wr_u8(w, (uint32_t) v);
}

/* WidevinePsshData: key_id (2) and protection_scheme (9). */
static void mp_drm_widevine_data(mp_wr_t *w, const mp_protection_t *pr)
{
    mp_wr_u8(w, 0x12);
    mp_wr_u8(w, 16);
    mp_wr_bytes(w, pr->kid, 16);
    mp_wr_u8(w, 0x48);
    mp_drm_varint(w, pr->method == MP_PROTECT_CBCS ? MP_FOURCC('c', 'b', 'c', 's')
                                                   : MP_FOURCC('c', 'e', 'n', 'c'));
}

static void mp_drm_u16le(mp_wr_t *w, uint32_t v)
{
    mp_wr_u8(w, v & 0xff);
    mp_wr_u8(w, (v >> 8) & 0xff);
}

/* ASCII text as UTF-16LE (the header's text is ASCII: URLs are escaped). */
static void mp_drm_utf16(mp_wr_t *w, const char *s)
{
    for (; *s; s++) {
        mp_drm_u16le(w, (uint8_t) *s);
    }
}

/* The XML text of the WRMHEADER; the KID in the GUID's little-endian layout. */
static void mp_drm_wrmheader(mp_wr_t *x, const mp_protection_t *pr)
{
    const uint8_t *k = pr->kid;
    uint8_t le[16] = { k[3], k[2], k[1], k[0], k[5], k[4], k[7], k[6], k[8], k[9], k[10], k[11],
                       k[12], k[13], k[14], k[15] };
    int cbcs = pr->method == MP_PROTECT_CBCS;
    mp_wr_printf(x, "<WRMHEADER xmlns=\"http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader\""
                    " version=\"%s\"><DATA>", cbcs ? "4.3.0.0" : "4.0.0.0");
    if (cbcs) {
        mp_wr_str(x, "<PROTECTINFO><KIDS><KID ALGID=\"AESCBC\" VALUE=\"");
        mp_wr_base64(x, le, 16);
        mp_wr_str(x, "\"></KID></KIDS></PROTECTINFO>");
    } else {
        mp_wr_str(x, "<PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO><KID>");
        mp_wr_base64(x, le, 16);
        mp_wr_str(x, "</KID>");
    }
    if (pr->playready_url[0]) {
        mp_wr_str(x, "<LA_URL>");
        mp_wr_xml_escaped(x, pr->playready_url);
        mp_wr_str(x, "</LA_URL>");
    }
    mp_wr_str(x, "</DATA></WRMHEADER>");
}

void mp_drm_write_playready_pro(mp_wr_t *w, const mp_protection_t *pr)
{
    mp_wr_t x;
    mp_wr_init_dynamic(&x);
    mp_drm_wrmheader(&x, pr);
    mp_wr_u8(&x, 0);
    size_t record = (x.pos - 1) * 2;
    mp_drm_u16le(w, 0);               /* length: patched below (u32le) */
    mp_drm_u16le(w, 0);
    size_t start = w->pos - 4;
    mp_drm_u16le(w, 1);               /* one record */
    mp_drm_u16le(w, 1);               /* rights management header */
    mp_drm_u16le(w, (uint32_t) record);
    if (!x.failed) {
        x.p[x.pos - 1] = '\0';
        mp_drm_utf16(w, (const char *) x.p);
    } else {
        w->failed = 1;
    }
    mp_wr_free(&x);
    uint32_t total = (uint32_t) (w->pos - start);
    if (w->p != NULL && !w->failed) {
        for (int i = 0; i < 4; i++) {
            w->p[start + i] = (uint8_t) (total >> (8 * i));
        }
    }
}

void mp_drm_write_pssh(mp_wr_t *w, const uint8_t system_id[16], const mp_protection_t *pr)
{
    int common = memcmp(system_id, mp_drm_system_common, 16) == 0;
    size_t b = mp_fullbox_begin(w, MP_FOURCC('p', 's', 's', 'h'), common ? 1 : 0, 0);
    mp_wr_bytes(w, system_id, 16);
    if (common) {
        mp_wr_u32(w, 1);
        mp_wr_bytes(w, pr->kid, 16);
        mp_wr_u32(w, 0);
    } else {
        size_t size_at = w->pos;
        mp_wr_u32(w, 0);
        if (system_id[0] == mp_drm_system_widevine[0]) {
            mp_drm_widevine_data(w, pr);
        } else {
            mp_drm_write_playready_pro(w, pr);
        }
        uint32_t n = (uint32_t) (w->pos - size_at - 4);
        if (w->p != NULL && !w->failed) {
            w->p[size_at] = (uint8_t) (n >> 24);
            w->p[size_at + 1] = (uint8_t) (n >> 16);
            w->p[size_at + 2] = (uint8_t) (n >> 8);
            w->p[size_at + 3] = (uint8_t) n;
        }
    }
    mp_box_end(w, b);
}

void mp_drm_write_pssh_all(mp_wr_t *w, const mp_protection_t *pr)
{
    mp_drm_write_pssh(w, mp_drm_system_common, pr);
    if (pr->widevine_url[0]) {
        mp_drm_write_pssh(w, mp_drm_system_widevine, pr);
    }
    if (pr->playready_url[0]) {
        mp_drm_write_pssh(w, mp_drm_system_playready, pr);
    }
}

/* The base64 of what write() puts into a scratch writer. */
static void mp_drm_base64_of(mp_wr_t *w, const uint8_t *system, const mp_protection_t *pr)
{
    mp_wr_t tmp;
    mp_wr_init_dynamic(&tmp);
    if (system != NULL) {
        mp_drm_write_pssh(&tmp, system, pr);
    } else {
        mp_drm_write_playready_pro(&tmp, pr);
    }
    if (tmp.failed) {
        w->failed = 1;
    } else {
        mp_wr_base64(w, tmp.p, tmp.pos);
    }
    mp_wr_free(&tmp);
}

void mp_drm_write_pssh_base64(mp_wr_t *w, const uint8_t system_id[16], const mp_protection_t *pr)
{
    mp_drm_base64_of(w, system_id, pr);
}

void mp_drm_write_playready_pro_base64(mp_wr_t *w, const mp_protection_t *pr)
{
    mp_drm_base64_of(w, NULL, pr);
}
