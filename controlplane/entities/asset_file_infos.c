/*
 * asset_file_infos.c — Files rows from what is in an asset's container:
 * sizes, MIME types, the primary file (the .ism, else the only file).
 * Used by CreateFileInfos and by the job scheduler for task outputs.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "storage/blob_mime.h"
#include "storage/blob_store.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct {
    api_ctx_t  *c;
    const char *asset_id;
    json_t     *existing;   /* name -> file record */
    json_t     *blobs;      /* [[name, size], …] */
} file_infos_t;

static int remember_file(const char *to, void *arg)
{
    file_infos_t *fi = arg;
    json_t *rec = NULL;

    if (catalog_get(&fi->c->txn, "Files", to, &rec) == 0 && entity_str(rec, "Name") != NULL) {
        json_object_set_new(fi->existing, entity_str(rec, "Name"), rec);
    } else {
        json_decref(rec);
    }
    return 0;
}

static int remember_blob(const char *name, const blob_info_t *info, void *arg)
{
    file_infos_t *fi = arg;
    json_array_append_new(fi->blobs, json_pack("[sI]", name, (json_int_t) info->size));
    return 0;
}

static bool has_primary(const json_t *existing)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *) existing, k, v) {
        if (json_is_true(json_object_get(v, "IsPrimary"))) {
            return true;
        }
    }
    return false;
}

static bool is_ism(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot != NULL && strcasecmp(dot, ".ism") == 0;
}

/* The primary file: the .ism if there is one, else the only file. */
static const char *choose_primary(const json_t *blobs)
{
    size_t i;
    json_t *b;

    json_array_foreach(blobs, i, b) {
        if (is_ism(json_string_value(json_array_get(b, 0)))) {
            return json_string_value(json_array_get(b, 0));
        }
    }
    return json_array_size(blobs) == 1 ? json_string_value(json_array_get(json_array_get(blobs, 0), 0))
                                       : NULL;
}

static int register_blob(file_infos_t *fi, const char *name, json_int_t size, bool primary)
{
    json_t *rec = json_object_get(fi->existing, name);
    char size_text[32];
    int rc;

    snprintf(size_text, sizeof(size_text), "%lld", (long long) size);
    if (rec != NULL) {
        json_object_set_new(rec, "ContentFileSize", json_string(size_text));
        if (primary) {
            json_object_set_new(rec, "IsPrimary", json_true());
        }
        return entity_save(fi->c, &entity_files, rec);
    }
    rec = json_pack("{s:s,s:s,s:s,s:s,s:b}", "Name", name, "ParentAssetId", fi->asset_id,
                    "ContentFileSize", size_text, "MimeType", blob_mime_type(name), "IsPrimary",
                    primary);
    rc = entity_insert(fi->c, &entity_files, rec);
    json_decref(rec);
    return rc;
}


int asset_register_files(api_ctx_t *c, const char *asset_id)
{
    char container[64];
    json_t *b;
    file_infos_t fi = { c, asset_id, json_object(), json_array() };
    const char *primary;
    blob_status_t st;
    size_t i;
    int rc = -1;

    if (asset_container_name(asset_id, container, sizeof(container)) != 0) {
        api_fail(c, 500, "InternalError", "bad asset id");
        goto done;
    }
    catalog_each_link(&c->txn, asset_id, "Files", remember_file, &fi);
    st = blob_list(c->app->cfg.media_root, container, remember_blob, &fi);
    if (st != BLOB_OK && st != BLOB_NOT_FOUND) {
        api_fail(c, 500, "StorageError", "cannot list the asset's storage (%s)", blob_status_code(st));
        goto done;
    }
    primary = has_primary(fi.existing) ? NULL : choose_primary(fi.blobs);
    json_array_foreach(fi.blobs, i, b) {
        const char *name = json_string_value(json_array_get(b, 0));
        bool is_primary = primary != NULL && strcmp(name, primary) == 0;
        if (register_blob(&fi, name, json_integer_value(json_array_get(b, 1)), is_primary) != 0) {
            goto done;
        }
    }
    rc = 0;
done:
    json_decref(fi.existing);
    json_decref(fi.blobs);
    return rc;
}
