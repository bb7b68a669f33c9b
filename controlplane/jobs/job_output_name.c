/*
 * job_output_name.c — the names of a job's output assets: assetName when the
 * TaskBody gives one, else AMS's default "JobOutputAsset(j)_<JobName or JobId>".
 */
#include "jobs/job_graph.h"

#include <stdio.h>

int job_output_default_name(uint32_t output_index, const char *job_name, const char *job_id,
                            char *out, size_t cap)
{
    const char *job = job_name != NULL && job_name[0] != '\0' ? job_name : job_id;
    if (cap == 0) {
        return -1;
    }
    int n = snprintf(out, cap, "JobOutputAsset(%u)_%s", (unsigned)output_index,
                     job != NULL ? job : "");
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

int job_output_name(const job_graph_t *graph, const task_body_t *const *tasks,
                    uint32_t output_index, const char *job_name, const char *job_id,
                    char *out, size_t cap)
{
    const task_asset_t *output = job_graph_output(graph, tasks, output_index);
    if (output == NULL) {
        if (cap > 0) {
            out[0] = '\0';
        }
        return -1;
    }
    if (output->name[0] == '\0') {
        return job_output_default_name(output_index, job_name, job_id, out, cap);
    }
    int n = snprintf(out, cap, "%s", output->name);
    if (cap == 0 || n < 0 || (size_t)n >= cap) {
        if (cap > 0) {
            out[0] = '\0';
        }
        return -1;
    }
    return 0;
}
