/*
 * storage_file_check.c — an AssetFile's storage-encryption fields checked
 * (see the header): what the AMS .NET SDK v2 set after uploading a file it
 * had encrypted with FileEncryption.
 */
#include "entities/storage_file_check.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "catalog/catalog_ofile.h"

#include <string.h>

#define CONTENT_KEY_STORAGE 1

static int text_is(const json_t *rec, const char *prop, const char *want)
{
    const char *v = entity_str(rec, prop);
    return v != NULL && strcmp(v, want) == 0;
}

int storage_file_check(api_ctx_t *c, const json_t *file, uint64_t *iv, json_t **key_out)
{
    const char *ivtext = entity_str(file, "InitializationVector");
    const char *kid = entity_str(file, "EncryptionKeyId");
    char norm[ENTITY_ID_MAX];
    json_t *key = NULL;

    if (!json_is_true(json_object_get(file, "IsEncrypted"))) {
        return 0;
    }
    if (!text_is(file, "EncryptionScheme", "StorageEncryption")) {
        return api_fail(c, 400, "InvalidValue", "an encrypted file must have EncryptionScheme "
                        "'StorageEncryption' (the only scheme of uploaded files)");
    }
    if (!text_is(file, "EncryptionVersion", "1.0")) {
        return api_fail(c, 400, "InvalidValue", "StorageEncryption files have EncryptionVersion '1.0'");
    }
    if (ivtext == NULL || catalog_storage_iv_parse(ivtext, strlen(ivtext), iv) != 0) {
        return api_fail(c, 400, "InvalidValue", "InitializationVector of an encrypted file must be "
                        "the 64-bit IV as a decimal number (0 to 18446744073709551615)");
    }
    if (kid == NULL || entity_normalize_id(&entity_content_keys, kid, norm) != 0
        || catalog_get(&c->txn, "ContentKeys", norm, &key) != 0) {
        return api_fail(c, 400, "InvalidValue", "EncryptionKeyId '%s' is not an existing ContentKey",
                        kid ? kid : "");
    }
    if (entity_int(key, "ContentKeyType", -1) != CONTENT_KEY_STORAGE) {
        json_decref(key);
        return api_fail(c, 400, "InvalidValue", "EncryptionKeyId '%s' is not a StorageEncryption (1) "
                        "ContentKey", kid);
    }
    if (key_out != NULL) {
        *key_out = key;
    } else {
        json_decref(key);
    }
    return 0;
}
