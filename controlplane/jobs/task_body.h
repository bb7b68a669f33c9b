/*
 * task_body.h — one AMS v2 TaskBody: the ordered <inputAsset>/<outputAsset>
 * elements of a task, read from XML, checked and written back as XML.
 *   <taskBody><inputAsset>JobInputAsset(0)</inputAsset>
 *     <outputAsset assetName="x" assetCreationOptions="0" assetFormatOption="0"
 *       storageAccountName="acct">JobOutputAsset(0)</outputAsset></taskBody>
 * Whether the indexes fit the job is job_graph's business.
 */
#ifndef TASK_BODY_H
#define TASK_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jobs/job_asset_ref.h"
#include "jobs/job_limits.h"

#define TASK_ASSET_NAME_MAX 512       /* bytes of assetName (UTF-8), NUL not counted */
#define TASK_STORAGE_ACCOUNT_MAX 64   /* bytes of storageAccountName */

/* assetCreationOptions (AMS AssetCreationOptions; one value, not a mix) */
#define ASSET_CREATION_NONE 0u
#define ASSET_CREATION_STORAGE_ENCRYPTED 1u
#define ASSET_CREATION_COMMON_ENCRYPTION_PROTECTED 2u
#define ASSET_CREATION_ENVELOPE_ENCRYPTION_PROTECTED 4u

/* assetFormatOption (AMS AssetFormatOption) */
#define ASSET_FORMAT_NONE 0u
#define ASSET_FORMAT_ADAPTIVE_STREAMING 1u

typedef enum {
    TASK_ASSET_INPUT,             /* <inputAsset>: JobInputAsset(i), or JobOutputAsset(j) of another task */
    TASK_ASSET_OUTPUT             /* <outputAsset>: JobOutputAsset(j), produced by this task */
} task_asset_role_t;

typedef struct {
    task_asset_role_t role;
    job_asset_ref_t ref;
    /* attributes of <outputAsset>, unused for inputs; "" / has_* false: absent */
    char name[TASK_ASSET_NAME_MAX + 1];                  /* assetName */
    char storage_account[TASK_STORAGE_ACCOUNT_MAX + 1];  /* storageAccountName */
    bool has_creation_options;
    bool has_format_option;
    uint32_t creation_options;    /* ASSET_CREATION_* */
    uint32_t format_option;       /* ASSET_FORMAT_* */
} task_asset_t;

typedef struct {
    uint32_t count;
    task_asset_t assets[JOB_MAX_ASSETS_PER_TASK];   /* in document order */
} task_body_t;

/* Reads a TaskBody (len bytes of UTF-8 XML, at most TASK_BODY_MAX_CHARS
 * characters; an encoding declaration is ignored).  Returns 0, or -1 with a
 * message for API users in err ("TaskBody: ..."). */
int task_body_parse(const char *xml, size_t len, task_body_t *body, char *err, size_t err_len);

/* Checks a body built in code or parsed: 1..JOB_MAX_ASSETS_PER_TASK assets,
 * at least one input and one output, outputs naming JobOutputAsset(j),
 * indexes below JOB_MAX_ASSETS, attribute values in range, strings
 * terminated.  Returns 0, or -1 with err (no "TaskBody" prefix). */
int task_body_check(const task_body_t *body, char *err, size_t err_len);

/* Bytes that always hold a rendered TaskBody and its NUL. */
#define TASK_BODY_RENDER_MAX (4 * TASK_BODY_MAX_CHARS + 1)

/* Writes body as TaskBody XML (no XML declaration; attributes only where
 * set) into out (cap bytes, NUL-terminated), its length in *len if len is
 * not NULL.  What it writes task_body_parse reads back as an equal body.
 * Returns 0, or -1 with err when the body fails task_body_check, the text
 * would exceed TASK_BODY_MAX_CHARS characters (only possible with names full
 * of characters that need escaping) or cap bytes. */
int task_body_render(const task_body_t *body, char *out, size_t cap, size_t *len,
                     char *err, size_t err_len);

/* Number of assets with this role. */
uint32_t task_body_count(const task_body_t *body, task_asset_role_t role);

/* True when both bodies mean the same: same assets in the same order, same
 * output attributes (what is rendered, and so survives a round trip). */
bool task_body_equal(const task_body_t *a, const task_body_t *b);

#endif
