/*
 * task_storage_keys.c — a task's storage-encrypted inputs (see the header):
 * each file's fields checked as the API checks them, its StorageEncryption
 * key opened with the master key, the line written for the encoder.
 */
#include "sched/task_storage_keys.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/origin_keys.h"
#include "entities/storage_file_check.h"
#include "keys/key_checksum.h"
#include "keys/key_status.h"
#include "keys/protection_key.h"
#include "util/text_codec.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STORAGE_KEY_BYTES 32

int task_storage_key_line(api_ctx_t *c, const char *file_id, size_t index, json_t *lines,
                          char *why, size_t cap)
{
    json_t *file = NULL, *key = NULL;
    uint8_t raw[64];
    char line[128];
    size_t len = 0;
    uint64_t iv = 0;
    int rc = 0, n;

    if (catalog_get(&c->txn, "Files", file_id, &file) != 0
        || !json_is_true(json_object_get(file, "IsEncrypted"))) {
        json_decref(file);
        return 0;
    }
    if (storage_file_check(c, file, &iv, &key) != 0) {
        snprintf(why, cap, "input file '%s' is storage-encrypted: %s", entity_str(file, "Name"),
                 c->err.message);
        memset(&c->err, 0, sizeof(c->err));   /* a task error, not a failed transaction */
        rc = -1;
    } else if (content_key_open(c, key, raw, sizeof(raw), &len) != 0 || len != STORAGE_KEY_BYTES) {
        snprintf(why, cap, "input file '%s' is storage-encrypted but its key %s cannot be opened",
                 entity_str(file, "Name"), entity_str(key, "Id"));
        memset(&c->err, 0, sizeof(c->err));
        rc = -1;
    } else {
        n = snprintf(line, sizeof(line), "%zu ", index);
        for (size_t i = 0; i < STORAGE_KEY_BYTES; i++) {
            n += snprintf(line + n, sizeof(line) - (size_t) n, "%02x", raw[i]);
        }
        snprintf(line + n, sizeof(line) - (size_t) n, " %llu", (unsigned long long) iv);
        json_array_append_new(lines, json_string(line));
    }
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(line, sizeof(line));
    json_decref(key);
    json_decref(file);
    return rc;
}

static void hex_line(char *line, size_t cap, const char *prefix, const uint8_t *key)
{
    int n = snprintf(line, cap, "%s", prefix);
    for (size_t i = 0; i < STORAGE_KEY_BYTES; i++) {
        n += snprintf(line + n, cap - (size_t) n, "%02x", key[i]);
    }
}

/* A new StorageEncryption key for asset_id, as a client would have posted
 * it (wrapped with the protection key, .NET checksum), linked to it. */
static json_t *new_output_key(api_ctx_t *c, const char *asset_id, uint8_t key[STORAGE_KEY_BYTES])
{
    const entity_nav_t *nav = entity_nav_find(&entity_assets, "ContentKeys");
    char guid[UUID_TEXT_LEN + 1], id[64], sum[CONTENT_KEY_CHECKSUM_LEN + 1], *wrapped = NULL;
    json_t *rec = NULL;

    if (RAND_bytes(key, STORAGE_KEY_BYTES) != 1 || uuid_v4_text(guid) != 0
        || content_key_checksum(key, STORAGE_KEY_BYTES, guid, sum) != KEY_OK
        || protection_key_wrap(c->app->protection_key, key, STORAGE_KEY_BYTES, &wrapped) != KEY_OK) {
        free(wrapped);
        return NULL;
    }
    snprintf(id, sizeof(id), "nb:kid:UUID:%s", guid);
    rec = json_pack("{s:s,s:i,s:s,s:s,s:i,s:s,s:s}", "Id", id, "ContentKeyType", 1,
                    "EncryptedContentKey", wrapped, "ProtectionKeyId",
                    protection_key_id(c->app->protection_key), "ProtectionKeyType", 0,
                    "Checksum", sum, "Name", "StorageEncryption of job output");
    free(wrapped);
    if (rec == NULL || entity_insert(c, &entity_content_keys, rec) != 0
        || nav == NULL || entity_link(c, &entity_assets, asset_id, nav, id, true) != 0) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}

int task_storage_output_line(api_ctx_t *c, const json_t *task, json_t *lines, char *why,
                             size_t cap)
{
    const char *asset_id = json_string_value(json_array_get(json_object_get(task, "_OutputAssetIds"), 0));
    json_t *asset = NULL, *key = NULL;
    uint8_t raw[CONTENT_KEY_MAX];
    char line[128];
    size_t len = STORAGE_KEY_BYTES;
    int rc = 0;

    if (asset_id == NULL || catalog_get(&c->txn, "Assets", asset_id, &asset) != 0
        || entity_int(asset, "Options", 0) != 1) {
        json_decref(asset);
        return 0;
    }
    key = origin_asset_key(c, asset_id, 1);
    if (key != NULL ? content_key_open(c, key, raw, sizeof(raw), &len) != 0
                    : (key = new_output_key(c, asset_id, raw)) == NULL) {
        snprintf(why, cap, "cannot make the StorageEncryption key of output asset %s: %s",
                 asset_id, c->err.message);
        rc = -1;
    } else if (len != STORAGE_KEY_BYTES) {
        snprintf(why, cap, "the StorageEncryption key of output asset %s is not 32 bytes", asset_id);
        rc = -1;
    } else {
        hex_line(line, sizeof(line), "out ", raw);
        json_array_append_new(lines, json_string(line));
    }
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(line, sizeof(line));
    json_decref(key);
    json_decref(asset);
    return rc;
}

typedef struct {
    api_ctx_t  *c;
    const char *name;
    const char *iv;
    const char *kid;
    int         found;
} mark_walk_t;

static int mark_file(const char *file_id, void *arg)
{
    mark_walk_t *w = arg;
    json_t *rec = NULL;
    const char *name;

    if (catalog_get(&w->c->txn, "Files", file_id, &rec) != 0) {
        return 0;
    }
    name = entity_str(rec, "Name");
    if (name != NULL && strcmp(name, w->name) == 0) {
        json_object_set_new(rec, "IsEncrypted", json_true());
        json_object_set_new(rec, "EncryptionScheme", json_string("StorageEncryption"));
        json_object_set_new(rec, "EncryptionVersion", json_string("1.0"));
        json_object_set_new(rec, "InitializationVector", json_string(w->iv));
        json_object_set_new(rec, "EncryptionKeyId", json_string(w->kid));
        w->found = entity_save(w->c, &entity_files, rec) == 0 ? 1 : -1;
    }
    json_decref(rec);
    return w->found != 0;
}

int task_storage_mark_outputs(api_ctx_t *c, const char *work_dir, const char *asset_id,
                              char *why, size_t cap)
{
    char path[4096], line[512], name[300], iv[32];
    json_t *key;
    FILE *f;
    int rc = 0;

    snprintf(path, sizeof(path), "%s/storage-ivs", work_dir);
    f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    key = origin_asset_key(c, asset_id, 1);
    if (key == NULL) {
        snprintf(why, cap, "the output asset lost its StorageEncryption key");
        rc = -1;
    }
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        mark_walk_t w = { c, name, iv, entity_str(key, "Id"), 0 };
        if (sscanf(line, "%299s %31s", name, iv) != 2) {
            continue;
        }
        catalog_each_link(&c->txn, asset_id, "Files", mark_file, &w);
        if (w.found != 1) {
            snprintf(why, cap, "output '%s' is encrypted but has no Files row", name);
            rc = -1;
        }
    }
    fclose(f);
    json_decref(key);
    return rc;
}

int task_storage_keys_write(const char *path, const json_t *lines, char *why, size_t cap)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t i;
    json_t *l;
    int rc = 0;

    if (fd < 0) {
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    json_array_foreach(lines, i, l) {
        const char *s = json_string_value(l);
        if (write(fd, s, strlen(s)) != (ssize_t) strlen(s) || write(fd, "\n", 1) != 1) {
            snprintf(why, cap, "%s: %s", path, strerror(errno));
            rc = -1;
            break;
        }
    }
    if (close(fd) != 0 && rc == 0) {
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

void task_storage_keys_free(json_t *lines)
{
    size_t i;
    json_t *l;

    json_array_foreach(lines, i, l) {
        char *s = (char *) json_string_value(l);
        if (s != NULL) {
            OPENSSL_cleanse(s, strlen(s));
        }
    }
    json_decref(lines);
}
