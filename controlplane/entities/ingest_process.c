/*
 * ingest_process.c — bulk ingest at work: a blob committed into a manifest's
 * upload container ("ingest-<guid>") that a Pending IngestManifestFile of the
 * manifest names moves into that file's asset and becomes a Files row (as
 * CreateFileInfos); the file turns Finished (or Error with ErrorDetail) and
 * the manifest's Statistics and State are recounted from its files.  Runs in
 * the transaction of the request that made the file (the blob was there
 * first) or in one of its own after an upload (the file was there first).
 */
#include "entities/ingest_process.h"

#include "daemon/daemon_log.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "storage/blob_store.h"
#include "util/time_text.h"

#include <stdio.h>
#include <string.h>

#define INGEST_CONTAINER_PREFIX "ingest-"
#define ERROR_DETAILS_MAX 2048

int ingest_container_name(const char *manifest_id, char *out, size_t cap)
{
    const char *guid = entity_guid(manifest_id);
    int n = guid != NULL ? snprintf(out, cap, INGEST_CONTAINER_PREFIX "%s", guid) : -1;
    return (n > 0 && (size_t) n < cap) ? 0 : -1;
}

json_t *ingest_statistics_new(int pending, int finished, int errors, const char *details)
{
    return json_pack("{s:i,s:i,s:i,s:s}", "PendingFilesCount", pending, "FinishedFilesCount",
                     finished, "ErrorFilesCount", errors, "ErrorFilesDetails", details);
}

int ingest_normalize_parent(api_ctx_t *c, json_t *rec, const char *prop, const entity_set_t *set)
{
    char id[ENTITY_ID_MAX];
    const char *given = entity_str(rec, prop);

    if (given == NULL || entity_normalize_id(set, given, id) != 0
        || !catalog_exists(&c->txn, set->name, id)) {
        return api_fail(c, 400, "InvalidValue", "%s does not name an existing %s", prop, set->name);
    }
    json_object_set_new(rec, prop, json_string(id));
    return 0;
}

int ingest_delete_children(api_ctx_t *c, const entity_set_t *set, const char *id, const char *nav_name)
{
    const entity_nav_t *nav = entity_nav_find(set, nav_name);
    json_t *ids = entity_nav_ids(c, id, nav), *child;
    size_t i;
    int rc = 0;

    json_array_foreach(ids, i, child) {
        if (rc == 0) {
            rc = entity_delete(c, entity_set_find(nav->target), json_string_value(child));
        }
    }
    json_decref(ids);
    return rc;
}

/* The manifest's file records (new array). */
static json_t *manifest_files(api_ctx_t *c, const char *manifest_id)
{
    const entity_nav_t *nav = entity_nav_find(&entity_ingest_manifests, "IngestManifestFiles");
    json_t *ids = entity_nav_ids(c, manifest_id, nav), *id, *files = json_array();
    size_t i;

    json_array_foreach(ids, i, id) {
        json_t *rec = NULL;
        if (catalog_get(&c->txn, entity_ingest_manifest_files.name, json_string_value(id), &rec) == 0) {
            json_array_append_new(files, rec);
        }
    }
    json_decref(ids);
    return files;
}

bool ingest_file_named(api_ctx_t *c, const char *manifest_id, const char *name, json_t **out)
{
    json_t *files = manifest_files(c, manifest_id), *f;
    size_t i;
    bool found = false;

    json_array_foreach(files, i, f) {
        if (!found && strcmp(entity_str(f, "Name"), name) == 0) {
            found = true;
            if (out != NULL) {
                *out = json_incref(f);
            }
        }
    }
    json_decref(files);
    return found;
}

/* Appends "<name>: <detail>" to the details text (bounded). */
static void add_detail(char *details, const json_t *file)
{
    size_t len = strlen(details);
    snprintf(details + len, ERROR_DETAILS_MAX - len, "%s%s: %s", len > 0 ? "; " : "",
             entity_str(file, "Name"), entity_str(file, "ErrorDetail") ? entity_str(file, "ErrorDetail") : "error");
}

int ingest_manifest_refresh(api_ctx_t *c, const char *manifest_id, const char *exclude_file)
{
    json_t *manifest = NULL, *files, *f;
    int counts[3] = { 0, 0, 0 }, rc;
    char details[ERROR_DETAILS_MAX] = "";
    size_t i;

    if (entity_load(c, &entity_ingest_manifests, manifest_id, &manifest) != 0) {
        return -1;
    }
    files = manifest_files(c, manifest_id);
    json_array_foreach(files, i, f) {
        long long state = entity_int(f, "State", INGEST_FILE_PENDING);
        if (exclude_file != NULL && strcmp(entity_str(f, "Id"), exclude_file) == 0) {
            continue;
        }
        counts[state >= 0 && state <= 2 ? state : INGEST_FILE_ERROR]++;
        if (state == INGEST_FILE_ERROR) {
            add_detail(details, f);
        }
    }
    json_decref(files);
    json_object_set_new(manifest, "Statistics", ingest_statistics_new(counts[0], counts[1],
                                                                      counts[2], details));
    json_object_set_new(manifest, "State", json_integer(
        counts[0] + counts[1] + counts[2] == 0 ? INGEST_MANIFEST_INACTIVE
        : counts[0] > 0 ? INGEST_MANIFEST_ACTIVATED : INGEST_MANIFEST_FINISHED));
    rc = entity_save(c, &entity_ingest_manifests, manifest);
    json_decref(manifest);
    return rc;
}

/* The asset of the file's IngestManifestAsset, into asset_id. */
static int file_asset(api_ctx_t *c, const json_t *file, char *asset_id, size_t cap)
{
    json_t *ima = NULL;
    int rc = entity_load(c, &entity_ingest_manifest_assets,
                         entity_str(file, "ParentIngestManifestAssetId"), &ima);

    if (rc == 0) {
        snprintf(asset_id, cap, "%s", entity_str(ima, "AssetId") ? entity_str(ima, "AssetId") : "");
    }
    json_decref(ima);
    return rc;
}

/* Moves the blob into the asset: Finished, or Error naming why. */
static void move_into_asset(api_ctx_t *c, json_t *file, const char *from, const char *asset_id)
{
    char to[64], why[ENTITY_ID_MAX + 128];
    blob_status_t st = asset_container_name(asset_id, to, sizeof(to)) == 0
                       ? blob_move(c->app->cfg.media_root, from, entity_str(file, "Name"), to)
                       : BLOB_CONTAINER_NOT_FOUND;

    if (st == BLOB_OK && catalog_exists(&c->txn, "Assets", asset_id)
        && asset_register_files(c, asset_id) == 0) {
        json_object_set_new(file, "State", json_integer(INGEST_FILE_FINISHED));
        return;
    }
    snprintf(why, sizeof(why), "cannot move the file into asset %s (%s)", asset_id,
             st == BLOB_OK ? "the asset is gone" : blob_status_code(st));
    json_object_set_new(file, "State", json_integer(INGEST_FILE_ERROR));
    json_object_set_new(file, "ErrorDetail", json_string(why));
}

int ingest_file_try(api_ctx_t *c, json_t *file)
{
    char container[64], asset_id[ENTITY_ID_MAX];
    blob_info_t info;

    if (entity_int(file, "State", INGEST_FILE_PENDING) != INGEST_FILE_PENDING
        || ingest_container_name(entity_str(file, "ParentIngestManifestId"), container,
                                 sizeof(container)) != 0
        || blob_stat(c->app->cfg.media_root, container, entity_str(file, "Name"), &info) != BLOB_OK) {
        return 0;                          /* not there yet: stays Pending */
    }
    if (file_asset(c, file, asset_id, sizeof(asset_id)) != 0) {
        return -1;
    }
    move_into_asset(c, file, container, asset_id);
    return entity_save(c, &entity_ingest_manifest_files, file);
}

/* The manifest id of an ingest container name, or -1. */
static int manifest_of_container(const char *container, char out[ENTITY_ID_MAX])
{
    size_t n = strlen(INGEST_CONTAINER_PREFIX);
    char id[ENTITY_ID_MAX];

    if (strncmp(container, INGEST_CONTAINER_PREFIX, n) != 0) {
        return -1;
    }
    snprintf(id, sizeof(id), "%s%s", entity_ingest_manifests.id_prefix, container + n);
    return entity_normalize_id(&entity_ingest_manifests, id, out);
}

static int process_blob(api_ctx_t *c, const char *manifest_id, const char *name)
{
    json_t *file = NULL;
    int rc = 0;

    if (!catalog_exists(&c->txn, entity_ingest_manifests.name, manifest_id)
        || !ingest_file_named(c, manifest_id, name, &file)) {
        return 0;                          /* not (yet) listed: stays in the container */
    }
    rc = ingest_file_try(c, file);
    json_decref(file);
    return rc == 0 ? ingest_manifest_refresh(c, manifest_id, NULL) : rc;
}

void ingest_blob_committed(app_t *app, const char *container, const char *name)
{
    api_ctx_t c = { .app = app, .now_ms = time_now_ms(), .fmt = ODATA_MINIMAL };
    char manifest_id[ENTITY_ID_MAX];
    int rc;

    if (manifest_of_container(container, manifest_id) != 0
        || catalog_begin(app->store, true, &c.txn) != 0) {
        return;
    }
    if (process_blob(&c, manifest_id, name) != 0) {
        log_warn("ingest %s/%s: %s", container, name, c.err.message);
        catalog_abort(&c.txn);
    } else if ((rc = catalog_commit(&c.txn)) != 0) {
        log_error("ingest %s/%s: commit failed: %s", container, name, mdb_strerror(rc));
    } else {
        api_after_commit_run(&c);
    }
    api_ctx_release(&c);
}

bool ingest_container_manifest(const char *container, char *manifest_id)
{
    return manifest_of_container(container, manifest_id) == 0;
}
