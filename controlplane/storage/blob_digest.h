/*
 * blob_digest.h — the digests the store needs: MD5 for Content-MD5 (raw,
 * base64 text, streaming) and SHA-256 to give each blob name a short, safe
 * directory name for its staged blocks.  All through OpenSSL's EVP; the text
 * forms come from util/text_codec.
 */
#ifndef BLOB_DIGEST_H
#define BLOB_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "blob_status.h"

#define BLOB_MD5_LEN 16
#define BLOB_MD5_B64_SIZE 25          /* 24 characters + NUL */
#define BLOB_NAME_HASH_SIZE 65        /* 64 hex digits + NUL */

/* Parses a Content-MD5 value: base64 of exactly 16 bytes, else BLOB_BAD_MD5. */
blob_status_t blob_md5_parse(const char *b64, uint8_t md5[BLOB_MD5_LEN]);

/* Base64 text of an MD5. */
void blob_md5_format(const uint8_t md5[BLOB_MD5_LEN], char out[BLOB_MD5_B64_SIZE]);

/* MD5 of data[0..len); BLOB_IO if the digest is unavailable. */
blob_status_t blob_md5_of(const void *data, size_t len, uint8_t md5[BLOB_MD5_LEN]);

/* BLOB_OK if data[0..len) has the MD5 whose base64 is expected_b64 (NULL =
 * nothing to check); else BLOB_BAD_MD5 or BLOB_MD5_MISMATCH. */
blob_status_t blob_md5_check(const void *data, size_t len, const char *expected_b64);

/* Lower-case hex of SHA-256(name): the staging directory name of a blob. */
blob_status_t blob_name_hash(const char *name, char out[BLOB_NAME_HASH_SIZE]);

#endif
