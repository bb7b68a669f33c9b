/*
 * entity_job_templates.c — JobTemplates: a reusable job graph
 * (JobTemplateBody) over TaskTemplates posted inline with it.  Creation
 * checks the body with the jobs library against those task templates
 * (ids, asset counts) and each task template's processor and
 * configuration; deleting a template deletes its task templates.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "jobs/job_template_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const entity_prop_t jt_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_NULLABLE, 4000, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "LastModified", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "JobTemplateBody", EDM_STRING, P_REQUIRED | P_ONCE, 100000, NULL, NULL },
    { "NumberofInputAssets", EDM_INT32, P_ONCE, 0, "1", NULL },
    { "TemplateType", EDM_INT32, P_ONCE, 0, "1", NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t jt_navs[] = {
    { "TaskTemplates", "TaskTemplates", NAV_CHILDREN, "_JobTemplateId", false, NULL },
    { NULL, NULL, 0, NULL, false, NULL },
};

/* The inline TaskTemplates, checked, keyed by normalized id. */
static int read_task_templates(api_ctx_t *c, json_t *navs, json_t *by_id)
{
    json_t *arr = json_object_get(navs, "TaskTemplates"), *t;
    size_t i;

    if (json_is_object(arr)) {
        arr = json_object_get(arr, "results");
    }
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        return api_fail(c, 400, "MissingProperty", "TaskTemplates (inline, with client-chosen "
                        "ids nb:ttid:UUID:<guid>) are required");
    }
    json_array_foreach(arr, i, t) {
        char id[ENTITY_ID_MAX], what[40];
        json_t *rec = json_object();
        int rc;
        snprintf(what, sizeof(what), "TaskTemplates[%zu]", i);
        if (!json_is_object(t) || entity_str(t, "Id") == NULL
            || entity_normalize_id(&entity_task_templates, entity_str(t, "Id"), id) != 0) {
            json_decref(rec);
            return api_fail(c, 400, "InvalidId", "%s.Id must be nb:ttid:UUID:<guid>", what);
        }
        if (json_object_get(by_id, id) != NULL || catalog_exists(&c->txn, "TaskTemplates", id)) {
            json_decref(rec);
            return api_fail(c, 409, "Conflict", "task template %s already exists", id);
        }
        json_object_set_new(rec, "Id", json_string(id));
        json_object_set_new(by_id, id, rec);
        rc = entity_apply_body(c, &entity_task_templates, rec, t, true, NULL);
        if (rc != 0 || task_check_processor(c, rec, what) != 0) {
            return -1;
        }
    }
    return 0;
}

static bool lookup_inline(void *arg, const char *id, task_template_counts_t *counts)
{
    json_t *rec = json_object_get(arg, id);

    if (rec == NULL) {
        return false;
    }
    counts->input_count = (uint32_t) entity_int(rec, "NumberofInputAssets", 1);
    counts->output_count = (uint32_t) entity_int(rec, "NumberofOutputAssets", 1);
    return true;
}

static int check_body(api_ctx_t *c, json_t *rec, json_t *by_id)
{
    const char *body = entity_str(rec, "JobTemplateBody");
    long long inputs = entity_int(rec, "NumberofInputAssets", 1);
    long long type = entity_int(rec, "TemplateType", 1);
    job_template_body_t *tmpl = calloc(1, sizeof(*tmpl));
    job_graph_t graph;
    char err[JOB_ERR_LEN];
    int rc = -1;

    if (tmpl == NULL) {
        return api_fail(c, 500, "InternalError", "out of memory");
    }
    if (type != 0 && type != 1) {
        api_fail(c, 400, "InvalidValue", "TemplateType must be SystemLevel (0) or AccountLevel (1)");
    } else if (inputs < 1 || inputs >= JOB_MAX_ASSETS) {
        api_fail(c, 400, "InvalidValue", "NumberofInputAssets must be 1..%d", JOB_MAX_ASSETS - 1);
    } else if (job_template_body_parse(body, strlen(body), tmpl, err, sizeof(err)) != 0
               || job_template_body_check(tmpl, lookup_inline, by_id, (uint32_t) inputs, &graph,
                                          err, sizeof(err)) != 0) {
        api_fail(c, 400, "InvalidValue", "JobTemplateBody: %s", err);
    } else if (tmpl->task_count != json_object_size(by_id)) {
        api_fail(c, 400, "InvalidValue", "JobTemplateBody uses %u task templates but %zu were "
                 "given", tmpl->task_count, json_object_size(by_id));
    } else {
        rc = 0;
    }
    free(tmpl);
    return rc;
}

static int jt_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    json_t *by_id = json_object(), *tt;
    const char *id;
    int rc = -1;

    if (navs == NULL) {
        api_fail(c, 500, "InternalError", "job templates are created from a request body");
    } else if (read_task_templates(c, navs, by_id) == 0 && check_body(c, rec, by_id) == 0) {
        rc = 0;
        json_object_foreach(by_id, id, tt) {
            json_object_set_new(tt, "_JobTemplateId", json_string(entity_str(rec, "Id")));
            if ((rc = entity_insert(c, &entity_task_templates, tt)) != 0) {
                break;
            }
        }
    }
    json_decref(by_id);
    return rc;
}

static int jt_on_delete(api_ctx_t *c, const json_t *rec)
{
    const entity_nav_t *nav = entity_nav_find(&entity_job_templates, "TaskTemplates");
    json_t *ids = entity_nav_ids(c, entity_str(rec, "Id"), nav), *id;
    size_t i;
    int rc = 0;

    json_array_foreach(ids, i, id) {
        if ((rc = entity_delete(c, &entity_task_templates, json_string_value(id))) != 0) {
            break;
        }
    }
    json_decref(ids);
    return rc;
}

const entity_set_t entity_job_templates = {
    .name = "JobTemplates",
    .type_name = AMS_TYPE("JobTemplate"),
    .id_prefix = "nb:jtid:UUID:",
    .props = jt_props,
    .navs = jt_navs,
    .on_create = jt_on_create,
    .on_delete = jt_on_delete,
};
