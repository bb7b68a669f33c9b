/*
 * mp_storage_cipher.h — AMS storage encryption ("StorageEncryption" 1.0):
 * each file of a storage-encrypted asset is AES-256-CTR under the asset's
 * StorageEncryption content key (32 bytes), with a per-file 64-bit
 * InitializationVector that AssetFile.InitializationVector carries as a
 * decimal unsigned integer.  The counter block of the file's 16-byte block n
 * (bytes 16n .. 16n+15) is the IV big-endian in bytes 0-7 and n big-endian
 * in bytes 8-15, as the AMS .NET SDK v2's FileEncryptionTransform built it.
 * (Parsing that text is common/catalog/catalog_ofile.h's: the daemon checks
 * it, the origin and the encoder get the number.)
 * CTR is random access: any byte range is decrypted on its own from its
 * file offset, which lets the origin decrypt only the bytes it reads.
 */
#ifndef MP_STORAGE_CIPHER_H
#define MP_STORAGE_CIPHER_H

#include "../mp_common.h"

#define MP_STORAGE_KEY_LEN  32

typedef struct {
    uint8_t  key[MP_STORAGE_KEY_LEN];
    uint64_t iv;
} mp_storage_key_t;

/* The 16-byte counter block of the file's block number block. */
void mp_storage_counter(uint64_t iv, uint64_t block, uint8_t out[16]);

/* Encrypt or decrypt (the same operation) len bytes in place that sit at
 * file offset offset.  MP_OK, or MP_ERR_NO_MEMORY when OpenSSL fails. */
int mp_storage_xor(const mp_storage_key_t *k, uint64_t offset, uint8_t *buf, size_t len);

/* A source that hands out the clear bytes of a storage-encrypted one: reads
 * (and readv) of inner, decrypted at their offsets; no view (the index
 * builder reads instead of mapping).  inner and key must outlive it. */
typedef struct {
    mp_source_t src;                  /* first: callers use &s->src */
    mp_source_t *inner;
    const mp_storage_key_t *key;
} mp_storage_source_t;

void mp_storage_source_init(mp_storage_source_t *s, mp_source_t *inner,
                            const mp_storage_key_t *key);

#endif
