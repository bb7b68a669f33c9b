/*
 * arm_asset_key.c — getEncryptionKey (see arm_asset_key.h): the asset's
 * StorageEncryption (1) ContentKey opened with the master key and, per file
 * uploaded encrypted (IsEncrypted), the IV it was encrypted with.  The key
 * leaves the daemon only through this authenticated ARM call, as with
 * RebindContentKey in v2.
 */
#include "arm/arm_asset_key.h"
#include "arm/arm_error.h"
#include "arm/arm_names.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/origin_keys.h"
#include "util/text_codec.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define OPTIONS_STORAGE_ENCRYPTED 1
#define KEY_TYPE_STORAGE 1
#define FILES_MAX 10000

typedef struct {
    api_ctx_t *c;
    json_t *files;
} files_walk_t;

static int add_encrypted_file(const char *file_id, void *arg)
{
    files_walk_t *w = arg;
    json_t *f = NULL;

    if (catalog_get(&w->c->txn, entity_files.name, file_id, &f) == 0
        && json_is_true(json_object_get(f, "IsEncrypted"))) {
        json_array_append_new(w->files, json_pack("{s:s?,s:s?,s:s}", "initializationVector",
                                                  entity_str(f, "InitializationVector"),
                                                  "assetFileName", entity_str(f, "Name"),
                                                  "assetFileId", entity_guid(file_id)));
    }
    json_decref(f);
    return json_array_size(w->files) >= FILES_MAX;
}

http_response_t *arm_asset_encryption_key(arm_req_t *r, const json_t *asset)
{
    const char *asset_id = entity_str(asset, "Id");
    json_t *key = NULL;
    files_walk_t w = { &r->c, NULL };
    uint8_t raw[CONTENT_KEY_MAX];
    size_t len = 0;
    char *b64 = NULL, name[ARM_NAME_MAX + 64];
    http_response_t *out = NULL;

    arm_asset_name(asset, name, sizeof(name));
    if (entity_int(asset, "Options", 0) != OPTIONS_STORAGE_ENCRYPTED
        || (key = origin_asset_key(&r->c, asset_id, KEY_TYPE_STORAGE)) == NULL) {
        return arm_error(400, "BadRequest", "the asset '%s' is not storage-encrypted "
                         "(storageEncryptionFormat MediaStorageClientEncryption with a "
                         "StorageEncryption key): there is no key to give", name);
    }
    if (content_key_open(&r->c, key, raw, sizeof(raw), &len) == 0
        && (b64 = base64_encode_alloc(raw, len)) != NULL) {
        w.files = json_array();
        catalog_each_link(&r->c.txn, asset_id, "Files", add_encrypted_file, &w);
        out = arm_json(200, json_pack("{s:s,s:o}", "key", b64, "assetFileEncryptionMetadata",
                                      w.files));
        OPENSSL_cleanse(b64, strlen(b64));
    }
    OPENSSL_cleanse(raw, sizeof(raw));
    free(b64);
    json_decref(key);
    return out;
}
