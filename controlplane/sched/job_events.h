/*
 * job_events.h — the one place job and task state changes (and task
 * progress) turn into notifications: applies the job's
 * JobNotificationSubscriptions (TargetJobState) and the task's
 * TaskNotificationSubscriptions (TargetTaskState, IncludeTaskProgress) and
 * hands each matching event to the notification outbox (notify_enqueue,
 * controlplane/notify) inside the caller's write transaction.
 */
#ifndef JOB_EVENTS_H
#define JOB_EVENTS_H

#include "api/api_context.h"

#include <jansson.h>
#include <stdbool.h>

/* True when a subscription with this TargetJobState/TargetTaskState wants
 * a change into new_state (None: nothing, FinalStatesOnly: final states,
 * All: every change). */
bool job_events_wanted(long long target, long long new_state);

int job_events_state_changed(api_ctx_t *c, const json_t *job, long long old_state,
                             long long new_state);
int task_events_state_changed(api_ctx_t *c, const json_t *job, const json_t *task,
                              long long old_state, long long new_state);
int task_events_progress(api_ctx_t *c, const json_t *job, const json_t *task);

#endif
