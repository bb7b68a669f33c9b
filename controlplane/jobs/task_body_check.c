/*
 * task_body_check.c — the rules every task_body_t keeps, however it was
 * made: asset counts, roles, index ranges, attribute values, strings that
 * XML can carry.  Parsing ends with it; rendering and job_graph start with it.
 */
#include "jobs/task_body.h"

#include <string.h>

#include "jobs/job_error.h"
#include "jobs/job_text.h"

static bool is_terminated_xml_text(const char *s, size_t size)
{
    const char *end = memchr(s, '\0', size);
    return end != NULL && job_text_is_xml_safe(s, (size_t)(end - s));
}

static int check_reference(const task_asset_t *asset, char *err, size_t err_len)
{
    char ref_text[JOB_ASSET_REF_TEXT_MAX];
    if (asset->role != TASK_ASSET_INPUT && asset->role != TASK_ASSET_OUTPUT) {
        job_errf(err, err_len, "an asset is neither <inputAsset> nor <outputAsset>");
        return -1;
    }
    if (asset->ref.kind != JOB_INPUT_ASSET && asset->ref.kind != JOB_OUTPUT_ASSET) {
        job_errf(err, err_len, "an asset is neither JobInputAsset(i) nor JobOutputAsset(j)");
        return -1;
    }
    job_asset_ref_format(asset->ref, ref_text);
    if (asset->ref.index >= JOB_MAX_ASSETS) {
        job_errf(err, err_len, "%s: the index must be below %d (a job has at most %d assets)",
                 ref_text, JOB_MAX_ASSETS, JOB_MAX_ASSETS);
        return -1;
    }
    if (asset->role == TASK_ASSET_OUTPUT && asset->ref.kind != JOB_OUTPUT_ASSET) {
        job_errf(err, err_len, "<outputAsset> %s: an output must be JobOutputAsset(j)", ref_text);
        return -1;
    }
    return 0;
}

static int check_output_attributes(const task_asset_t *asset, char *err, size_t err_len)
{
    char ref_text[JOB_ASSET_REF_TEXT_MAX];
    job_asset_ref_format(asset->ref, ref_text);
    if (!is_terminated_xml_text(asset->name, sizeof(asset->name))) {
        job_errf(err, err_len, "assetName of %s is not UTF-8 text of at most %d bytes", ref_text,
                 TASK_ASSET_NAME_MAX);
        return -1;
    }
    if (!is_terminated_xml_text(asset->storage_account, sizeof(asset->storage_account))) {
        job_errf(err, err_len, "storageAccountName of %s is not UTF-8 text of at most %d bytes",
                 ref_text, TASK_STORAGE_ACCOUNT_MAX);
        return -1;
    }
    uint32_t c = asset->creation_options;
    if (asset->has_creation_options && c != ASSET_CREATION_NONE &&
        c != ASSET_CREATION_STORAGE_ENCRYPTED && c != ASSET_CREATION_COMMON_ENCRYPTION_PROTECTED &&
        c != ASSET_CREATION_ENVELOPE_ENCRYPTION_PROTECTED) {
        job_errf(err, err_len, "assetCreationOptions of %s is %u; expected 0, 1, 2 or 4", ref_text,
                 (unsigned)c);
        return -1;
    }
    if (asset->has_format_option && asset->format_option != ASSET_FORMAT_NONE &&
        asset->format_option != ASSET_FORMAT_ADAPTIVE_STREAMING) {
        job_errf(err, err_len, "assetFormatOption of %s is %u; expected 0 or 1", ref_text,
                 (unsigned)asset->format_option);
        return -1;
    }
    return 0;
}

static int check_has_both_roles(const task_body_t *body, char *err, size_t err_len)
{
    if (task_body_count(body, TASK_ASSET_INPUT) == 0) {
        job_errf(err, err_len, "no <inputAsset>; a task needs at least one input asset");
        return -1;
    }
    if (task_body_count(body, TASK_ASSET_OUTPUT) == 0) {
        job_errf(err, err_len, "no <outputAsset>; a task needs at least one output asset");
        return -1;
    }
    return 0;
}

int task_body_check(const task_body_t *body, char *err, size_t err_len)
{
    if (body->count > JOB_MAX_ASSETS_PER_TASK) {
        job_errf(err, err_len, "%u assets; the limit is %d assets per task", (unsigned)body->count,
                 JOB_MAX_ASSETS_PER_TASK);
        return -1;
    }
    for (uint32_t i = 0; i < body->count; i++) {
        const task_asset_t *asset = &body->assets[i];
        if (check_reference(asset, err, err_len) != 0) {
            return -1;
        }
        if (asset->role == TASK_ASSET_OUTPUT && check_output_attributes(asset, err, err_len) != 0) {
            return -1;
        }
    }
    return check_has_both_roles(body, err, err_len);
}
