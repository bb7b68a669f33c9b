/*
 * entity_sets.h — the entity-set descriptors (one per entities/entity_*.c)
 * and the few cross-set operations the sets call on each other.
 */
#ifndef ENTITY_SETS_H
#define ENTITY_SETS_H

#include "catalog/catalog_origin.h"

#include "entities/entity_model.h"
#include "entities/ingest_process.h"

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
extern const entity_set_t entity_storage_accounts;
extern const entity_set_t entity_ingest_manifests;
extern const entity_set_t entity_ingest_manifest_assets;
extern const entity_set_t entity_ingest_manifest_files;

extern const entity_set_t entity_streaming_endpoints;
extern const entity_set_t entity_operations;
extern const entity_set_t entity_notification_endpoints;
extern const entity_set_t entity_key_policies;
extern const entity_set_t entity_key_policy_options;
extern const entity_set_t entity_channels;
extern const entity_set_t entity_programs;
extern const entity_set_t entity_filters;          /* entity_filters.c */
extern const entity_set_t entity_asset_filters;

#define AMS_TYPE(name) "Microsoft.Cloud.Media.Vod.Rest.Data.Models." name

/* The secret instance a SAS locator's signature is bound to ("" when the
 * record predates instances); see upload/sas_token.h. */
const char *locator_sas_instance(const json_t *rec);

/* "asset-<guid>" for an asset id; 0 or -1. */
int asset_container_name(const char *asset_id, char *out, size_t cap);

/* Files rows for every blob in the asset's container (new ones created,
 * sizes refreshed, the .ism or only file made primary): CreateFileInfos. */
int asset_register_files(api_ctx_t *c, const char *asset_id);

/* The asset id (normalized, not checked for existence) a body names:
 * {"__metadata":{"uri":"…/Assets('id')"}}, {"uri":…}, {"url":…}, a URI
 * string or {"Id":"nb:cid:UUID:…"}; 0 or -1. */
int asset_ref_parse(const json_t *ref, char *out);   /* out: ENTITY_ID_MAX bytes */

/* True if the asset has at least one OnDemandOrigin locator. */
bool asset_has_origin_locator(api_ctx_t *c, const char *asset_id);

/* Seeds the media processors mediaplane runs (at start, idempotent). */
int media_processors_seed(api_ctx_t *c);
/* Seeds the one StorageAccounts row (account_name), dropping others. */
int storage_accounts_seed(api_ctx_t *c);
/* A new record's StorageAccountName: the one account (400 for another). */
int storage_account_assign(api_ctx_t *c, json_t *rec);

#define LOCATOR_ORIGIN 2   /* Locator Type OnDemandOrigin */

/* Rewrites (or removes) the origin record of a locator (catalog_origin.h). */
int origin_publish_locator(api_ctx_t *c, const json_t *locator);
int origin_unpublish_locator(api_ctx_t *c, const char *locator_id);
/* Rewrites the origin records of every origin locator of an asset (its
 * live facts changed: Program Start/Stop). 0, or -1 after api_fail(). */
int origin_republish_asset(api_ctx_t *c, const char *asset_id);

/* AES-128 envelope of an asset for its origin record (origin_envelope.c):
 * key id, IV, key URI from the policy's configuration text (NULL: none),
 * and the key re-sealed under the origin key into okeys.  0, or -1 after
 * api_fail() (400 when the asset has no envelope key). */
int origin_envelope(api_ctx_t *c, const char *asset_id, const char *config_text,
                    catalog_origin_t *o);
/* Common encryption of an asset for its origin record (origin_common.c):
 * for the protocols already set in o->protocols_cenc / _cbcs, the keys
 * (re-sealed into okeys), the cbcs IV and the license URLs from the
 * policies' configuration texts (NULL: none).  0, or -1 after api_fail()
 * (400 when the asset lacks the key a policy needs). */
int origin_common(api_ctx_t *c, const char *asset_id, const char *cenc_config,
                  const char *cbcs_config, catalog_origin_t *o);
/* A content key unlinked or deleted: the origin stops delivering it and
 * encrypting with it (the origin answers 403 for the asset until it is
 * published with another key). */
int origin_forget_key(api_ctx_t *c, const char *key_id);

/* The clear value of a ContentKeys record (its sealed copy opened, at most
 * CONTENT_KEY_MAX bytes); 0, or -1 after api_fail().  The caller wipes key. */
#define CONTENT_KEY_MAX 256
int content_key_open(api_ctx_t *c, const json_t *rec, uint8_t *key, size_t cap, size_t *len);

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

/* Programs (entity_programs.c): starts the channel's Stopped programs
 * marked _startWithChannel (v3 live outputs created before their live
 * event started). */
int programs_start_with_channel(api_ctx_t *c, const char *channel_id);

/* Long-running operations (entity_operations.c): records an InProgress
 * Operation on target_id, makes the answer 202 + operation-id and, once the
 * request's transaction commits, completes it in a transaction of its own
 * through the target set's complete_operation hook (Succeeded or Failed). */
int operation_begin(api_ctx_t *c, const char *target_id);
/* At start: completes operations a previous run left InProgress. */
void operations_resume(app_t *app);

/* StreamingEndpoints: the default endpoint exists (created Running at
 * start), every endpoint's HostName follows streaming_url, and every
 * endpoint record of the origin is rewritten (idempotent). */
int streaming_endpoints_seed(api_ctx_t *c);

/* Endpoint records of the origin (endpoint_publish.c, catalog_endpoint.h):
 * one per host name of rec (and the default key); the keys of old's host
 * names are removed first.  unpublish removes rec's keys. */
int endpoint_publish(api_ctx_t *c, const json_t *rec, const json_t *old);
int endpoint_unpublish(api_ctx_t *c, const json_t *rec);
/* "h:<host>" keys of an endpoint record's HostName and CustomHostNames as a
 * JSON array of strings (invalid names are left out). */
json_t *endpoint_host_keys(const json_t *rec);

/* Channels (entity_channels.c): the number of a channel's programs and of
 * those not Stopped. */
void channel_count_programs(api_ctx_t *c, const char *channel_id, int *programs, int *running);

#endif
