/*
 * mp_protection.h — how a response is protected, as the caller decided it
 * from the asset's delivery policy (never from the URL): the method, the
 * content key, a fixed IV or none (HLS then implies the media sequence
 * number), and the key URI players fetch the key from.
 */
#ifndef MP_PROTECTION_H
#define MP_PROTECTION_H

#include <stdint.h>

typedef enum {
    MP_PROTECT_NONE = 0,
    MP_PROTECT_AES128             /* HLS AES-128: whole segments, AES-128-CBC, PKCS#7 */
} mp_protect_method_t;

/* Longest key URI written into a playlist. */
#define MP_KEY_URI_MAX 1024

typedef struct mp_protection_s {
    mp_protect_method_t method;
    uint8_t key[16];
    uint8_t iv[16];
    int has_iv;                   /* 0: the segment's media sequence number */
    char key_uri[MP_KEY_URI_MAX]; /* EXT-X-KEY URI, NUL terminated */
} mp_protection_t;

#endif
