/*
 * arm_path.h — the v3 (ARM) request path and api-version, as the
 * @azure/arm-mediaservices SDK sends them:
 *
 *   /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Media/
 *       mediaServices|mediaservices/{account}[/{segment}...]?api-version=…
 *
 * Fixed words match case-insensitively (the SDK spells mediaServices both
 * ways); names keep their case.  At most ARM_PATH_SEGMENTS segments after
 * the account, each 1..ARM_NAME_MAX bytes.
 */
#ifndef ARM_PATH_H
#define ARM_PATH_H

#include <stdbool.h>
#include <stddef.h>

#define ARM_NAME_MAX       260
#define ARM_PATH_SEGMENTS  6
#define ARM_ID_MAX         1024

typedef struct {
    char   subscription[ARM_NAME_MAX + 1];
    char   group[ARM_NAME_MAX + 1];
    char   account[ARM_NAME_MAX + 1];
    size_t nseg;
    char   seg[ARM_PATH_SEGMENTS][ARM_NAME_MAX + 1];
} arm_path_t;

typedef enum { ARM_PATH_OK, ARM_PATH_NOT_ARM, ARM_PATH_BAD } arm_path_status_t;

/* True if path starts with "/subscriptions/" (any case). */
bool arm_path_is_arm(const char *path);
/* Splits a percent-decoded path; ARM_PATH_BAD with why (e.g. a segment too
 * long, an unknown provider) for an /subscriptions/ path that is not a
 * Media Services one. */
arm_path_status_t arm_path_parse(const char *path, arm_path_t *out, char *why, size_t whylen);
/* Segment i equals word (any case); false past the end. */
bool arm_path_seg_is(const arm_path_t *p, size_t i, const char *word);

/* The api-version a resource collection ("" = the account itself, else
 * "assets", "transforms", …; any case) accepts: NULL if version is one,
 * else the message of the 400 (missing, or which versions are served). */
const char *arm_api_version_check(const char *collection, const char *version);

/* "/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Media/mediaservices/{a}"
 * — the id prefix of every resource; 0 or -1 (too long). */
int arm_account_id(const arm_path_t *p, char *out, size_t cap);

#endif
