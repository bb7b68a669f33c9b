/*
 * arm_path.c — splitting v3 (ARM) paths and checking api-versions (see
 * arm_path.h).
 */
#include "arm/arm_path.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ARM_PREFIX "/subscriptions/"

bool arm_path_is_arm(const char *path)
{
    return strncasecmp(path, ARM_PREFIX, strlen(ARM_PREFIX)) == 0;
}

/* Copies the segment at *p (up to '/' or the end) into out and advances
 * past it and its '/'; -1 if empty or too long. */
static int take_segment(const char **p, char out[ARM_NAME_MAX + 1])
{
    size_t n = strcspn(*p, "/");

    if (n == 0 || n > ARM_NAME_MAX) {
        return -1;
    }
    memcpy(out, *p, n);
    out[n] = '\0';
    *p += n;
    if (**p == '/') {
        (*p)++;
    }
    return 0;
}

static int expect_word(const char **p, const char *word)
{
    char seg[ARM_NAME_MAX + 1];
    return take_segment(p, seg) == 0 && strcasecmp(seg, word) == 0 ? 0 : -1;
}

arm_path_status_t arm_path_parse(const char *path, arm_path_t *out, char *why, size_t whylen)
{
    const char *p = path;

    memset(out, 0, sizeof(*out));
    if (!arm_path_is_arm(path)) {
        return ARM_PATH_NOT_ARM;
    }
    p += strlen(ARM_PREFIX);
    if (take_segment(&p, out->subscription) != 0 || expect_word(&p, "resourceGroups") != 0
        || take_segment(&p, out->group) != 0 || expect_word(&p, "providers") != 0
        || expect_word(&p, "Microsoft.Media") != 0 || expect_word(&p, "mediaServices") != 0
        || take_segment(&p, out->account) != 0) {
        snprintf(why, whylen, "not a Media Services path: expected /subscriptions/{id}/"
                 "resourceGroups/{group}/providers/Microsoft.Media/mediaServices/{account}/…");
        return ARM_PATH_BAD;
    }
    while (*p != '\0') {
        if (out->nseg == ARM_PATH_SEGMENTS || take_segment(&p, out->seg[out->nseg]) != 0) {
            snprintf(why, whylen, "the path has an empty segment, one longer than %d bytes, "
                     "or more than %d segments after the account", ARM_NAME_MAX,
                     ARM_PATH_SEGMENTS);
            return ARM_PATH_BAD;
        }
        out->nseg++;
    }
    return ARM_PATH_OK;
}

bool arm_path_seg_is(const arm_path_t *p, size_t i, const char *word)
{
    return i < p->nseg && strcasecmp(p->seg[i], word) == 0;
}

/* The api-versions served per collection: the ones @azure/arm-mediaservices
 * 13.x sends, and the other stable versions whose bodies we read the same. */
static const struct {
    const char *collection;
    const char *versions;       /* ", "-separated, for messages too */
} served[] = {
    { "", "2021-11-01, 2021-06-01, 2023-01-01" },
    { "transforms", "2022-07-01, 2022-05-01-preview, 2021-11-01, 2021-06-01" },
    { "assets", "2022-08-01, 2023-01-01, 2021-11-01, 2021-06-01" },
    { "streamingLocators", "2022-08-01, 2023-01-01, 2021-11-01, 2021-06-01" },
    { "streamingPolicies", "2022-08-01, 2023-01-01, 2021-11-01, 2021-06-01" },
    { "contentKeyPolicies", "2022-08-01, 2023-01-01, 2021-11-01, 2021-06-01" },
    { "accountFilters", "2022-08-01, 2023-01-01, 2021-11-01, 2021-06-01" },
    { "streamingEndpoints", "2022-08-01, 2022-11-01, 2021-11-01, 2021-06-01" },
    { "liveEvents", "2022-08-01, 2022-11-01, 2021-11-01, 2021-06-01" },
    { "mediaServicesOperationStatuses", "2021-11-01, 2023-01-01" },
    { "streamingEndpointOperations", "2022-08-01, 2022-11-01" },
    { "liveEventOperations", "2022-08-01, 2022-11-01" },
    { "liveOutputOperations", "2022-08-01, 2022-11-01" },
};

static bool in_list(const char *list, const char *version)
{
    size_t n = strlen(version);
    const char *p = list;

    while ((p = strstr(p, version)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0')) {
            return true;
        }
        p += n;
    }
    return false;
}

const char *arm_api_version_check(const char *collection, const char *version)
{
    static _Thread_local char msg[256];
    const char *list = served[0].versions;

    for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++) {
        if (strcasecmp(served[i].collection, collection) == 0) {
            list = served[i].versions;
        }
    }
    if (version == NULL || *version == '\0') {
        snprintf(msg, sizeof(msg), "the api-version query parameter is required (one of %s)",
                 list);
        return msg;
    }
    if (strlen(version) > 32 || strspn(version, "0123456789-abcdefghijklmnopqrstuvwxyz") != strlen(version)
        || !in_list(list, version)) {
        snprintf(msg, sizeof(msg), "api-version '%.32s' is not served for '%s'; use one of %s",
                 version, collection[0] != '\0' ? collection : "mediaservices", list);
        return msg;
    }
    return NULL;
}

int arm_account_id(const arm_path_t *p, char *out, size_t cap)
{
    int n = snprintf(out, cap, "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Media/"
                     "mediaservices/%s", p->subscription, p->group, p->account);
    return n > 0 && (size_t) n < cap ? 0 : -1;
}
