/*
 * api_functions.c — the service operations of the API that are not entity
 * sets (CreateFileInfos, …) and the service document.  One table row per
 * function; each runs inside the router's transaction.
 */
#include "api/api_handlers.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "odata/odata_render.h"
#include "keys/protection_key.h"
#include "storage/blob_store.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

/* Reads a quoted function argument ('…'), 400 if missing or malformed. */
static int function_arg(api_ctx_t *c, const char *name, char *out, size_t cap)
{
    const char *v = http_arg(c->req, name);

    if (v == NULL) {
        /* AMS clients vary the case of argument names */
        char alt[64];
        snprintf(alt, sizeof(alt), "%s", name);
        for (char *p = alt; *p; p++) *p = (char) ((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        v = http_arg(c->req, alt);
    }
    if (v == NULL || odata_unquote(v, out, cap) != 0 || out[0] == '\0') {
        return api_fail(c, 400, "MissingArgument", "argument %s='…' is required", name);
    }
    return 0;
}

static const char *mime_type_of(const char *name)
{
    static const struct { const char *ext, *type; } types[] = {
        { ".mp4", "video/mp4" }, { ".m4a", "audio/mp4" }, { ".m4v", "video/mp4" },
        { ".mov", "video/quicktime" }, { ".ism", "application/octet-stream" },
        { ".ismc", "application/octet-stream" }, { ".mkv", "video/x-matroska" },
        { ".ts", "video/mp2t" }, { ".wav", "audio/wav" }, { ".mp3", "audio/mpeg" },
        { ".jpg", "image/jpeg" }, { ".png", "image/png" }, { ".vtt", "text/vtt" },
        { ".json", "application/json" }, { ".xml", "application/xml" },
    };
    const char *dot = strrchr(name, '.');

    for (size_t i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcasecmp(dot, types[i].ext) == 0) {
            return types[i].type;
        }
    }
    return "application/octet-stream";
}

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
                    "ContentFileSize", size_text, "MimeType", mime_type_of(name), "IsPrimary",
                    primary);
    rc = entity_insert(fi->c, &entity_files, rec);
    json_decref(rec);
    return rc;
}

static http_response_t *create_file_infos(api_ctx_t *c)
{
    char arg[ENTITY_ID_MAX], container[64];
    json_t *asset = NULL, *b;
    file_infos_t fi = { c, NULL, json_object(), json_array() };
    const char *primary;
    blob_status_t st;
    size_t i;
    http_response_t *r = NULL;

    if (function_arg(c, "assetid", arg, sizeof(arg)) != 0 || entity_load(c, &entity_assets, arg, &asset) != 0) {
        goto done;
    }
    fi.asset_id = entity_str(asset, "Id");
    asset_container_name(fi.asset_id, container, sizeof(container));
    catalog_each_link(&c->txn, fi.asset_id, "Files", remember_file, &fi);
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
    r = odata_respond_empty(c, 204);
done:
    json_decref(asset);
    json_decref(fi.existing);
    json_decref(fi.blobs);
    return r;
}

/* A function's string result: {"d":{"<Name>":v}} or {"odata.metadata":…,"value":v}. */
static http_response_t *string_result(api_ctx_t *c, const char *name, const char *value)
{
    if (c->fmt == ODATA_VERBOSE) {
        return odata_respond_json(c, 200, json_pack("{s:{s:s}}", "d", name, value));
    }
    return odata_respond_json(c, 200, json_pack("{s:s+,s:s}", "odata.metadata",
                                                c->app->cfg.api_url, "$metadata#Edm.String",
                                                "value", value));
}

static http_response_t *get_protection_key_id(api_ctx_t *c)
{
    const char *type = http_arg(c->req, "contentKeyType");
    char *end;
    long t;

    if (type == NULL) {
        api_fail(c, 400, "MissingArgument", "argument contentKeyType=N is required");
        return NULL;
    }
    t = strtol(type, &end, 10);
    if (*end != '\0' || t < 0 || t > 8 || t == 5) {
        api_fail(c, 400, "InvalidArgument", "unknown contentKeyType %s", type);
        return NULL;
    }
    return string_result(c, "GetProtectionKeyId", protection_key_id(c->app->protection_key));
}

static http_response_t *get_protection_key(api_ctx_t *c)
{
    char id[256];

    if (function_arg(c, "ProtectionKeyId", id, sizeof(id)) != 0) {
        return NULL;
    }
    if (!protection_key_id_matches(c->app->protection_key, id)) {
        api_fail(c, 404, "ResourceNotFound", "no protection key '%s'", id);
        return NULL;
    }
    return string_result(c, "GetProtectionKey", protection_key_cert_base64(c->app->protection_key));
}

static const api_function_t functions[] = {
    { "CreateFileInfos", "GET", true, create_file_infos },
    { "GetProtectionKeyId", "GET", false, get_protection_key_id },
    { "GetProtectionKey", "GET", false, get_protection_key },
    { NULL, NULL, false, NULL },
};

const api_function_t *api_functions_all(void)
{
    return functions;
}

const api_function_t *api_function_find(const char *name)
{
    for (const api_function_t *f = functions; f->name != NULL; f++) {
        if (strcmp(f->name, name) == 0) {
            return f;
        }
    }
    return NULL;
}

http_response_t *api_service_document(api_ctx_t *c)
{
    json_t *sets = json_array();

    for (const entity_set_t *const *s = entity_sets_all(); *s != NULL; s++) {
        if (c->fmt == ODATA_VERBOSE) {
            json_array_append_new(sets, json_string((*s)->name));
        } else {
            json_array_append_new(sets, json_pack("{s:s,s:s}", "name", (*s)->name, "url", (*s)->name));
        }
    }
    if (c->fmt == ODATA_VERBOSE) {
        return odata_respond_json(c, 200, json_pack("{s:{s:o}}", "d", "EntitySets", sets));
    }
    return odata_respond_json(c, 200, json_pack("{s:s,s:o}", "odata.metadata",
                                                c->app->cfg.api_url, "value", sets));
}
