/*
 * catalog_origin.h — the origin record: a small fixed binary layout (no JSON)
 * that tells the streaming origin whether and how a locator's asset may be
 * served.  Encoded by mediaplaned, decoded by the nginx module.
 */
#ifndef CATALOG_ORIGIN_H
#define CATALOG_ORIGIN_H

#include <stddef.h>
#include <stdint.h>

/* AssetDeliveryProtocol flags (AMS) */
#define CATALOG_PROTO_SMOOTH      0x01
#define CATALOG_PROTO_DASH        0x02
#define CATALOG_PROTO_HLS         0x04
#define CATALOG_PROTO_HDS         0x08
#define CATALOG_PROTO_PROGRESSIVE 0x10
#define CATALOG_PROTO_ALL         0xFFFF

/* flags: the asset is storage-encrypted (AssetCreationOptions 1): its files
 * may have ofiles records (catalog_ofile.h) that say how to decrypt them */
#define CATALOG_ORIGIN_FLAG_STORAGE 0x01
/* flags: the asset is the archive of a Running program: its files grow,
 * manifests are live (live_window_ms, live_start_ms below) */
#define CATALOG_ORIGIN_FLAG_LIVE    0x02

#define CATALOG_ORIGIN_DIR_MAX    128
#define CATALOG_ORIGIN_URI_MAX    1024   /* key URI of AES-128 envelope encryption */
#define CATALOG_ORIGIN_COMMON_URIS 5
#define CATALOG_ORIGIN_MAX_SIZE   (256 + 16 + CATALOG_ORIGIN_DIR_MAX \
                                   + (1 + CATALOG_ORIGIN_COMMON_URIS) * CATALOG_ORIGIN_URI_MAX)

typedef struct {
    int64_t  start_ms;        /* locator StartTime, unix ms (0: none) */
    int64_t  expiry_ms;       /* locator ExpirationDateTime, unix ms (0: never) */
    uint32_t protocols_clear; /* protocols served in the clear */
    uint32_t protocols_blocked; /* protocols refused with 403 (policy says so) */
    uint32_t flags;           /* CATALOG_ORIGIN_FLAG_* */
    char     asset_dir[CATALOG_ORIGIN_DIR_MAX]; /* "asset-<guid>", NUL-terminated */
    /* AES-128 envelope encryption (DynamicEnvelopeEncryption policies) */
    uint32_t protocols_envelope; /* protocols served encrypted with the key below */
    uint8_t  envelope_kid[16];   /* the ContentKey (RFC 4122 byte order); its sealed
                                    key is okeys["<kid guid>"] (catalog_okey.h) */
    uint8_t  envelope_iv[16];
    uint32_t envelope_has_iv;    /* EnvelopeEncryptionIVAsBase64 given */
    char     envelope_key_uri[CATALOG_ORIGIN_URI_MAX]; /* EXT-X-KEY URI, NUL-terminated */
    /* common encryption (DynamicCommonEncryption 4 = 'cenc', ...Cbcs 5 = 'cbcs');
     * the keys are okeys["<kid guid>"] as for the envelope */
    uint32_t protocols_cenc;
    uint8_t  cenc_kid[16];
    uint32_t protocols_cbcs;
    uint8_t  cbcs_kid[16];
    uint32_t cbcs_has_iv;        /* CommonEncryptionIVForCbcs given, else derived */
    uint8_t  cbcs_iv[16];
    /* where players get keys, NUL-terminated, "" = not signalled: the raw key
     * (HLS KEYFORMAT identity), the ClearKey license service, the license
     * servers of the policy */
    char     common_key_uri[CATALOG_ORIGIN_URI_MAX];
    char     clearkey_url[CATALOG_ORIGIN_URI_MAX];
    char     widevine_url[CATALOG_ORIGIN_URI_MAX];
    char     playready_url[CATALOG_ORIGIN_URI_MAX];
    char     fairplay_url[CATALOG_ORIGIN_URI_MAX];
    /* live (CATALOG_ORIGIN_FLAG_LIVE): the program's ArchiveWindowLength
     * (the DVR window) and when it started (unix ms) */
    int64_t  live_window_ms;
    int64_t  live_start_ms;
} catalog_origin_t;

/* Returns the encoded length, or 0 if cap is too small / dir too long. */
size_t catalog_origin_encode(const catalog_origin_t *o, uint8_t *buf, size_t cap);

/* Returns 0 on success, -1 on a malformed or foreign-version record. */
int catalog_origin_decode(const uint8_t *buf, size_t len, catalog_origin_t *o);

/* The verdict for one request at time now_ms for one protocol flag. */
typedef enum {
    CATALOG_ALLOW = 0,
    CATALOG_NOT_STARTED,     /* 404: locator not yet valid */
    CATALOG_EXPIRED,         /* 404: locator expired */
    CATALOG_BLOCKED,         /* 403: delivery policy blocks the protocol */
    CATALOG_ENVELOPE,        /* serve encrypted with the envelope key */
    CATALOG_CENC,            /* serve with common encryption 'cenc' */
    CATALOG_CBCS,            /* serve with common encryption 'cbcs' */
} catalog_verdict_t;

catalog_verdict_t catalog_origin_check(const catalog_origin_t *o, int64_t now_ms,
                                       uint32_t protocol);

#endif
