/*
 * task_storage_keys.c — a task's storage-encrypted inputs (see the header):
 * each file's fields checked as the API checks them, its StorageEncryption
 * key opened with the master key, the line written for the encoder.
 */
#include "sched/task_storage_keys.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/storage_file_check.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
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
