/*
 * job_template_check.c — checks a parsed JobTemplateBody against the job
 * template's TaskTemplates (existence, asset counts) and builds its job
 * graph.
 */
#include "jobs/job_template_body.h"

#include "jobs/job_error.h"

static int check_counts(const job_template_task_t *task, uint32_t index,
                        const task_template_counts_t *counts, char *err, size_t err_len)
{
    uint32_t inputs = task_body_count(&task->body, TASK_ASSET_INPUT);
    uint32_t outputs = task_body_count(&task->body, TASK_ASSET_OUTPUT);
    if (counts->input_count != inputs) {
        job_errf(err, err_len, "task %u: TaskTemplate %s has NumberofInputAssets %u but its "
                 "taskBody has %u <inputAsset>", (unsigned)index, task->task_template_id,
                 (unsigned)counts->input_count, (unsigned)inputs);
        return -1;
    }
    if (counts->output_count != outputs) {
        job_errf(err, err_len, "task %u: TaskTemplate %s has NumberofOutputAssets %u but its "
                 "taskBody has %u <outputAsset>", (unsigned)index, task->task_template_id,
                 (unsigned)counts->output_count, (unsigned)outputs);
        return -1;
    }
    return 0;
}

static int check_task_templates(const job_template_body_t *tmpl, task_template_lookup_fn lookup,
                                void *lookup_context, char *err, size_t err_len)
{
    for (uint32_t t = 0; t < tmpl->task_count; t++) {
        const job_template_task_t *task = &tmpl->tasks[t];
        task_template_counts_t counts = { 0, 0 };
        if (!lookup(lookup_context, task->task_template_id, &counts)) {
            job_errf(err, err_len, "task %u: taskTemplateId %s is not one of the job template's "
                     "TaskTemplates", (unsigned)t, task->task_template_id);
            return -1;
        }
        if (check_counts(task, t, &counts, err, err_len) != 0) {
            return -1;
        }
    }
    return 0;
}

int job_template_body_check(const job_template_body_t *tmpl, task_template_lookup_fn lookup,
                            void *lookup_context, uint32_t input_count, job_graph_t *graph,
                            char *err, size_t err_len)
{
    if (tmpl->task_count > JOB_MAX_TASKS) {
        job_errf(err, err_len, "the job template has %u tasks; the limit is %d",
                 (unsigned)tmpl->task_count, JOB_MAX_TASKS);
        return -1;
    }
    if (check_task_templates(tmpl, lookup, lookup_context, err, err_len) != 0) {
        return -1;
    }
    const task_body_t *tasks[JOB_MAX_TASKS];
    uint32_t count = job_template_body_tasks(tmpl, tasks);
    return job_graph_build(input_count, tasks, count, graph, err, err_len);
}
