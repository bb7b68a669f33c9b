/*
 * job_lifecycle.c — state changes of jobs and tasks (see job_lifecycle.h).
 */
#include "sched/job_lifecycle.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "sched/job_events.h"
#include "sched/scheduler.h"
#include "util/time_text.h"

#include <stdio.h>
#include <stdlib.h>

static int by_position(const void *a, const void *b)
{
    long long pa = entity_int(*(json_t *const *) a, "_Position", 0);
    long long pb = entity_int(*(json_t *const *) b, "_Position", 0);
    return (pa > pb) - (pa < pb);
}

json_t *job_tasks(api_ctx_t *c, const char *job_id)
{
    const entity_nav_t *nav = entity_nav_find(&entity_jobs, "Tasks");
    json_t *ids = entity_nav_ids(c, job_id, nav), *id, *out = json_array();
    json_t *recs[64];
    size_t i, n = 0;

    json_array_foreach(ids, i, id) {
        json_t *rec = NULL;
        if (n < 64 && catalog_get(&c->txn, "Tasks", json_string_value(id), &rec) == 0) {
            recs[n++] = rec;
        }
    }
    json_decref(ids);
    qsort(recs, n, sizeof(recs[0]), by_position);
    for (i = 0; i < n; i++) {
        json_array_append_new(out, recs[i]);
    }
    return out;
}

void task_history_add(api_ctx_t *c, json_t *task, const char *code, const char *message)
{
    json_t *events = json_object_get(task, "HistoricalEvents");
    char iso[TIME_ISO_LEN];

    if (!json_is_array(events)) {
        events = json_array();
        json_object_set_new(task, "HistoricalEvents", events);
    }
    time_format_iso(c->now_ms, iso);
    json_array_append_new(events, json_pack("{s:s,s:s,s:s}", "Code", code, "Message",
                                            message ? message : "", "TimeStamp", iso));
}

static double seconds_since(api_ctx_t *c, const json_t *rec)
{
    int64_t start = entity_time(rec, "StartTime", c->now_ms);
    return (double) (c->now_ms - start) / 1000.0;
}

static void stamp(api_ctx_t *c, json_t *rec, const char *name)
{
    char iso[TIME_ISO_LEN];
    time_format_iso(c->now_ms, iso);
    json_object_set_new(rec, name, json_string(iso));
}

int task_transition(api_ctx_t *c, const json_t *job, json_t *task, job_state_t to,
                    const char *message)
{
    long long from = entity_int(task, "State", 0);

    if (from == to) {
        return 0;
    }
    json_object_set_new(task, "State", json_integer(to));
    if (to == JOB_PROCESSING) {
        stamp(c, task, "StartTime");
        json_object_set_new(task, "EndTime", json_null());
        json_object_set_new(task, "Progress", json_real(0));
    }
    if (job_state_is_final(to)) {
        stamp(c, task, "EndTime");
        if (entity_str(task, "StartTime") != NULL) {
            json_object_set_new(task, "RunningDuration", json_real(seconds_since(c, task)));
        }
        if (to == JOB_FINISHED) {
            json_object_set_new(task, "Progress", json_real(100));
        }
    }
    task_history_add(c, task, job_state_name(to), message);
    if (entity_save(c, &entity_tasks, task) != 0) {
        return -1;
    }
    return task_events_state_changed(c, job, task, from, to);
}

int job_transition(api_ctx_t *c, json_t *job, job_state_t to)
{
    long long from = entity_int(job, "State", 0);

    if (from == to) {
        return 0;
    }
    json_object_set_new(job, "State", json_integer(to));
    if ((to == JOB_SCHEDULED || to == JOB_PROCESSING) && entity_str(job, "StartTime") == NULL) {
        stamp(c, job, "StartTime");
    }
    if (job_state_is_final(to)) {
        stamp(c, job, "EndTime");
        if (entity_str(job, "StartTime") != NULL) {
            json_object_set_new(job, "RunningDuration", json_real(seconds_since(c, job)));
        }
    }
    if (entity_save(c, &entity_jobs, job) != 0) {
        return -1;
    }
    return job_events_state_changed(c, job, from, to);
}

int job_settle(api_ctx_t *c, json_t *job)
{
    json_t *tasks = job_tasks(c, entity_str(job, "Id")), *t;
    int states[64];
    size_t i, n = 0;
    job_state_t next;

    json_array_foreach(tasks, i, t) {
        states[n++] = (int) entity_int(t, "State", 0);
    }
    json_decref(tasks);
    next = job_state_from_tasks((job_state_t) entity_int(job, "State", 0), states, n);
    return job_transition(c, job, next);
}

int job_cancel(api_ctx_t *c, json_t *job)
{
    long long state = entity_int(job, "State", 0);
    json_t *tasks, *t;
    size_t i;
    int rc = 0;

    if (job_state_is_final(state)) {
        return api_fail(c, 400, "InvalidOperation", "job %s is already %s", entity_str(job, "Id"),
                        job_state_name(state));
    }
    if (state == JOB_CANCELING) {
        return 0;
    }
    if (job_transition(c, job, JOB_CANCELING) != 0) {
        return -1;
    }
    tasks = job_tasks(c, entity_str(job, "Id"));
    json_array_foreach(tasks, i, t) {
        if (entity_int(t, "State", 0) == JOB_QUEUED
            && (rc = task_transition(c, job, t, JOB_CANCELED, "canceled by CancelJob")) != 0) {
            break;
        }
    }
    json_decref(tasks);
    if (rc != 0 || job_settle(c, job) != 0) {
        return -1;
    }
    return api_after_commit(c, scheduler_wake, "");
}
