/*
 * sched_finish.c — the end of one encoder run: on success its files move
 * into the output asset's container and become Files rows
 * (asset_register_files, as CreateFileInfos) and the task is Finished; on
 * failure the task is Error with the encoder's error line as ErrorDetails,
 * its output assets are deleted (unless DoNotDeleteOutputAssetOnFailure)
 * and the job's other tasks are canceled (unless DoNotCancelOnJobFailure);
 * a canceled run ends Canceled without outputs.  Then the job settles and
 * the work dir goes.
 */
#include "sched/sched_internal.h"
#include "daemon/daemon_log.h"
#include "sched/task_storage_keys.h"
#include "entities/entity_sets.h"
#include "jobs/job_state.h"
#include "sched/job_lifecycle.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

typedef enum { RUN_FINISHED, RUN_FAILED, RUN_CANCELED } run_outcome_t;

static run_outcome_t outcome_of(const sched_running_t *r)
{
    int st = r->proc.status;

    if (r->stopping || (WIFEXITED(st) && WEXITSTATUS(st) == 3)) {
        return RUN_CANCELED;
    }
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? RUN_FINISHED : RUN_FAILED;
}

int sched_drop_outputs(api_ctx_t *c, const json_t *job, const json_t *task, bool honour_keep)
{
    const entity_nav_t *nav = entity_nav_find(&entity_jobs, "OutputMediaAssets");
    json_t *outs = json_object_get(task, "_OutputAssetIds"), *id;
    size_t i;

    if (honour_keep && (entity_int(task, "Options", 0) & TASK_OPTION_KEEP_OUTPUT_ON_FAILURE)) {
        return 0;
    }
    /* a v3 job (arm/arm_jobs.c) writes into assets its client made: they
     * stay, empty (outputs reach an asset only when the task finishes) */
    if (entity_str(job, "_ArmTransform") != NULL) {
        return 0;
    }
    json_array_foreach(outs, i, id) {
        const char *aid = json_string_value(id);
        if (!catalog_exists(&c->txn, "Assets", aid)) {
            continue;
        }
        /* the job link is what protects outputs of running jobs from deletion */
        if (entity_link(c, &entity_jobs, entity_str(job, "Id"), nav, aid, false) != 0
            || entity_delete(c, &entity_assets, aid) != 0) {
            return -1;
        }
    }
    return 0;
}

/* The outputs of a finished encoder, moved into the output asset's folder
 * (renamed, or copied across file systems, and fsync'ed) before the
 * catalog's write transaction begins, so that no copy runs under its lock. */
typedef struct {
    bool moved;
    char why[1200];
} staged_outputs_t;

static const char *first_output(const json_t *task)
{
    return json_string_value(json_array_get(json_object_get(task, "_OutputAssetIds"), 0));
}

static void stage_outputs(app_t *app, sched_running_t *r, staged_outputs_t *s)
{
    api_ctx_t c;
    json_t *task = NULL;
    char container[64] = "", dest[2048];

    s->moved = false;
    snprintf(s->why, sizeof(s->why), "the task has no output asset");
    if (sched_begin(app, &c, false) != 0) {
        snprintf(s->why, sizeof(s->why), "the catalog is unavailable");
        return;
    }
    if (catalog_get(&c.txn, "Tasks", r->task_id, &task) == 0 && first_output(task) != NULL) {
        asset_container_name(first_output(task), container, sizeof(container));
    }
    json_decref(task);
    sched_end(&c);
    if (container[0] == '\0') {
        return;
    }
    snprintf(dest, sizeof(dest), "%s/%s", app->cfg.media_root, container);
    s->moved = task_workdir_move_outputs(&r->work, dest, s->why, sizeof(s->why)) == 0;
}

static int store_outputs(api_ctx_t *c, const sched_running_t *r, const staged_outputs_t *staged,
                         const json_t *task, char *why, size_t cap)
{
    const char *first = first_output(task);

    if (!staged->moved || first == NULL) {
        snprintf(why, cap, "%s", staged->why);
        return -1;
    }
    if (asset_register_files(c, first) != 0) {
        snprintf(why, cap, "cannot register the output files: %s", c->err.message);
        return -1;
    }
    if (task_storage_mark_outputs(c, r->work.dir, first, why, cap) != 0) {
        return -1;
    }
    return 0;
}

/* One failed task: the others stop unless they opted out. */
static int cancel_siblings(api_ctx_t *c, json_t *job, const json_t *failed)
{
    json_t *tasks = job_tasks(c, entity_str(job, "Id")), *t;
    size_t i;
    int rc = 0;

    json_array_foreach(tasks, i, t) {
        long long st = entity_int(t, "State", 0);
        if (strcmp(entity_str(t, "Id"), entity_str(failed, "Id")) == 0
            || (entity_int(t, "Options", 0) & TASK_OPTION_DO_NOT_CANCEL_ON_FAILURE)
            || job_state_is_final(st) || st == JOB_CANCELING) {
            continue;
        }
        rc = task_transition(c, job, t, st == JOB_QUEUED ? JOB_CANCELED : JOB_CANCELING,
                             "another task of the job failed");
        if (rc != 0) {
            break;
        }
    }
    json_decref(tasks);
    return rc;
}

static void fail(api_ctx_t *c, sched_running_t *r, json_t *job, json_t *task, const char *code,
                 const char *message)
{
    (void) r;
    json_object_set_new(task, "ErrorDetails", json_pack("[{s:s,s:s}]", "Code", code, "Message",
                                                        message));
    if (task_transition(c, job, task, JOB_ERROR, message) == 0
        && sched_drop_outputs(c, job, task, true) == 0) {
        cancel_siblings(c, job, task);
    }
}

static void record(api_ctx_t *c, sched_running_t *r, const staged_outputs_t *staged, json_t *job,
                   json_t *task)
{
    char why[1200];
    int st = r->proc.status;

    if (r->proc.perf[0] != '\0') {
        json_object_set_new(task, "PerfMessage", json_string(r->proc.perf));
    }
    switch (outcome_of(r)) {
    case RUN_FINISHED:
        if (store_outputs(c, r, staged, task, why, sizeof(why)) != 0) {
            c->err.status = 0;         /* a storage problem fails the task, not the txn */
            fail(c, r, job, task, "EncodingFailed", why);
        } else {
            task_transition(c, job, task, JOB_FINISHED, "the encoder finished");
        }
        break;
    case RUN_CANCELED:
        if (task_transition(c, job, task, JOB_CANCELED, "the encoder was stopped") == 0) {
            sched_drop_outputs(c, job, task, false);    /* partial outputs never stay */
        }
        break;
    case RUN_FAILED:
        if (r->proc.err_code[0] != '\0') {
            fail(c, r, job, task, r->proc.err_code, r->proc.err_msg);
        } else {
            snprintf(why, sizeof(why), "the encoder %s %d without an error line",
                     WIFSIGNALED(st) ? "was killed by signal" : "exited with status",
                     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
            fail(c, r, job, task, "EncodingFailed", why);
        }
        break;
    }
}

void sched_finish_task(app_t *app, sched_running_t *r)
{
    api_ctx_t c;
    json_t *task = NULL, *job = NULL;
    staged_outputs_t staged = { false, "" };

    if (outcome_of(r) == RUN_FINISHED) {
        stage_outputs(app, r, &staged);
    }
    if (sched_begin(app, &c, true) != 0) {
        return;                   /* retried on the next tick? no: requeued at restart */
    }
    if (catalog_get(&c.txn, "Tasks", r->task_id, &task) == 0
        && catalog_get(&c.txn, "Jobs", r->job_id, &job) == 0) {
        record(&c, r, &staged, job, task);
        if (c.err.status == 0) {
            job_settle(&c, job);
        }
        log_info("scheduler: task %s ended %s", r->task_id,
                 job_state_name(entity_int(task, "State", 0)));
    }
    sched_end(&c);
    task_workdir_remove(r->work.dir);
    json_decref(task);
    json_decref(job);
}
