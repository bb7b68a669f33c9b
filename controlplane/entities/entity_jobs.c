/*
 * entity_jobs.c — Jobs: a graph of tasks turning input assets into output
 * assets, run by the scheduler (sched/).  Creation is job_create.c; here are
 * the rules after it: Name/Priority change only while Queued, deletion only
 * in a final state (with the job's tasks; outputs stay), and the rule that
 * keeps an asset of a running job from being deleted.
 * Private members: _InputAssetIds / _OutputAssetIds (ordered).
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "jobs/job_state.h"
#include "sched/scheduler.h"

#include <stdio.h>
#include <string.h>

static const entity_prop_t job_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_NULLABLE, 4000, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "EndTime", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "Priority", EDM_INT32, 0, 0, "0", NULL },
    { "RunningDuration", EDM_DOUBLE, P_SERVER, 0, "0.0", NULL },
    { "StartTime", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "State", EDM_INT32, P_SERVER, 0, "0", NULL },
    { "TemplateId", EDM_STRING, P_ONCE | P_NULLABLE, 256, NULL, NULL },
    { "JobNotificationSubscriptions", EDM_COLLECTION, P_ONCE, 0, "[]",
      AMS_TYPE("JobNotificationSubscription") },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t job_navs[] = {
    { "InputMediaAssets", "Assets", NAV_LINKS, NULL, false, "_InputAssetIds" },
    { "OutputMediaAssets", "Assets", NAV_LINKS, NULL, false, "_OutputAssetIds" },
    { "Tasks", "Tasks", NAV_CHILDREN, "_JobId", false, "_TaskIds" },
    { NULL, NULL, 0, NULL, false, NULL },
};

static int job_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    if (navs == NULL) {
        return api_fail(c, 500, "InternalError", "jobs are created from a request body");
    }
    if (job_create_contents(c, rec, navs) != 0) {
        return -1;
    }
    return api_after_commit(c, scheduler_wake, "");
}

static int job_on_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    long long state = entity_int(old, "State", 0);
    bool changed = !json_equal(json_object_get(rec, "Name"), json_object_get(old, "Name"))
                   || !json_equal(json_object_get(rec, "Priority"), json_object_get(old, "Priority"));

    if (changed && state != JOB_QUEUED) {
        return api_fail(c, 400, "InvalidOperation", "a job's Name and Priority can change only "
                        "while it is Queued (it is %s)", job_state_name(state));
    }
    return 0;
}

static int job_on_delete(api_ctx_t *c, const json_t *rec)
{
    long long state = entity_int(rec, "State", 0);
    const entity_nav_t *tasks = entity_nav_find(&entity_jobs, "Tasks");
    json_t *ids, *id;
    size_t i;
    int rc = 0;

    if (!job_state_is_final(state)) {
        return api_fail(c, 400, "InvalidOperation", "job %s is %s: cancel it (CancelJob) or let it "
                        "finish before deleting it", entity_str(rec, "Id"), job_state_name(state));
    }
    ids = entity_nav_ids(c, entity_str(rec, "Id"), tasks);
    json_array_foreach(ids, i, id) {
        if ((rc = entity_delete(c, &entity_tasks, json_string_value(id))) != 0) {
            break;
        }
    }
    json_decref(ids);
    return rc;
}

typedef struct {
    api_ctx_t *c;
    const char *asset_id;
    const char *role;
    int rc;
} asset_job_check_t;

static int check_job_of_asset(const char *job_id, void *arg)
{
    asset_job_check_t *a = arg;
    json_t *job = NULL;

    if (catalog_get(&a->c->txn, "Jobs", job_id, &job) == 0
        && !job_state_is_final(entity_int(job, "State", 0))) {
        a->rc = api_fail(a->c, 400, "InvalidOperation", "asset %s is an %s of job %s, which is %s: "
                         "cancel the job or wait until it is final", a->asset_id, a->role, job_id,
                         job_state_name(entity_int(job, "State", 0)));
    }
    json_decref(job);
    return a->rc;
}

int jobs_check_asset_deletable(api_ctx_t *c, const char *asset_id)
{
    asset_job_check_t a = { c, asset_id, "input", 0 };

    catalog_each_link(&c->txn, asset_id, "~Jobs.InputMediaAssets", check_job_of_asset, &a);
    if (a.rc == 0) {
        a.role = "output";
        catalog_each_link(&c->txn, asset_id, "~Jobs.OutputMediaAssets", check_job_of_asset, &a);
    }
    return a.rc;
}

const entity_set_t entity_jobs = {
    .name = "Jobs",
    .type_name = AMS_TYPE("Job"),
    .id_prefix = "nb:jid:UUID:",
    .props = job_props,
    .navs = job_navs,
    .on_create = job_on_create,
    .on_update = job_on_update,
    .on_delete = job_on_delete,
};
