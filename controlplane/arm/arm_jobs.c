/*
 * arm_jobs.c — v3 jobs over v2 Jobs: one Media Encoder Standard task per
 * transform output, reading the JobInputAsset and writing into the
 * JobOutputAsset the client made (api_ctx_t.job_output_assets), with
 * DoNotDeleteOutputAssetOnFailure (a v3 output asset is the client's).  The
 * v2 job keeps its v3 transform, input and output names in private members.
 *   GET    transforms/{t}/jobs               list
 *   GET    transforms/{t}/jobs/{j}           one: state, outputs[i].state/progress/error
 *   PUT    transforms/{t}/jobs/{j}           create (201; 409 when it exists)
 *   DELETE transforms/{t}/jobs/{j}           200 (a final job), 204 when none
 *   POST   transforms/{t}/jobs/{j}/cancelJob 200
 * States map one to one: Queued, Scheduled, Processing, Finished, Error,
 * Canceled, Canceling.  Jobs made through v2 have no transform: v3 does not
 * list them.
 */
#include "arm/arm_error.h"
#include "arm/arm_names.h"
#include "arm/arm_transforms.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "jobs/processor_config.h"
#include "jobs/job_state.h"
#include "sched/job_lifecycle.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define JOB_TYPE "Microsoft.Media/mediaservices/transforms/jobs"
#define INPUT_ASSET_TYPE "#Microsoft.Media.JobInputAsset"
#define OUTPUT_ASSET_TYPE "#Microsoft.Media.JobOutputAsset"
#define TASK_BODY "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>" \
                  "<outputAsset>JobOutputAsset(%zu)</outputAsset></taskBody>"

static const char *const state_names[] = {
    "Queued", "Scheduled", "Processing", "Finished", "Error", "Canceled", "Canceling",
};

static const char *state_name(long long s)
{
    return s >= 0 && s < 7 ? state_names[s] : "Queued";
}

bool arm_jobs_writes(const arm_req_t *r)
{
    return strcmp(r->method, "GET") != 0;
}

typedef struct {
    const char *transform, *name;
    json_t *found;                     /* one job, or … */
    arm_page_t *page;                  /* … a page of the transform's jobs */
} job_walk_t;

static int match_job(const char *id, json_t *rec, void *arg)
{
    job_walk_t *w = arg;
    const char *t = entity_str(rec, "_ArmTransform"), *n = entity_str(rec, "Name");

    (void) id;
    if (t == NULL || strcasecmp(t, w->transform) != 0) {
        return 0;
    }
    if (w->page != NULL) {
        if (arm_page_take(w->page)) {
            json_array_append(w->page->value, rec);
        }
        return arm_page_full(w->page);
    }
    if (n != NULL && strcasecmp(n, w->name) == 0) {
        w->found = json_incref(rec);
        return 1;
    }
    return 0;
}

static json_t *find_job(arm_req_t *r, const char *transform, const char *name)
{
    job_walk_t w = { transform, name, NULL, NULL };
    catalog_each(&r->c.txn, entity_jobs.name, match_job, &w);
    return w.found;
}

static json_t *output_json(arm_req_t *r, const json_t *job, size_t i)
{
    const char *task_id = json_string_value(json_array_get(json_object_get(job, "_TaskIds"), i));
    json_t *task = NULL, *out, *err;

    out = json_pack("{s:s,s:O?}", "@odata.type", OUTPUT_ASSET_TYPE, "assetName",
                    json_array_get(json_object_get(job, "_ArmOutputs"), i));
    if (task_id == NULL || catalog_get(&r->c.txn, entity_tasks.name, task_id, &task) != 0) {
        json_object_set_new(out, "state", json_string(state_name(entity_int(job, "State", 0))));
        return out;
    }
    json_object_set_new(out, "state", json_string(state_name(entity_int(task, "State", 0))));
    json_object_set_new(out, "progress",
                        json_integer((json_int_t) json_number_value(json_object_get(task, "Progress"))));
    if (entity_str(task, "StartTime") != NULL)
        json_object_set_new(out, "startTime", json_string(entity_str(task, "StartTime")));
    if (entity_str(task, "EndTime") != NULL)
        json_object_set_new(out, "endTime", json_string(entity_str(task, "EndTime")));
    err = json_array_get(json_object_get(task, "ErrorDetails"), 0);
    if (err != NULL) {
        json_object_set_new(out, "error", json_pack("{s:s,s:s,s:s,s:s,s:[]}", "code",
                            entity_str(err, "Code") ? entity_str(err, "Code") : "ServiceError",
                            "message", entity_str(err, "Message") ? entity_str(err, "Message") : "",
                            "category", "Service", "retry", "DoNotRetry", "details"));
    }
    json_decref(task);
    return out;
}

static json_t *job_json(arm_req_t *r, const json_t *job)
{
    char rel[2 * ARM_NAME_MAX + 16];
    json_t *outputs = json_array(), *props;

    for (size_t i = 0; i < json_array_size(json_object_get(job, "_ArmOutputs")); i++) {
        json_array_append_new(outputs, output_json(r, job, i));
    }
    props = json_pack("{s:s?,s:s?,s:s,s:O?,s:o,s:s,s:{}}", "created", entity_str(job, "Created"),
                      "lastModified", entity_str(job, "LastModified"), "state",
                      state_name(entity_int(job, "State", 0)), "input",
                      json_object_get(job, "_ArmInput"), "outputs", outputs, "priority", "Normal",
                      "correlationData");
    if (entity_str(job, "StartTime") != NULL)
        json_object_set_new(props, "startTime", json_string(entity_str(job, "StartTime")));
    if (entity_str(job, "EndTime") != NULL)
        json_object_set_new(props, "endTime", json_string(entity_str(job, "EndTime")));
    snprintf(rel, sizeof(rel), "transforms/%s/jobs", entity_str(job, "_ArmTransform"));
    return arm_resource(r, rel, JOB_TYPE, entity_str(job, "Name"), props);
}

/* The asset id a JobInputAsset / JobOutputAsset names; NULL after *err. */
static const char *named_asset(arm_req_t *r, const json_t *ref, const char *type, const char *what,
                               json_t **asset, http_response_t **err)
{
    const char *t = json_string_value(json_object_get(ref, "@odata.type"));
    const char *name = json_string_value(json_object_get(ref, "assetName"));

    if (t == NULL || strcmp(t, type) != 0 || name == NULL) {
        *err = arm_error(400, "InvalidResource", "%s must be a %s with an assetName (JobInputHttp "
                         "and clips are not served yet)", what, type);
        return NULL;
    }
    *asset = arm_asset_find(r, name);
    if (*asset == NULL) {
        *err = arm_error(404, "ResourceNotFound", "%s: the asset '%s' was not found", what, name);
        return NULL;
    }
    return entity_str(*asset, "Id");
}

static json_t *v2_job_body(const json_t *transform, const char *name, const char *input_id)
{
    char task_body[256];
    json_t *tasks = json_array();
    size_t n = json_array_size(json_object_get(transform, "outputs"));

    for (size_t i = 0; i < n; i++) {
        snprintf(task_body, sizeof(task_body), TASK_BODY, i);
        json_array_append_new(tasks, json_pack("{s:s,s:s,s:s,s:i}", "Configuration",
                                               arm_transform_preset(transform, i),
                                               "MediaProcessorId", MES_PROCESSOR_ID, "TaskBody",
                                               task_body, "Options",
                                               TASK_OPTION_KEEP_OUTPUT_ON_FAILURE));
    }
    return json_pack("{s:s,s:[{s:s}],s:o}", "Name", name, "InputMediaAssets", "Id", input_id,
                     "Tasks", tasks);
}

/* The output asset ids of the body (one per transform output) into ids. */
static http_response_t *output_assets(arm_req_t *r, const json_t *transform, json_t *ids,
                                      json_t *names)
{
    json_t *outputs = json_object_get(json_object_get(r->body, "properties"), "outputs"), *o;
    size_t i, want = json_array_size(json_object_get(transform, "outputs"));
    http_response_t *err = NULL;

    if (json_array_size(outputs) != want) {
        return arm_error(400, "InvalidResource", "the transform has %zu outputs: the job needs "
                         "as many JobOutputAssets", want);
    }
    json_array_foreach(outputs, i, o) {
        json_t *asset = NULL;
        const char *id = named_asset(r, o, OUTPUT_ASSET_TYPE, "an output", &asset, &err);
        if (id == NULL) {
            return err;
        }
        json_array_append_new(ids, json_string(id));
        json_array_append(names, json_object_get(o, "assetName"));
        json_decref(asset);
    }
    return NULL;
}

static http_response_t *create_job(arm_req_t *r, const json_t *transform, const char *name)
{
    json_t *input = json_object_get(json_object_get(r->body, "properties"), "input");
    json_t *in_asset = NULL, *ids = json_array(), *names = json_array(), *body = NULL, *job = NULL;
    http_response_t *out = NULL;
    const char *input_id = named_asset(r, input, INPUT_ASSET_TYPE, "the input", &in_asset, &out);

    if (input_id != NULL && (out = output_assets(r, transform, ids, names)) == NULL
        && asset_register_files(&r->c, input_id) == 0) {
        body = v2_job_body(transform, name, input_id);
        r->c.job_output_assets = ids;
        if (entity_create(&r->c, &entity_jobs, body, &job) == 0) {
            json_object_set_new(job, "_ArmTransform", json_string(json_string_value(
                                    json_object_get(transform, "name"))));
            json_object_set(job, "_ArmInput", input);
            json_object_set(job, "_ArmOutputs", names);
            if (entity_save(&r->c, &entity_jobs, job) == 0) {
                out = arm_json(201, job_json(r, job));
            }
        }
        r->c.job_output_assets = NULL;
    }
    json_decref(in_asset);
    json_decref(ids);
    json_decref(names);
    json_decref(body);
    json_decref(job);
    return out;
}

static http_response_t *list_jobs(arm_req_t *r, const char *transform)
{
    arm_page_t page;
    job_walk_t w = { transform, NULL, NULL, &page };
    http_response_t *bad = arm_page_init(r, &page);
    json_t *records, *job;
    size_t i;

    if (bad != NULL) {
        return bad;
    }
    catalog_each(&r->c.txn, entity_jobs.name, match_job, &w);
    records = page.value;                   /* job records → their v3 form */
    page.value = json_array();
    json_array_foreach(records, i, job) {
        json_array_append_new(page.value, job_json(r, job));
    }
    json_decref(records);
    return arm_page_answer(r, &page);
}

static http_response_t *one_job(arm_req_t *r, const json_t *transform, json_t *job)
{
    const char *name = r->path.seg[3];

    if (strcmp(r->method, "PUT") == 0) {
        return job != NULL ? arm_error(409, "Conflict", "the job '%s' exists; jobs are not "
                                       "replaced (update with PATCH is not served yet)", name)
               : !arm_name_ok(name) ? arm_error(400, "InvalidResourceName", "'%.64s' is not a "
                                                "valid job name", name)
               : create_job(r, transform, name);
    }
    if (job == NULL) {
        return strcmp(r->method, "DELETE") == 0
                   ? http_response_new(204, NULL)
                   : arm_error(404, "ResourceNotFound", "the job '%s' was not found", name);
    }
    if (strcmp(r->method, "GET") == 0) {
        return arm_json(200, job_json(r, job));
    }
    if (strcmp(r->method, "DELETE") == 0) {
        return entity_delete(&r->c, &entity_jobs, entity_str(job, "Id")) == 0
                   ? http_response_new(200, NULL) : NULL;
    }
    return arm_error(405, "MethodNotAllowed", "jobs/{name} takes GET, PUT or DELETE");
}

http_response_t *arm_jobs_handle(arm_req_t *r)
{
    json_t *transform = arm_transform_load(r, r->path.seg[1]), *job = NULL;
    http_response_t *out;

    if (transform == NULL) {
        return arm_error(404, "ResourceNotFound", "the transform '%s' was not found",
                         r->path.seg[1]);
    }
    if (r->path.nseg == 3) {
        out = strcmp(r->method, "GET") == 0
                  ? list_jobs(r, r->path.seg[1])
                  : arm_error(405, "MethodNotAllowed", "the jobs collection is read with GET");
    } else {
        job = find_job(r, r->path.seg[1], r->path.seg[3]);
        if (r->path.nseg == 4) {
            out = one_job(r, transform, job);
        } else if (r->path.nseg == 5 && arm_path_seg_is(&r->path, 4, "cancelJob")
                   && strcmp(r->method, "POST") == 0) {
            out = job == NULL ? arm_error(404, "ResourceNotFound", "the job '%s' was not found",
                                          r->path.seg[3])
                  : job_cancel(&r->c, job) == 0 ? http_response_new(200, NULL) : NULL;
        } else {
            out = arm_error(404, "NotSupported", "'%s' under a job is not served", r->path.seg[4]);
        }
    }
    json_decref(job);
    json_decref(transform);
    return out;
}
