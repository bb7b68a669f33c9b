/*
 * job_graph_order.c — orders a job's tasks in stages (a stage runs once the
 * earlier ones are done; tasks reading only job inputs form stage 0), by
 * position within a stage, and names a cycle when the stages run out.
 */
#include "jobs/job_graph_order.h"

#include <stdio.h>

#include "jobs/job_error.h"

_Static_assert(JOB_MAX_TASKS <= 32, "depends_on is a 32-bit set of tasks");

static uint32_t all_tasks(uint32_t task_count)
{
    return task_count >= 32 ? UINT32_MAX : (1u << task_count) - 1;
}

static uint32_t lowest_task(uint32_t set)
{
    return (uint32_t)__builtin_ctz(set);
}

/* Walks from a task of `left` to one of its dependencies in `left` (each has
 * one, or it would have been placed) until a task repeats. */
static void explain_cycle(const job_graph_t *graph, uint32_t left, char *err, size_t err_len)
{
    uint32_t path[JOB_MAX_TASKS + 1];
    int seen_at[JOB_MAX_TASKS];
    for (int i = 0; i < JOB_MAX_TASKS; i++) {
        seen_at[i] = -1;
    }
    uint32_t length = 0, task = lowest_task(left);
    while (seen_at[task] < 0) {
        seen_at[task] = (int)length;
        path[length++] = task;
        uint32_t waits_for = graph->depends_on[task] & left;
        if (waits_for == 0) {     /* only a dependency on a task that does not exist */
            job_errf(err, err_len, "task %u waits for a task that is not in the job",
                     (unsigned)task);
            return;
        }
        task = lowest_task(waits_for);
    }
    /* path[first..length-1] is the cycle, each task depending on the next:
     * the data flows backwards through path.  Print it along the flow,
     * starting and ending at its lowest task. */
    uint32_t first = (uint32_t)seen_at[task], size = length - first, offset = 0;
    for (uint32_t i = 1; i < size; i++) {
        offset = path[first + i] < path[first + offset] ? i : offset;
    }
    char text[JOB_ERR_LEN];
    size_t used = 0;
    for (uint32_t k = 0; k <= size && used < sizeof(text); k++) {
        uint32_t at = first + (offset + size - k % size) % size;
        int n = snprintf(text + used, sizeof(text) - used, "%s%u", k == 0 ? "" : " \xE2\x86\x92 ",
                         (unsigned)path[at]);
        used += n > 0 ? (size_t)n : 0;
    }
    job_errf(err, err_len, "task graph has a cycle: tasks %s", text);
}

int job_graph_order(job_graph_t *graph, char *err, size_t err_len)
{
    uint32_t done = 0, left = all_tasks(graph->task_count), placed = 0;
    for (uint32_t stage = 0; left != 0; stage++) {
        uint32_t ready = 0;
        for (uint32_t t = 0; t < graph->task_count; t++) {
            if ((left >> t & 1u) && (graph->depends_on[t] & ~done) == 0) {
                ready |= 1u << t;
                graph->stage[t] = stage;
                graph->order[placed++] = t;
            }
        }
        if (ready == 0) {
            explain_cycle(graph, left, err, err_len);
            return -1;
        }
        done |= ready;
        left &= ~ready;
    }
    return 0;
}
