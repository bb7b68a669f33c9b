/*
 * job_asset_ref.c — reads and writes JobInputAsset(i) / JobOutputAsset(j),
 * the text of TaskBody's <inputAsset> and <outputAsset> elements.
 */
#include "jobs/job_asset_ref.h"

#include <stdio.h>
#include <string.h>

#include "jobs/job_limits.h"
#include "jobs/job_text.h"

static const char input_prefix[] = "JobInputAsset(";
static const char output_prefix[] = "JobOutputAsset(";

static int starts_with(const char *text, size_t len, const char *prefix, size_t prefix_len)
{
    return len >= prefix_len && memcmp(text, prefix, prefix_len) == 0;
}

/* Reads "<digits>)" filling the rest of text; the index saturates above the limit. */
static job_asset_ref_status_t parse_index(const char *text, size_t len, uint32_t *index)
{
    if (len < 2 || text[len - 1] != ')') {
        return JOB_ASSET_REF_SYNTAX;
    }
    uint32_t value = 0;
    for (size_t i = 0; i < len - 1; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return JOB_ASSET_REF_SYNTAX;
        }
        value = value * 10 + (uint32_t)(text[i] - '0');
        if (value > JOB_MAX_ASSETS) {
            value = JOB_MAX_ASSETS;
        }
    }
    *index = value;
    return value < JOB_MAX_ASSETS ? JOB_ASSET_REF_OK : JOB_ASSET_REF_TOO_LARGE;
}

job_asset_ref_status_t job_asset_ref_parse(const char *text, size_t len, job_asset_ref_t *ref)
{
    text = job_text_trim(text, &len);
    size_t skip;
    if (starts_with(text, len, input_prefix, sizeof(input_prefix) - 1)) {
        ref->kind = JOB_INPUT_ASSET;
        skip = sizeof(input_prefix) - 1;
    } else if (starts_with(text, len, output_prefix, sizeof(output_prefix) - 1)) {
        ref->kind = JOB_OUTPUT_ASSET;
        skip = sizeof(output_prefix) - 1;
    } else {
        return JOB_ASSET_REF_SYNTAX;
    }
    return parse_index(text + skip, len - skip, &ref->index);
}

const char *job_asset_ref_format(job_asset_ref_t ref, char out[JOB_ASSET_REF_TEXT_MAX])
{
    const char *name = ref.kind == JOB_INPUT_ASSET ? "JobInputAsset" : "JobOutputAsset";
    snprintf(out, JOB_ASSET_REF_TEXT_MAX, "%s(%u)", name, (unsigned)ref.index);
    return out;
}
