/*
 * blob_base64.c — strict padded base64 decoding (one spelling per byte
 * string) and encoding through OpenSSL.
 */
#include "blob_base64.h"

#include <openssl/evp.h>

/* 0..63 for an alphabet character, -1 otherwise. */
static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Number of '=' at the end of a quantum: 0, 1 or 2. */
static int padding_of(const char *quantum)
{
    if (quantum[3] != '=')
        return 0;
    if (quantum[2] != '=')
        return 1;
    return 2;
}

/* Decodes one 4-character quantum into up to 3 bytes; returns how many, or -1. */
static int decode_quantum(const char *q, bool last, uint8_t bytes[3])
{
    int pad = padding_of(q);
    if (pad > 0 && !last)
        return -1;
    uint32_t bits = 0;
    for (int i = 0; i < 4; i++) {
        int v = i < 4 - pad ? sextet((unsigned char) q[i]) : 0;
        if (v < 0)
            return -1;
        bits = (bits << 6) | (uint32_t) v;
    }
    if ((pad == 1 && (bits & 0xFF)) || (pad == 2 && (bits & 0xFFFF)))
        return -1;                  /* non-canonical trailing bits */
    bytes[0] = (uint8_t) (bits >> 16);
    bytes[1] = (uint8_t) (bits >> 8);
    bytes[2] = (uint8_t) bits;
    return 3 - pad;
}

bool blob_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    if (len == 0 || len % 4 != 0)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint8_t bytes[3];
        int got = decode_quantum(text + i, i + 4 == len, bytes);
        if (got < 0 || n + (size_t) got > cap)
            return false;
        for (int k = 0; k < got; k++)
            out[n++] = bytes[k];
    }
    *out_len = n;
    return true;
}

void blob_base64_encode(const uint8_t *data, size_t len, char *out)
{
    EVP_EncodeBlock((unsigned char *) out, data, (int) len);
}
