/*
 * catalog_origin.c — encoding and decoding of the origin record (explicit
 * little-endian layout, versioned by a magic) and the access verdict.
 *
 *   "MPO1" | i64 start | i64 expiry | u32 clear | u32 blocked | u32 flags |
 *   u16 dir_len | dir bytes
 */
#include "catalog_origin.h"
#include "catalog_bytes.h"

#include <string.h>

#define ORIGIN_MAGIC "MPO1"
#define ORIGIN_FIXED (4 + 8 + 8 + 4 + 4 + 4 + 2)

size_t catalog_origin_encode(const catalog_origin_t *o, uint8_t *buf, size_t cap)
{
    size_t dir_len = strnlen(o->asset_dir, CATALOG_ORIGIN_DIR_MAX);
    uint8_t *p = buf;

    if (dir_len >= CATALOG_ORIGIN_DIR_MAX || cap < ORIGIN_FIXED + dir_len) {
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
    return ORIGIN_FIXED + dir_len;
}

int catalog_origin_decode(const uint8_t *buf, size_t len, catalog_origin_t *o)
{
    size_t dir_len;

    if (len < ORIGIN_FIXED || memcmp(buf, ORIGIN_MAGIC, 4) != 0) {
        return -1;
    }
    dir_len = (size_t) buf[ORIGIN_FIXED - 2] | ((size_t) buf[ORIGIN_FIXED - 1] << 8);
    if (dir_len >= CATALOG_ORIGIN_DIR_MAX || len != ORIGIN_FIXED + dir_len) {
        return -1;
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
    if ((o->protocols_clear & protocol) == 0) {
        return CATALOG_BLOCKED;
    }
    return CATALOG_ALLOW;
}
