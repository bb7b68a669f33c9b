/*
 * sched_internal.h — what the scheduler's files share: the table of running
 * tasks, short catalog transactions outside any HTTP request, starting a
 * task (sched_start.c) and recording how it ended (sched_finish.c).
 * Internal to controlplane/sched.
 */
#ifndef SCHED_INTERNAL_H
#define SCHED_INTERNAL_H

#include "api/api_context.h"
#include "entities/entity_service.h"
#include "sched/encoder_proc.h"
#include "sched/task_workdir.h"

#include <stdbool.h>
#include <stdint.h>

#define SCHED_MAX_RUNNING 16     /* >= MaxReservableUnits */

typedef struct {
    bool           used;
    char           task_id[ENTITY_ID_MAX];
    char           job_id[ENTITY_ID_MAX];
    encoder_proc_t proc;
    task_workdir_t work;
    int64_t        started_ms;
    int64_t        progress_written_ms;
    int64_t        term_sent_ms;     /* SIGTERM sent (cancel), 0: not */
    bool           stopping;         /* we stopped it: the task ends Canceled */
} sched_running_t;

/* A context for scheduler transactions (no HTTP request). 0 or -1. */
int sched_begin(app_t *app, api_ctx_t *c, bool write);
/* Commits a write transaction (running its after-commit actions) unless an
 * error was recorded, which is logged; aborts a read one.  0 or -1. */
int sched_end(api_ctx_t *c);
/* Drops a transaction and whatever it queued. */
void sched_abort(api_ctx_t *c);

sched_running_t *sched_slot_new(void);

/* Starts a queued task: state changes, work dir, encoder process; fills a
 * slot.  0 when it runs (or was settled otherwise), -1 when nothing happened. */
int  sched_start_task(app_t *app, const char *task_id);
/* Records the end of an exited encoder: outputs, task and job states. */
void sched_finish_task(app_t *app, sched_running_t *r);

/* Deletes a task's output assets; with honour_keep, not when the task has
 * DoNotDeleteOutputAssetOnFailure. */
int  sched_drop_outputs(api_ctx_t *c, const json_t *job, const json_t *task, bool honour_keep);

#endif
