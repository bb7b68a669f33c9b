/*
 * entity_assets.c — Assets: the container of an upload or a job output.
 * Creating one makes its storage folder <media_root>/asset-<guid>; deleting
 * one deletes its files, locators (and their origin records) and key links,
 * then the folder once the transaction has committed.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "odata/odata_resource.h"
#include "storage/blob_store.h"
#include "util/text_codec.h"

#include <stdio.h>
#include <string.h>

static const entity_prop_t asset_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "State", EDM_INT32, P_SERVER, 0, "0", NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "AlternateId", EDM_STRING, P_NULLABLE, 4000, NULL, NULL },
    { "Name", EDM_STRING, P_NULLABLE, 512, NULL, NULL },
    { "Options", EDM_INT32, P_ONCE, 0, "0", NULL },
    { "FormatOption", EDM_INT32, P_ONCE, 0, "0", NULL },
    { "Uri", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "StorageAccountName", EDM_STRING, P_ONCE | P_NULLABLE, 256, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t asset_navs[] = {
    { "Locators", "Locators", NAV_CHILDREN, "AssetId", false, NULL },
    { "ContentKeys", "ContentKeys", NAV_LINKS, NULL, true, NULL },
    { "Files", "Files", NAV_CHILDREN, "ParentAssetId", false, NULL },
    { "ParentAssets", "Assets", NAV_LINKS, NULL, true, NULL },
    { "DeliveryPolicies", "AssetDeliveryPolicies", NAV_LINKS, NULL, true, NULL },
    { "StorageAccount", "StorageAccounts", NAV_REFERENCE, "StorageAccountName", false, NULL },
    { "AssetFilters", "AssetFilters", NAV_CHILDREN, "ParentAssetId", false, NULL },
    { NULL, NULL, 0, NULL, false, NULL },
};

int asset_container_name(const char *asset_id, char *out, size_t cap)
{
    const char *guid = entity_guid(asset_id);
    int n;

    if (guid == NULL || strlen(guid) != 36) {
        return -1;
    }
    n = snprintf(out, cap, "asset-%s", guid);
    return (n > 0 && (size_t) n < cap) ? 0 : -1;
}

/* The URI of a reference: {"__metadata":{"uri"}}, {"uri"}, {"url"} or a string. */
static const char *ref_uri(const json_t *ref)
{
    json_t *meta = json_object_get(ref, "__metadata");
    const char *uri = entity_str(meta ? meta : ref, "uri");

    if (uri == NULL && json_is_string(ref)) {
        uri = json_string_value(ref);
    }
    return uri != NULL ? uri : entity_str(ref, "url");
}

int asset_ref_parse(const json_t *ref, char *out)
{
    const char *uri = ref_uri(ref), *id = entity_str(ref, "Id"), *at;
    char text[1024], err[128];
    odata_resource_t res;

    if (uri == NULL && id != NULL) {
        return entity_normalize_id(&entity_assets, id, out);
    }
    if (uri == NULL || strlen(uri) >= sizeof(text)) {
        return -1;
    }
    snprintf(text, sizeof(text), "%s", uri);
    if (url_decode_inplace(text, 0) < 0 || (at = strstr(text, "Assets(")) == NULL
        || odata_resource_parse(at, &res, err, sizeof(err)) != 0 || !res.has_key
        || res.member[0] != '\0') {
        return -1;
    }
    return entity_normalize_id(&entity_assets, res.key, out);
}

static int check_options(api_ctx_t *c, json_t *rec)
{
    long long options = entity_int(rec, "Options", 0);
    long long format = entity_int(rec, "FormatOption", 0);

    if (options != 0 && options != 1 && options != 2 && options != 4) {
        return api_fail(c, 400, "InvalidValue",
                        "Options must be None (0), StorageEncrypted (1), "
                        "CommonEncryptionProtected (2) or EnvelopeEncryptionProtected (4)");
    }
    if (format != 0 && format != 1) {
        return api_fail(c, 400, "InvalidValue", "FormatOption must be 0 (None) or 1 (AdaptiveStreaming)");
    }
    return storage_account_assign(c, rec);
}

static int asset_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    char container[64], uri[CONFIG_URL_MAX + 64];
    blob_status_t st;

    (void) navs;
    if (check_options(c, rec) != 0
        || asset_container_name(entity_str(rec, "Id"), container, sizeof(container)) != 0) {
        return -1;
    }
    snprintf(uri, sizeof(uri), "%s%s", c->app->cfg.upload_url, container);
    json_object_set_new(rec, "Uri", json_string(uri));
    st = blob_container_create(c->app->cfg.media_root, container);
    if (st != BLOB_OK) {
        return api_fail(c, 500, "StorageError", "cannot create the asset's storage folder (%s)",
                        blob_status_code(st));
    }
    return 0;
}

static void remove_container(app_t *app, const char *container)
{
    blob_container_delete(app->cfg.media_root, container);
}

/* Deletes every child of one navigation through its own set's rules. */
static int delete_children(api_ctx_t *c, const char *asset_id, const char *nav_name)
{
    const entity_nav_t *nav = entity_nav_find(&entity_assets, nav_name);
    const entity_set_t *target = entity_set_find(nav->target);
    json_t *ids = entity_nav_ids(c, asset_id, nav), *id;
    size_t i;
    int rc = 0;

    json_array_foreach(ids, i, id) {
        rc = entity_delete(c, target, json_string_value(id));
        if (rc != 0) {
            break;
        }
    }
    json_decref(ids);
    return rc;
}

/* Keys linked to no other asset go with the asset, as in AMS. */
static int delete_orphaned_keys(api_ctx_t *c, const char *asset_id)
{
    const entity_nav_t *nav = entity_nav_find(&entity_assets, "ContentKeys");
    json_t *ids = entity_nav_ids(c, asset_id, nav), *id;
    size_t i;
    int rc = 0;

    json_array_foreach(ids, i, id) {
        const char *kid = json_string_value(id);
        if (catalog_count_links(&c->txn, kid, "~Assets.ContentKeys") <= 1
            && catalog_exists(&c->txn, "ContentKeys", kid)) {
            rc = entity_delete(c, &entity_content_keys, kid);
            if (rc != 0) {
                break;
            }
        }
    }
    json_decref(ids);
    return rc;
}

/* Which ContentKeyTypes an asset of given Options may carry. */
static bool key_fits_asset(long long options, long long key_type)
{
    bool dynamic = key_type == 0 || key_type == 4 || key_type == 6 || key_type == 7
                   || key_type == 8;

    switch (options) {
    case 0:  return dynamic;                       /* dynamic encryption of a clear asset */
    case 1:  return key_type == 1 || dynamic;      /* storage-encrypted */
    case 2:  return key_type == 0 || key_type == 6 || key_type == 7 || key_type == 8;
    case 4:  return key_type == 4;
    default: return false;
    }
}

typedef struct {
    api_ctx_t *c;
    bool       found;
} origin_probe_t;

static int probe_origin(const char *locator_id, void *arg)
{
    origin_probe_t *p = arg;
    json_t *loc = NULL;

    if (catalog_get(&p->c->txn, "Locators", locator_id, &loc) == 0
        && entity_int(loc, "Type", 0) == 2) {
        p->found = true;
    }
    json_decref(loc);
    return p->found ? 1 : 0;
}

bool asset_has_origin_locator(api_ctx_t *c, const char *asset_id)
{
    origin_probe_t p = { c, false };
    catalog_each_link(&c->txn, asset_id, "Locators", probe_origin, &p);
    return p.found;
}

typedef struct {
    api_ctx_t *c;
    long long  protocols;
    const char *clash;
    char       clash_id[ENTITY_ID_MAX];
} overlap_t;

static int find_overlap(const char *policy_id, void *arg)
{
    overlap_t *o = arg;
    json_t *p = NULL;
    long long other;

    if (catalog_get(&o->c->txn, "AssetDeliveryPolicies", policy_id, &p) != 0) {
        return 0;
    }
    other = entity_int(p, "AssetDeliveryProtocol", 0);
    json_decref(p);
    if ((other & o->protocols) != 0) {
        snprintf(o->clash_id, sizeof(o->clash_id), "%s", policy_id);
        return 1;
    }
    return 0;
}

/* Delivery policies: none may change while the asset is published, and two
 * policies of one asset may not cover the same protocol. */
static int link_delivery_policy(api_ctx_t *c, json_t *rec, json_t *target, bool add)
{
    overlap_t o = { c, entity_int(target, "AssetDeliveryProtocol", 0), NULL, "" };

    if (asset_has_origin_locator(c, entity_str(rec, "Id"))) {
        return api_fail(c, 400, "InvalidOperation",
                        "delivery policies cannot change while the asset has an origin locator");
    }
    if (add && catalog_each_link(&c->txn, entity_str(rec, "Id"), "DeliveryPolicies",
                                 find_overlap, &o) == 1) {
        return api_fail(c, 409, "Conflict", "policy %s already covers one of these protocols",
                        o.clash_id);
    }
    return 0;
}

static int asset_on_link(api_ctx_t *c, const char *nav, json_t *rec, json_t *target, bool add)
{
    if (strcmp(nav, "DeliveryPolicies") == 0) {
        return link_delivery_policy(c, rec, target, add);
    }
    if (strcmp(nav, "ContentKeys") != 0) {
        return 0;
    }
    if (!add) {
        return origin_forget_key(c, entity_str(target, "Id"));
    }
    if (!key_fits_asset(entity_int(rec, "Options", 0), entity_int(target, "ContentKeyType", -1))) {
        return api_fail(c, 400, "InvalidOperation",
                        "a ContentKeyType %lld key cannot be linked to an asset with Options %lld",
                        entity_int(target, "ContentKeyType", -1), entity_int(rec, "Options", 0));
    }
    return 0;
}

static int asset_on_delete(api_ctx_t *c, const json_t *rec)
{
    const char *id = entity_str(rec, "Id");
    char container[64];

    if (jobs_check_asset_deletable(c, id) != 0
        || delete_children(c, id, "Locators") != 0 || delete_children(c, id, "Files") != 0
        || delete_children(c, id, "AssetFilters") != 0
        || delete_orphaned_keys(c, id) != 0) {
        return -1;
    }
    if (asset_container_name(id, container, sizeof(container)) == 0) {
        return api_after_commit(c, remove_container, container);
    }
    return 0;
}

const entity_set_t entity_assets = {
    .name = "Assets",
    .type_name = AMS_TYPE("Asset"),
    .id_prefix = "nb:cid:UUID:",
    .props = asset_props,
    .navs = asset_navs,
    .on_create = asset_on_create,
    .on_update = NULL,
    .on_delete = asset_on_delete,
    .on_link = asset_on_link,
};
