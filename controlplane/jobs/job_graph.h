/*
 * job_graph.h — validates a job's asset graph: its InputMediaAssets count and
 * the task bodies in task order give the job's output count, the task that
 * produces each output, which task waits for which, and a run order for the
 * scheduler.  Also the default names of output assets.
 */
#ifndef JOB_GRAPH_H
#define JOB_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/job_limits.h"
#include "jobs/task_body.h"

typedef struct {
    uint32_t input_count;                       /* N: the job's input assets */
    uint32_t output_count;                      /* M: JobOutputAsset(0..M-1) */
    uint32_t task_count;
    uint32_t producer[JOB_MAX_ASSETS];          /* JobOutputAsset(j) comes from task producer[j] ... */
    uint32_t producer_slot[JOB_MAX_ASSETS];     /* ... as its assets[producer_slot[j]] */
    uint32_t depends_on[JOB_MAX_TASKS];         /* bit k: the task reads an output of task k */
    uint32_t stage[JOB_MAX_TASKS];              /* 0: reads job inputs only; else 1 + the
                                                   highest stage of the tasks it reads from */
    uint32_t order[JOB_MAX_TASKS];              /* run order: by stage, then task position */
} job_graph_t;

/* Checks the job: 1..JOB_MAX_TASKS tasks, each body passing
 * task_body_check; every JobInputAsset(i) with i < input_count; every output
 * produced by exactly one task, output indexes 0..M-1 without gaps; inputs
 * naming JobOutputAsset(j) only when some task produces j; no cycles;
 * input_count + M <= JOB_MAX_ASSETS.  Tasks are numbered from 0 in messages.
 * Returns 0 with graph filled, or -1 with a message for API users in err. */
int job_graph_build(uint32_t input_count, const task_body_t *const *tasks, uint32_t task_count,
                    job_graph_t *graph, char *err, size_t err_len);

/* The <outputAsset> that produces JobOutputAsset(j) (j < graph->output_count). */
const task_asset_t *job_graph_output(const job_graph_t *graph, const task_body_t *const *tasks,
                                     uint32_t output_index);

/* AMS's name for an output without assetName: "JobOutputAsset(j)_<job>",
 * <job> the job's Name, or its Id when the name is NULL or "".  Returns 0,
 * or -1 when it does not fit in cap bytes (out then holds "" if cap > 0). */
int job_output_default_name(uint32_t output_index, const char *job_name, const char *job_id,
                            char *out, size_t cap);

/* The name JobOutputAsset(j) gets: its assetName, else the default above.
 * Returns 0, or -1 when j >= graph->output_count or the name does not fit. */
int job_output_name(const job_graph_t *graph, const task_body_t *const *tasks,
                    uint32_t output_index, const char *job_name, const char *job_id,
                    char *out, size_t cap);

#endif
