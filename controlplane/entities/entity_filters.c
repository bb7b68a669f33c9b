/*
 * entity_filters.c — Filters (account-wide, keyed by Name: Filters('name'))
 * and AssetFilters (one asset's, Id "<asset id>__#$#__<name>" as AMS made
 * them, listed under Assets('id')/AssetFilters): dynamic-manifest rules the
 * origin applies for filter=<name> (filter_rules.c checks them and writes
 * the origin's copy in the same transaction).  At most FILTER_ACCOUNT_MAX
 * account filters and FILTER_ASSET_MAX per asset (409, like the locator
 * limit).
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/filter_rules.h"
#include "catalog/catalog_ofilter.h"

#include <stdio.h>
#include <string.h>

#define ASSET_FILTER_SEPARATOR "__#$#__"

#define FILTER_RULE_PROPS                                                                     \
    { "PresentationTimeRange", EDM_COMPLEX, P_NULLABLE, 0, NULL,                              \
      AMS_TYPE("PresentationTimeRange") },                                                    \
    { "Tracks", EDM_COLLECTION, P_NULLABLE, 0, "[]", AMS_TYPE("FilterTrackSelect") },         \
    { "FirstQuality", EDM_COMPLEX, P_NULLABLE, 0, NULL, AMS_TYPE("FirstQuality") }

static const entity_prop_t filter_props[] = {
    { "Name", EDM_STRING, P_REQUIRED | P_ONCE, FILTER_NAME_MAX, NULL, NULL },
    FILTER_RULE_PROPS,
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_prop_t asset_filter_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "ParentAssetId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { "Name", EDM_STRING, P_REQUIRED | P_ONCE, FILTER_NAME_MAX, NULL, NULL },
    FILTER_RULE_PROPS,
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t no_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

static int check_name(api_ctx_t *c, const json_t *rec)
{
    if (!filter_name_ok(entity_str(rec, "Name"))) {
        return api_fail(c, 400, "InvalidValue", "Name must be 1..%d characters of A-Z a-z 0-9 "
                        ". _ ~ - (it is written in URLs as filter=<name>)", FILTER_NAME_MAX);
    }
    return 0;
}

/* The origin's scope of a record: "*" or "asset-<guid>"; 0 or -1. */
static int filter_scope(const json_t *rec, char *out, size_t cap)
{
    const char *parent = entity_str(rec, "ParentAssetId");

    if (parent == NULL) {
        snprintf(out, cap, "%s", CATALOG_OFILTER_ACCOUNT);
        return 0;
    }
    return asset_container_name(parent, out, cap);
}

static int publish(api_ctx_t *c, const json_t *rec, bool keep)
{
    char scope[64];

    if (filter_scope(rec, scope, sizeof(scope)) != 0) {
        return api_fail(c, 500, "InternalError", "filter without a valid asset");
    }
    return filter_publish(c, scope, entity_str(rec, "Name"), keep ? rec : NULL);
}

static int filter_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    return filter_rules_check(c, rec);
}

static int filter_on_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    (void) old;
    return filter_rules_check(c, rec);
}

static int filter_after_write(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    return publish(c, rec, true);
}

static int filter_after_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    (void) old;
    return publish(c, rec, true);
}

static int filter_on_delete(api_ctx_t *c, const json_t *rec)
{
    return publish(c, rec, false);
}

static int filter_make_id(api_ctx_t *c, const json_t *rec, char *out)
{
    const char *name = entity_str(rec, "Name");

    if (check_name(c, rec) != 0) {
        return -1;
    }
    if (catalog_exists(&c->txn, entity_filters.name, name)) {
        return api_fail(c, 409, "Conflict", "a filter named '%s' already exists", name);
    }
    if (catalog_count(&c->txn, entity_filters.name) >= FILTER_ACCOUNT_MAX) {
        return api_fail(c, 409, "Conflict", "an account can have at most %d filters",
                        FILTER_ACCOUNT_MAX);
    }
    snprintf(out, ENTITY_ID_MAX, "%s", name);
    return 0;
}

/* "<asset id>__#$#__<name>", the parent normalized and existing. */
static int asset_filter_make_id(api_ctx_t *c, const json_t *rec, char *out)
{
    const char *parent = entity_str(rec, "ParentAssetId"), *name = entity_str(rec, "Name");
    char asset[ENTITY_ID_MAX];

    if (check_name(c, rec) != 0) {
        return -1;
    }
    if (parent == NULL || entity_normalize_id(&entity_assets, parent, asset) != 0
        || !catalog_exists(&c->txn, entity_assets.name, asset)) {
        return api_fail(c, 400, "InvalidValue", "ParentAssetId '%s' is not an existing asset",
                        parent != NULL ? parent : "");
    }
    json_object_set_new((json_t *) rec, "ParentAssetId", json_string(asset));
    if (snprintf(out, ENTITY_ID_MAX, "%.64s%s%.64s", asset, ASSET_FILTER_SEPARATOR, name) < 0) {
        return api_fail(c, 500, "InternalError", "asset filter id");
    }
    if (catalog_exists(&c->txn, entity_asset_filters.name, out)) {
        return api_fail(c, 409, "Conflict", "the asset already has a filter named '%s'", name);
    }
    if (catalog_count_links(&c->txn, asset, "AssetFilters") >= FILTER_ASSET_MAX) {
        return api_fail(c, 409, "Conflict", "an asset can have at most %d filters",
                        FILTER_ASSET_MAX);
    }
    return 0;
}

const entity_set_t entity_filters = {
    .name = "Filters",
    .type_name = AMS_TYPE("Filter"),
    .id_prefix = "",
    .key_name = "Name",
    .flags = ES_NAME_KEY,
    .props = filter_props,
    .navs = no_navs,
    .on_create = filter_on_create,
    .after_create = filter_after_write,
    .on_update = filter_on_update,
    .after_update = filter_after_update,
    .on_delete = filter_on_delete,
    .make_id = filter_make_id,
};

const entity_set_t entity_asset_filters = {
    .name = "AssetFilters",
    .type_name = AMS_TYPE("AssetFilter"),
    .id_prefix = "",
    .flags = ES_NAME_KEY,
    .props = asset_filter_props,
    .navs = no_navs,
    .on_create = filter_on_create,
    .after_create = filter_after_write,
    .on_update = filter_on_update,
    .after_update = filter_after_update,
    .on_delete = filter_on_delete,
    .make_id = asset_filter_make_id,
};
