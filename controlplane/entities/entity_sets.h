/*
 * entity_sets.h — the entity-set descriptors (one per entities/entity_*.c)
 * and the few cross-set operations the sets call on each other.
 */
#ifndef ENTITY_SETS_H
#define ENTITY_SETS_H

#include "entities/entity_model.h"

extern const entity_set_t entity_assets;
extern const entity_set_t entity_files;
extern const entity_set_t entity_access_policies;
extern const entity_set_t entity_locators;
extern const entity_set_t entity_media_processors;
extern const entity_set_t entity_content_keys;
extern const entity_set_t entity_delivery_policies;
extern const entity_set_t entity_notification_endpoints;
extern const entity_set_t entity_key_policies;
extern const entity_set_t entity_key_policy_options;

#define AMS_TYPE(name) "Microsoft.Cloud.Media.Vod.Rest.Data.Models." name

/* "asset-<guid>" for an asset id; 0 or -1. */
int asset_container_name(const char *asset_id, char *out, size_t cap);

/* True if the asset has at least one OnDemandOrigin locator. */
bool asset_has_origin_locator(api_ctx_t *c, const char *asset_id);

/* Seeds the media processors mediaplane runs (at start, idempotent). */
int media_processors_seed(api_ctx_t *c);

/* Rewrites (or removes) the origin record of a locator (catalog_origin.h). */
int origin_publish_locator(api_ctx_t *c, const json_t *locator);
int origin_unpublish_locator(api_ctx_t *c, const char *locator_id);

#endif
