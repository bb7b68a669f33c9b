/*
 * catalog_ofile.h — the storage-encrypted files of published assets as the
 * origin gets them: one record per file that was uploaded (or encoded)
 * with AMS storage encryption, in the catalog's "ofiles" database under
 * "<asset folder>/<file name>" (e.g. "asset-<guid>/clip.mp4"):
 *
 *   "MPF1" | 16 kid | u64 iv (little-endian)
 *
 * kid is the StorageEncryption ContentKey (RFC 4122 byte order); the key
 * itself is okeys["<kid guid>"] (catalog_okey.h, auth NONE: the key
 * service never hands it out).  iv is the file's InitializationVector.
 * Files without a record are read as they are.  Also the decimal
 * InitializationVector text of AssetFile (the AMS .NET SDK wrote the
 * 64-bit IV with ToString()).
 */
#ifndef CATALOG_OFILE_H
#define CATALOG_OFILE_H

#include <stddef.h>
#include <stdint.h>

#define CATALOG_DB_ORIGIN_FILES  "ofiles"
#define CATALOG_OFILE_SIZE       (4 + 16 + 8)
#define CATALOG_OFILE_KEY_MAX    (128 + 1 + 255)
#define CATALOG_STORAGE_IV_TEXT  21          /* "18446744073709551615" + NUL */

typedef struct {
    uint8_t  kid[16];
    uint64_t iv;
} catalog_ofile_t;

/* The record into buf (CATALOG_OFILE_SIZE bytes); returns its length. */
size_t catalog_ofile_encode(const catalog_ofile_t *f, uint8_t buf[CATALOG_OFILE_SIZE]);

/* 0, or -1 for anything but a whole MPF1 record. */
int catalog_ofile_decode(const uint8_t *buf, size_t len, catalog_ofile_t *out);

/* "<dir>/<name>" into key (cap bytes); its length, or 0 if it does not fit. */
size_t catalog_ofile_key(const char *dir, const char *name, size_t name_len, char *key,
                         size_t cap);

/* AssetFile.InitializationVector: 1-20 decimal digits, at most 2^64-1,
 * nothing else (no sign, no spaces).  0, or -1. */
int catalog_storage_iv_parse(const char *text, size_t len, uint64_t *iv);

/* The decimal text of an IV (CATALOG_STORAGE_IV_TEXT bytes). */
void catalog_storage_iv_format(uint64_t iv, char out[CATALOG_STORAGE_IV_TEXT]);

#endif
