/*
 * sched_start.c — starting one queued task: its inputs (the files of its
 * input assets, primary first; a v3 job's JobInputAsset `files` only, in
 * their order, from the job's _InputFiles; a v3 JobInputHttp's URLs from its
 * _InputUrls instead, fetched by the encoder), a fresh work dir, the encoder process, and
 * the state changes Queued → Scheduled → Processing of the task (and of its
 * job) committed together with the process id.
 */
#include "sched/sched_internal.h"
#include "daemon/daemon_log.h"
#include "entities/entity_sets.h"
#include "jobs/job_state.h"
#include "jobs/processor_config.h"
#include "sched/job_lifecycle.h"
#include "sched/task_storage_keys.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

typedef struct {
    api_ctx_t *c;
    json_t    *files;        /* [[primary?, name, file id], …] */
} file_walk_t;

static int collect_file(const char *to, void *arg)
{
    file_walk_t *w = arg;
    json_t *rec = NULL;

    if (catalog_get(&w->c->txn, "Files", to, &rec) == 0 && entity_str(rec, "Name") != NULL) {
        json_array_append_new(w->files, json_pack("[b,s,s]", json_is_true(json_object_get(rec, "IsPrimary")),
                                                  entity_str(rec, "Name"), to));
    }
    json_decref(rec);
    return 0;
}

static int primary_first(const void *a, const void *b)
{
    json_t *x = *(json_t *const *) a, *y = *(json_t *const *) b;
    int px = json_is_true(json_array_get(x, 0)), py = json_is_true(json_array_get(y, 0));
    if (px != py) {
        return py - px;
    }
    return strcmp(json_string_value(json_array_get(x, 1)), json_string_value(json_array_get(y, 1)));
}

/* Only the files a v3 job named (_InputFiles), in that order; -1 when one
 * is missing. */
static int keep_named(const json_t *names, json_t **sorted, size_t *n, char *why, size_t cap)
{
    json_t *kept[512], *name;
    size_t i, k = 0;

    json_array_foreach(names, i, name) {
        size_t j = 0;
        while (j < *n && strcmp(json_string_value(json_array_get(sorted[j], 1)),
                                json_string_value(name)) != 0) {
            j++;
        }
        if (j == *n || k == 512) {
            snprintf(why, cap, "the input asset has no file '%.200s'", json_string_value(name));
            return -1;
        }
        kept[k++] = sorted[j];
    }
    memcpy(sorted, kept, k * sizeof(kept[0]));
    *n = k;
    return 0;
}

/* Paths of the input files (new array of strings), or NULL with *why set;
 * the keys of storage-encrypted ones into keys (task_storage_keys.h). */
static json_t *input_paths(api_ctx_t *c, const json_t *task, const json_t *job, json_t *keys,
                           char *why, size_t cap)
{
    json_t *ids = json_object_get(task, "_InputAssetIds"), *id, *paths = json_array();
    const json_t *named = json_object_get(job, "_InputFiles");
    size_t i;

    if (json_object_get(job, "_InputUrls") != NULL) {
        return paths;                       /* the encoder fetches them */
    }
    json_array_foreach(ids, i, id) {
        file_walk_t w = { c, json_array() };
        json_t *sorted[512];
        size_t n = 0, k;
        char container[64], path[2048];
        catalog_each_link(&c->txn, json_string_value(id), "Files", collect_file, &w);
        for (k = 0; k < json_array_size(w.files) && n < 512; k++) {
            sorted[n++] = json_array_get(w.files, k);
        }
        qsort(sorted, n, sizeof(sorted[0]), primary_first);
        if (named != NULL && keep_named(named, sorted, &n, why, cap) != 0) {
            json_decref(w.files);
            json_decref(paths);
            return NULL;
        }
        asset_container_name(json_string_value(id), container, sizeof(container));
        for (k = 0; k < n; k++) {
            snprintf(path, sizeof(path), "%s/%s/%s", c->app->cfg.media_root, container,
                     json_string_value(json_array_get(sorted[k], 1)));
            if (task_storage_key_line(c, json_string_value(json_array_get(sorted[k], 2)),
                                      json_array_size(paths), keys, why, cap) != 0) {
                json_decref(w.files);
                json_decref(paths);
                return NULL;
            }
            json_array_append_new(paths, json_string(path));
        }
        json_decref(w.files);
        if (n == 0) {
            snprintf(why, cap, "input asset %s has no files", json_string_value(id));
            json_decref(paths);
            return NULL;
        }
    }
    return paths;
}

static int spawn(api_ctx_t *c, sched_running_t *r, const json_t *task, const json_t *job,
                 const json_t *paths, const json_t *keys, char *why, size_t cap)
{
    char keys_path[TASK_WORKDIR_MAX + 16];
    const char *inputs[256], *urls[64];
    size_t n = 0, nurls = 0, i;
    json_t *p;
    const char *config = processor_encoder_config(entity_str(task, "MediaProcessorId"),
                                                  entity_str(task, "Configuration"));
    encoder_args_t args;

    json_array_foreach(paths, i, p) {
        if (n < 256) inputs[n++] = json_string_value(p);
    }
    json_array_foreach(json_object_get(job, "_InputUrls"), i, p) {
        if (nurls < 64) urls[nurls++] = json_string_value(p);
    }
    task_workdir_paths(c->app->cfg.work_dir, entity_guid(entity_str(task, "Id")), &r->work);
    if (task_workdir_create(&r->work, config ? config : "", why, cap) != 0) {
        return -1;
    }
    snprintf(keys_path, sizeof(keys_path), "%s/storage-keys", r->work.dir);
    if (json_array_size(keys) > 0 && task_storage_keys_write(keys_path, keys, why, cap) != 0) {
        task_workdir_remove(r->work.dir);
        return -1;
    }
    args = (encoder_args_t) { c->app->cfg.encoder_path, r->work.config, r->work.out, inputs, n,
                              c->app->cfg.encoder_complexity,
                              json_array_size(keys) > 0 ? keys_path : NULL, urls, nurls,
                              c->app->cfg.http_input_max_bytes, c->app->cfg.http_input_timeout,
                              c->app->cfg.http_input_private != 0 };
    if (encoder_proc_start(&r->proc, &args, why, cap) != 0) {
        task_workdir_remove(r->work.dir);
        return -1;
    }
    return 0;
}

/* The task cannot start at all: Error now, as if the encoder had failed. */
static void fail_at_start(api_ctx_t *c, json_t *job, json_t *task, const char *code,
                          const char *why)
{
    json_object_set_new(task, "ErrorDetails", json_pack("[{s:s,s:s}]", "Code", code, "Message", why));
    if (task_transition(c, job, task, JOB_ERROR, why) == 0 && sched_drop_outputs(c, job, task, true) == 0) {
        job_settle(c, job);
    }
}

static int mark_running(api_ctx_t *c, json_t *job, json_t *task, pid_t pid)
{
    if (entity_int(job, "State", 0) == JOB_QUEUED && job_transition(c, job, JOB_SCHEDULED) != 0) {
        return -1;
    }
    if (task_transition(c, job, task, JOB_SCHEDULED, "picked by the scheduler") != 0) {
        return -1;
    }
    json_object_set_new(task, "_Pid", json_integer(pid));
    if (task_transition(c, job, task, JOB_PROCESSING, "the encoder started") != 0) {
        return -1;
    }
    return job_transition(c, job, JOB_PROCESSING);
}

int sched_start_task(app_t *app, const char *task_id)
{
    api_ctx_t c;
    json_t *task = NULL, *job = NULL, *paths = NULL, *keys = json_array();
    sched_running_t *r = sched_slot_new();
    char why[1024];
    int rc = -1;

    if (r == NULL || sched_begin(app, &c, true) != 0) {
        return -1;
    }
    if (catalog_get(&c.txn, "Tasks", task_id, &task) != 0
        || catalog_get(&c.txn, "Jobs", entity_str(task, "_JobId"), &job) != 0
        || entity_int(task, "State", 0) != JOB_QUEUED) {
        sched_abort(&c);
        goto done;
    }
    paths = input_paths(&c, task, job, keys, why, sizeof(why));
    if (paths != NULL && task_storage_output_line(&c, task, keys, why, sizeof(why)) != 0) {
        memset(&c.err, 0, sizeof(c.err));      /* the task fails; the transaction goes on */
        json_decref(paths);
        paths = NULL;
    }
    if (paths == NULL) {
        fail_at_start(&c, job, task, "InvalidInput", why);
        sched_end(&c);
        rc = 0;
        goto done;
    }
    if (spawn(&c, r, task, job, paths, keys, why, sizeof(why)) != 0) {
        log_error("scheduler: task %s: %s", task_id, why);
        fail_at_start(&c, job, task, "EncodingFailed", why);
        sched_end(&c);
        rc = 0;
        goto done;
    }
    if (mark_running(&c, job, task, r->proc.pid) != 0 || sched_end(&c) != 0) {
        encoder_proc_signal(&r->proc, SIGKILL);
        waitpid(r->proc.pid, NULL, 0);
        encoder_proc_close(&r->proc);
        task_workdir_remove(r->work.dir);
        goto done;
    }
    snprintf(r->task_id, sizeof(r->task_id), "%s", task_id);
    snprintf(r->job_id, sizeof(r->job_id), "%s", entity_str(job, "Id"));
    r->started_ms = c.now_ms;
    r->used = true;
    log_info("scheduler: task %s of job %s started (pid %d)", task_id, r->job_id, (int) r->proc.pid);
    rc = 0;
done:
    json_decref(task);
    json_decref(job);
    json_decref(paths);
    task_storage_keys_free(keys);
    return rc;
}
