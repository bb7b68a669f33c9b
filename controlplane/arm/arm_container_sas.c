/*
 * arm_container_sas.c — POST assets/{name}/listContainerSas: a SAS URL on
 * the daemon's blob upload (upload_url, see upload/) for the asset's
 * container, as @azure/storage-blob uses it (Put Blob, Put Block + Put
 * Block List, Get Blob, List Blobs).  The grant is a v2 SAS locator named
 * "arm:listContainerSas" with its access policy; a new call replaces the
 * previous one (an asset has at most 5 locators), so the URL of the latest
 * call is the valid one.  expiryTime: in the future, at most
 * ARM_SAS_MAX_HOURS away.
 */
#include "arm/arm_error.h"
#include "arm/arm_router.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "upload/sas_token.h"
#include "util/time_parse.h"
#include "util/time_text.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ARM_SAS_NAME "arm:listContainerSas"
#define ARM_SAS_MAX_HOURS (7 * 24)
#define LOCATOR_SAS 1

static int permissions_of(const char *text, unsigned *out)
{
    if (text == NULL || strcasecmp(text, "Read") == 0) {
        *out = SAS_READ | SAS_LIST;
    } else if (strcasecmp(text, "ReadWrite") == 0) {
        *out = SAS_READ | SAS_WRITE | SAS_LIST;
    } else if (strcasecmp(text, "ReadWriteDelete") == 0) {
        *out = SAS_READ | SAS_WRITE | SAS_DELETE | SAS_LIST;
    } else {
        return -1;
    }
    return 0;
}

typedef struct {
    api_ctx_t *c;
    json_t *ids;                      /* previous v3 SAS locators of the asset */
} previous_t;

static int collect_previous(const char *to, void *arg)
{
    previous_t *p = arg;
    json_t *loc = NULL;

    if (catalog_get(&p->c->txn, entity_locators.name, to, &loc) == 0) {
        const char *name = entity_str(loc, "Name");
        if (name != NULL && strcmp(name, ARM_SAS_NAME) == 0) {
            json_array_append_new(p->ids, json_pack("[s,s?]", to, entity_str(loc, "AccessPolicyId")));
        }
        json_decref(loc);
    }
    return 0;
}

static int drop_previous(api_ctx_t *c, const char *asset_id)
{
    previous_t p = { c, json_array() };
    json_t *pair;
    size_t i;
    int rc = 0;

    catalog_each_link(&c->txn, asset_id, "Locators", collect_previous, &p);
    json_array_foreach(p.ids, i, pair) {
        const char *policy = json_string_value(json_array_get(pair, 1));
        rc = entity_delete(c, &entity_locators, json_string_value(json_array_get(pair, 0)));
        if (rc == 0 && policy != NULL && catalog_exists(&c->txn, entity_access_policies.name, policy)) {
            rc = entity_delete(c, &entity_access_policies, policy);
        }
        if (rc != 0) {
            break;
        }
    }
    json_decref(p.ids);
    return rc;
}

static json_t *create_grant(arm_req_t *r, const char *asset_id, unsigned perms, int64_t expiry)
{
    char start[TIME_ISO_LEN];
    json_t *body, *policy = NULL, *locator = NULL;

    body = json_pack("{s:s,s:f,s:i}", "Name", ARM_SAS_NAME, "DurationInMinutes",
                     (double) (expiry - r->c.now_ms) / 60000.0, "Permissions", (int) perms);
    if (entity_create(&r->c, &entity_access_policies, body, &policy) == 0) {
        json_decref(body);
        time_format_iso(r->c.now_ms, start);
        body = json_pack("{s:s,s:i,s:s,s:s,s:s}", "Name", ARM_SAS_NAME, "Type", LOCATOR_SAS,
                         "AssetId", asset_id, "AccessPolicyId", entity_str(policy, "Id"),
                         "StartTime", start);
        if (entity_create(&r->c, &entity_locators, body, &locator) != 0) {
            locator = NULL;
        }
    }
    json_decref(body);
    json_decref(policy);
    return locator;
}

http_response_t *arm_container_sas(arm_req_t *r, const json_t *asset)
{
    const char *perm_text = json_string_value(json_object_get(r->body, "permissions"));
    const char *expiry_text = json_string_value(json_object_get(r->body, "expiryTime"));
    const char *asset_id = entity_str(asset, "Id");
    int64_t expiry = 0;
    unsigned perms;
    json_t *locator;
    http_response_t *out;

    if (permissions_of(perm_text, &perms) != 0) {
        return arm_error(400, "InvalidParameter", "permissions must be Read, ReadWrite or "
                         "ReadWriteDelete");
    }
    if (expiry_text == NULL || time_parse(expiry_text, &expiry) != 0 || expiry <= r->c.now_ms
        || expiry > r->c.now_ms + (int64_t) ARM_SAS_MAX_HOURS * 3600 * 1000) {
        return arm_error(400, "InvalidParameter", "expiryTime must be an ISO 8601 time in the "
                         "future, at most %d hours away", ARM_SAS_MAX_HOURS);
    }
    if (drop_previous(&r->c, asset_id) != 0 || (locator = create_grant(r, asset_id, perms, expiry)) == NULL) {
        return NULL;
    }
    out = arm_json(200, json_pack("{s:[s]}", "assetContainerSasUrls", entity_str(locator, "Path")));
    json_decref(locator);
    return out;
}
