/*
 * entity_registry.c — the list of entity sets mediaplaned serves and lookups
 * into their descriptors.  Adding a set = one descriptor file + one line here.
 */
#include "entities/entity_model.h"
#include "entities/entity_sets.h"

#include <string.h>
#include <strings.h>

static const entity_set_t *const all_sets[] = {
    &entity_assets,
    &entity_files,
    &entity_access_policies,
    &entity_locators,
    &entity_media_processors,
    &entity_content_keys,
    &entity_delivery_policies,
    &entity_streaming_endpoints,
    &entity_operations,
    &entity_notification_endpoints,
    &entity_key_policies,
    &entity_key_policy_options,
    &entity_jobs,
    &entity_tasks,
    &entity_job_templates,
    &entity_task_templates,
    &entity_ingest_manifests,
    &entity_ingest_manifest_assets,
    &entity_ingest_manifest_files,
    &entity_channels,
    &entity_programs,
    &entity_reserved_units,     /* last: their ids have no prefix */
    &entity_storage_accounts,
    &entity_filters,            /* keyed by name: no prefix either */
    &entity_asset_filters,
    NULL,
};

const entity_set_t *const *entity_sets_all(void)
{
    return all_sets;
}

const char *const *entity_set_names(void)
{
    static const char *names[sizeof(all_sets) / sizeof(all_sets[0])];

    for (size_t i = 0; all_sets[i] != NULL; i++) {
        names[i] = all_sets[i]->name;
    }
    return names;
}

/* Any case, as AMS's front end matched set names ("/api/assets"). */
const entity_set_t *entity_set_find(const char *name)
{
    for (size_t i = 0; all_sets[i] != NULL; i++) {
        if (strcasecmp(all_sets[i]->name, name) == 0) {
            return all_sets[i];
        }
    }
    return NULL;
}

const entity_set_t *entity_set_by_prefix(const char *id)
{
    for (size_t i = 0; all_sets[i] != NULL; i++) {
        size_t n = strlen(all_sets[i]->id_prefix);
        if (strncasecmp(id, all_sets[i]->id_prefix, n) == 0) {
            return all_sets[i];
        }
    }
    return NULL;
}

const entity_prop_t *entity_prop_find(const entity_set_t *set, const char *name)
{
    for (const entity_prop_t *p = set->props; p->name != NULL; p++) {
        if (strcmp(p->name, name) == 0) {
            return p;
        }
    }
    return NULL;
}

const entity_nav_t *entity_nav_find(const entity_set_t *set, const char *name)
{
    for (const entity_nav_t *n = set->navs; n != NULL && n->name != NULL; n++) {
        if (strcmp(n->name, name) == 0) {
            return n;
        }
    }
    return NULL;
}
