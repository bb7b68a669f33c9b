/*
 * entity_access_policies.c — AccessPolicies: a duration and permissions that
 * locators borrow.  Immutable once created, as in AMS.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

static const entity_prop_t policy_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_REQUIRED, 256, NULL, NULL },
    { "DurationInMinutes", EDM_DOUBLE, P_REQUIRED, 0, NULL, NULL },
    { "Permissions", EDM_INT32, 0, 0, "0", NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t policy_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

static int policy_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    double minutes = json_number_value(json_object_get(rec, "DurationInMinutes"));
    long long perms = entity_int(rec, "Permissions", 0);

    (void) navs;
    if (!(minutes > 0) || minutes > 100.0 * 365 * 24 * 60) {
        return api_fail(c, 400, "InvalidValue", "DurationInMinutes must be > 0 and at most 100 years");
    }
    if (perms < 0 || perms > 15) {
        return api_fail(c, 400, "InvalidValue",
                        "Permissions are flags: None 0, Read 1, Write 2, Delete 4, List 8");
    }
    return 0;
}

const entity_set_t entity_access_policies = {
    .name = "AccessPolicies",
    .type_name = AMS_TYPE("AccessPolicy"),
    .id_prefix = "nb:pid:UUID:",
    .flags = ES_NO_UPDATE,
    .props = policy_props,
    .navs = policy_navs,
    .on_create = policy_on_create,
};
