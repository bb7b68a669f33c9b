/*
 * arm_jobs.c — v3 jobs over v2 Jobs: one Media Encoder Standard task per
 * transform output, reading the job input (arm_job_input.h: an asset, or
 * URLs the encoder downloads; a clip in each task's Configuration) and writing into the
 * JobOutputAsset the client made (api_ctx_t.job_output_assets), with
 * DoNotDeleteOutputAssetOnFailure (a v3 output asset is the client's).  The
 * v2 job keeps its v3 transform, input and output names in private members.
 *   GET    transforms/{t}/jobs               list
 *   GET    transforms/{t}/jobs/{j}           one: state, outputs[i].state/progress/error
 *   PUT    transforms/{t}/jobs/{j}           create (201; 409 when it exists)
 *   PATCH  transforms/{t}/jobs/{j}           description, priority
 *   DELETE transforms/{t}/jobs/{j}           200 (a final job), 204 when none
 *   POST   transforms/{t}/jobs/{j}/cancelJob 200
 * States map one to one: Queued, Scheduled, Processing, Finished, Error,
 * Canceled, Canceling.  Jobs made through v2 have no transform: v3 does not
 * list them.
 */
#include "arm/arm_error.h"
#include "arm/arm_job_input.h"
#include "arm/arm_list_query.h"
#include "arm/arm_names.h"
#include "arm/arm_transforms.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "jobs/processor_config.h"
#include "jobs/job_state.h"
#include "sched/job_lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
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

/* v3 priority ↔ the v2 job Priority (higher runs first; v2's default 0 is Normal). */
#define PRIORITY_BAD 99
static const char *const priority_names[] = { "Low", "Normal", "High" };

static int priority_level(const char *name)
{
    for (int i = 0; name != NULL && i < 3; i++) {
        if (strcasecmp(name, priority_names[i]) == 0) return i - 1;
    }
    return PRIORITY_BAD;
}

bool arm_jobs_writes(const arm_req_t *r)
{
    return strcmp(r->method, "GET") != 0;
}

typedef struct {
    const char *transform, *name;
    json_t *found;                     /* one job, or … */
    arm_page_t *page;                  /* … a page of the transform's jobs, or … */
    json_t *all;                       /* … all of them (a filtered or ordered list) */
} job_walk_t;

static int match_job(const char *id, json_t *rec, void *arg)
{
    job_walk_t *w = arg;
    const char *t = entity_str(rec, "_ArmTransform"), *n = entity_str(rec, "Name");

    (void) id;
    if (t == NULL || strcasecmp(t, w->transform) != 0) {
        return 0;
    }
    if (w->all != NULL) {
        json_array_append(w->all, rec);
        return json_array_size(w->all) > ARM_QUERY_MATCHES;
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
    job_walk_t w = { transform, name, NULL, NULL, NULL };
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
    props = json_pack("{s:s?,s:s?,s:s,s:O?,s:o,s:s,s:O?}", "created", entity_str(job, "Created"),
                      "lastModified", entity_str(job, "LastModified"), "state",
                      state_name(entity_int(job, "State", 0)), "input",
                      json_object_get(job, "_ArmInput"), "outputs", outputs, "priority",
                      entity_str(job, "_ArmPriority") ? entity_str(job, "_ArmPriority") : "Normal",
                      "correlationData", json_object_get(job, "_ArmCorrelation"));
    if (!json_is_object(json_object_get(props, "correlationData")))
        json_object_set_new(props, "correlationData", json_object());
    if (entity_str(job, "_ArmDescription") != NULL)
        json_object_set_new(props, "description", json_string(entity_str(job, "_ArmDescription")));
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
        *err = arm_error(400, "InvalidResource", "%s must be a %s with an assetName", what, type);
        return NULL;
    }
    *asset = arm_asset_find(r, name);
    if (*asset == NULL) {
        *err = arm_error(404, "ResourceNotFound", "%s: the asset '%s' was not found", what, name);
        return NULL;
    }
    return entity_str(*asset, "Id");
}

/* The v2 job: one MES task per transform output, each with the Configuration
 * of its output and the input's clip; NULL when one maps to none. */
static json_t *v2_job_body(const json_t *transform, const char *name, const char *input_id,
                           const arm_job_input_t *in)
{
    char task_body[256];
    json_t *tasks = json_array();
    size_t n = json_array_size(json_object_get(transform, "outputs"));

    for (size_t i = 0; i < n; i++) {
        char *config = arm_transform_configuration(transform, i, in->clipped ? &in->clip : NULL);
        if (config == NULL) {
            json_decref(tasks);
            return NULL;
        }
        snprintf(task_body, sizeof(task_body), TASK_BODY, i);
        json_array_append_new(tasks, json_pack("{s:s,s:s,s:s,s:i}", "Configuration", config,
                                               "MediaProcessorId", MES_PROCESSOR_ID, "TaskBody",
                                               task_body, "Options",
                                               TASK_OPTION_KEEP_OUTPUT_ON_FAILURE));
        free(config);
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

/* The v3 properties kept as they are: description, priority, correlationData. */
static http_response_t *read_extras(const json_t *props, json_t *job)
{
    const json_t *desc = json_object_get(props, "description");
    const json_t *prio = json_object_get(props, "priority");
    const json_t *corr = json_object_get(props, "correlationData"), *v;
    const char *key;
    int level = 0;

    if (desc != NULL && (!json_is_string(desc) || json_string_length(desc) > 4000)) {
        return arm_error(400, "InvalidResource", "description is a string of at most 4000 bytes");
    }
    if (prio != NULL && (level = priority_level(json_string_value(prio))) == PRIORITY_BAD) {
        return arm_error(400, "InvalidResource", "priority is Low, Normal or High");
    }
    if (corr != NULL && (!json_is_object(corr) || json_object_size(corr) > 16)) {
        return arm_error(400, "InvalidResource", "correlationData is an object of at most 16 "
                         "strings");
    }
    json_object_foreach((json_t *) corr, key, v) {
        if (!json_is_string(v) || strlen(key) > 256 || json_string_length(v) > 1024) {
            return arm_error(400, "InvalidResource", "correlationData values are strings (keys "
                             "of at most 256 bytes, values of at most 1024)");
        }
    }
    if (job == NULL) {
        return NULL;
    }
    if (desc != NULL) json_object_set(job, "_ArmDescription", (json_t *) desc);
    if (corr != NULL) json_object_set(job, "_ArmCorrelation", (json_t *) corr);
    if (prio != NULL) {
        json_object_set_new(job, "_ArmPriority", json_string(priority_names[level + 1]));
        if (entity_int(job, "State", 0) == JOB_QUEUED) {
            json_object_set_new(job, "Priority", json_integer(level));
        }
    }
    return NULL;
}

/* The v2 job record of a new v3 job; NULL after *out or a v2 error. */
static json_t *new_v2_job(arm_req_t *r, const json_t *transform, const char *name,
                          const arm_job_input_t *in, json_t *ids)
{
    const char *input_id = in->asset != NULL ? entity_str(in->asset, "Id")
                                             : json_string_value(json_array_get(ids, 0));
    json_t *body, *job = NULL;

    /* an HTTP input has no asset: the first output asset stands for it in the v2
     * graph, and the scheduler hands the encoder the URLs (_InputUrls) instead */
    if (in->asset != NULL && asset_register_files(&r->c, input_id) != 0) {
        return NULL;
    }
    body = v2_job_body(transform, name, input_id, in);
    if (body == NULL) {
        api_fail(&r->c, 500, "InternalError", "the transform's presets cannot be mapped");
        return NULL;
    }
    r->c.job_output_assets = ids;
    if (entity_create(&r->c, &entity_jobs, body, &job) != 0) {
        job = NULL;
    }
    r->c.job_output_assets = NULL;
    json_decref(body);
    return job;
}

static http_response_t *create_job(arm_req_t *r, const json_t *transform, const char *name)
{
    const json_t *props = json_object_get(r->body, "properties");
    json_t *input = json_object_get(props, "input");
    json_t *ids = json_array(), *names = json_array(), *job = NULL;
    arm_job_input_t in;
    http_response_t *out = read_extras(props, NULL);

    if (out == NULL && (out = arm_job_input_read(r, input, &in)) == NULL) {
        if ((out = output_assets(r, transform, ids, names)) == NULL
            && (job = new_v2_job(r, transform, name, &in, ids)) != NULL) {
            json_object_set_new(job, "_ArmTransform", json_string(json_string_value(
                                    json_object_get(transform, "name"))));
            json_object_set(job, "_ArmInput", input);
            json_object_set(job, "_ArmOutputs", names);
            if (in.urls != NULL) json_object_set(job, "_InputUrls", in.urls);
            if (in.files != NULL) json_object_set(job, "_InputFiles", in.files);
            read_extras(props, job);
            if (entity_save(&r->c, &entity_jobs, job) == 0) {
                out = arm_json(201, job_json(r, job));
            }
        }
        arm_job_input_free(&in);
    }
    json_decref(ids);
    json_decref(names);
    json_decref(job);
    return out;
}

/* PATCH: description and priority only (ARM merge semantics). */
static http_response_t *update_job(arm_req_t *r, json_t *job)
{
    const json_t *props = json_object_get(r->body, "properties");
    const char *key;
    json_t *v;
    http_response_t *out;

    if (r->body == NULL || (props != NULL && !json_is_object(props))) {
        return arm_error(400, "InvalidRequestContent", "PATCH takes {\"properties\":{…}}");
    }
    json_object_foreach((json_t *) props, key, v) {
        if (strcmp(key, "description") != 0 && strcmp(key, "priority") != 0) {
            return arm_error(400, "InvalidResource", "properties.%.64s cannot be updated: a job "
                             "takes description and priority only", key);
        }
    }
    if ((out = read_extras(props, NULL)) != NULL) {
        return out;
    }
    read_extras(props, job);
    if (entity_save(&r->c, &entity_jobs, job) != 0) {
        return NULL;
    }
    return arm_json(200, job_json(r, job));
}

/* $filter / $orderby / $top over the transform's jobs in their v3 form. */
static http_response_t *query_jobs(arm_req_t *r, const char *transform, const arm_query_t *q)
{
    job_walk_t w = { transform, NULL, NULL, NULL, json_array() };
    json_t *matches = json_array(), *job;
    size_t i;

    catalog_each(&r->c.txn, entity_jobs.name, match_job, &w);
    if (json_array_size(w.all) > ARM_QUERY_MATCHES) {
        json_decref(w.all);
        json_decref(matches);
        return arm_error(400, "InvalidParameter", "more than %d jobs: narrow the $filter",
                         ARM_QUERY_MATCHES);
    }
    json_array_foreach(w.all, i, job) {
        json_t *res = job_json(r, job);
        if (res != NULL && arm_query_match(q, res)) {
            json_array_append(matches, res);
        }
        json_decref(res);
    }
    json_decref(w.all);
    return arm_query_answer(r, q, matches);
}

static http_response_t *list_jobs(arm_req_t *r, const char *transform)
{
    static const char *const filter[] = { "name", "properties/state", "properties/created",
                                          "properties/lastModified", NULL };
    static const char *const order[] = { "name", "properties/created", "properties/lastModified",
                                         NULL };
    arm_page_t page;
    arm_query_t q;
    job_walk_t w = { transform, NULL, NULL, &page, NULL };
    http_response_t *bad = arm_query_parse(r, filter, order, &q);
    json_t *records, *job;
    size_t i;

    if (bad == NULL && arm_query_active(&q)) {
        return query_jobs(r, transform, &q);
    }
    if (bad != NULL || (bad = arm_page_init(r, &page)) != NULL) {
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
                                       "replaced (update description or priority with PATCH)",
                                       name)
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
    if (strcmp(r->method, "PATCH") == 0) {
        return update_job(r, job);
    }
    return arm_error(405, "MethodNotAllowed", "jobs/{name} takes GET, PUT, PATCH or DELETE");
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
