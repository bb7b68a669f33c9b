/*
 * key_file.h — private files holding key material in the daemon's key
 * directory: read only when they are regular, owner-only (no group/other
 * permission bits) and small; create atomically with mode 0600 and never
 * replace an existing file.
 */
#ifndef KEY_FILE_H
#define KEY_FILE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    KEY_FILE_OK = 0,
    KEY_FILE_ABSENT = 1,     /* read: no such file; create: --        */
    KEY_FILE_EXISTS = 2,     /* create: another process made it first */
    KEY_FILE_FAILED = -1     /* err says why                          */
} key_file_result_t;

/* Creates dir (mode 0700) unless it already is a directory. */
key_file_result_t key_dir_ensure(const char *dir, char *err, size_t errlen);

/* Joins dir and name into out; KEY_FILE_FAILED when it does not fit. */
key_file_result_t key_path_join(const char *dir, const char *name, char *out,
                                size_t outlen, char *err, size_t errlen);

/* Reads the whole file into buf.  KEY_FILE_ABSENT when it does not exist;
 * KEY_FILE_FAILED when it is not a regular file, is readable or writable by
 * group/others, is larger than cap, or cannot be read. */
key_file_result_t key_file_read_private(const char *path, uint8_t *buf, size_t cap,
                                        size_t *len, char *err, size_t errlen);

/* Writes data to a fresh 0600 temporary file next to path, syncs it and links
 * it to path, so path appears complete or not at all.  KEY_FILE_EXISTS when
 * path already exists (it is left untouched). */
key_file_result_t key_file_create_private(const char *path, const uint8_t *data,
                                          size_t len, char *err, size_t errlen);

/* Formats into err if it is non-NULL (printf-style). */
void key_set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
