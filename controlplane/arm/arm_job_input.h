/*
 * arm_job_input.h — the input of a v3 job (api-version 2022-07-01):
 * #Microsoft.Media.JobInputAsset {assetName, files?, start?, end?},
 * #Microsoft.Media.JobInputHttp {baseUri?, files?, start?, end?} (URLs the
 * encoder downloads, enc_fetch.h) and #Microsoft.Media.JobInputs {inputs}
 * grouping one asset or several HTTP inputs.  start/end are
 * #Microsoft.Media.AbsoluteClipTime {time: ISO-8601 duration}; UtcClipTime
 * and input sequences are refused as not supported.
 */
#ifndef ARM_JOB_INPUT_H
#define ARM_JOB_INPUT_H

#include "arm/arm_router.h"
#include "arm/arm_transforms.h"

#define ARM_INPUT_FILES_MAX 16     /* files of one input, URLs of a job */
#define ARM_INPUT_URL_MAX 2048
#define ARM_INPUTS_MAX 8           /* entries of a JobInputs */
#define ARM_CLIP_MAX_SECONDS 864000.0

typedef struct {
    json_t *asset;      /* JobInputAsset: the v2 asset record, or NULL */
    json_t *files;      /* its files (names, primary first), or NULL: all */
    json_t *urls;       /* JobInputHttp: the URLs, or NULL */
    bool    clipped;
    arm_clip_t clip;
} arm_job_input_t;

/* Reads input into in (zeroed first); an error answer, or NULL. */
http_response_t *arm_job_input_read(arm_req_t *r, const json_t *input, arm_job_input_t *in);
void arm_job_input_free(arm_job_input_t *in);

#endif
