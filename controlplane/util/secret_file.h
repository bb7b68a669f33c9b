/*
 * secret_file.h — small random secrets kept in files under the data
 * directory (mode 0600): created once, loaded on every later start.
 */
#ifndef SECRET_FILE_H
#define SECRET_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Loads exactly len bytes from path, creating the file with random bytes if
 * it does not exist (durably: file and folder fsync'ed).  A file of another
 * size, one not owned by the process's user or one with any group or other
 * permission is an error (never used, never overwritten). */
int secret_file_load_or_create(const char *path, uint8_t *out, size_t len, char *err, size_t errlen);

#endif
