/*
 * entity_locators.c — Locators: time-limited access to an asset.  SAS
 * locators (Type 1) give storage URLs for upload/download; OnDemandOrigin
 * locators (Type 2) publish the asset to the streaming origin, whose
 * catalog record (origin_publish.c) is written in the same transaction.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "upload/sas_token.h"
#include "util/time_text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define LOCATOR_SAS    1
#define LOCATORS_PER_ASSET 5

static const entity_prop_t locator_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_NULLABLE, 4000, NULL, NULL },
    { "ExpirationDateTime", EDM_DATETIME, P_NULLABLE, 0, NULL, NULL },
    { "Type", EDM_INT32, P_REQUIRED | P_ONCE, 0, NULL, NULL },
    { "Path", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "BaseUri", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "ContentAccessComponent", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "AccessPolicyId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { "AssetId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { "StartTime", EDM_DATETIME, P_NULLABLE, 0, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t locator_navs[] = {
    { "AccessPolicy", "AccessPolicies", NAV_REFERENCE, "AccessPolicyId", false, NULL },
    { "Asset", "Assets", NAV_REFERENCE, "AssetId", false, NULL },
    { NULL, NULL, 0, NULL, false, NULL },
};

static int normalize_ref(api_ctx_t *c, json_t *rec, const char *prop, const entity_set_t *set,
                         json_t **target)
{
    char norm[ENTITY_ID_MAX];
    const char *given = entity_str(rec, prop);

    if (given == NULL || entity_normalize_id(set, given, norm) != 0
        || catalog_get(&c->txn, set->name, norm, target) != 0) {
        return api_fail(c, 400, "InvalidValue", "%s '%s' is not an existing %s", prop,
                        given ? given : "", set->name);
    }
    json_object_set_new(rec, prop, json_string(norm));
    return 0;
}

/* The SAS instance (sas_token.h) lives in the record under a name that is
 * not a property, so the API never renders or accepts it. */
#define SAS_INSTANCE_MEMBER "_SasInstance"

const char *locator_sas_instance(const json_t *rec)
{
    const char *v = json_string_value(json_object_get(rec, SAS_INSTANCE_MEMBER));
    return v != NULL ? v : "";
}

static int set_sas_instance(api_ctx_t *c, json_t *rec)
{
    char instance[SAS_INSTANCE_LEN + 1];

    if (entity_int(rec, "Type", 0) != LOCATOR_SAS) {
        return 0;
    }
    if (sas_new_instance(instance) != 0) {
        return api_fail(c, 500, "InternalError", "no randomness for the SAS locator");
    }
    json_object_set_new(rec, SAS_INSTANCE_MEMBER, json_string(instance));
    return 0;
}

/* Path, BaseUri and ContentAccessComponent for either locator type. */
static int fill_urls(api_ctx_t *c, json_t *rec, const json_t *policy)
{
    const daemon_config_t *cfg = &c->app->cfg;
    const char *guid = entity_guid(entity_str(rec, "Id"));
    char path[CONFIG_URL_MAX + SAS_QUERY_MAX + 64], base[CONFIG_URL_MAX + 64];
    char container[64], query[SAS_QUERY_MAX];
    size_t n;

    if (entity_int(rec, "Type", 0) == LOCATOR_ORIGIN) {
        snprintf(path, sizeof(path), "%s%s/", cfg->streaming_url, guid);
        snprintf(base, sizeof(base), "%s", cfg->streaming_url);
        n = strlen(base);
        if (n > 0 && base[n - 1] == '/') base[n - 1] = '\0';
        json_object_set_new(rec, "ContentAccessComponent", json_string(guid));
    } else {
        sas_grant_t g = { .start_ms = entity_time(rec, "StartTime", c->now_ms),
                          .expiry_ms = entity_time(rec, "ExpirationDateTime", c->now_ms),
                          .permissions = (unsigned) entity_int(policy, "Permissions", 0) };
        snprintf(g.locator_guid, sizeof(g.locator_guid), "%s", guid);
        snprintf(g.instance, sizeof(g.instance), "%s", locator_sas_instance(rec));
        if (asset_container_name(entity_str(rec, "AssetId"), container, sizeof(container)) != 0) {
            return api_fail(c, 500, "InternalError", "bad asset id");
        }
        snprintf(g.container, sizeof(g.container), "%s", container);
        if (sas_build(c->app->sas_key, &g, query) != 0) {
            return api_fail(c, 500, "InternalError", "cannot sign the SAS locator");
        }
        snprintf(base, sizeof(base), "%s%s", cfg->upload_url, container);
        snprintf(path, sizeof(path), "%s?%s", base, query);
        json_object_set_new(rec, "ContentAccessComponent", json_pack("s++", "?", query, ""));
    }
    json_object_set_new(rec, "Path", json_string(path));
    json_object_set_new(rec, "BaseUri", json_string(base));
    return 0;
}

static int set_expiry(api_ctx_t *c, json_t *rec, const json_t *policy)
{
    double minutes = json_number_value(json_object_get(policy, "DurationInMinutes"));
    int64_t start = entity_time(rec, "StartTime", c->now_ms);
    char iso[TIME_ISO_LEN];

    time_format_iso(start + (int64_t) llround(minutes * 60000.0), iso);
    json_object_set_new(rec, "ExpirationDateTime", json_string(iso));
    return 0;
}

static int check_type_and_asset(api_ctx_t *c, json_t *rec, const json_t *policy,
                                const json_t *asset_rec)
{
    long long type = entity_int(rec, "Type", 0);
    const char *asset = entity_str(rec, "AssetId");
    long long perms = entity_int(policy, "Permissions", 0);

    if (type != LOCATOR_SAS && type != LOCATOR_ORIGIN) {
        return api_fail(c, 400, "InvalidValue", "Type must be SAS (1) or OnDemandOrigin (2)");
    }
    if (catalog_count_links(&c->txn, asset, "Locators") >= LOCATORS_PER_ASSET) {
        return api_fail(c, 409, "Conflict", "an asset can have at most %d locators",
                        LOCATORS_PER_ASSET);
    }
    if (type == LOCATOR_ORIGIN && entity_int(asset_rec, "Options", 0) == 1
        && catalog_count_links(&c->txn, asset, "DeliveryPolicies") == 0) {
        return api_fail(c, 400, "InvalidOperation",
                        "a storage-encrypted asset needs a delivery policy before an origin locator");
    }
    if (type == LOCATOR_ORIGIN && !(perms & SAS_READ)) {
        return api_fail(c, 400, "InvalidValue", "an OnDemandOrigin locator needs a Read access policy");
    }
    if ((type == LOCATOR_ORIGIN || !(perms & SAS_WRITE))
        && catalog_count_links(&c->txn, asset, "Files") == 0) {
        return api_fail(c, 400, "InvalidOperation",
                        "the asset has no files yet: upload them (and call CreateFileInfos) "
                        "before creating a read or origin locator");
    }
    return 0;
}

static int locator_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    json_t *policy = NULL, *asset = NULL;
    int rc = -1;

    (void) navs;
    if (normalize_ref(c, rec, "AccessPolicyId", &entity_access_policies, &policy) == 0
        && normalize_ref(c, rec, "AssetId", &entity_assets, &asset) == 0
        && check_type_and_asset(c, rec, policy, asset) == 0
        && set_expiry(c, rec, policy) == 0
        && set_sas_instance(c, rec) == 0
        && fill_urls(c, rec, policy) == 0) {
        rc = 0;
    }
    json_decref(policy);
    json_decref(asset);
    return rc;
}

static int locator_after_write(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    if (entity_int(rec, "Type", 0) != LOCATOR_ORIGIN) {
        return 0;
    }
    return origin_publish_locator(c, rec);
}

static int locator_on_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    if (entity_int(old, "Type", 0) == LOCATOR_SAS && !json_equal(rec, old)) {
        return api_fail(c, 400, "InvalidOperation", "SAS locators cannot be updated");
    }
    if (entity_time(rec, "ExpirationDateTime", 0) <= entity_time(rec, "StartTime", 0)
        && entity_str(rec, "StartTime") != NULL) {
        return api_fail(c, 400, "InvalidValue", "ExpirationDateTime must be after StartTime");
    }
    return 0;
}

static int locator_after_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    (void) old;
    return locator_after_write(c, rec, NULL);
}

static int locator_on_delete(api_ctx_t *c, const json_t *rec)
{
    return origin_unpublish_locator(c, entity_str(rec, "Id"));
}

const entity_set_t entity_locators = {
    .name = "Locators",
    .type_name = AMS_TYPE("Locator"),
    .id_prefix = "nb:lid:UUID:",
    .flags = ES_CLIENT_ID,
    .props = locator_props,
    .navs = locator_navs,
    .on_create = locator_on_create,
    .after_create = locator_after_write,
    .on_update = locator_on_update,
    .after_update = locator_after_update,
    .on_delete = locator_on_delete,
};
