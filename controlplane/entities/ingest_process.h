/*
 * ingest_process.h — bulk ingest (IngestManifests, IngestManifestAssets,
 * IngestManifestFiles): the upload container of a manifest, the move of an
 * arrived file into its asset, and the manifest's Statistics and State.
 */
#ifndef INGEST_PROCESS_H
#define INGEST_PROCESS_H

#include "api/api_context.h"
#include "entities/entity_model.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* IngestManifest State, IngestManifestFile State. */
#define INGEST_MANIFEST_INACTIVE  0
#define INGEST_MANIFEST_ACTIVATED 1
#define INGEST_MANIFEST_FINISHED  2
#define INGEST_FILE_PENDING  0
#define INGEST_FILE_FINISHED 1
#define INGEST_FILE_ERROR    2

/* "ingest-<guid>" of a manifest id; 0 or -1. */
int ingest_container_name(const char *manifest_id, char *out, size_t cap);
/* The manifest id (ENTITY_ID_MAX bytes) of an "ingest-<guid>" container. */
bool ingest_container_manifest(const char *container, char *manifest_id);

/* A Statistics value (IngestManifestStatistics). */
json_t *ingest_statistics_new(int pending, int finished, int errors, const char *details);

/* rec[prop] normalized to the id of an existing record of set; 400 if not. */
int ingest_normalize_parent(api_ctx_t *c, json_t *rec, const char *prop, const entity_set_t *set);
/* Deletes every child of one navigation of set's record id (their rules run). */
int ingest_delete_children(api_ctx_t *c, const entity_set_t *set, const char *id, const char *nav_name);

/* True if the manifest lists a file of that name (*out: its record, if asked). */
bool ingest_file_named(api_ctx_t *c, const char *manifest_id, const char *name, json_t **out);
/* A Pending file whose blob is in the upload container moves into its asset
 * (Finished, or Error with ErrorDetail) and is saved; otherwise nothing. */
int ingest_file_try(api_ctx_t *c, json_t *file);
/* Statistics and State of the manifest recounted from its files (leaving out
 * exclude_file, one being deleted), and saved. */
int ingest_manifest_refresh(api_ctx_t *c, const char *manifest_id, const char *exclude_file);

/* After a blob is committed into an "ingest-…" container (upload handler):
 * the work above in a transaction of its own.  Other containers: nothing. */
void ingest_blob_committed(app_t *app, const char *container, const char *name);

#endif
