/*
 * job_template_body.h — an AMS v2 JobTemplateBody: the task bodies of a job
 * template, each naming the TaskTemplate (processor, configuration, asset
 * counts) it instantiates.
 *   <?xml version="1.0" encoding="utf-16"?><jobTemplate>
 *     <taskBody taskTemplateId="nb:ttid:UUID:...">
 *       <inputAsset>JobInputAsset(0)</inputAsset>
 *       <outputAsset>JobOutputAsset(0)</outputAsset></taskBody>...</jobTemplate>
 */
#ifndef JOB_TEMPLATE_BODY_H
#define JOB_TEMPLATE_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jobs/job_graph.h"
#include "jobs/job_limits.h"
#include "jobs/task_body.h"

#define TASK_TEMPLATE_ID_PREFIX "nb:ttid:UUID:"
#define TASK_TEMPLATE_ID_LEN 49       /* the prefix and a 36-character UUID */

typedef struct {
    char task_template_id[TASK_TEMPLATE_ID_LEN + 1];
    task_body_t body;
} job_template_task_t;

typedef struct {
    uint32_t task_count;
    job_template_task_t tasks[JOB_MAX_TASKS];   /* in document order */
} job_template_body_t;

/* What the job template's TaskTemplate with that id declares. */
typedef struct {
    uint32_t input_count;         /* NumberofInputAssets */
    uint32_t output_count;        /* NumberofOutputAssets */
} task_template_counts_t;

/* Looks up a TaskTemplate of the job template by id; true with counts
 * filled when there is one. */
typedef bool (*task_template_lookup_fn)(void *context, const char *task_template_id,
                                        task_template_counts_t *counts);

/* Reads a JobTemplateBody (UTF-8 XML of at most JOB_TEMPLATE_BODY_MAX_CHARS
 * characters; a utf-16 or any other encoding declaration is ignored):
 * 1..JOB_MAX_TASKS <taskBody> elements, each with a taskTemplateId
 * "nb:ttid:UUID:<uuid>" used by no other, and contents as in a TaskBody.
 * Returns 0, or -1 with a message for API users in err. */
int job_template_body_parse(const char *xml, size_t len, job_template_body_t *tmpl,
                            char *err, size_t err_len);

/* Checks a parsed template against its TaskTemplates (lookup) — each must
 * exist and its NumberofInputAssets / NumberofOutputAssets match the
 * <inputAsset> / <outputAsset> counts of its task body — and builds the job
 * graph for input_count job inputs (the job template's NumberofInputAssets,
 * or the InputMediaAssets of a job made from it).  Returns 0 with graph
 * filled, or -1 with err. */
int job_template_body_check(const job_template_body_t *tmpl, task_template_lookup_fn lookup,
                            void *lookup_context, uint32_t input_count, job_graph_t *graph,
                            char *err, size_t err_len);

/* Points tasks[0..task_count-1] at the template's task bodies, the form
 * job_graph_build and task_body_render take; returns task_count. */
uint32_t job_template_body_tasks(const job_template_body_t *tmpl,
                                 const task_body_t *tasks[JOB_MAX_TASKS]);

#endif
