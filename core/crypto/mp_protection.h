/*
 * mp_protection.h — how a response is protected, as the caller decided it
 * from the asset's delivery policy (never from the URL): the method, the
 * content key and its id, a fixed IV or none, and where players get the
 * key: the HLS key URI, and for common encryption the license servers the
 * manifests and PSSH boxes announce (a DRM without a URL is not signalled,
 * except ClearKey's PSSH, which needs none).
 */
#ifndef MP_PROTECTION_H
#define MP_PROTECTION_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    MP_PROTECT_NONE = 0,
    MP_PROTECT_AES128,            /* HLS AES-128: whole segments, AES-128-CBC, PKCS#7 */
    MP_PROTECT_CENC,              /* common encryption 'cenc' (AES-CTR), fMP4 */
    MP_PROTECT_CBCS               /* common encryption 'cbcs' (AES-CBC 1:9 pattern), fMP4 */
} mp_protect_method_t;

/* Longest key or license URL written into a manifest. */
#define MP_KEY_URI_MAX 1024

typedef struct mp_protection_s {
    mp_protect_method_t method;
    uint8_t key[16];
    uint8_t kid[16];              /* CENC/CBCS: default_KID (the ContentKey's GUID, big-endian) */
    uint8_t iv[16];               /* AES-128: fixed IV; CBCS: the constant IV */
    int has_iv;                   /* AES-128: 0 = the segment's media sequence number */
    char key_uri[MP_KEY_URI_MAX]; /* HLS EXT-X-KEY URI (AES-128; CENC/CBCS: the raw key URL) */
    char clearkey_url[MP_KEY_URI_MAX];   /* W3C ClearKey license (dashif:laurl); "" none */
    char widevine_url[MP_KEY_URI_MAX];   /* "" = no Widevine signalling */
    char playready_url[MP_KEY_URI_MAX];  /* "" = no PlayReady signalling */
    char fairplay_url[MP_KEY_URI_MAX];   /* cbcs HLS: skd:// of this URL; "" = none */
} mp_protection_t;

static inline int mp_protection_is_common(const mp_protection_t *pr)
{
    return pr != NULL && (pr->method == MP_PROTECT_CENC || pr->method == MP_PROTECT_CBCS);
}

#endif
