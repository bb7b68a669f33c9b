/*
 * task_workdir.c — a task's work directory (see task_workdir.h).
 */
#define _GNU_SOURCE
#include "sched/task_workdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

void task_workdir_paths(const char *work_root, const char *task_guid, task_workdir_t *w)
{
    snprintf(w->dir, sizeof(w->dir), "%s/%s", work_root, task_guid);
    snprintf(w->config, sizeof(w->config), "%s/config", w->dir);
    snprintf(w->out, sizeof(w->out), "%s/out", w->dir);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    remove(path);
    return 0;
}

void task_workdir_remove(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int write_all(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    size_t len = strlen(text);
    int rc;

    if (f == NULL) {
        return -1;
    }
    rc = fwrite(text, 1, len, f) == len ? 0 : -1;
    return fclose(f) == 0 ? rc : -1;
}

int task_workdir_create(const task_workdir_t *w, const char *config, char *err, size_t cap)
{
    task_workdir_remove(w->dir);
    if (mkdir(w->dir, 0750) != 0 || mkdir(w->out, 0750) != 0
        || write_all(w->config, config) != 0) {
        snprintf(err, cap, "cannot prepare the work directory %s: %s", w->dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out;
    struct stat st;
    off_t off = 0;
    int rc = -1;

    if (in < 0) {
        return -1;
    }
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (out >= 0 && fstat(in, &st) == 0) {
        rc = 0;
        while (off < st.st_size) {
            if (sendfile(out, in, &off, (size_t) (st.st_size - off)) <= 0) {
                rc = -1;
                break;
            }
        }
        if (rc == 0 && fsync(out) != 0) {
            rc = -1;
        }
    }
    if (out >= 0 && close(out) != 0) {
        rc = -1;
    }
    close(in);
    return rc == 0 ? unlink(from) : -1;
}

/* fsync of a file or folder by path. */
static int sync_path(const char *path, int flags)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | flags), rc;

    if (fd < 0) {
        return -1;
    }
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* One output: its bytes made durable where the encoder wrote them, then
 * renamed (or copied, durably) into dest. */
static int move_one(const char *from, const char *to)
{
    if (sync_path(from, 0) != 0) {
        return -1;
    }
    return rename(from, to) == 0 || (errno == EXDEV && copy_file(from, to) == 0) ? 0 : -1;
}

int task_workdir_move_outputs(const task_workdir_t *w, const char *dest_dir, char *err, size_t cap)
{
    DIR *d = opendir(w->out);
    struct dirent *e;
    char from[TASK_WORKDIR_MAX + 300], to[TASK_WORKDIR_MAX + 300];
    int rc = 0;

    if (d == NULL) {
        snprintf(err, cap, "cannot read %s: %s", w->out, strerror(errno));
        return -1;
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(from, sizeof(from), "%s/%s", w->out, e->d_name);
        snprintf(to, sizeof(to), "%s/%s", dest_dir, e->d_name);
        if (move_one(from, to) != 0) {
            snprintf(err, cap, "cannot move %s into %s: %s", e->d_name, dest_dir, strerror(errno));
            rc = -1;
        }
    }
    closedir(d);
    /* the new names: durable before the task is committed Finished */
    if (rc == 0 && sync_path(dest_dir, O_DIRECTORY) != 0) {
        snprintf(err, cap, "cannot sync %s: %s", dest_dir, strerror(errno));
        rc = -1;
    }
    return rc;
}
