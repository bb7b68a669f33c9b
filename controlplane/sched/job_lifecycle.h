/*
 * job_lifecycle.h — job and task state changes in the catalog, inside the
 * caller's write transaction: timestamps, RunningDuration,
 * HistoricalEvents, notification events (job_events.h), the job's state
 * derived from its tasks, and CancelJob.  Used by the API (CancelJob) and
 * the scheduler.
 */
#ifndef JOB_LIFECYCLE_H
#define JOB_LIFECYCLE_H

#include "api/api_context.h"
#include "jobs/job_state.h"

#include <jansson.h>

/* The job's tasks, ordered by position (new array). */
json_t *job_tasks(api_ctx_t *c, const char *job_id);

/* Appends {Code, Message, TimeStamp} to a task's HistoricalEvents. */
void task_history_add(api_ctx_t *c, json_t *task, const char *code, const char *message);

/* Moves a task to `to` (StartTime on Processing, EndTime and
 * RunningDuration on a final state, a HistoricalEvent named after the state
 * with `message`), saves it and emits its events.  job: the task's job. */
int task_transition(api_ctx_t *c, const json_t *job, json_t *task, job_state_t to,
                    const char *message);

/* Moves a job to `to` (StartTime, EndTime, RunningDuration), saves it and
 * emits its events; no-op when it already is there. */
int job_transition(api_ctx_t *c, json_t *job, job_state_t to);

/* Recomputes the job's state from its tasks (job_state_from_tasks) and
 * applies it.  job is updated in place. */
int job_settle(api_ctx_t *c, json_t *job);

/* CancelJob: 400 if the job is final; queued tasks are canceled at once,
 * running ones are left for the scheduler to stop (the job is Canceling
 * until they are). */
int job_cancel(api_ctx_t *c, json_t *job);

#endif
