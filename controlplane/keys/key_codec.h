/*
 * key_codec.h — text encodings used around key material: strict base64 (the
 * RFC 4648 alphabet with padding, as .NET's Convert.ToBase64String writes it;
 * no whitespace, no non-canonical trailing bits) and uppercase hex.
 */
#ifndef KEY_CODEC_H
#define KEY_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* Characters key_b64_encode writes for len bytes, without the NUL. */
size_t key_b64_encoded_len(size_t len);

/* Writes key_b64_encoded_len(len) characters and a NUL to out. */
void key_b64_encode(const uint8_t *in, size_t len, char *out);

/* Same into a malloc'ed string (free() it); NULL when out of memory. */
char *key_b64_encode_alloc(const uint8_t *in, size_t len);

/* Decodes NUL-terminated in.  KEY_ERR_ENCODING when it is not strict base64,
 * KEY_ERR_CAPACITY when the result needs more than cap bytes (nothing is
 * written then).  Empty input decodes to zero bytes. */
int key_b64_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len);

/* Writes 2 * len uppercase hex digits and a NUL to out. */
void key_hex_upper(const uint8_t *in, size_t len, char *out);

#endif
