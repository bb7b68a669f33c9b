/*
 * entity_ingest_manifests.c — IngestManifests (bulk ingest): a manifest has
 * an upload container of its own, "ingest-<guid>", whose URL with a
 * long-lived write SAS is BlobStorageUriForUpload; the files it lists
 * (IngestManifestFiles, per IngestManifestAsset) move into their assets as
 * they arrive there (ingest_process.c), which keeps State (Inactive 0,
 * Activated 1, Finished 2) and Statistics current.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "storage/blob_store.h"
#include "upload/sas_token.h"

#include <stdio.h>

#define UPLOAD_SAS_DAYS 365

static const entity_prop_t im_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_NULLABLE, 4000, NULL, NULL },
    { "State", EDM_INT32, P_SERVER, 0, "0", NULL },
    { "BlobStorageUriForUpload", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "StorageAccountName", EDM_STRING, P_ONCE | P_NULLABLE, 256, NULL, NULL },
    { "Statistics", EDM_COMPLEX, P_SERVER, 0, NULL, AMS_TYPE("IngestManifestStatistics") },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t im_navs[] = {
    { "IngestManifestAssets", "IngestManifestAssets", NAV_CHILDREN, "ParentIngestManifestId", false,
      NULL },
    { "IngestManifestFiles", "IngestManifestFiles", NAV_CHILDREN, "ParentIngestManifestId", false,
      NULL },
    { "StorageAccount", "StorageAccounts", NAV_REFERENCE, "StorageAccountName", false, NULL },
    { NULL, NULL, 0, NULL, false, NULL },
};

/* BlobStorageUriForUpload: the container's URL with a write/list SAS whose
 * si is the manifest's GUID (upload_handler.c checks the manifest exists). */
static int set_upload_uri(api_ctx_t *c, json_t *rec, const char *container)
{
    sas_grant_t g = { .start_ms = c->now_ms - 5 * 60 * 1000,
                      .expiry_ms = c->now_ms + (int64_t) UPLOAD_SAS_DAYS * 86400 * 1000,
                      .permissions = SAS_READ | SAS_WRITE | SAS_DELETE | SAS_LIST };
    char query[SAS_QUERY_MAX], uri[CONFIG_URL_MAX + SAS_QUERY_MAX + 80];

    snprintf(g.locator_guid, sizeof(g.locator_guid), "%s", entity_guid(entity_str(rec, "Id")));
    snprintf(g.container, sizeof(g.container), "%s", container);
    if (sas_build(c->app->sas_key, &g, query) != 0) {
        return api_fail(c, 500, "InternalError", "cannot sign the upload SAS");
    }
    snprintf(uri, sizeof(uri), "%s%s?%s", c->app->cfg.upload_url, container, query);
    json_object_set_new(rec, "BlobStorageUriForUpload", json_string(uri));
    return 0;
}

static int im_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    char container[64];
    blob_status_t st;

    (void) navs;
    if (storage_account_assign(c, rec) != 0
        || ingest_container_name(entity_str(rec, "Id"), container, sizeof(container)) != 0
        || set_upload_uri(c, rec, container) != 0) {
        return -1;
    }
    json_object_set_new(rec, "State", json_integer(INGEST_MANIFEST_INACTIVE));
    json_object_set_new(rec, "Statistics", ingest_statistics_new(0, 0, 0, ""));
    st = blob_container_create(c->app->cfg.media_root, container);
    if (st != BLOB_OK) {
        return api_fail(c, 500, "StorageError", "cannot create the manifest's upload container (%s)",
                        blob_status_code(st));
    }
    return 0;
}

static void remove_container(app_t *app, const char *container)
{
    blob_container_delete(app->cfg.media_root, container);
}

/* Its files, its manifest assets (not their assets) and its container go. */
static int im_on_delete(api_ctx_t *c, const json_t *rec)
{
    const char *id = entity_str(rec, "Id");
    char container[64];

    if (ingest_delete_children(c, &entity_ingest_manifests, id, "IngestManifestFiles") != 0
        || ingest_delete_children(c, &entity_ingest_manifests, id, "IngestManifestAssets") != 0) {
        return -1;
    }
    if (ingest_container_name(id, container, sizeof(container)) == 0) {
        return api_after_commit(c, remove_container, container);
    }
    return 0;
}

const entity_set_t entity_ingest_manifests = {
    .name = "IngestManifests",
    .type_name = AMS_TYPE("IngestManifest"),
    .id_prefix = "nb:mid:UUID:",
    .props = im_props,
    .navs = im_navs,
    .on_create = im_on_create,
    .on_delete = im_on_delete,
};
