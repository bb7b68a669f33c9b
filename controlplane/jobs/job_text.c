/*
 * job_text.c — UTF-8 and XML character rules and whitespace trimming for the
 * job-body code (messages, attribute checks, size limits).
 */
#include "jobs/job_text.h"

size_t job_utf8_sequence_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;   /* range of the second byte */
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;      /* no overlong forms */
        hi = c == 0xED ? 0x9F : 0xBF;      /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return len;
}

static bool is_xml_char(const unsigned char *s, size_t len)
{
    if (len == 1) {
        return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' || s[0] == '\r';
    }
    /* U+FFFE and U+FFFF are EF BF BE and EF BF BF */
    return !(len == 3 && s[0] == 0xEF && s[1] == 0xBF && s[2] >= 0xBE);
}

bool job_text_is_xml_safe(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = job_utf8_sequence_length(u + i, len - i);
        if (n == 0 || !is_xml_char(u + i, n)) {
            return false;
        }
        i += n;
    }
    return true;
}

size_t job_text_characters(const char *s, size_t len)
{
    size_t count = 0;
    for (size_t i = 0; i < len; i++) {
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    }
    return count;
}

static bool is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *job_text_trim(const char *s, size_t *len)
{
    size_t n = *len;
    while (n > 0 && is_xml_space(s[0])) {
        s++;
        n--;
    }
    while (n > 0 && is_xml_space(s[n - 1])) {
        n--;
    }
    *len = n;
    return s;
}
