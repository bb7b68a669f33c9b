/*
 * job_create.c — what POST /api/Jobs makes besides the job record: reads
 * InputMediaAssets (entity URIs), the inline Tasks or the tasks of the job
 * template named by TemplateId, checks every task (processor, encoder
 * configuration, TaskBody) and the job graph with the jobs library, then
 * creates the output assets (names per job_output_name, ParentAssets = the
 * job's inputs), the task records and all navigation links.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "jobs/job_graph.h"
#include "jobs/job_state.h"
#include "jobs/job_template_body.h"
#include "jobs/processor_config.h"
#include "jobs/task_body.h"
#include "odata/odata_resource.h"
#include "sched/encoder_check.h"
#include "util/text_codec.h"
#include "catalog/catalog_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    json_t      *inputs;        /* ordered asset ids */
    json_t      *tasks;         /* task records, not stored yet */
    task_body_t *bodies;        /* parsed TaskBody of each task */
    job_graph_t  graph;
    json_t      *outputs;       /* ordered output asset ids */
} job_plan_t;

/* A navigation value: an array, or the verbose {"results":[…]}. */
static json_t *nav_array(json_t *v)
{
    if (json_is_object(v) && json_is_array(json_object_get(v, "results"))) {
        return json_object_get(v, "results");
    }
    return json_is_array(v) ? v : NULL;
}

/* The asset id of {"__metadata":{"uri":".../Assets('id')"}} or {"uri":…}. */
static int asset_ref_id(api_ctx_t *c, json_t *ref, size_t i, char out[ENTITY_ID_MAX])
{
    if (asset_ref_parse(ref, out) != 0) {
        return api_fail(c, 400, "InvalidValue", "InputMediaAssets[%zu] must be "
                        "{\"__metadata\":{\"uri\":\"…/Assets('id')\"}}", i);
    }
    if (!catalog_exists(&c->txn, "Assets", out)) {
        return api_fail(c, 400, "InvalidValue", "InputMediaAssets[%zu]: asset '%.200s' does not exist",
                        i, out);
    }
    return 0;
}

static int read_inputs(api_ctx_t *c, json_t *navs, job_plan_t *plan)
{
    json_t *arr = nav_array(json_object_get(navs, "InputMediaAssets")), *ref;
    size_t i;

    if (arr == NULL || json_array_size(arr) == 0) {
        return api_fail(c, 400, "MissingProperty",
                        "InputMediaAssets is required: [{\"__metadata\":{\"uri\":\"…/Assets('id')\"}}]");
    }
    if (json_array_size(arr) >= JOB_MAX_ASSETS) {
        return api_fail(c, 400, "InvalidValue", "a job can have at most %d assets", JOB_MAX_ASSETS);
    }
    json_array_foreach(arr, i, ref) {
        char id[ENTITY_ID_MAX];
        if (asset_ref_id(c, ref, i, id) != 0) {
            return -1;
        }
        json_array_append_new(plan->inputs, json_string(id));
    }
    return 0;
}

/* ------------------------------------------------------------ processors */

/* 400 for an Azure Media Encoder configuration mediaplane does not map. */
static int legacy_preset_unknown(api_ctx_t *c, const char *what, const char *config)
{
    return api_fail(c, 400, "InvalidConfiguration", "%s: '%.100s' is not an Azure Media Encoder "
                    "preset name mediaplane maps onto Media Encoder Standard (such as 'H264 "
                    "Broadband 720p', 'H264 Adaptive Bitrate MP4 Set 720p' or 'H264 Smooth "
                    "Streaming 720p'; the README lists them all); for other presets use the Media "
                    "Encoder Standard processor", what, config);
}

/* The encoder's verdict on the configuration it would run. */
static int check_encoder_config(api_ctx_t *c, const char *what, const char *config)
{
    char msg[512];
    encoder_check_t st = encoder_check_config(c->app->cfg.encoder_path, c->app->cfg.work_dir,
                                              config, msg, sizeof(msg));

    if (st == ENCODER_CHECK_REJECTED) {
        return api_fail(c, 400, "InvalidConfiguration", "%s: Configuration is not valid: %s", what,
                        msg);
    }
    if (st == ENCODER_CHECK_UNAVAILABLE) {
        return api_fail(c, 503, "ServiceUnavailable", "%s: the encoder cannot check the "
                        "Configuration now: %s", what, msg);
    }
    return 0;
}

int task_check_processor(api_ctx_t *c, json_t *rec, const char *what)
{
    char norm[ENTITY_ID_MAX];
    const char *mp = entity_str(rec, "MediaProcessorId");
    const char *config = entity_str(rec, "Configuration");
    const char *run;

    if (mp == NULL) {
        return api_fail(c, 400, "MissingProperty", "%s: MediaProcessorId is required", what);
    }
    if (entity_normalize_id(&entity_media_processors, mp, norm) != 0
        || !catalog_exists(&c->txn, "MediaProcessors", norm)) {
        return api_fail(c, 400, "InvalidValue", "%s: MediaProcessorId '%.200s' is not a media processor",
                        what, mp);
    }
    json_object_set_new(rec, "MediaProcessorId", json_string(norm));
    if (!processor_encodes(norm)) {
        return 0;
    }
    if (config == NULL || config[0] == '\0') {
        return api_fail(c, 400, "InvalidValue", "%s: Configuration is required for %s (a preset "
                        "name%s)", what, processor_is_legacy(norm) ? "Azure Media Encoder"
                        : "Media Encoder Standard", processor_is_legacy(norm) ? "" : " or JSON");
    }
    if ((run = processor_encoder_config(norm, config)) == NULL) {
        return legacy_preset_unknown(c, what, config);
    }
    return check_encoder_config(c, what, run);
}

/* ------------------------------------------------------------ tasks */

static int check_task_subscriptions(api_ctx_t *c, json_t *rec, const char *what);

static int check_task_record(api_ctx_t *c, json_t *rec, const char *what)
{
    long long options = entity_int(rec, "Options", 0);

    if (entity_str(rec, "TaskBody") == NULL) {
        return api_fail(c, 400, "MissingProperty", "%s: TaskBody is required", what);
    }
    if (options < 0 || (options & ~(long long) TASK_OPTIONS_ALL) != 0) {
        return api_fail(c, 400, "InvalidValue", "%s: Options must combine None (0), "
                        "ProtectedConfiguration (1), DoNotDeleteOutputAssetOnFailure (2) and "
                        "DoNotCancelOnJobFailure (4)", what);
    }
    if (options & TASK_OPTION_PROTECTED_CONFIGURATION) {
        return api_fail(c, 400, "NotSupported", "%s: ProtectedConfiguration (encrypted task "
                        "configurations) is not supported", what);
    }
    return check_task_subscriptions(c, rec, what) != 0 ? -1 : task_check_processor(c, rec, what);
}

static int tasks_from_body(api_ctx_t *c, json_t *navs, job_plan_t *plan)
{
    json_t *arr = nav_array(json_object_get(navs, "Tasks")), *t;
    size_t i;

    if (arr == NULL || json_array_size(arr) == 0) {
        return api_fail(c, 400, "MissingProperty", "a job needs Tasks (inline) or a TemplateId");
    }
    if (json_array_size(arr) > JOB_MAX_TASKS) {
        return api_fail(c, 400, "InvalidValue", "a job can have at most %d tasks", JOB_MAX_TASKS);
    }
    json_array_foreach(arr, i, t) {
        json_t *rec = json_object();
        char what[32];
        snprintf(what, sizeof(what), "Tasks[%zu]", i);
        json_array_append_new(plan->tasks, rec);
        if (!json_is_object(t)) {
            return api_fail(c, 400, "InvalidValue", "%s must be an object", what);
        }
        if (entity_apply_body(c, &entity_tasks, rec, t, true, NULL) != 0
            || check_task_record(c, rec, what) != 0) {
            return -1;
        }
    }
    return 0;
}

typedef struct {
    api_ctx_t *c;
} tt_lookup_t;

static bool lookup_task_template(void *arg, const char *id, task_template_counts_t *counts)
{
    tt_lookup_t *l = arg;
    json_t *rec = NULL;
    bool found = catalog_get(&l->c->txn, "TaskTemplates", id, &rec) == 0;

    if (found) {
        counts->input_count = (uint32_t) entity_int(rec, "NumberofInputAssets", 0);
        counts->output_count = (uint32_t) entity_int(rec, "NumberofOutputAssets", 0);
    }
    json_decref(rec);
    return found;
}

/* One task record from a task template and its rendered task body. */
static int task_from_template(api_ctx_t *c, const job_template_task_t *tt, json_t *rec,
                              char *xml, size_t cap)
{
    json_t *tmpl = NULL;
    char err[JOB_ERR_LEN];
    static const char *const copied[] = { "Configuration", "MediaProcessorId", "Name", "Options",
                                          "EncryptionKeyId", "EncryptionScheme",
                                          "EncryptionVersion", "InitializationVector" };

    if (catalog_get(&c->txn, "TaskTemplates", tt->task_template_id, &tmpl) != 0) {
        return api_fail(c, 400, "InvalidValue", "task template '%s' does not exist",
                        tt->task_template_id);
    }
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
        json_t *v = json_object_get(tmpl, copied[i]);
        if (v != NULL && !json_is_null(v)) {
            json_object_set(rec, copied[i], v);
        }
    }
    json_decref(tmpl);
    if (task_body_render(&tt->body, xml, cap, NULL, err, sizeof(err)) != 0) {
        return api_fail(c, 400, "InvalidValue", "%s", err);
    }
    json_object_set_new(rec, "TaskBody", json_string(xml));
    return 0;
}

static int tasks_from_template(api_ctx_t *c, json_t *job, job_plan_t *plan)
{
    json_t *tmpl_rec = NULL;
    job_template_body_t *tmpl = calloc(1, sizeof(*tmpl));
    char *xml = malloc(TASK_BODY_RENDER_MAX), err[JOB_ERR_LEN], norm[ENTITY_ID_MAX];
    const char *body;
    tt_lookup_t lookup = { c };
    int rc = -1;

    if (tmpl == NULL || xml == NULL) {
        api_fail(c, 500, "InternalError", "out of memory");
        goto done;
    }
    if (entity_normalize_id(&entity_job_templates, entity_str(job, "TemplateId"), norm) != 0
        || catalog_get(&c->txn, "JobTemplates", norm, &tmpl_rec) != 0) {
        api_fail(c, 400, "InvalidValue", "TemplateId '%.200s' is not an existing job template",
                 entity_str(job, "TemplateId"));
        goto done;
    }
    json_object_set_new(job, "TemplateId", json_string(norm));
    body = entity_str(tmpl_rec, "JobTemplateBody");
    if (job_template_body_parse(body, strlen(body), tmpl, err, sizeof(err)) != 0
        || job_template_body_check(tmpl, lookup_task_template, &lookup,
                                   (uint32_t) json_array_size(plan->inputs), &plan->graph, err,
                                   sizeof(err)) != 0) {
        api_fail(c, 400, "InvalidValue", "job template: %s", err);
        goto done;
    }
    for (uint32_t i = 0; i < tmpl->task_count; i++) {
        json_t *rec = json_object();
        char what[32];
        snprintf(what, sizeof(what), "template task %u", i);
        json_array_append_new(plan->tasks, rec);
        if (task_from_template(c, &tmpl->tasks[i], rec, xml, TASK_BODY_RENDER_MAX) != 0
            || task_check_processor(c, rec, what) != 0) {
            goto done;
        }
    }
    rc = 0;
done:
    json_decref(tmpl_rec);
    free(tmpl);
    free(xml);
    return rc;
}

/* ------------------------------------------------------------ graph */

static int build_graph(api_ctx_t *c, job_plan_t *plan)
{
    size_t n = json_array_size(plan->tasks);
    const task_body_t *ptrs[JOB_MAX_TASKS];
    char err[JOB_ERR_LEN];

    plan->bodies = calloc(n, sizeof(task_body_t));
    if (plan->bodies == NULL) {
        return api_fail(c, 500, "InternalError", "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const char *xml = entity_str(json_array_get(plan->tasks, i), "TaskBody");
        if (task_body_parse(xml, strlen(xml), &plan->bodies[i], err, sizeof(err)) != 0) {
            return api_fail(c, 400, "InvalidValue", "Tasks[%zu].%s", i, err);
        }
        ptrs[i] = &plan->bodies[i];
    }
    if (job_graph_build((uint32_t) json_array_size(plan->inputs), ptrs, (uint32_t) n,
                        &plan->graph, err, sizeof(err)) != 0) {
        return api_fail(c, 400, "InvalidValue", "Tasks: %s", err);
    }
    return 0;
}

/* ------------------------------------------------------------ subscriptions */

/* The subscription's endpoint, normalized; false when malformed or unknown. */
static bool endpoint_exists(api_ctx_t *c, json_t *sub)
{
    char norm[ENTITY_ID_MAX];
    const char *id = entity_str(sub, "NotificationEndPointId");

    if (id == NULL || entity_normalize_id(&entity_notification_endpoints, id, norm) != 0
        || !catalog_exists(&c->txn, "NotificationEndPoints", norm)) {
        return false;
    }
    json_object_set_new(sub, "NotificationEndPointId", json_string(norm));
    return true;
}

static int check_subscriptions(api_ctx_t *c, json_t *list, const char *what,
                               const char *target_name, bool task)
{
    size_t i;
    json_t *s;

    json_array_foreach(list, i, s) {
        json_t *target = json_object_get(s, target_name);
        json_t *progress = json_object_get(s, "IncludeTaskProgress");
        if (!json_is_object(s) || !endpoint_exists(c, s)) {
            return api_fail(c, 400, "InvalidValue", "%s[%zu].NotificationEndPointId must name an "
                            "existing NotificationEndPoint (nb:nepid:UUID:<guid>)", what, i);
        }
        if (!json_is_integer(target) || json_integer_value(target) < NOTIFY_TARGET_NONE
            || json_integer_value(target) > NOTIFY_TARGET_ALL) {
            return api_fail(c, 400, "InvalidValue", "%s[%zu].%s must be None (0), "
                            "FinalStatesOnly (1) or All (2)", what, i, target_name);
        }
        if (task && progress != NULL && !json_is_boolean(progress)) {
            return api_fail(c, 400, "InvalidValue", "%s[%zu].IncludeTaskProgress must be a boolean",
                            what, i);
        }
    }
    return 0;
}

static int check_task_subscriptions(api_ctx_t *c, json_t *rec, const char *what)
{
    char name[64];
    snprintf(name, sizeof(name), "%s.TaskNotificationSubscriptions", what);
    return check_subscriptions(c, json_object_get(rec, "TaskNotificationSubscriptions"), name,
                               "TargetTaskState", true);
}

/* ------------------------------------------------------------ creation */

/* A v3 job (arm/arm_jobs.c) writes into assets its client made: one per
 * output of the graph, linked to the inputs like new ones. */
static int use_existing_outputs(api_ctx_t *c, job_plan_t *plan)
{
    const entity_nav_t *parents = entity_nav_find(&entity_assets, "ParentAssets");
    json_t *id, *in;
    size_t i, k;

    if (json_array_size(c->job_output_assets) != plan->graph.output_count) {
        return api_fail(c, 400, "InvalidValue", "the job has %u outputs, %zu output assets given",
                        plan->graph.output_count, json_array_size(c->job_output_assets));
    }
    json_array_foreach(c->job_output_assets, i, id) {
        json_array_append(plan->outputs, id);
        json_array_foreach(plan->inputs, k, in) {
            if (json_equal(id, in)) {
                continue;       /* a v3 JobInputHttp: its output asset stands for the input */
            }
            if (!catalog_linked(&c->txn, json_string_value(id), parents->name, json_string_value(in))
                && entity_link(c, &entity_assets, json_string_value(id), parents,
                               json_string_value(in), true) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int create_outputs(api_ctx_t *c, json_t *job, job_plan_t *plan)
{
    const task_body_t *ptrs[JOB_MAX_TASKS];
    const entity_nav_t *parents = entity_nav_find(&entity_assets, "ParentAssets");
    char name[TASK_ASSET_NAME_MAX + 64];

    if (c->job_output_assets != NULL) {
        return use_existing_outputs(c, plan);
    }
    for (size_t i = 0; i < json_array_size(plan->tasks); i++) {
        ptrs[i] = &plan->bodies[i];
    }
    for (uint32_t j = 0; j < plan->graph.output_count; j++) {
        const task_asset_t *out = job_graph_output(&plan->graph, ptrs, j);
        json_t *asset;
        size_t k;
        json_t *in;
        if (job_output_name(&plan->graph, ptrs, j, entity_str(job, "Name"), entity_str(job, "Id"),
                            name, sizeof(name)) != 0) {
            return api_fail(c, 400, "InvalidValue", "JobOutputAsset(%u): name too long", j);
        }
        asset = json_pack("{s:s,s:i,s:i}", "Name", name, "Options",
                          (int) (out->has_creation_options ? out->creation_options : 0),
                          "FormatOption", (int) (out->has_format_option ? out->format_option : 0));
        if (out->storage_account[0] != '\0') {
            json_object_set_new(asset, "StorageAccountName", json_string(out->storage_account));
        }
        if (entity_insert(c, &entity_assets, asset) != 0) {
            json_decref(asset);
            return -1;
        }
        json_array_append(plan->outputs, json_object_get(asset, "Id"));
        json_array_foreach(plan->inputs, k, in) {
            if (entity_link(c, &entity_assets, entity_str(asset, "Id"), parents,
                            json_string_value(in), true) != 0) {
                json_decref(asset);
                return -1;
            }
        }
        json_decref(asset);
    }
    return 0;
}

static int link_all(api_ctx_t *c, const entity_set_t *set, const char *id, const char *nav_name,
                    const json_t *ids)
{
    const entity_nav_t *nav = entity_nav_find(set, nav_name);
    size_t i;
    json_t *v;

    json_array_foreach(ids, i, v) {
        if (!catalog_linked(&c->txn, id, nav->name, json_string_value(v))
            && entity_link(c, set, id, nav, json_string_value(v), true) != 0) {
            return -1;
        }
    }
    return 0;
}

/* The asset ids a task body's inputs and outputs name, in document order. */
static void task_asset_ids(const job_plan_t *plan, const task_body_t *body, json_t *in,
                           json_t *out)
{
    for (uint32_t a = 0; a < body->count; a++) {
        const task_asset_t *ta = &body->assets[a];
        const json_t *from = ta->ref.kind == JOB_INPUT_ASSET ? plan->inputs : plan->outputs;
        json_array_append(ta->role == TASK_ASSET_INPUT ? in : out,
                          json_array_get(from, ta->ref.index));
    }
}

static int create_tasks(api_ctx_t *c, json_t *job, job_plan_t *plan)
{
    const char *job_id = entity_str(job, "Id");
    size_t i;
    json_t *rec;

    json_array_foreach(plan->tasks, i, rec) {
        json_t *in = json_array(), *out = json_array(), *deps = json_array();
        int rc;
        for (uint32_t k = 0; k < plan->graph.task_count; k++) {
            if (plan->graph.depends_on[i] & (1u << k)) {
                json_array_append_new(deps, json_integer(k));
            }
        }
        task_asset_ids(plan, &plan->bodies[i], in, out);
        json_object_set_new(rec, "_JobId", json_string(job_id));
        json_object_set_new(rec, "_Position", json_integer((json_int_t) i));
        json_object_set_new(rec, "_InputAssetIds", in);
        json_object_set_new(rec, "_OutputAssetIds", out);
        json_object_set_new(rec, "_DependsOn", deps);
        json_object_set_new(rec, "State", json_integer(JOB_QUEUED));
        rc = entity_insert(c, &entity_tasks, rec);
        if (rc != 0 || link_all(c, &entity_tasks, entity_str(rec, "Id"), "InputMediaAssets", in) != 0
            || link_all(c, &entity_tasks, entity_str(rec, "Id"), "OutputMediaAssets", out) != 0) {
            return -1;
        }
    }
    return 0;
}

/* The ids of the created task records, in task order. */
static json_t *task_ids(const json_t *tasks)
{
    json_t *ids = json_array(), *t;
    size_t i;

    json_array_foreach(tasks, i, t) {
        json_array_append(ids, json_object_get(t, "Id"));
    }
    return ids;
}

int job_create_contents(api_ctx_t *c, json_t *job, json_t *navs)
{
    job_plan_t plan = { json_array(), json_array(), NULL, { 0 }, json_array() };
    bool templated = entity_str(job, "TemplateId") != NULL;
    int rc = -1;

    if (read_inputs(c, navs, &plan) != 0
        || check_subscriptions(c, json_object_get(job, "JobNotificationSubscriptions"),
                               "JobNotificationSubscriptions", "TargetJobState", false) != 0) {
        goto done;
    }
    if (templated && json_object_get(navs, "Tasks") != NULL
        && json_array_size(nav_array(json_object_get(navs, "Tasks"))) > 0) {
        api_fail(c, 400, "InvalidValue", "give either TemplateId or Tasks, not both");
        goto done;
    }
    if ((templated ? tasks_from_template(c, job, &plan) : tasks_from_body(c, navs, &plan)) != 0
        || build_graph(c, &plan) != 0 || create_outputs(c, job, &plan) != 0
        || create_tasks(c, job, &plan) != 0
        || link_all(c, &entity_jobs, entity_str(job, "Id"), "InputMediaAssets", plan.inputs) != 0
        || link_all(c, &entity_jobs, entity_str(job, "Id"), "OutputMediaAssets", plan.outputs) != 0) {
        goto done;
    }
    json_object_set(job, "_InputAssetIds", plan.inputs);
    json_object_set(job, "_OutputAssetIds", plan.outputs);
    json_object_set_new(job, "_TaskIds", task_ids(plan.tasks));
    rc = 0;
done:
    json_decref(plan.inputs);
    json_decref(plan.tasks);
    json_decref(plan.outputs);
    free(plan.bodies);
    return rc;
}
