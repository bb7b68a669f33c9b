/*
 * entity_files.c — Files (AssetFile): one row per blob of an asset, made by
 * CreateFileInfos or posted by the client.  Rules: the parent asset exists,
 * names are unique in the asset and safe as file names, at most one primary,
 * storage-encrypted files say how (storage_file_check.c).
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/storage_file_check.h"
#include "storage/blob_names.h"

#include <string.h>

static const entity_prop_t file_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_REQUIRED | P_ONCE, 255, NULL, NULL },
    { "ContentFileSize", EDM_INT64, 0, 0, "\"0\"", NULL },
    { "ParentAssetId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { "EncryptionVersion", EDM_STRING, P_NULLABLE, 64, NULL, NULL },
    { "EncryptionScheme", EDM_STRING, P_NULLABLE, 64, NULL, NULL },
    { "IsEncrypted", EDM_BOOL, 0, 0, "false", NULL },
    { "EncryptionKeyId", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { "InitializationVector", EDM_STRING, P_NULLABLE, 64, NULL, NULL },
    { "IsPrimary", EDM_BOOL, 0, 0, "false", NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "MimeType", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { "ContentChecksum", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { "Options", EDM_INT32, 0, 0, "0", NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t file_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

typedef struct {
    api_ctx_t    *c;
    const json_t *rec;
    int           rc;
} sibling_check_t;

static int check_sibling(const char *to, void *arg)
{
    sibling_check_t *s = arg;
    json_t *other = NULL;
    const char *id = entity_str(s->rec, "Id");

    if (strcmp(to, id) == 0 || catalog_get(&s->c->txn, "Files", to, &other) != 0) {
        return 0;
    }
    if (strcmp(entity_str(other, "Name") ? entity_str(other, "Name") : "",
               entity_str(s->rec, "Name")) == 0) {
        s->rc = api_fail(s->c, 409, "Conflict", "the asset already has a file named '%s'",
                         entity_str(s->rec, "Name"));
    } else if (json_is_true(json_object_get(s->rec, "IsPrimary"))
               && json_is_true(json_object_get(other, "IsPrimary"))) {
        s->rc = api_fail(s->c, 409, "Conflict", "the asset already has a primary file ('%s')",
                         entity_str(other, "Name"));
    }
    json_decref(other);
    return s->rc;
}

static int check_file(api_ctx_t *c, json_t *rec)
{
    const char *asset = entity_str(rec, "ParentAssetId");
    sibling_check_t s = { c, rec, 0 };
    const char *size = entity_str(rec, "ContentFileSize");
    uint64_t iv;

    if (!blob_name_ok(entity_str(rec, "Name"))) {
        return api_fail(c, 400, "InvalidValue",
                        "file name '%s' is not allowed (one path component, no control characters)",
                        entity_str(rec, "Name"));
    }
    if (size != NULL && size[0] == '-') {
        return api_fail(c, 400, "InvalidValue", "ContentFileSize cannot be negative");
    }
    if (!catalog_exists(&c->txn, "Assets", asset)) {
        return api_fail(c, 400, "InvalidValue", "ParentAssetId '%s' is not an existing asset", asset);
    }
    if (storage_file_check(c, rec, &iv, NULL) != 0) {
        return -1;
    }
    catalog_each_link(&c->txn, asset, "Files", check_sibling, &s);
    return s.rc;
}

static int file_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    char norm[ENTITY_ID_MAX];
    const char *asset = entity_str(rec, "ParentAssetId");

    (void) navs;
    if (asset != NULL && entity_normalize_id(&entity_assets, asset, norm) == 0) {
        json_object_set_new(rec, "ParentAssetId", json_string(norm));
    }
    return check_file(c, rec);
}

static int file_on_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    (void) old;
    return check_file(c, rec);
}

const entity_set_t entity_files = {
    .name = "Files",
    .type_name = AMS_TYPE("AssetFile"),
    .id_prefix = "nb:cid:UUID:",
    .props = file_props,
    .navs = file_navs,
    .on_create = file_on_create,
    .on_update = file_on_update,
};
