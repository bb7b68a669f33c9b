/*
 * blob_sweep.c — removes stale temp files, stale staged blocks and the
 * remains of interrupted container deletions.
 */
#include "blob_sweep.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob_fs.h"
#include "blob_names.h"
#include "blob_staging.h"

static blob_status_t first_error(blob_status_t so_far, blob_status_t st)
{
    if (st == BLOB_NOT_FOUND)
        st = BLOB_OK;               /* gone meanwhile: fine */
    return so_far != BLOB_OK ? so_far : st;
}

/* Removes the entries of dir_fd/subdir last modified before `before`. */
static blob_status_t sweep_entries_older(int dir_fd, const char *subdir, time_t before)
{
    int sub_fd = -1;
    blob_status_t st = blob_fs_open_subdir(dir_fd, subdir, false, &sub_fd);
    if (st != BLOB_OK)
        return st;
    DIR *dir = blob_fs_opendir(sub_fd);
    if (dir == NULL) {
        close(sub_fd);
        return BLOB_IO;
    }
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        struct stat sb;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (fstatat(sub_fd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && sb.st_mtime < before)
            st = first_error(st, blob_fs_remove_tree(sub_fd, e->d_name));
    }
    closedir(dir);
    close(sub_fd);
    return st;
}

static blob_status_t sweep_container(int root_fd, const char *container, time_t incoming_before,
                                     time_t staged_before)
{
    int dir_fd = -1;
    blob_status_t st = blob_fs_open_subdir(root_fd, container, false, &dir_fd);
    if (st != BLOB_OK)
        return st;
    st = first_error(BLOB_OK, sweep_entries_older(dir_fd, BLOB_INCOMING_DIR, incoming_before));
    st = first_error(st, sweep_entries_older(dir_fd, BLOB_BLOCKS_DIR, staged_before));
    close(dir_fd);
    return st;
}

static blob_status_t sweep_root_entry(int root_fd, const char *name, time_t incoming_before,
                                      time_t staged_before)
{
    if (strncmp(name, BLOB_DELETING_PREFIX, strlen(BLOB_DELETING_PREFIX)) == 0)
        return blob_fs_remove_tree(root_fd, name);
    if (blob_container_name_ok(name))
        return sweep_container(root_fd, name, incoming_before, staged_before);
    return BLOB_OK;
}

blob_status_t blob_sweep(const char *root, time_t incoming_before, time_t staged_before)
{
    int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return BLOB_IO;
    DIR *dir = blob_fs_opendir(root_fd);
    if (dir == NULL) {
        close(root_fd);
        return BLOB_IO;
    }
    blob_status_t st = BLOB_OK;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        st = first_error(st, sweep_root_entry(root_fd, e->d_name, incoming_before, staged_before));
    closedir(dir);
    close(root_fd);
    return st;
}
