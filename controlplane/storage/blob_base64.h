/*
 * blob_base64.h — base64 (RFC 4648 standard alphabet, padded) as Azure uses it
 * for block ids and Content-MD5.  Decoding is strict so that one byte string
 * has exactly one accepted spelling.
 */
#ifndef BLOB_BASE64_H
#define BLOB_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes needed to encode n bytes, plus the NUL. */
#define BLOB_BASE64_ENCODED_SIZE(n) ((((n) + 2) / 3) * 4 + 1)

/* Decodes text[0..len) into out (capacity cap), setting *out_len.  Rejects:
 * empty input, a length that is not a multiple of 4, characters outside the
 * alphabet (whitespace included), misplaced or missing '=' padding, non-zero
 * bits left over before the padding, and output longer than cap. */
bool blob_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* Writes the padded encoding of data[0..len) and a NUL to out, which must hold
 * BLOB_BASE64_ENCODED_SIZE(len) bytes. */
void blob_base64_encode(const uint8_t *data, size_t len, char *out);

#endif
