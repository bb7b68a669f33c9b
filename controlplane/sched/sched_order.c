/*
 * sched_order.c — task readiness and run order (see sched_order.h).
 */
#include "sched/sched_order.h"
#include "jobs/job_state.h"

task_readiness_t sched_task_readiness(int task_state, int job_state, const int *dep_states,
                                      size_t ndeps)
{
    bool waiting = false;

    if (task_state != JOB_QUEUED || job_state_is_final(job_state) || job_state == JOB_CANCELING) {
        return TASK_WAITING;
    }
    for (size_t i = 0; i < ndeps; i++) {
        if (dep_states[i] == JOB_ERROR || dep_states[i] == JOB_CANCELED) {
            return TASK_DOOMED;
        }
        waiting |= dep_states[i] != JOB_FINISHED;
    }
    return waiting ? TASK_WAITING : TASK_RUNNABLE;
}

static int cmp_int(long long a, long long b)
{
    return (a > b) - (a < b);
}

int sched_candidate_compare(const void *pa, const void *pb)
{
    const sched_candidate_t *a = pa, *b = pb;
    int c;

    if ((c = cmp_int(b->job_priority, a->job_priority)) != 0) return c;
    if ((c = cmp_int(b->task_priority, a->task_priority)) != 0) return c;
    if ((c = cmp_int(a->created_ms, b->created_ms)) != 0) return c;
    if ((c = cmp_int(a->position, b->position)) != 0) return c;
    return cmp_int((long long) a->index, (long long) b->index);
}
