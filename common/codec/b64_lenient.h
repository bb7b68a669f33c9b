/*
 * b64_lenient.h — the lenient base64 decoder shared by the daemon (SWT
 * tokens, SAS signatures) and the origin's key service (JWT and SWT): both
 * alphabets (standard and URL-safe), padding optional.
 */
#ifndef B64_LENIENT_H
#define B64_LENIENT_H

#include <stddef.h>
#include <stdint.h>

/* Decodes in[0..len) into out (cap bytes); the byte count, or -1 for a
 * character outside both alphabets, an impossible length, or no room. */
long b64_decode_lenient(const char *in, size_t len, uint8_t *out, size_t cap);

#endif
