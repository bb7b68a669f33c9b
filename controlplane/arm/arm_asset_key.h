/*
 * arm_asset_key.h — POST assets/{name}/getEncryptionKey: what a client
 * needs to decrypt the files of a storage-encrypted asset (v2 Options 1,
 * AMS "MediaStorageClientEncryption") itself, as AMS v3 answered it.
 */
#ifndef ARM_ASSET_KEY_H
#define ARM_ASSET_KEY_H

#include "arm/arm_router.h"

/* {key: base64 of the 32-byte StorageEncryption key, assetFileEncryptionMetadata:
 * [{initializationVector (the decimal IV), assetFileName, assetFileId}]}; 400
 * for an asset that is not storage-encrypted. */
http_response_t *arm_asset_encryption_key(arm_req_t *r, const json_t *asset);

#endif
