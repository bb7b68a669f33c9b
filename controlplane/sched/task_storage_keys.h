/*
 * task_storage_keys.h — the clear keys of a task's storage-encrypted input
 * files, handed to the encoder in <work dir>/storage-keys (mode 0600, in the
 * task's private work dir, removed with it): one line per encrypted input,
 *   <input index> <64 hex digits: the AES-256 key> <decimal IV>
 * The encoder decrypts those inputs into its work dir before reading them.
 * A task whose output asset is storage-encrypted (Options 1) gets
 *   out <64 hex digits>
 * the asset's StorageEncryption key, made here (a ContentKey of type 1,
 * wrapped with the protection key and sealed like a client's, linked to the
 * asset); the encoder encrypts every output with it and a random IV each,
 * listed in <work dir>/storage-ivs as "<file name> <decimal IV>", from which
 * the Files rows get IsEncrypted, the IV and the key id when the task ends.
 */
#ifndef TASK_STORAGE_KEYS_H
#define TASK_STORAGE_KEYS_H

#include "api/api_context.h"

#include <stddef.h>

/* The line of input number index (file record file_id) into lines (a JSON
 * array of strings) when the file is storage-encrypted.  0, or -1 with why
 * (a bad field, a key that is gone or cannot be opened). */
int task_storage_key_line(api_ctx_t *c, const char *file_id, size_t index, json_t *lines,
                          char *why, size_t cap);

/* The "out" line into lines when the task's first output asset has Options
 * 1 (the asset's StorageEncryption key, created and linked when it has
 * none).  0, or -1 with why. */
int task_storage_output_line(api_ctx_t *c, const json_t *task, json_t *lines, char *why,
                             size_t cap);

/* After the outputs are registered: the Files rows of asset_id named in
 * <work_dir>/storage-ivs marked storage-encrypted with their IVs and the
 * asset's key.  No such file: nothing to do.  0, or -1 with why. */
int task_storage_mark_outputs(api_ctx_t *c, const char *work_dir, const char *asset_id,
                              char *why, size_t cap);

/* lines into path (0600).  0, or -1 with why. */
int task_storage_keys_write(const char *path, const json_t *lines, char *why, size_t cap);

/* The key text in lines wiped, then lines released. */
void task_storage_keys_free(json_t *lines);

#endif
