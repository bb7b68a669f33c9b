/*
 * job_state.h — the AMS JobState values (also used for task states, as the
 * .NET SDK does), task Options flags, and the pure rules between them: which
 * states are final and what a job's state is given its tasks' states.
 */
#ifndef JOB_STATE_H
#define JOB_STATE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    JOB_QUEUED = 0,
    JOB_SCHEDULED = 1,
    JOB_PROCESSING = 2,
    JOB_FINISHED = 3,
    JOB_ERROR = 4,
    JOB_CANCELED = 5,
    JOB_CANCELING = 6,
} job_state_t;

/* Task Options (AMS TaskOptions flags) */
#define TASK_OPTION_PROTECTED_CONFIGURATION 1
#define TASK_OPTION_KEEP_OUTPUT_ON_FAILURE  2   /* DoNotDeleteOutputAssetOnFailure */
#define TASK_OPTION_DO_NOT_CANCEL_ON_FAILURE 4  /* DoNotCancelOnJobFailure */
#define TASK_OPTIONS_ALL 7

/* Notification TargetJobState / TargetTaskState */
#define NOTIFY_TARGET_NONE 0
#define NOTIFY_TARGET_FINAL_ONLY 1
#define NOTIFY_TARGET_ALL 2

bool job_state_valid(long long state);
bool job_state_is_final(long long state);          /* Finished, Error, Canceled */
const char *job_state_name(long long state);       /* "Queued" … ("Unknown") */

/* The job's state from its tasks' states (n >= 1) and its current state:
 * while any task is not final the job keeps `current` (Canceling stays
 * Canceling, Queued/Scheduled become Processing once a task started);
 * once all are final: Error if one failed, else Canceled if one was
 * canceled, else Finished. */
job_state_t job_state_from_tasks(job_state_t current, const int *task_states, size_t n);

#endif
