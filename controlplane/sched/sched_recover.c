/*
 * sched_recover.c — scheduler_recover (scheduler.h): what a previous
 * daemon left behind.  Tasks found Scheduled/Processing go back to Queued
 * (a HistoricalEvent says why), tasks found Canceling and every task of a
 * Canceling job end Canceled; every leftover process of such a task (the
 * recorded encoder's group, and anything /proc shows still running that
 * task) is killed and waited for, and the work dir wiped, so a task never
 * runs twice.
 */
#define _GNU_SOURCE
#include "sched/scheduler.h"
#include "sched/sched_internal.h"
#include "daemon/daemon_log.h"
#include "entities/entity_sets.h"
#include "util/proc_info.h"
#include "jobs/job_state.h"
#include "sched/job_lifecycle.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* True when process pid's command line mentions the task's work dir. */
static bool runs_task(pid_t pid, const char *workdir)
{
    return proc_cmdline_contains(pid, workdir);
}

/* Kills every process that still runs the task (its process group too):
 * the recorded _Pid first, then any other /proc entry naming the task's
 * work dir (an encoder whose pid never reached the catalog).  Waits up to 5 s
 * for them to be gone, so the requeued task never overlaps its ghost. */
static void kill_leftovers(long long recorded, const char *task_id, const char *workdir)
{
    struct timespec pause = { 0, 20 * 1000 * 1000 };
    pid_t self = getpid();
    bool any = true;

    if (recorded > 1 && runs_task((pid_t) recorded, workdir)) {
        log_warn("scheduler: killing the leftover encoder of task %s (pid %lld)", task_id, recorded);
        kill(-(pid_t) recorded, SIGKILL);
        kill((pid_t) recorded, SIGKILL);
    }
    for (int round = 0; round < 250 && any; round++) {
        DIR *proc = opendir("/proc");
        struct dirent *e;
        any = false;
        while (proc != NULL && (e = readdir(proc)) != NULL) {
            char *end;
            long pid = strtol(e->d_name, &end, 10);
            if (*end != '\0' || pid <= 1 || pid == self || !runs_task((pid_t) pid, workdir)) {
                continue;
            }
            any = true;
            if (round == 0) {
                log_warn("scheduler: killing process %ld, still running task %s", pid, task_id);
            }
            kill((pid_t) pid, SIGKILL);
        }
        if (proc != NULL) {
            closedir(proc);
        }
        if (any) {
            nanosleep(&pause, NULL);
        }
    }
    if (any) {
        log_warn("scheduler: a process of task %s survived SIGKILL for 5 s", task_id);
    }
}

static int collect_interrupted(const char *id, json_t *task, void *arg)
{
    long long st = entity_int(task, "State", 0);
    if (st == JOB_SCHEDULED || st == JOB_PROCESSING || st == JOB_CANCELING) {
        json_array_append_new(arg, json_string(id));
    }
    return 0;
}

static int collect_canceling(const char *id, json_t *job, void *arg)
{
    if (entity_int(job, "State", 0) == JOB_CANCELING) {
        json_array_append_new(arg, json_string(id));
    }
    return 0;
}

static void recover_task(api_ctx_t *c, const char *task_id)
{
    json_t *task = NULL, *job = NULL;
    const char *guid = entity_guid(task_id);
    task_workdir_t w;

    if (catalog_get(&c->txn, "Tasks", task_id, &task) != 0
        || catalog_get(&c->txn, "Jobs", entity_str(task, "_JobId"), &job) != 0) {
        goto done;
    }
    task_workdir_paths(c->app->cfg.work_dir, guid, &w);
    kill_leftovers(entity_int(task, "_Pid", 0), task_id, w.dir);
    task_workdir_remove(w.dir);
    json_object_del(task, "_Pid");
    if (entity_int(task, "State", 0) == JOB_CANCELING || entity_int(job, "State", 0) == JOB_CANCELING) {
        if (task_transition(c, job, task, JOB_CANCELED, "canceled while the daemon was down") == 0) {
            sched_drop_outputs(c, job, task, false);
        }
    } else {
        json_object_set_new(task, "Progress", json_real(0));
        json_object_set_new(task, "StartTime", json_null());
        task_transition(c, job, task, JOB_QUEUED,
                        "requeued: the daemon restarted while the task was running");
    }
    log_info("scheduler: task %s recovered as %s", task_id,
             job_state_name(entity_int(task, "State", 0)));
done:
    json_decref(task);
    json_decref(job);
}

int scheduler_recover(app_t *app)
{
    api_ctx_t c;
    json_t *tasks = json_array(), *jobs = json_array(), *id;
    size_t i;

    if (sched_begin(app, &c, true) != 0) {
        json_decref(tasks);
        json_decref(jobs);
        return -1;
    }
    catalog_each(&c.txn, "Tasks", collect_interrupted, tasks);
    json_array_foreach(tasks, i, id) {
        recover_task(&c, json_string_value(id));
    }
    catalog_each(&c.txn, "Jobs", collect_canceling, jobs);
    json_array_foreach(jobs, i, id) {
        json_t *job = NULL, *ts = NULL, *t;
        size_t k;
        if (catalog_get(&c.txn, "Jobs", json_string_value(id), &job) != 0) {
            continue;
        }
        ts = job_tasks(&c, json_string_value(id));
        json_array_foreach(ts, k, t) {
            if (entity_int(t, "State", 0) == JOB_QUEUED) {
                task_transition(&c, job, t, JOB_CANCELED, "canceled while the daemon was down");
            }
        }
        job_settle(&c, job);
        json_decref(ts);
        json_decref(job);
    }
    json_decref(tasks);
    json_decref(jobs);
    return sched_end(&c);
}
