/*
 * odata_text.c — lenient UTF-8 stepping (a well-formed multi-byte sequence is
 * one character, any other byte is one character on its own) and substring
 * search for the string functions of $filter.
 */
#define _GNU_SOURCE   /* memmem */
#include "odata/odata_text.h"

#include <string.h>

/* Bytes in the character starting at s[i]. */
static size_t char_size(const unsigned char *s, size_t len, size_t i)
{
    unsigned char c = s[i];
    size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? (c < 0xF0 ? 3 : 1) : c >= 0xC2 ? 2 : 1;
    if (n == 1 || i + n > len) {
        return 1;
    }
    for (size_t k = 1; k < n; k++) {
        if ((s[i + k] & 0xC0) != 0x80) {
            return 1;
        }
    }
    return n;
}

size_t odata_text_char_count(const char *s, size_t len)
{
    size_t count = 0;
    for (size_t i = 0; i < len; i += char_size((const unsigned char *) s, len, i)) {
        count++;
    }
    return count;
}

size_t odata_text_byte_offset(const char *s, size_t len, size_t chars)
{
    size_t i = 0;
    while (i < len && chars > 0) {
        i += char_size((const unsigned char *) s, len, i);
        chars--;
    }
    return i;
}

long odata_text_find(const char *s, size_t len, const char *needle, size_t nlen)
{
    if (nlen == 0) {
        return 0;
    }
    const char *hit = nlen <= len ? memmem(s, len, needle, nlen) : NULL;
    return hit ? (long) (hit - s) : -1;
}
