/*
 * entity_ingest_manifest_files.c — IngestManifestFiles: a file expected in
 * a manifest's upload container, by Name, for one IngestManifestAsset.
 * State Pending 0 → Finished 1 (moved into the asset, a Files row) or
 * Error 2 (ErrorDetail); ingest_process.c moves it when it arrives (or at
 * once if it is already there).  Storage-encrypted files are not supported.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "storage/blob_store.h"

#include <string.h>

static const entity_prop_t imf_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_REQUIRED | P_ONCE, 260, NULL, NULL },
    { "MimeType", EDM_STRING, P_NULLABLE, 4000, NULL, NULL },
    { "ParentIngestManifestId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { "ParentIngestManifestAssetId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { "State", EDM_INT32, P_SERVER, 0, "0", NULL },
    { "IsEncrypted", EDM_BOOL, P_ONCE, 0, "false", NULL },
    { "EncryptionScheme", EDM_STRING, P_ONCE | P_NULLABLE, 4000, NULL, NULL },
    { "EncryptionVersion", EDM_STRING, P_ONCE | P_NULLABLE, 4000, NULL, NULL },
    { "EncryptionKeyId", EDM_STRING, P_ONCE | P_NULLABLE, 4000, NULL, NULL },
    { "InitializationVector", EDM_STRING, P_ONCE | P_NULLABLE, 4000, NULL, NULL },
    { "ErrorDetail", EDM_STRING, P_SERVER | P_NULLABLE, 0, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t imf_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

/* Its manifest asset belongs to its manifest. */
static int check_parents(api_ctx_t *c, json_t *rec)
{
    json_t *ima = NULL;
    int rc = -1;

    if (ingest_normalize_parent(c, rec, "ParentIngestManifestId", &entity_ingest_manifests) != 0
        || ingest_normalize_parent(c, rec, "ParentIngestManifestAssetId",
                                   &entity_ingest_manifest_assets) != 0
        || entity_load(c, &entity_ingest_manifest_assets,
                       entity_str(rec, "ParentIngestManifestAssetId"), &ima) != 0) {
        return -1;
    }
    if (strcmp(entity_str(ima, "ParentIngestManifestId"), entity_str(rec, "ParentIngestManifestId")) != 0) {
        api_fail(c, 400, "InvalidValue", "ParentIngestManifestAssetId belongs to another manifest");
    } else {
        rc = 0;
    }
    json_decref(ima);
    return rc;
}

static int imf_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    const char *name = entity_str(rec, "Name");

    (void) navs;
    if (json_is_true(json_object_get(rec, "IsEncrypted"))) {
        return api_fail(c, 400, "NotSupported", "storage-encrypted ingest files are not supported: "
                        "upload them in the clear (IsEncrypted false)");
    }
    if (!blob_name_ok(name)) {
        return api_fail(c, 400, "InvalidValue", "Name must be a file name (no '/', at most 1024 "
                        "bytes of UTF-8)");
    }
    if (check_parents(c, rec) != 0) {
        return -1;
    }
    if (ingest_file_named(c, entity_str(rec, "ParentIngestManifestId"), name, NULL)) {
        return api_fail(c, 409, "Conflict", "the manifest already lists a file named '%s'", name);
    }
    json_object_set_new(rec, "State", json_integer(INGEST_FILE_PENDING));
    return 0;
}

/* Moves it at once if it has arrived already; the manifest counts it. */
static int imf_after_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    if (ingest_file_try(c, rec) != 0) {
        return -1;
    }
    return ingest_manifest_refresh(c, entity_str(rec, "ParentIngestManifestId"), NULL);
}

static int imf_on_delete(api_ctx_t *c, const json_t *rec)
{
    return ingest_manifest_refresh(c, entity_str(rec, "ParentIngestManifestId"),
                                   entity_str(rec, "Id"));
}

const entity_set_t entity_ingest_manifest_files = {
    .name = "IngestManifestFiles",
    .type_name = AMS_TYPE("IngestManifestFile"),
    .id_prefix = "nb:mfid:UUID:",
    .flags = ES_NO_UPDATE,
    .props = imf_props,
    .navs = imf_navs,
    .on_create = imf_on_create,
    .after_create = imf_after_create,
    .on_delete = imf_on_delete,
};
