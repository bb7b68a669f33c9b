/*
 * text_codec.c — the control plane's only percent-encoding, base64 (lenient
 * and strict decoding, plain and allocating encoding), hex and form-field
 * iteration, written out because every caller needs exact control over
 * alphabets and padding (SAS and SWT signatures are compared as text; block
 * ids, Content-MD5 and key material must have one spelling per byte string).
 */
#include "util/text_codec.h"
#include "codec/b64_lenient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

static int hex_value(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long url_decode_inplace(char *s, int plus_is_space)
{
    char *w = s;

    for (const char *r = s; *r != '\0'; r++) {
        if (*r == '%') {
            int hi = hex_value((unsigned char) r[1]);
            int lo = hi < 0 ? -1 : hex_value((unsigned char) r[2]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            *w++ = (char) (hi * 16 + lo);
            r += 2;
        } else if (*r == '+' && plus_is_space) {
            *w++ = ' ';
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return w - s;
}

long url_encode(const char *in, size_t len, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) in[i];
        int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
        if (n + (plain ? 1 : 3) >= cap) {
            return -1;
        }
        if (plain) {
            out[n++] = (char) c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
    return (long) n;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

long base64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
    size_t n = 0;

    if (cap < BASE64_ENCODED_SIZE(len)) {
        return -1;
    }
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t) in[i] << 16;
        if (i + 1 < len) v |= (uint32_t) in[i + 1] << 8;
        if (i + 2 < len) v |= in[i + 2];
        out[n++] = b64[(v >> 18) & 63];
        out[n++] = b64[(v >> 12) & 63];
        out[n++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        out[n++] = i + 2 < len ? b64[v & 63] : '=';
    }
    out[n] = '\0';
    return (long) n;
}

char *base64_encode_alloc(const uint8_t *in, size_t len)
{
    char *out = malloc(BASE64_ENCODED_SIZE(len));

    if (out != NULL) {
        base64_encode(in, len, out, BASE64_ENCODED_SIZE(len));
    }
    return out;
}

char *base64url_encode_alloc(const uint8_t *in, size_t len)
{
    char *out = base64_encode_alloc(in, len);
    char *p;

    for (p = out; p != NULL && *p != '\0'; p++) {
        if (*p == '+') *p = '-';
        else if (*p == '/') *p = '_';
        else if (*p == '=') { *p = '\0'; break; }
    }
    return out;
}

/* 0..63 for a standard-alphabet character, -1 otherwise. */
static int b64_std_value(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Either alphabet: '-' and '_' stand for '+' and '/'. */
long base64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
    return b64_decode_lenient(in, len, out, cap);
}

/* Number of '=' ending a padded text: 0, 1 or 2 (more is caught later). */
static size_t b64_padding(const char *text, size_t len)
{
    if (len >= 2 && text[len - 1] == '=' && text[len - 2] == '=') {
        return 2;
    }
    return len >= 1 && text[len - 1] == '=' ? 1 : 0;
}

/* Decodes one 4-character quantum whose last pad characters are '=' into
 * 3 - pad bytes; -1 when it is not canonical standard-alphabet base64. */
static int b64_decode_quantum(const char *q, size_t pad, uint8_t *out)
{
    uint32_t bits = 0;

    for (size_t i = 0; i < 4; i++) {
        int v = i < 4 - pad ? b64_std_value((unsigned char) q[i]) : 0;
        if (v < 0) {
            return -1;
        }
        bits = (bits << 6) | (uint32_t) v;
    }
    if ((pad == 1 && (bits & 0xFF)) || (pad == 2 && (bits & 0xFFFF))) {
        return -1;                              /* non-zero leftover bits */
    }
    uint8_t bytes[3] = { (uint8_t) (bits >> 16), (uint8_t) (bits >> 8), (uint8_t) bits };
    memcpy(out, bytes, 3 - pad);
    return 0;
}

base64_status_t base64_decode_strict(const char *text, size_t len, uint8_t *out, size_t cap,
                                     size_t *out_len)
{
    if (len == 0 || len % 4 != 0) {
        return BASE64_MALFORMED;
    }
    size_t quanta = len / 4, pad = b64_padding(text, len), size = quanta * 3 - pad;
    if (size > cap) {
        return BASE64_TOO_LONG;
    }
    for (size_t g = 0; g < quanta; g++) {
        if (b64_decode_quantum(text + 4 * g, g + 1 == quanta ? pad : 0, out + 3 * g) != 0) {
            memset(out, 0, size);               /* no partial output */
            return BASE64_MALFORMED;
        }
    }
    *out_len = size;
    return BASE64_OK;
}

long hex_encode(const uint8_t *in, size_t len, char *out, size_t cap, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    if (cap < len * 2 + 1) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[len * 2] = '\0';
    return (long) (len * 2);
}

int uuid_v4_text(char out[UUID_TEXT_LEN + 1])
{
    unsigned char b[16];

    if (RAND_bytes(b, sizeof(b)) != 1) {
        return -1;
    }
    b[6] = (unsigned char) ((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char) ((b[8] & 0x3f) | 0x80);
    snprintf(out, UUID_TEXT_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
    return 0;
}

int form_each(const char *text, size_t len,
              int (*fn)(const char *k, const char *v, void *arg), void *arg)
{
    const char *end = text + len;

    while (text < end) {
        const char *amp = memchr(text, '&', (size_t) (end - text));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(text, '=', (size_t) (stop - text));
        size_t klen = (size_t) ((eq ? eq : stop) - text);
        size_t vlen = eq ? (size_t) (stop - eq - 1) : 0;
        char *k = malloc(klen + 1), *v = malloc(vlen + 1);
        int rc = -1;

        if (k != NULL && v != NULL) {
            memcpy(k, text, klen);
            k[klen] = '\0';
            if (eq) memcpy(v, eq + 1, vlen);
            v[vlen] = '\0';
            rc = (url_decode_inplace(k, 1) < 0 || url_decode_inplace(v, 1) < 0) ? -1 : fn(k, v, arg);
        }
        free(k);
        free(v);
        if (rc != 0) {
            return rc;
        }
        text = stop + 1;
    }
    return 0;
}
