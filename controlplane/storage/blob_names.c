/*
 * blob_names.c — validation of container names ([a-z0-9-]{3,63}) and blob
 * names (one safe path component of well-formed UTF-8).
 */
#include "blob_names.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

bool blob_container_name_ok(const char *name)
{
    if (name == NULL)
        return false;
    size_t len = strnlen(name, BLOB_CONTAINER_NAME_MAX + 1);
    if (len < BLOB_CONTAINER_NAME_MIN || len > BLOB_CONTAINER_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

/* Length of the well-formed UTF-8 sequence at s (at most `left` bytes) and its
 * code point, or 0 when the bytes are not well-formed (overlong forms,
 * surrogates and values above U+10FFFF included). */
static size_t utf8_decode(const unsigned char *s, size_t left, uint32_t *cp)
{
    static const uint32_t min_for_len[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    size_t len;
    uint32_t v;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xE0) == 0xC0) {
        len = 2, v = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, v = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, v = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > left)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min_for_len[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static bool code_point_allowed(uint32_t cp)
{
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
        return false;               /* C0, DEL, C1 controls */
    return cp != '/' && cp != '\\';
}

bool blob_name_ok(const char *name)
{
    if (name == NULL)
        return false;
    size_t len = strnlen(name, BLOB_NAME_MAX + 1);
    if (len == 0 || len > BLOB_NAME_MAX || name[0] == '.')
        return false;
    const unsigned char *s = (const unsigned char *) name;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0 || !code_point_allowed(cp))
            return false;
        i += n;
    }
    return true;
}
