/*
 * job_asset_ref.h — the asset references of TaskBody text: JobInputAsset(i)
 * (the job's i-th input asset) and JobOutputAsset(j) (the job's j-th output
 * asset), read and written.
 */
#ifndef JOB_ASSET_REF_H
#define JOB_ASSET_REF_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    JOB_INPUT_ASSET,              /* JobInputAsset(i): index into the job's InputMediaAssets */
    JOB_OUTPUT_ASSET              /* JobOutputAsset(j): index into the job's OutputMediaAssets */
} job_asset_kind_t;

typedef struct {
    job_asset_kind_t kind;
    uint32_t index;
} job_asset_ref_t;

typedef enum {
    JOB_ASSET_REF_OK,
    JOB_ASSET_REF_SYNTAX,         /* not JobInputAsset(<digits>) or JobOutputAsset(<digits>) */
    JOB_ASSET_REF_TOO_LARGE       /* well-formed, but the index is >= JOB_MAX_ASSETS */
} job_asset_ref_status_t;

#define JOB_ASSET_REF_TEXT_MAX 32 /* "JobOutputAsset(4294967295)" and its NUL fit */

/* Reads len bytes of text; XML whitespace around the reference is ignored.
 * On JOB_ASSET_REF_TOO_LARGE, ref holds the kind and an index >= JOB_MAX_ASSETS. */
job_asset_ref_status_t job_asset_ref_parse(const char *text, size_t len, job_asset_ref_t *ref);

/* Writes "JobInputAsset(i)" or "JobOutputAsset(j)" into out; returns out. */
const char *job_asset_ref_format(job_asset_ref_t ref, char out[JOB_ASSET_REF_TEXT_MAX]);

#endif
