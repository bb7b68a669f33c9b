/*
 * text_codec.h — the one place for the byte/text encodings the control plane
 * needs: percent-encoding (URLs, forms, SWT tokens), base64 and hex.
 *
 * Base64 comes in two flavours.  base64_decode is lenient (both alphabets,
 * padding optional) for SWT tokens and SAS signatures.  base64_decode_strict
 * accepts only padded RFC 4648 standard-alphabet text, so that one byte string
 * has exactly one accepted spelling: Azure block ids and Content-MD5 (storage/)
 * and key material (keys/).  The encoders always write the padded standard
 * alphabet, as .NET's Convert.ToBase64String does.
 *
 * Unless said otherwise a function returns the output length, or -1 if it does
 * not fit / the input is malformed.
 */
#ifndef TEXT_CODEC_H
#define TEXT_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* Decodes %XX (and '+' as space when plus_is_space) in place. */
long url_decode_inplace(char *s, int plus_is_space);
/* Encodes everything but unreserved characters (RFC 3986). */
long url_encode(const char *in, size_t len, char *out, size_t cap);

/* Bytes base64_encode needs for n bytes: the padded text plus the NUL. */
#define BASE64_ENCODED_SIZE(n) ((((n) + 2) / 3) * 4 + 1)

/* Writes the padded encoding of in[0..len) and a NUL; cap must be at least
 * BASE64_ENCODED_SIZE(len). */
long base64_encode(const uint8_t *in, size_t len, char *out, size_t cap);
/* Same into a malloc'ed string (free() it); NULL when out of memory. */
char *base64_encode_alloc(const uint8_t *in, size_t len);
/* The URL-safe alphabet without padding (JWT, JWK; RFC 7515 §2), malloc'ed. */
char *base64url_encode_alloc(const uint8_t *in, size_t len);

/* Accepts standard and URL-safe alphabets, with or without padding. */
long base64_decode(const char *in, size_t len, uint8_t *out, size_t cap);

typedef enum {
    BASE64_OK = 0,
    BASE64_MALFORMED = -1,   /* not strict padded base64 */
    BASE64_TOO_LONG = -2     /* well-formed length, but more than cap bytes */
} base64_status_t;

/* Decodes text[0..len) into out (capacity cap), setting *out_len on success.
 * BASE64_MALFORMED for: empty input, a length that is not a multiple of 4,
 * characters outside the standard alphabet (whitespace included), misplaced or
 * missing '=' padding, non-zero bits left over before the padding; the output
 * bytes are zeroed then, so no partial result survives.  BASE64_TOO_LONG when
 * the result would need more than cap bytes; that is checked before any
 * character is looked at, and nothing is written. */
base64_status_t base64_decode_strict(const char *text, size_t len, uint8_t *out, size_t cap,
                                     size_t *out_len);

/* Writes 2 * len hex digits (upper or lower case) and a NUL. */
long hex_encode(const uint8_t *in, size_t len, char *out, size_t cap, int upper);

#define UUID_TEXT_LEN 36

/* A random (version 4) UUID as 36 lower-case characters + NUL; 0 or -1
 * when no randomness is available. */
int uuid_v4_text(char out[UUID_TEXT_LEN + 1]);

/* Iterates "k=v&k=v" (form/SWT), percent-decoding both; stops on non-zero. */
int form_each(const char *text, size_t len,
              int (*fn)(const char *k, const char *v, void *arg), void *arg);

#endif
