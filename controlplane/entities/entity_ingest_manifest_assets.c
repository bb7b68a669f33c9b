/*
 * entity_ingest_manifest_assets.c — IngestManifestAssets: one existing asset
 * of an IngestManifest ({"ParentIngestManifestId":…,"Asset":{"Id":…}} or
 * {"Asset":{"__metadata":{"uri":…}}}), the parent of the IngestManifestFiles
 * that move into it.  Created and deleted, never changed.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

static const entity_prop_t ima_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "ParentIngestManifestId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t ima_navs[] = {
    { "Asset", "Assets", NAV_REFERENCE, "AssetId", false, NULL },
    { "IngestManifestFiles", "IngestManifestFiles", NAV_CHILDREN, "ParentIngestManifestAssetId",
      false, NULL },
    { NULL, NULL, 0, NULL, false, NULL },
};

/* The asset the body names (kept as the hidden AssetId of the Asset nav). */
static int take_asset(api_ctx_t *c, json_t *rec, json_t *navs)
{
    char id[ENTITY_ID_MAX];
    json_t *ref = json_object_get(navs, "Asset");

    if (ref == NULL || json_is_null(ref)) {
        return api_fail(c, 400, "MissingProperty", "Asset is required: {\"Asset\":{\"Id\":"
                        "\"nb:cid:UUID:…\"}} or {\"Asset\":{\"__metadata\":{\"uri\":\"…\"}}}");
    }
    if (asset_ref_parse(ref, id) != 0 || !catalog_exists(&c->txn, "Assets", id)) {
        return api_fail(c, 400, "InvalidValue", "Asset does not name an existing asset");
    }
    json_object_set_new(rec, "AssetId", json_string(id));
    return 0;
}

static int ima_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    if (ingest_normalize_parent(c, rec, "ParentIngestManifestId", &entity_ingest_manifests) != 0) {
        return -1;
    }
    return take_asset(c, rec, navs);
}

static int ima_on_delete(api_ctx_t *c, const json_t *rec)
{
    return ingest_delete_children(c, &entity_ingest_manifest_assets, entity_str(rec, "Id"),
                                  "IngestManifestFiles");
}

const entity_set_t entity_ingest_manifest_assets = {
    .name = "IngestManifestAssets",
    .type_name = AMS_TYPE("IngestManifestAsset"),
    .id_prefix = "nb:maid:UUID:",
    .flags = ES_NO_UPDATE,
    .props = ima_props,
    .navs = ima_navs,
    .on_create = ima_on_create,
    .on_delete = ima_on_delete,
};
