/*
 * key_codec.c — strict base64 (encode through libcrypto, decode by hand so it
 * never writes past the caller's buffer and rejects anything a conforming
 * encoder would not produce) and uppercase hex.
 */
#include "key_codec.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "key_status.h"

#define B64_INVALID 0xFF

size_t key_b64_encoded_len(size_t len)
{
    return (len + 2) / 3 * 4;
}

void key_b64_encode(const uint8_t *in, size_t len, char *out)
{
    out[0] = '\0';
    if (len > 0)
        EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

char *key_b64_encode_alloc(const uint8_t *in, size_t len)
{
    char *out = malloc(key_b64_encoded_len(len) + 1);
    if (out != NULL)
        key_b64_encode(in, len, out);
    return out;
}

static uint8_t b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return (uint8_t)(c - 'A');
    if (c >= 'a' && c <= 'z') return (uint8_t)(c - 'a' + 26);
    if (c >= '0' && c <= '9') return (uint8_t)(c - '0' + 52);
    if (c == '+') return 62;
    if (c == '/') return 63;
    return B64_INVALID;
}

static size_t b64_padding(const char *in, size_t len)
{
    if (len >= 2 && in[len - 1] == '=' && in[len - 2] == '=')
        return 2;
    return (len >= 1 && in[len - 1] == '=') ? 1 : 0;
}

/* Decodes one group of four characters, pad of them '=', into 3 - pad bytes. */
static int b64_decode_group(const char *g, size_t pad, uint8_t *out)
{
    uint32_t bits = 0;
    for (size_t i = 0; i < 4; i++) {
        uint8_t v = (i >= 4 - pad) ? 0 : b64_value(g[i]);
        if (v == B64_INVALID)
            return KEY_ERR_ENCODING;
        bits = bits << 6 | v;
    }
    if ((pad == 1 && (bits & 0xFF)) || (pad == 2 && (bits & 0xFFFF)))
        return KEY_ERR_ENCODING;          /* non-canonical trailing bits */
    uint8_t bytes[3] = { (uint8_t)(bits >> 16), (uint8_t)(bits >> 8), (uint8_t)bits };
    memcpy(out, bytes, 3 - pad);
    return KEY_OK;
}

int key_b64_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len)
{
    if (in == NULL || out_len == NULL || (out == NULL && cap > 0))
        return KEY_ERR_ARGUMENT;
    size_t len = strlen(in);
    if (len % 4 != 0)
        return KEY_ERR_ENCODING;
    size_t pad = b64_padding(in, len);
    size_t decoded = len / 4 * 3 - pad;
    if (decoded > cap)
        return KEY_ERR_CAPACITY;
    for (size_t g = 0; g < len / 4; g++) {
        size_t group_pad = (g + 1 == len / 4) ? pad : 0;
        if (b64_decode_group(in + 4 * g, group_pad, out + 3 * g) != KEY_OK) {
            memset(out, 0, decoded);
            return KEY_ERR_ENCODING;
        }
    }
    *out_len = decoded;
    return KEY_OK;
}

void key_hex_upper(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0F];
    }
    out[2 * len] = '\0';
}
