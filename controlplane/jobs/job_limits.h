/*
 * job_limits.h — the AMS v2 limits on jobs and their XML bodies, shared by
 * the TaskBody, JobTemplateBody and job-graph code (sizes of their arrays).
 */
#ifndef JOB_LIMITS_H
#define JOB_LIMITS_H

#define JOB_MAX_TASKS 30              /* tasks per job (and task bodies per job template) */
#define JOB_MAX_ASSETS_PER_TASK 50    /* <inputAsset> + <outputAsset> elements per task */
#define JOB_MAX_ASSETS 100            /* job input assets + job output assets */
#define TASK_BODY_MAX_CHARS 100000    /* characters (code points) of one TaskBody */
#define JOB_TEMPLATE_BODY_MAX_CHARS 100000

#define JOB_ERR_LEN 512               /* room for any message of the job code */

#endif
