/*
 * storage_file_check.h — the rules of an AssetFile uploaded with AMS storage
 * encryption (IsEncrypted true): EncryptionScheme "StorageEncryption",
 * EncryptionVersion "1.0", a decimal 64-bit InitializationVector and an
 * EncryptionKeyId naming an existing StorageEncryption (1) ContentKey.
 * Shared by the Files entity (on create/update) and the origin publisher.
 */
#ifndef STORAGE_FILE_CHECK_H
#define STORAGE_FILE_CHECK_H

#include "api/api_context.h"

#include <stdint.h>

/* For a file with IsEncrypted true: 0 with *iv and the key record (new
 * reference, may be NULL when key_out is NULL) , or -1 after api_fail()
 * (400).  A clear file: 0 and nothing set. */
int storage_file_check(api_ctx_t *c, const json_t *file, uint64_t *iv, json_t **key_out);

#endif
