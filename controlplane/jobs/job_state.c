/*
 * job_state.c — JobState rules (see job_state.h).
 */
#include "jobs/job_state.h"

bool job_state_valid(long long state)
{
    return state >= JOB_QUEUED && state <= JOB_CANCELING;
}

bool job_state_is_final(long long state)
{
    return state == JOB_FINISHED || state == JOB_ERROR || state == JOB_CANCELED;
}

const char *job_state_name(long long state)
{
    static const char *const names[] = { "Queued", "Scheduled", "Processing", "Finished",
                                          "Error", "Canceled", "Canceling" };
    return job_state_valid(state) ? names[state] : "Unknown";
}

job_state_t job_state_from_tasks(job_state_t current, const int *task_states, size_t n)
{
    bool active = false, started = false, failed = false, canceled = false;

    for (size_t i = 0; i < n; i++) {
        int s = task_states[i];
        active |= !job_state_is_final(s);
        started |= s != JOB_QUEUED;
        failed |= s == JOB_ERROR;
        canceled |= s == JOB_CANCELED;
    }
    if (n == 0) {
        return current;
    }
    if (active) {
        if (current == JOB_CANCELING || job_state_is_final(current)) {
            return current;
        }
        return started ? JOB_PROCESSING : current;
    }
    if (failed) {
        return JOB_ERROR;
    }
    return canceled ? JOB_CANCELED : JOB_FINISHED;
}
