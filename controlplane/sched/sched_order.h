/*
 * sched_order.h — which queued tasks may run and in what order (pure, unit
 * tested): a task is runnable when its job is neither final nor Canceling
 * and every task it reads from is Finished; runnable tasks go by job
 * Priority (higher first), then task Priority, then age, then position.
 */
#ifndef SCHED_ORDER_H
#define SCHED_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    TASK_WAITING,     /* dependencies not finished yet (or job paused) */
    TASK_RUNNABLE,
    TASK_DOOMED,      /* a dependency failed or was canceled: it can never run */
} task_readiness_t;

/* task_state/job_state: JobState values; dep_states: the states of the
 * tasks it depends on. */
task_readiness_t sched_task_readiness(int task_state, int job_state, const int *dep_states,
                                      size_t ndeps);

typedef struct {
    int     job_priority;
    int     task_priority;
    int64_t created_ms;      /* the job's Created */
    int     position;        /* the task's index in its job */
    size_t  index;           /* caller's reference */
} sched_candidate_t;

/* qsort comparator: the candidate to run first sorts first. */
int sched_candidate_compare(const void *a, const void *b);

#endif
