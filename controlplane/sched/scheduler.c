/*
 * scheduler.c — the scheduler thread (see scheduler.h).  Each tick (250 ms,
 * or at once when woken): poll the running encoders, stop the ones whose
 * task or job is being canceled, write progress (one short transaction for
 * all, at most once a second per task), finish the ones that exited
 * (sched_finish.c), then start runnable tasks while reserved units are free.
 * No write transaction is ever held while waiting for a process.
 */
#define _GNU_SOURCE
#include "sched/scheduler.h"
#include "sched/sched_internal.h"
#include "daemon/daemon_log.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "jobs/job_state.h"
#include "sched/job_events.h"
#include "sched/job_lifecycle.h"
#include "sched/sched_order.h"
#include "util/time_text.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 250
#define PROGRESS_WRITE_MS 1000
#define KILL_GRACE_MS 2000

static struct {
    app_t          *app;
    pthread_t       thread;
    pthread_mutex_t mu;
    pthread_cond_t  cond;
    bool            started, stop, wake;
    sched_running_t run[SCHED_MAX_RUNNING];
} S = { .mu = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

/* ------------------------------------------------------------ transactions */

int sched_begin(app_t *app, api_ctx_t *c, bool write)
{
    int rc;

    memset(c, 0, sizeof(*c));
    c->app = app;
    c->now_ms = time_now_ms();
    c->fmt = ODATA_MINIMAL;
    rc = catalog_begin(app->store, write, &c->txn);
    if (rc != 0) {
        log_warn("scheduler: catalog busy: %s", mdb_strerror(rc));
    }
    return rc == 0 ? 0 : -1;
}

int sched_end(api_ctx_t *c)
{
    int rc = 0;

    if (c->err.status != 0 || !c->txn.write) {
        if (c->err.status != 0) {
            log_error("scheduler: %s: %s", c->err.code, c->err.message);
            rc = -1;
        }
        catalog_abort(&c->txn);
    } else if ((rc = catalog_commit(&c->txn)) != 0) {
        log_error("scheduler: commit failed: %s", mdb_strerror(rc));
        rc = -1;
    } else {
        api_after_commit_run(c);
    }
    api_ctx_release(c);
    return rc;
}

void sched_abort(api_ctx_t *c)
{
    catalog_abort(&c->txn);
    api_ctx_release(c);
}

/* ------------------------------------------------------------ running table */

static size_t running_count(void)
{
    size_t n = 0;
    for (size_t i = 0; i < SCHED_MAX_RUNNING; i++) {
        n += S.run[i].used;
    }
    return n;
}

sched_running_t *sched_slot_new(void)
{
    for (size_t i = 0; i < SCHED_MAX_RUNNING; i++) {
        if (!S.run[i].used) {
            memset(&S.run[i], 0, sizeof(S.run[i]));
            return &S.run[i];
        }
    }
    return NULL;
}

static bool is_running(const char *task_id)
{
    for (size_t i = 0; i < SCHED_MAX_RUNNING; i++) {
        if (S.run[i].used && strcmp(S.run[i].task_id, task_id) == 0) {
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------ stops */

/* Should this running task stop (its task or job is being canceled)? */
static bool wants_stop(api_ctx_t *c, const sched_running_t *r)
{
    json_t *task = NULL, *job = NULL;
    bool stop = true;

    if (catalog_get(&c->txn, "Tasks", r->task_id, &task) == 0
        && catalog_get(&c->txn, "Jobs", r->job_id, &job) == 0) {
        stop = entity_int(task, "State", 0) == JOB_CANCELING
               || entity_int(job, "State", 0) == JOB_CANCELING;
    }
    json_decref(task);
    json_decref(job);
    return stop;
}

static void signal_stops(void)
{
    api_ctx_t c;
    int64_t now = time_now_ms();

    if (running_count() == 0 || sched_begin(S.app, &c, false) != 0) {
        return;
    }
    for (size_t i = 0; i < SCHED_MAX_RUNNING; i++) {
        sched_running_t *r = &S.run[i];
        if (!r->used || r->proc.exited) {
            continue;
        }
        if (r->term_sent_ms == 0 && wants_stop(&c, r)) {
            log_info("scheduler: stopping task %s (canceled)", r->task_id);
            r->stopping = true;
            r->term_sent_ms = now;
            encoder_proc_signal(&r->proc, SIGTERM);
        } else if (r->term_sent_ms != 0 && now - r->term_sent_ms >= KILL_GRACE_MS) {
            encoder_proc_signal(&r->proc, SIGKILL);
        }
    }
    sched_end(&c);
}

/* ------------------------------------------------------------ progress */

static void write_progress(void)
{
    api_ctx_t c;
    bool any = false;
    int64_t now = time_now_ms();

    for (size_t i = 0; i < SCHED_MAX_RUNNING; i++) {
        sched_running_t *r = &S.run[i];
        any |= r->used && r->proc.progress_changed && now - r->progress_written_ms >= PROGRESS_WRITE_MS;
    }
    if (!any || sched_begin(S.app, &c, true) != 0) {
        return;
    }
    for (size_t i = 0; i < SCHED_MAX_RUNNING; i++) {
        sched_running_t *r = &S.run[i];
        json_t *task = NULL, *job = NULL;
        if (!r->used || !r->proc.progress_changed || now - r->progress_written_ms < PROGRESS_WRITE_MS) {
            continue;
        }
        if (catalog_get(&c.txn, "Tasks", r->task_id, &task) == 0
            && catalog_get(&c.txn, "Jobs", r->job_id, &job) == 0) {
            json_object_set_new(task, "Progress", json_real(r->proc.progress));
            json_object_set_new(task, "RunningDuration",
                                json_real((double) (c.now_ms - r->started_ms) / 1000.0));
            if (entity_save(&c, &entity_tasks, task) == 0) {
                task_events_progress(&c, job, task);
            }
        }
        r->proc.progress_changed = false;
        r->progress_written_ms = now;
        json_decref(task);
        json_decref(job);
    }
    sched_end(&c);
}

/* ------------------------------------------------------------ picking */

typedef struct {
    api_ctx_t *c;
    json_t    *runnable;    /* [[task id, job prio, task prio, created, position], …] */
    json_t    *doomed;      /* [task id, …] */
} pick_t;

static void consider_job(pick_t *p, const json_t *job)
{
    json_t *tasks = job_tasks(p->c, entity_str(job, "Id")), *t;
    size_t i;

    json_array_foreach(tasks, i, t) {
        json_t *deps = json_object_get(t, "_DependsOn"), *d;
        int states[64];
        size_t k, n = 0;
        json_array_foreach(deps, k, d) {
            json_t *dep = json_array_get(tasks, (size_t) json_integer_value(d));
            if (n < 64) states[n++] = (int) entity_int(dep, "State", JOB_ERROR);
        }
        switch (sched_task_readiness((int) entity_int(t, "State", 0),
                                     (int) entity_int(job, "State", 0), states, n)) {
        case TASK_RUNNABLE:
            if (!is_running(entity_str(t, "Id"))) {
                json_array_append_new(p->runnable, json_pack(
                    "[s,I,I,I,I]", entity_str(t, "Id"), entity_int(job, "Priority", 0),
                    entity_int(t, "Priority", 0),
                    (json_int_t) entity_time(job, "Created", 0), entity_int(t, "_Position", 0)));
            }
            break;
        case TASK_DOOMED:
            json_array_append_new(p->doomed, json_string(entity_str(t, "Id")));
            break;
        case TASK_WAITING:
            break;
        }
    }
    json_decref(tasks);
}

static int consider(const char *id, json_t *job, void *arg)
{
    long long state = entity_int(job, "State", 0);
    (void) id;
    if (!job_state_is_final(state) && state != JOB_CANCELING) {
        consider_job(arg, job);
    }
    return 0;
}

/* Tasks that can never run (a task they read from failed) are canceled. */
static void cancel_doomed(const json_t *doomed)
{
    api_ctx_t c;
    size_t i;
    json_t *id;

    if (json_array_size(doomed) == 0 || sched_begin(S.app, &c, true) != 0) {
        return;
    }
    json_array_foreach(doomed, i, id) {
        json_t *task = NULL, *job = NULL;
        if (catalog_get(&c.txn, "Tasks", json_string_value(id), &task) == 0
            && catalog_get(&c.txn, "Jobs", entity_str(task, "_JobId"), &job) == 0
            && entity_int(task, "State", 0) == JOB_QUEUED) {
            task_transition(&c, job, task, JOB_CANCELED,
                            "a task whose output it reads failed or was canceled");
            job_settle(&c, job);
        }
        json_decref(task);
        json_decref(job);
    }
    sched_end(&c);
}

static void start_runnable(void)
{
    api_ctx_t c;
    pick_t p = { &c, json_array(), json_array() };
    sched_candidate_t cand[256];
    size_t n = 0, slots;
    int units;

    if (sched_begin(S.app, &c, false) != 0) {
        goto done;
    }
    units = reserved_units_current(&c);
    slots = (size_t) units > running_count() ? (size_t) units - running_count() : 0;
    if (slots > 0) {
        catalog_each(&c.txn, "Jobs", consider, &p);
    }
    sched_end(&c);
    cancel_doomed(p.doomed);
    for (size_t i = 0; i < json_array_size(p.runnable) && n < 256; i++) {
        json_t *row = json_array_get(p.runnable, i);
        cand[n++] = (sched_candidate_t) {
            .job_priority = (int) json_integer_value(json_array_get(row, 1)),
            .task_priority = (int) json_integer_value(json_array_get(row, 2)),
            .created_ms = json_integer_value(json_array_get(row, 3)),
            .position = (int) json_integer_value(json_array_get(row, 4)), .index = i };
    }
    qsort(cand, n, sizeof(cand[0]), sched_candidate_compare);
    for (size_t i = 0; i < n && slots > 0 && running_count() < SCHED_MAX_RUNNING; i++) {
        const char *id = json_string_value(json_array_get(json_array_get(p.runnable, cand[i].index), 0));
        if (sched_start_task(S.app, id) == 0) {
            slots--;
        }
    }
done:
    json_decref(p.runnable);
    json_decref(p.doomed);
}

/* ------------------------------------------------------------ thread */

static void tick(void)
{
    for (size_t i = 0; i < SCHED_MAX_RUNNING; i++) {
        if (S.run[i].used) {
            encoder_proc_poll(&S.run[i].proc);
        }
    }
    signal_stops();
    write_progress();
    for (size_t i = 0; i < SCHED_MAX_RUNNING; i++) {
        if (S.run[i].used && encoder_proc_done(&S.run[i].proc)) {
            sched_finish_task(S.app, &S.run[i]);
            S.run[i].used = false;
        }
    }
    start_runnable();
}

static void stop_all(void)
{
    int64_t deadline = time_now_ms() + KILL_GRACE_MS;

    for (size_t i = 0; i < SCHED_MAX_RUNNING; i++) {
        if (S.run[i].used) encoder_proc_signal(&S.run[i].proc, SIGTERM);
    }
    for (size_t i = 0; i < SCHED_MAX_RUNNING; i++) {
        sched_running_t *r = &S.run[i];
        while (r->used && !r->proc.exited && time_now_ms() < deadline) {
            encoder_proc_poll(&r->proc);
            usleep(20000);
        }
        if (r->used && !r->proc.exited) {
            encoder_proc_signal(&r->proc, SIGKILL);
            waitpid(r->proc.pid, NULL, 0);
        }
        if (r->used) {
            encoder_proc_close(&r->proc);
            r->used = false;      /* left Processing: the next start requeues it */
        }
    }
}

static void *scheduler_main(void *arg)
{
    (void) arg;
    pthread_mutex_lock(&S.mu);
    while (!S.stop) {
        struct timespec ts;
        pthread_mutex_unlock(&S.mu);
        tick();
        pthread_mutex_lock(&S.mu);
        if (S.stop) {
            break;
        }
        if (!S.wake) {
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += TICK_MS * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&S.cond, &S.mu, &ts);
        }
        S.wake = false;
    }
    pthread_mutex_unlock(&S.mu);
    stop_all();
    return NULL;
}

int scheduler_start(app_t *app)
{
    S.app = app;
    if (scheduler_recover(app) != 0) {
        return -1;
    }
    if (pthread_create(&S.thread, NULL, scheduler_main, NULL) != 0) {
        log_error("cannot start the scheduler thread");
        return -1;
    }
    S.started = true;
    log_info("scheduler: encoder %s, work dir %s", app->cfg.encoder_path, app->cfg.work_dir);
    return 0;
}

void scheduler_stop(void)
{
    if (!S.started) {
        return;
    }
    pthread_mutex_lock(&S.mu);
    S.stop = true;
    pthread_cond_signal(&S.cond);
    pthread_mutex_unlock(&S.mu);
    pthread_join(S.thread, NULL);
    S.started = false;
}

void scheduler_wake(app_t *app, const char *unused)
{
    (void) app;
    (void) unused;
    pthread_mutex_lock(&S.mu);
    S.wake = true;
    pthread_cond_signal(&S.cond);
    pthread_mutex_unlock(&S.mu);
}
