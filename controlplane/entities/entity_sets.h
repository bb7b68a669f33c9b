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
extern const entity_set_t entity_jobs;
extern const entity_set_t entity_tasks;
extern const entity_set_t entity_job_templates;
extern const entity_set_t entity_task_templates;
extern const entity_set_t entity_reserved_units;

#define AMS_TYPE(name) "Microsoft.Cloud.Media.Vod.Rest.Data.Models." name

/* "asset-<guid>" for an asset id; 0 or -1. */
int asset_container_name(const char *asset_id, char *out, size_t cap);

/* Files rows for every blob in the asset's container (new ones created,
 * sizes refreshed, the .ism or only file made primary): CreateFileInfos. */
int asset_register_files(api_ctx_t *c, const char *asset_id);

/* True if the asset has at least one OnDemandOrigin locator. */
bool asset_has_origin_locator(api_ctx_t *c, const char *asset_id);

/* Seeds the media processors mediaplane runs (at start, idempotent). */
int media_processors_seed(api_ctx_t *c);

/* Rewrites (or removes) the origin record of a locator (catalog_origin.h). */
int origin_publish_locator(api_ctx_t *c, const json_t *locator);
int origin_unpublish_locator(api_ctx_t *c, const char *locator_id);

/* Jobs (job_create.c): fills a new job from its POST body's navigations —
 * inputs, inline tasks or its template's tasks, output assets — and stores
 * its tasks and links. */
int job_create_contents(api_ctx_t *c, json_t *job, json_t *navs);

/* Normalizes rec's MediaProcessorId (400 if no such processor) and checks
 * its Configuration with the encoder when the processor encodes; `what`
 * names the record in messages ("Tasks[0]"). */
int task_check_processor(api_ctx_t *c, json_t *rec, const char *what);

/* 400 when the asset is an input or output of a job not yet final. */
int jobs_check_asset_deletable(api_ctx_t *c, const char *asset_id);

/* EncodingReservedUnitTypes: the account's record (seeded at start) and
 * its CurrentReservedUnits (= concurrent tasks, >= 0). */
int reserved_units_seed(api_ctx_t *c);
int reserved_units_current(api_ctx_t *c);

#endif
