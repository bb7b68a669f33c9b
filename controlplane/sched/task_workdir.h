/*
 * task_workdir.h — a task's private work directory <work_dir>/<task guid>/
 * holding "config" (the task's Configuration verbatim) and "out/" (the
 * encoder's output dir): made fresh for each run, moved into the output
 * asset's container on success, removed afterwards.
 */
#ifndef TASK_WORKDIR_H
#define TASK_WORKDIR_H

#include <stddef.h>

#define TASK_WORKDIR_MAX 1200

typedef struct {
    char dir[TASK_WORKDIR_MAX];
    char config[TASK_WORKDIR_MAX + 8];
    char out[TASK_WORKDIR_MAX + 8];
} task_workdir_t;

void task_workdir_paths(const char *work_root, const char *task_guid, task_workdir_t *w);
/* Removes any leftover, then creates dir, out/ and the config file. 0/-1 (err). */
int  task_workdir_create(const task_workdir_t *w, const char *config, char *err, size_t cap);
/* Removes the whole directory tree (missing is fine). */
void task_workdir_remove(const char *dir);
/* Moves every file of out/ into dest_dir (rename, or copy across file
 * systems), durably: each file is fsync'ed before it is renamed (a copy
 * before it is closed), and dest_dir after the last one, so a task
 * committed Finished never lists files whose bytes a power loss could take.
 * 0, or -1 with err. */
int  task_workdir_move_outputs(const task_workdir_t *w, const char *dest_dir, char *err,
                               size_t cap);

#endif
