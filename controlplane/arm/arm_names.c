/*
 * arm_names.c — finding v2 records by their v3 names (see arm_names.h): a
 * scan of the set (assets and locators are few thousand at most; the scan
 * runs inside the request's read transaction).
 */
#include "arm/arm_names.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LOCATOR_ORIGIN 2

bool arm_name_ok(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > ARM_NAME_MAX || name[0] == '.') {
        return false;
    }
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.~-") == n;
}

void arm_asset_name(const json_t *asset, char *out, size_t cap)
{
    const char *name = entity_str(asset, "Name");

    if (name != NULL && name[0] != '\0' && strlen(name) <= ARM_NAME_MAX) {
        snprintf(out, cap, "%s", name);
    } else if (asset_container_name(entity_str(asset, "Id"), out, cap) != 0) {
        snprintf(out, cap, "%s", "");
    }
}

void arm_locator_name(const json_t *locator, char *out, size_t cap)
{
    const char *name = entity_str(locator, "Name");
    const char *guid = entity_guid(entity_str(locator, "Id"));

    snprintf(out, cap, "%s", name != NULL && name[0] != '\0' && strlen(name) <= ARM_NAME_MAX
                                 ? name : guid != NULL ? guid : "");
}

typedef struct {
    const char *want;
    void (*name_of)(const json_t *rec, char *out, size_t cap);
    bool origin_only;
    json_t *found;
} find_walk_t;

static int match_name(const char *id, json_t *rec, void *arg)
{
    find_walk_t *w = arg;
    char name[ARM_NAME_MAX + 64];

    (void) id;
    if (w->origin_only && entity_int(rec, "Type", 0) != LOCATOR_ORIGIN) {
        return 0;
    }
    w->name_of(rec, name, sizeof(name));
    if (strcasecmp(name, w->want) == 0) {
        w->found = json_incref(rec);
        return 1;
    }
    return 0;
}

json_t *arm_asset_find(arm_req_t *r, const char *name)
{
    find_walk_t w = { name, arm_asset_name, false, NULL };

    catalog_each(&r->c.txn, entity_assets.name, match_name, &w);
    return w.found;
}

json_t *arm_locator_find(arm_req_t *r, const char *name)
{
    find_walk_t w = { name, arm_locator_name, true, NULL };

    catalog_each(&r->c.txn, entity_locators.name, match_name, &w);
    return w.found;
}
