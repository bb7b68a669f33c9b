/*
 * job_graph_order.h — the run order of a job's tasks from their dependency
 * sets, or the cycle that prevents one.  Internal to controlplane/jobs.
 */
#ifndef JOB_GRAPH_ORDER_H
#define JOB_GRAPH_ORDER_H

#include <stddef.h>

#include "jobs/job_graph.h"

/* From graph->task_count and graph->depends_on, fills graph->stage and
 * graph->order.  Returns 0, or -1 with "task graph has a cycle: tasks
 * 1 → 2 → 1" (data flows along the arrows) in err. */
int job_graph_order(job_graph_t *graph, char *err, size_t err_len);

#endif
