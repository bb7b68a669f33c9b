/*
 * job_events.c — notification subscriptions of jobs and tasks (see
 * job_events.h).  Properties follow AMS's messages: JobId, JobName,
 * OldState, NewState, AccountName (+ TaskId, TaskName, Progress).
 */
#include "sched/job_events.h"
#include "entities/entity_service.h"
#include "jobs/job_state.h"
#include "notify/notify.h"

#include <stdio.h>

bool job_events_wanted(long long target, long long new_state)
{
    if (target == NOTIFY_TARGET_ALL) {
        return true;
    }
    return target == NOTIFY_TARGET_FINAL_ONLY && job_state_is_final(new_state);
}

/* Hands one event to the durable outbox (delivered after commit). */
static int deliver(api_ctx_t *c, const char *endpoint_id, const char *event_type,
                   const json_t *properties)
{
    return notify_enqueue(c, endpoint_id, event_type, properties);
}

/* Queues event_type for every subscription whose target_member (TargetJobState
 * or TargetTaskState) wants new_state; 0, or -1 after api_fail(). */
static int notify_subscribers(api_ctx_t *c, const json_t *subs, const char *target_member,
                              const char *event_type, long long new_state, const json_t *props)
{
    const json_t *s;
    size_t i;

    json_array_foreach(subs, i, s) {
        if (job_events_wanted(entity_int(s, target_member, 0), new_state)
            && deliver(c, entity_str(s, "NotificationEndPointId"), event_type, props) != 0) {
            return -1;
        }
    }
    return 0;
}

static json_t *job_properties(api_ctx_t *c, const json_t *job, long long old_state,
                              long long new_state)
{
    const char *name = entity_str(job, "Name");
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "JobId", entity_str(job, "Id"), "JobName",
                     name ? name : "", "OldState", job_state_name(old_state), "NewState",
                     job_state_name(new_state), "AccountName", c->app->cfg.account_name);
}

int job_events_state_changed(api_ctx_t *c, const json_t *job, long long old_state,
                             long long new_state)
{
    json_t *subs = json_object_get(job, "JobNotificationSubscriptions"), *props;
    int rc;

    if (json_array_size(subs) == 0) {
        return 0;
    }
    props = job_properties(c, job, old_state, new_state);
    rc = notify_subscribers(c, subs, "TargetJobState", "JobStateChange", new_state, props);
    json_decref(props);
    return rc;
}

static json_t *task_properties(api_ctx_t *c, const json_t *job, const json_t *task)
{
    json_t *p = job_properties(c, job, 0, 0);
    const char *name = entity_str(task, "Name");

    json_object_del(p, "OldState");
    json_object_del(p, "NewState");
    json_object_set_new(p, "TaskId", json_string(entity_str(task, "Id")));
    json_object_set_new(p, "TaskName", json_string(name ? name : ""));
    return p;
}

int task_events_state_changed(api_ctx_t *c, const json_t *job, const json_t *task,
                              long long old_state, long long new_state)
{
    json_t *subs = json_object_get(task, "TaskNotificationSubscriptions"), *props;
    int rc;

    if (json_array_size(subs) == 0) {
        return 0;
    }
    props = task_properties(c, job, task);
    json_object_set_new(props, "OldState", json_string(job_state_name(old_state)));
    json_object_set_new(props, "NewState", json_string(job_state_name(new_state)));
    rc = notify_subscribers(c, subs, "TargetTaskState", "TaskStateChange", new_state, props);
    json_decref(props);
    return rc;
}

int task_events_progress(api_ctx_t *c, const json_t *job, const json_t *task)
{
    json_t *subs = json_object_get(task, "TaskNotificationSubscriptions"), *s, *props;
    size_t i;
    int rc = 0;

    if (json_array_size(subs) == 0) {
        return 0;
    }
    props = task_properties(c, job, task);
    json_object_set(props, "LastComputedProgress", json_object_get(task, "Progress"));
    json_array_foreach(subs, i, s) {
        if (json_is_true(json_object_get(s, "IncludeTaskProgress"))
            && (rc = deliver(c, entity_str(s, "NotificationEndPointId"), "TaskProgress",
                             props)) != 0) {
            break;
        }
    }
    json_decref(props);
    return rc;
}
