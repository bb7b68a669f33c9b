/*
 * entity_storage_accounts.c — StorageAccounts: the one storage account of
 * an installation (its media_root, named account_name, the name assets carry
 * in StorageAccountName), read-only and keyed by Name
 * (StorageAccounts('mediaplane')), re-seeded at start so a renamed account
 * replaces the old row.  BytesUsed is null, as AMS answered it for accounts
 * without storage metrics.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include <string.h>

static const entity_prop_t sa_props[] = {
    { "Name", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "IsDefault", EDM_BOOL, P_SERVER, 0, "true", NULL },
    { "BytesUsed", EDM_INT64, P_SERVER | P_NULLABLE, 0, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t sa_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

/* Collects every row's name (the caller keeps the current account). */
static int collect_stale(const char *id, json_t *rec, void *arg)
{
    json_t *stale = arg;
    (void) rec;
    json_array_append_new(stale, json_string(id));
    return 0;
}

int storage_account_assign(api_ctx_t *c, json_t *rec)
{
    const char *given = entity_str(rec, "StorageAccountName");

    if (given != NULL && strcmp(given, c->app->cfg.account_name) != 0) {
        return api_fail(c, 400, "InvalidValue", "unknown storage account '%s' (this installation "
                        "has '%s')", given, c->app->cfg.account_name);
    }
    json_object_set_new(rec, "StorageAccountName", json_string(c->app->cfg.account_name));
    return 0;
}

int storage_accounts_seed(api_ctx_t *c)
{
    const char *name = c->app->cfg.account_name;
    json_t *stale = json_array(), *id, *rec;
    size_t i;
    int rc = 0;

    catalog_each(&c->txn, entity_storage_accounts.name, collect_stale, stale);
    json_array_foreach(stale, i, id) {
        if (rc == 0 && strcmp(json_string_value(id), name) != 0) {
            rc = catalog_del(&c->txn, entity_storage_accounts.name, json_string_value(id));
        }
    }
    json_decref(stale);
    rec = json_pack("{s:s,s:s,s:b,s:n}", "Id", name, "Name", name, "IsDefault", 1, "BytesUsed");
    if (rc == 0) {
        rc = catalog_put(&c->txn, entity_storage_accounts.name, name, rec);
    }
    json_decref(rec);
    return rc == 0 ? 0 : -1;
}

const entity_set_t entity_storage_accounts = {
    .name = "StorageAccounts",
    .type_name = AMS_TYPE("StorageAccount"),
    .id_prefix = "",
    .key_name = "Name",
    .flags = ES_READ_ONLY | ES_NAME_KEY,
    .props = sa_props,
    .navs = sa_navs,
};
