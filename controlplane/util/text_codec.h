/*
 * text_codec.h — byte/text encodings the API needs everywhere: percent-
 * encoding (URLs, forms, SWT tokens), base64 (keys, signatures, MD5s) and
 * hex.  All functions return the output length, or -1 if it does not fit /
 * the input is malformed.
 */
#ifndef TEXT_CODEC_H
#define TEXT_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* Decodes %XX (and '+' as space when plus_is_space) in place. */
long url_decode_inplace(char *s, int plus_is_space);
/* Encodes everything but unreserved characters (RFC 3986). */
long url_encode(const char *in, size_t len, char *out, size_t cap);

long base64_encode(const uint8_t *in, size_t len, char *out, size_t cap);
/* Accepts standard and URL-safe alphabets, with or without padding. */
long base64_decode(const char *in, size_t len, uint8_t *out, size_t cap);

long hex_encode(const uint8_t *in, size_t len, char *out, size_t cap, int upper);

/* Iterates "k=v&k=v" (form/SWT), percent-decoding both; stops on non-zero. */
int form_each(const char *text, size_t len,
              int (*fn)(const char *k, const char *v, void *arg), void *arg);

#endif
