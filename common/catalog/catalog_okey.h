/*
 * catalog_okey.h — content keys as the origin gets them: one record per key
 * that a published asset's delivery policy encrypts with, in the catalog's
 * "okeys" database under the key id ("<kid guid>", lower case), sealed with
 * AES-256-GCM under the origin key.  The origin key is not the daemon's
 * master key: it is a separate 32-byte file (<data_dir>/origin.key) that
 * only the nginx master reads (at start and reload, before its workers drop
 * privileges), so an origin never holds the key that protects every content
 * key at rest, and a leaked origin key exposes only published keys.  The
 * key id is authenticated with the record, so a record copied under another
 * id does not open.
 *
 *   "MPK1" | u8 key_len | u8 auth | u16 0 | 12 nonce | ciphertext | 16 tag
 *
 * The ciphertext is the key followed by the token restrictions of its
 * policy (auth TOKEN: the compact JSON array of token templates that
 * common/token/key_token.c verifies against; their verification keys are
 * secrets, hence sealed too), at most CATALOG_OKEY_RESTRICTIONS_MAX bytes.
 */
#ifndef CATALOG_OKEY_H
#define CATALOG_OKEY_H

#include <stddef.h>
#include <stdint.h>

#define CATALOG_DB_ORIGIN_KEYS    "okeys"
#define CATALOG_ORIGIN_KEY_LEN    32
#define CATALOG_OKEY_MAX_KEY      32
#define CATALOG_OKEY_RESTRICTIONS_MAX 16384
#define CATALOG_OKEY_MAX_SIZE     (4 + 4 + 12 + CATALOG_OKEY_MAX_KEY \
                                   + CATALOG_OKEY_RESTRICTIONS_MAX + 16)

/* Who may get the key from the key service (the ContentKeyAuthorizationPolicy). */
#define CATALOG_OKEY_AUTH_NONE    0   /* no policy: never delivered */
#define CATALOG_OKEY_AUTH_OPEN    1   /* an Open restriction */
#define CATALOG_OKEY_AUTH_TOKEN   2   /* only TokenRestricted options */

typedef struct {
    uint8_t  key[CATALOG_OKEY_MAX_KEY];
    uint32_t key_len;
    uint32_t auth;
    uint32_t restrictions_len;
    char     restrictions[CATALOG_OKEY_RESTRICTIONS_MAX + 1];   /* NUL-terminated */
} catalog_okey_t;

/* Seal k for kid ("<guid>", 36 chars) under origin_key.  Returns the record
 * length, or 0 on failure (cap too small, bad length, no randomness). */
size_t catalog_okey_seal(const uint8_t origin_key[CATALOG_ORIGIN_KEY_LEN], const char *kid,
                         const catalog_okey_t *k, uint8_t *buf, size_t cap);

/* Wipe what a record opened (the key and the restrictions it holds). */
void catalog_okey_wipe(catalog_okey_t *k);

/* Open a record for kid.  0, or -1 (malformed, another kid, another origin
 * key, tampered); out is wiped on failure. */
int catalog_okey_open(const uint8_t origin_key[CATALOG_ORIGIN_KEY_LEN], const char *kid,
                      const uint8_t *buf, size_t len, catalog_okey_t *out);

#endif
