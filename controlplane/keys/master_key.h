/*
 * master_key.h — the daemon's master key, which encrypts content keys at rest:
 * 32 random bytes in <dir>/master.key (mode 0600, created on first start,
 * never regenerated over an existing file), and seal/open of small secrets
 * with AES-256-GCM into one printable string "v1:<base64(nonce|ct|tag)>".
 */
#ifndef MASTER_KEY_H
#define MASTER_KEY_H

#include <stddef.h>
#include <stdint.h>

#define MASTER_KEY_FILE "master.key"
#define MASTER_SEAL_PREFIX "v1:"
#define MASTER_SEAL_MAX_PLAIN 4096       /* content keys are 16..32 bytes */

typedef struct master_key master_key_t;

/* Loads <dir>/master.key, or creates dir (0700) and the file when it does not
 * exist.  NULL with a message in err when the file is unreadable, not 0600,
 * or not a valid master key file. */
master_key_t *master_key_load_or_create(const char *dir, char *err, size_t errlen);

/* Wipes and frees; NULL is fine. */
void master_key_free(master_key_t *mk);

/* Encrypts plain (at most MASTER_SEAL_MAX_PLAIN bytes) under a fresh random
 * nonce; *sealed_out is a malloc'ed NUL-terminated string (free()).
 * Returns a key_status_t. */
int master_key_seal(const master_key_t *mk, const uint8_t *plain, size_t len, char **sealed_out);

/* Decrypts a master_key_seal string into out.  KEY_ERR_ENCODING for a wrong
 * prefix or bad base64, KEY_ERR_LENGTH when too short, KEY_ERR_DECRYPT when
 * the tag does not verify (tampered, or another master key), KEY_ERR_CAPACITY
 * when the plaintext does not fit in cap.  out is wiped on failure. */
int master_key_open(const master_key_t *mk, const char *sealed, uint8_t *out, size_t cap, size_t *len);

/* Same, binding the ciphertext to a context string (authenticated, not
 * stored), e.g. the content key Id: opening with another context fails, so a
 * sealed key copied to another record is rejected.  NULL = no context. */
int master_key_seal_bound(const master_key_t *mk, const char *context,
                          const uint8_t *plain, size_t len, char **sealed_out);
int master_key_open_bound(const master_key_t *mk, const char *context,
                          const char *sealed, uint8_t *out, size_t cap, size_t *len);

#endif
