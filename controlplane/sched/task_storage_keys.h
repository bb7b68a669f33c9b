/*
 * task_storage_keys.h — the clear keys of a task's storage-encrypted input
 * files, handed to the encoder in <work dir>/storage-keys (mode 0600, in the
 * task's private work dir, removed with it): one line per encrypted input,
 *   <input index> <64 hex digits: the AES-256 key> <decimal IV>
 * The encoder decrypts those inputs into its work dir before reading them.
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

/* lines into path (0600).  0, or -1 with why. */
int task_storage_keys_write(const char *path, const json_t *lines, char *why, size_t cap);

#endif
