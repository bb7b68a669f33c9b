/*
 * job_graph.c — checks a job's task bodies against each other and against
 * its input count: producers of the outputs, references of the inputs,
 * gaps, limits; then hands the dependencies to job_graph_order.
 */
#include "jobs/job_graph.h"

#include <string.h>

#include "jobs/job_error.h"
#include "jobs/job_graph_order.h"

#define NO_PRODUCER UINT32_MAX

static int check_sizes(uint32_t input_count, uint32_t task_count, char *err, size_t err_len)
{
    if (task_count == 0) {
        job_errf(err, err_len, "a job needs at least one task");
        return -1;
    }
    if (task_count > JOB_MAX_TASKS) {
        job_errf(err, err_len, "the job has %u tasks; the limit is %d tasks per job",
                 (unsigned)task_count, JOB_MAX_TASKS);
        return -1;
    }
    if (input_count == 0) {
        job_errf(err, err_len, "a job needs at least one input asset");
        return -1;
    }
    if (input_count > JOB_MAX_ASSETS) {
        job_errf(err, err_len, "the job has %u input assets; the limit is %d assets per job",
                 (unsigned)input_count, JOB_MAX_ASSETS);
        return -1;
    }
    return 0;
}

static int check_bodies(const task_body_t *const *tasks, uint32_t task_count, char *err,
                        size_t err_len)
{
    char reason[JOB_ERR_LEN];
    for (uint32_t t = 0; t < task_count; t++) {
        if (tasks[t] == NULL) {
            job_errf(err, err_len, "task %u has no TaskBody", (unsigned)t);
            return -1;
        }
        if (task_body_check(tasks[t], reason, sizeof(reason)) != 0) {
            job_errf(err, err_len, "task %u: TaskBody: %s", (unsigned)t, reason);
            return -1;
        }
    }
    return 0;
}

static int claim_output(job_graph_t *graph, uint32_t task, uint32_t slot, uint32_t j,
                        char *err, size_t err_len)
{
    uint32_t earlier = graph->producer[j];
    if (earlier == task) {
        job_errf(err, err_len, "task %u lists JobOutputAsset(%u) twice as output", (unsigned)task,
                 (unsigned)j);
        return -1;
    }
    if (earlier != NO_PRODUCER) {
        job_errf(err, err_len, "JobOutputAsset(%u) is produced by tasks %u and %u", (unsigned)j,
                 (unsigned)earlier, (unsigned)task);
        return -1;
    }
    graph->producer[j] = task;
    graph->producer_slot[j] = slot;
    graph->output_count = j + 1 > graph->output_count ? j + 1 : graph->output_count;
    return 0;
}

static int collect_producers(job_graph_t *graph, const task_body_t *const *tasks, char *err,
                             size_t err_len)
{
    for (uint32_t j = 0; j < JOB_MAX_ASSETS; j++) {
        graph->producer[j] = NO_PRODUCER;
    }
    for (uint32_t t = 0; t < graph->task_count; t++) {
        for (uint32_t slot = 0; slot < tasks[t]->count; slot++) {
            const task_asset_t *asset = &tasks[t]->assets[slot];
            if (asset->role == TASK_ASSET_OUTPUT &&
                claim_output(graph, t, slot, asset->ref.index, err, err_len) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int link_input(job_graph_t *graph, uint32_t task, job_asset_ref_t ref, char *err,
                      size_t err_len)
{
    if (ref.kind == JOB_INPUT_ASSET) {
        if (ref.index >= graph->input_count) {
            job_errf(err, err_len, "task %u: JobInputAsset(%u) but the job has %u input asset%s",
                     (unsigned)task, (unsigned)ref.index, (unsigned)graph->input_count,
                     graph->input_count == 1 ? "" : "s");
            return -1;
        }
        return 0;
    }
    uint32_t producer = graph->producer[ref.index];
    if (producer == NO_PRODUCER) {
        job_errf(err, err_len, "task %u: JobOutputAsset(%u) is used as input but no task "
                 "produces it", (unsigned)task, (unsigned)ref.index);
        return -1;
    }
    graph->depends_on[task] |= 1u << producer;
    return 0;
}

static int link_inputs(job_graph_t *graph, const task_body_t *const *tasks, char *err,
                       size_t err_len)
{
    for (uint32_t t = 0; t < graph->task_count; t++) {
        for (uint32_t slot = 0; slot < tasks[t]->count; slot++) {
            const task_asset_t *asset = &tasks[t]->assets[slot];
            if (asset->role == TASK_ASSET_INPUT &&
                link_input(graph, t, asset->ref, err, err_len) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int check_outputs(const job_graph_t *graph, char *err, size_t err_len)
{
    for (uint32_t j = 0; j < graph->output_count; j++) {
        if (graph->producer[j] == NO_PRODUCER) {
            job_errf(err, err_len, "JobOutputAsset(%u) is missing: the output indexes must run "
                     "0..%u without gaps", (unsigned)j, (unsigned)graph->output_count - 1);
            return -1;
        }
    }
    if (graph->input_count + graph->output_count > JOB_MAX_ASSETS) {
        job_errf(err, err_len, "the job has %u input and %u output assets; the limit is %d "
                 "assets per job", (unsigned)graph->input_count, (unsigned)graph->output_count,
                 JOB_MAX_ASSETS);
        return -1;
    }
    return 0;
}

int job_graph_build(uint32_t input_count, const task_body_t *const *tasks, uint32_t task_count,
                    job_graph_t *graph, char *err, size_t err_len)
{
    memset(graph, 0, sizeof(*graph));
    if (check_sizes(input_count, task_count, err, err_len) != 0 ||
        check_bodies(tasks, task_count, err, err_len) != 0) {
        return -1;
    }
    graph->input_count = input_count;
    graph->task_count = task_count;
    if (collect_producers(graph, tasks, err, err_len) != 0 ||
        link_inputs(graph, tasks, err, err_len) != 0 ||
        check_outputs(graph, err, err_len) != 0) {
        return -1;
    }
    return job_graph_order(graph, err, err_len);
}

const task_asset_t *job_graph_output(const job_graph_t *graph, const task_body_t *const *tasks,
                                     uint32_t output_index)
{
    if (output_index >= graph->output_count) {
        return NULL;
    }
    return &tasks[graph->producer[output_index]]->assets[graph->producer_slot[output_index]];
}
