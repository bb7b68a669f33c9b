/*
 * catalog_bytes.h — the explicit little-endian integer layout shared by the
 * catalog's binary records (catalog_origin.c, catalog_endpoint.c).
 */
#ifndef CATALOG_BYTES_H
#define CATALOG_BYTES_H

#include <stdint.h>

static inline uint8_t *catalog_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        *p++ = (uint8_t) (v >> (8 * i));
    }
    return p;
}

static inline uint8_t *catalog_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        *p++ = (uint8_t) (v >> (8 * i));
    }
    return p;
}

static inline uint8_t *catalog_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
    return p + 2;
}

static inline uint64_t catalog_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

static inline uint32_t catalog_get_u32(const uint8_t *p)
{
    return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16)
           | ((uint32_t) p[3] << 24);
}

static inline uint16_t catalog_get_u16(const uint8_t *p)
{
    return (uint16_t) (p[0] | (p[1] << 8));
}

#endif
