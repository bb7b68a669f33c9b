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

typedef struct {
    time_t        before;       /* remove entries last modified before this */
    blob_status_t first;        /* the first failure; the sweep goes on */
} older_t;

static blob_status_t remove_if_older(int dir_fd, const char *name, void *arg)
{
    older_t *o = arg;
    struct stat sb;
    if (fstatat(dir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && sb.st_mtime < o->before)
        o->first = first_error(o->first, blob_fs_remove_tree(dir_fd, name));
    return BLOB_OK;
}

/* Removes the entries of dir_fd/subdir last modified before `before`. */
static blob_status_t sweep_entries_older(int dir_fd, const char *subdir, time_t before)
{
    int sub_fd = -1;
    blob_status_t st = blob_fs_open_subdir(dir_fd, subdir, false, &sub_fd);
    if (st != BLOB_OK)
        return st;
    older_t o = { before, BLOB_OK };
    st = first_error(blob_fs_each_entry(sub_fd, remove_if_older, &o), o.first);
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

typedef struct {
    time_t        incoming_before, staged_before;
    blob_status_t first;        /* the first failure; the sweep goes on */
} sweep_t;

static blob_status_t sweep_root_entry(int root_fd, const char *name, void *arg)
{
    sweep_t *w = arg;
    blob_status_t st = BLOB_OK;
    if (strncmp(name, BLOB_DELETING_PREFIX, strlen(BLOB_DELETING_PREFIX)) == 0)
        st = blob_fs_remove_tree(root_fd, name);
    else if (blob_container_name_ok(name))
        st = sweep_container(root_fd, name, w->incoming_before, w->staged_before);
    w->first = first_error(w->first, st);
    return BLOB_OK;
}

blob_status_t blob_sweep(const char *root, time_t incoming_before, time_t staged_before)
{
    int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return BLOB_IO;
    sweep_t w = { incoming_before, staged_before, BLOB_OK };
    blob_status_t st = first_error(blob_fs_each_entry(root_fd, sweep_root_entry, &w), w.first);
    close(root_fd);
    return st;
}
