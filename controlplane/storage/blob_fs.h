/*
 * blob_fs.h — the filesystem primitives under the blob store: directory fds
 * relative to which every name is resolved (no symlinks followed), durable
 * writes, random temp names and recursive removal.  Errors become BLOB_IO
 * unless a caller maps a specific errno.
 */
#ifndef BLOB_FS_H
#define BLOB_FS_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

#include "blob_status.h"

/* Temp files of bodies being received, inside each container. */
#define BLOB_INCOMING_DIR ".incoming"
/* 32 hex digits + NUL. */
#define BLOB_RANDOM_NAME_SIZE 33

/* Opens <root>/<container> (validated) as a directory: BLOB_BAD_NAME,
 * BLOB_CONTAINER_NOT_FOUND or BLOB_IO. */
blob_status_t blob_fs_open_container(const char *root, const char *container, int *dir_fd);

/* Opens subdirectory `name` of dir_fd.  With create, makes it if missing and
 * then fsyncs dir_fd so the new entry is durable.  Without create, a missing
 * directory gives BLOB_NOT_FOUND. */
blob_status_t blob_fs_open_subdir(int dir_fd, const char *name, bool create, int *sub_fd);

/* fsync(fd) as a status. */
blob_status_t blob_fs_sync(int fd);

/* Writes all of data or fails (EINTR and short writes retried). */
blob_status_t blob_fs_write_all(int fd, const void *data, size_t len);

/* Reads up to cap bytes (EINTR and short reads retried until EOF or cap). */
blob_status_t blob_fs_read_full(int fd, void *buf, size_t cap, size_t *got);

/* 128 random bits as hex: a name no one else will pick. */
blob_status_t blob_fs_random_name(char out[BLOB_RANDOM_NAME_SIZE]);

/* Creates a new, empty file with a random name in dir_fd for writing. */
blob_status_t blob_fs_create_temp(int dir_fd, char name[BLOB_RANDOM_NAME_SIZE], int *fd);

/* Removes `name` in dir_fd, recursively if it is a directory, never following
 * symlinks.  A missing name gives BLOB_NOT_FOUND. */
blob_status_t blob_fs_remove_tree(int dir_fd, const char *name);

/* A fresh directory stream over dir_fd's directory (its own position;
 * dir_fd stays open and untouched); NULL on failure.  closedir() it. */
DIR *blob_fs_opendir(int dir_fd);

/* Calls fn(dir_fd, name, arg) for every entry of dir_fd's directory but "."
 * and "..", until fn returns something else than BLOB_OK (returned).  A
 * failing opendir/readdir gives BLOB_IO. */
typedef blob_status_t (*blob_fs_entry_fn)(int dir_fd, const char *name, void *arg);
blob_status_t blob_fs_each_entry(int dir_fd, blob_fs_entry_fn fn, void *arg);

/* close() that reports failure; fd < 0 is a no-op. */
blob_status_t blob_fs_close(int fd);

#endif
