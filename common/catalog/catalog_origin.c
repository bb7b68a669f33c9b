/*
 * catalog_origin.c — encoding and decoding of the origin record (explicit
 * little-endian layout, versioned by a magic) and the access verdict.
 *
 *   "MPO1" | i64 start | i64 expiry | u32 clear | u32 blocked | u32 flags |
 *   u16 dir_len | dir bytes
 *   [ "MPO2" adds: u32 envelope | 16 kid | u32 has_iv | 16 iv | u16 uri_len |
 *     uri bytes ]
 *   [ "MPO3" adds: u32 cenc | 16 kid | u32 cbcs | 16 kid | u32 has_iv | 16 iv |
 *     5 x (u16 len | bytes): common key URI, ClearKey, Widevine, PlayReady,
 *     FairPlay URLs ]
 *   [ "MPO4" adds: i64 live window ms | i64 live start ms ]
 * Records written before MPO4 (no live facts) and MPO3 (no common
 * encryption) still decode.
 */
#include "catalog_origin.h"
#include "catalog_bytes.h"

#include <string.h>

#define ORIGIN_MAGIC_V1 "MPO1"
#define ORIGIN_MAGIC_V2 "MPO2"
#define ORIGIN_MAGIC_V3 "MPO3"
#define ORIGIN_MAGIC "MPO4"
#define ORIGIN_LIVE_FIXED (8 + 8)
#define ORIGIN_FIXED (4 + 8 + 8 + 4 + 4 + 4 + 2)
#define ORIGIN_ENVELOPE_FIXED (4 + 16 + 4 + 16 + 2)
#define ORIGIN_COMMON_FIXED (4 + 16 + 4 + 16 + 4 + 16)

/* The common-encryption URLs in record order. */
static char *catalog_origin_uri(catalog_origin_t *o, int i)
{
    char *uris[CATALOG_ORIGIN_COMMON_URIS] = { o->common_key_uri, o->clearkey_url,
                                               o->widevine_url, o->playready_url,
                                               o->fairplay_url };
    return uris[i];
}

static size_t catalog_origin_common_size(const catalog_origin_t *o)
{
    size_t n = ORIGIN_COMMON_FIXED;
    for (int i = 0; i < CATALOG_ORIGIN_COMMON_URIS; i++) {
        size_t len = strnlen(catalog_origin_uri((catalog_origin_t *) o, i), CATALOG_ORIGIN_URI_MAX);
        if (len >= CATALOG_ORIGIN_URI_MAX) {
            return 0;
        }
        n += 2 + len;
    }
    return n;
}

static uint8_t *catalog_origin_encode_common(const catalog_origin_t *o, uint8_t *p)
{
    p = catalog_put_u32(p, o->protocols_cenc);
    memcpy(p, o->cenc_kid, 16);
    p = catalog_put_u32(p + 16, o->protocols_cbcs);
    memcpy(p, o->cbcs_kid, 16);
    p = catalog_put_u32(p + 16, o->cbcs_has_iv);
    memcpy(p, o->cbcs_iv, 16);
    p += 16;
    for (int i = 0; i < CATALOG_ORIGIN_COMMON_URIS; i++) {
        const char *u = catalog_origin_uri((catalog_origin_t *) o, i);
        size_t len = strlen(u);
        p = catalog_put_u16(p, (uint16_t) len);
        memcpy(p, u, len);
        p += len;
    }
    return p;
}

/* The MPO3 part at buf (rest bytes): its length, or -1 if malformed. */
static long catalog_origin_decode_common(const uint8_t *buf, size_t rest, catalog_origin_t *o)
{
    if (rest < ORIGIN_COMMON_FIXED) {
        return -1;
    }
    size_t used = ORIGIN_COMMON_FIXED;
    o->protocols_cenc = catalog_get_u32(buf);
    memcpy(o->cenc_kid, buf + 4, 16);
    o->protocols_cbcs = catalog_get_u32(buf + 20);
    memcpy(o->cbcs_kid, buf + 24, 16);
    o->cbcs_has_iv = catalog_get_u32(buf + 40);
    memcpy(o->cbcs_iv, buf + 44, 16);
    buf += ORIGIN_COMMON_FIXED;
    rest -= ORIGIN_COMMON_FIXED;
    for (int i = 0; i < CATALOG_ORIGIN_COMMON_URIS; i++) {
        char *u = catalog_origin_uri(o, i);
        size_t len;
        if (rest < 2) {
            return -1;
        }
        len = (size_t) buf[0] | ((size_t) buf[1] << 8);
        if (len >= CATALOG_ORIGIN_URI_MAX || rest - 2 < len || memchr(buf + 2, '\0', len)) {
            return -1;
        }
        memcpy(u, buf + 2, len);
        u[len] = '\0';
        buf += 2 + len;
        rest -= 2 + len;
        used += 2 + len;
    }
    return (long) used;
}

size_t catalog_origin_encode(const catalog_origin_t *o, uint8_t *buf, size_t cap)
{
    size_t dir_len = strnlen(o->asset_dir, CATALOG_ORIGIN_DIR_MAX);
    size_t uri_len = strnlen(o->envelope_key_uri, CATALOG_ORIGIN_URI_MAX);
    size_t common = catalog_origin_common_size(o);
    uint8_t *p = buf;

    if (dir_len >= CATALOG_ORIGIN_DIR_MAX || uri_len >= CATALOG_ORIGIN_URI_MAX || common == 0
        || cap < ORIGIN_FIXED + dir_len + ORIGIN_ENVELOPE_FIXED + uri_len + common
                                 + ORIGIN_LIVE_FIXED) {
        return 0;
    }
    memcpy(p, ORIGIN_MAGIC, 4);
    p = catalog_put_u64(p + 4, (uint64_t) o->start_ms);
    p = catalog_put_u64(p, (uint64_t) o->expiry_ms);
    p = catalog_put_u32(p, o->protocols_clear);
    p = catalog_put_u32(p, o->protocols_blocked);
    p = catalog_put_u32(p, o->flags);
    *p++ = (uint8_t) dir_len;
    *p++ = (uint8_t) (dir_len >> 8);
    memcpy(p, o->asset_dir, dir_len);
    p = catalog_put_u32(p + dir_len, o->protocols_envelope);
    memcpy(p, o->envelope_kid, 16);
    p = catalog_put_u32(p + 16, o->envelope_has_iv);
    memcpy(p, o->envelope_iv, 16);
    p = catalog_put_u16(p + 16, (uint16_t) uri_len);
    memcpy(p, o->envelope_key_uri, uri_len);
    p = catalog_origin_encode_common(o, p + uri_len);
    p = catalog_put_u64(p, (uint64_t) o->live_window_ms);
    p = catalog_put_u64(p, (uint64_t) o->live_start_ms);
    return (size_t) (p - buf);
}

/* The MPO2 part at buf (rest bytes): its length, or -1 if malformed. */
static long catalog_origin_decode_envelope(const uint8_t *buf, size_t rest, catalog_origin_t *o)
{
    size_t uri_len;

    if (rest < ORIGIN_ENVELOPE_FIXED) {
        return -1;
    }
    uri_len = (size_t) buf[ORIGIN_ENVELOPE_FIXED - 2] | ((size_t) buf[ORIGIN_ENVELOPE_FIXED - 1] << 8);
    if (uri_len >= CATALOG_ORIGIN_URI_MAX || rest < ORIGIN_ENVELOPE_FIXED + uri_len) {
        return -1;
    }
    o->protocols_envelope = catalog_get_u32(buf);
    memcpy(o->envelope_kid, buf + 4, 16);
    o->envelope_has_iv = catalog_get_u32(buf + 20);
    memcpy(o->envelope_iv, buf + 24, 16);
    memcpy(o->envelope_key_uri, buf + ORIGIN_ENVELOPE_FIXED, uri_len);
    o->envelope_key_uri[uri_len] = '\0';
    return memchr(o->envelope_key_uri, '\0', uri_len) ? -1 : (long) (ORIGIN_ENVELOPE_FIXED + uri_len);
}

int catalog_origin_decode(const uint8_t *buf, size_t len, catalog_origin_t *o)
{
    size_t dir_len, rest;
    long env, common = 0;
    int version;

    if (len < ORIGIN_FIXED) {
        return -1;
    }
    version = memcmp(buf, ORIGIN_MAGIC, 4) == 0 ? 4 : memcmp(buf, ORIGIN_MAGIC_V3, 4) == 0 ? 3 : memcmp(buf, ORIGIN_MAGIC_V2, 4) == 0 ? 2
            : memcmp(buf, ORIGIN_MAGIC_V1, 4) == 0 ? 1 : 0;
    if (version == 0) {
        return -1;
    }
    dir_len = (size_t) buf[ORIGIN_FIXED - 2] | ((size_t) buf[ORIGIN_FIXED - 1] << 8);
    if (dir_len >= CATALOG_ORIGIN_DIR_MAX || len < ORIGIN_FIXED + dir_len
        || (version == 1 && len != ORIGIN_FIXED + dir_len)) {
        return -1;
    }
    memset(o, 0, sizeof(*o));
    rest = len - ORIGIN_FIXED - dir_len;
    if (version >= 2) {
        env = catalog_origin_decode_envelope(buf + ORIGIN_FIXED + dir_len, rest, o);
        if (env < 0 || (version == 2 && (size_t) env != rest)) {
            return -1;
        }
        rest -= (size_t) env;
    }
    if (version >= 3) {
        common = catalog_origin_decode_common(buf + len - rest, rest, o);
        if (common < 0 || (version == 3 && (size_t) common != rest)) {
            return -1;
        }
        rest -= (size_t) common;
    }
    if (version == 4) {
        if (rest != ORIGIN_LIVE_FIXED) {
            return -1;
        }
        o->live_window_ms = (int64_t) catalog_get_u64(buf + len - rest);
        o->live_start_ms = (int64_t) catalog_get_u64(buf + len - rest + 8);
    }
    o->start_ms = (int64_t) catalog_get_u64(buf + 4);
    o->expiry_ms = (int64_t) catalog_get_u64(buf + 12);
    o->protocols_clear = catalog_get_u32(buf + 20);
    o->protocols_blocked = catalog_get_u32(buf + 24);
    o->flags = catalog_get_u32(buf + 28);
    memcpy(o->asset_dir, buf + ORIGIN_FIXED, dir_len);
    o->asset_dir[dir_len] = '\0';
    if (memchr(o->asset_dir, '/', dir_len) || memchr(o->asset_dir, '.', dir_len)) {
        return -1;   /* one plain folder name, never a path */
    }
    return 0;
}

catalog_verdict_t catalog_origin_check(const catalog_origin_t *o, int64_t now_ms,
                                       uint32_t protocol)
{
    if (o->start_ms != 0 && now_ms < o->start_ms) {
        return CATALOG_NOT_STARTED;
    }
    if (o->expiry_ms != 0 && now_ms >= o->expiry_ms) {
        return CATALOG_EXPIRED;
    }
    if ((o->protocols_clear & protocol) != 0) {
        return CATALOG_ALLOW;
    }
    if ((o->protocols_envelope & protocol) != 0) {
        return CATALOG_ENVELOPE;
    }
    if ((o->protocols_cenc & protocol) != 0) {
        return CATALOG_CENC;
    }
    return (o->protocols_cbcs & protocol) != 0 ? CATALOG_CBCS : CATALOG_BLOCKED;
}
