/*
 * origin_storage.c — what the origin needs to serve a storage-encrypted
 * asset (Options 1): for each of its files uploaded encrypted (AssetFile
 * IsEncrypted, StorageEncryption 1.0), an ofiles record (catalog_ofile.h:
 * the key id and the file's InitializationVector) and the file's
 * StorageEncryption key re-sealed under the origin key with authorization
 * NONE, so the origin can decrypt while the key service never hands the
 * key out.  The key must be linked to the asset.  Written in the
 * publishing transaction with the locator's record.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/origin_keys.h"
#include "entities/storage_file_check.h"
#include "catalog/catalog_ofile.h"
#include "catalog/catalog_origin.h"
#include "keys/key_guid.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    api_ctx_t  *c;
    const char *asset_id;
    const char *asset_dir;
    char        sealed[GUID_TEXT_LEN + 1];   /* the key sealed last (most assets have one) */
    int         rc;
} storage_walk_t;

static int publish_file_key(storage_walk_t *w, const json_t *key, const char *guid)
{
    static __thread catalog_okey_t ok;

    if (strcmp(w->sealed, guid) == 0) {
        return 0;
    }
    memset(&ok, 0, sizeof(ok));
    ok.auth = CATALOG_OKEY_AUTH_NONE;
    if (origin_seal_key(w->c, key, guid, &ok, 32) != 0) {
        return -1;
    }
    snprintf(w->sealed, sizeof(w->sealed), "%s", guid);
    return 0;
}

static int put_record(storage_walk_t *w, const json_t *file, const char *guid, uint64_t iv)
{
    catalog_ofile_t rec = { .iv = iv };
    uint8_t buf[CATALOG_OFILE_SIZE];
    char key[CATALOG_OFILE_KEY_MAX + 1];
    const char *name = entity_str(file, "Name");
    size_t klen = name ? catalog_ofile_key(w->asset_dir, name, strlen(name), key, sizeof(key)) : 0;
    int rc;

    if (klen == 0 || guid_parse(guid, rec.kid) != 0) {
        return api_fail(w->c, 500, "InternalError", "storage record of '%s'", name ? name : "");
    }
    rc = catalog_raw_put(&w->c->txn, CATALOG_DB_ORIGIN_FILES, key, klen, buf,
                         catalog_ofile_encode(&rec, buf));
    return rc == 0 ? 0 : api_fail(w->c, 500, "InternalError", "ofiles: %s", mdb_strerror(rc));
}

static int publish_file(const char *file_id, void *arg)
{
    storage_walk_t *w = arg;
    json_t *file = NULL, *key = NULL;
    char guid[GUID_TEXT_LEN + 1];
    uint64_t iv = 0;

    if (catalog_get(&w->c->txn, "Files", file_id, &file) != 0) {
        return 0;
    }
    w->rc = storage_file_check(w->c, file, &iv, &key);
    if (w->rc == 0 && key != NULL) {
        snprintf(guid, sizeof(guid), "%s", entity_guid(entity_str(key, "Id")));
        if (!catalog_linked(&w->c->txn, w->asset_id, "ContentKeys", entity_str(key, "Id"))) {
            w->rc = api_fail(w->c, 400, "InvalidOperation", "file '%s' is encrypted with key %s, "
                             "which is not linked to the asset (Assets('…')/$links/ContentKeys)",
                             entity_str(file, "Name"), entity_str(key, "Id"));
        } else {
            w->rc = publish_file_key(w, key, guid);
        }
        w->rc = w->rc != 0 ? w->rc : put_record(w, file, guid, iv);
    }
    json_decref(key);
    json_decref(file);
    return w->rc;
}

int origin_storage(api_ctx_t *c, const char *asset_id, const char *asset_dir, uint32_t *flags)
{
    storage_walk_t w = { c, asset_id, asset_dir, "", 0 };
    json_t *asset = NULL;
    long long options = 0;

    if (catalog_get(&c->txn, "Assets", asset_id, &asset) == 0) {
        options = entity_int(asset, "Options", 0);
    }
    json_decref(asset);
    if (options != 1) {
        return 0;
    }
    *flags |= CATALOG_ORIGIN_FLAG_STORAGE;
    catalog_each_link(&c->txn, asset_id, "Files", publish_file, &w);
    return w.rc;
}
