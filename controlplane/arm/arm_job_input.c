/*
 * arm_job_input.c — reading a v3 job's input (see arm_job_input.h).
 */
#include "arm/arm_error.h"
#include "arm/arm_job_input.h"
#include "arm/arm_names.h"
#include "util/duration_parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ASSET_TYPE "#Microsoft.Media.JobInputAsset"
#define HTTP_TYPE "#Microsoft.Media.JobInputHttp"
#define INPUTS_TYPE "#Microsoft.Media.JobInputs"
#define ABSOLUTE_TYPE "#Microsoft.Media.AbsoluteClipTime"
#define UTC_TYPE "#Microsoft.Media.UtcClipTime"

static http_response_t *bad(const char *fmt, const char *path, const char *detail)
{
    return arm_error(400, "InvalidResource", fmt, path, detail != NULL ? detail : "");
}

static http_response_t *only_keys(const json_t *obj, const char *path, const char *const *keys)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *) obj, key, v) {
        size_t i = 0;
        while (keys[i] != NULL && strcmp(keys[i], key) != 0) i++;
        if (keys[i] == NULL) {
            return arm_error(400, "NotSupported", "%s.%.64s is not supported by this installation",
                             path, key);
        }
    }
    return NULL;
}

/* start or end: {"@odata.type": AbsoluteClipTime, "time": "PT10S"} → seconds. */
static http_response_t *clip_time(const json_t *t, const char *path, double *out)
{
    static const char *const keys[] = { "@odata.type", "time", NULL };
    const char *type = json_string_value(json_object_get(t, "@odata.type"));
    const char *time = json_string_value(json_object_get(t, "time"));
    http_response_t *err;

    if (type != NULL && strcmp(type, UTC_TYPE) == 0) {
        return arm_error(400, "NotSupported", "%s: %s (a live archive's wall-clock time) is not "
                         "supported; use %s", path, UTC_TYPE, ABSOLUTE_TYPE);
    }
    if (!json_is_object(t) || type == NULL || strcmp(type, ABSOLUTE_TYPE) != 0) {
        return bad("%s must be {\"@odata.type\":\"" ABSOLUTE_TYPE "\",\"time\":\"PT10S\"}%s", path, NULL);
    }
    if ((err = only_keys(t, path, keys)) != NULL) {
        return err;
    }
    if (time == NULL || duration_parse(time, out) != 0 || *out > ARM_CLIP_MAX_SECONDS) {
        return bad("%s.time must be an ISO-8601 duration (\"PT10S\") of at most 10 days%s", path,
                   NULL);
    }
    return NULL;
}

static http_response_t *read_clip(const json_t *input, const char *path, arm_job_input_t *in)
{
    const json_t *start = json_object_get(input, "start"), *end = json_object_get(input, "end");
    char p[96];
    double s = 0, e = -1;
    http_response_t *err;

    if (start == NULL && end == NULL) {
        return NULL;
    }
    if (in->clipped) {
        return arm_error(400, "NotSupported", "%s: only one input of a job may be clipped", path);
    }
    snprintf(p, sizeof(p), "%s.start", path);
    if (start != NULL && (err = clip_time(start, p, &s)) != NULL) return err;
    snprintf(p, sizeof(p), "%s.end", path);
    if (end != NULL && (err = clip_time(end, p, &e)) != NULL) return err;
    if (end != NULL && e <= s) {
        return bad("%s: end must be after start%s", path, NULL);
    }
    in->clipped = true;
    in->clip = (arm_clip_t) { s, end != NULL ? e - s : -1 };
    return NULL;
}

/* files: 1..ARM_INPUT_FILES_MAX non-empty strings (a new array), or NULL. */
static http_response_t *read_files(const json_t *input, const char *path, bool names, json_t **out)
{
    const json_t *files = json_object_get(input, "files"), *f;
    size_t i;

    *out = NULL;
    if (files == NULL) {
        return NULL;
    }
    if (!json_is_array(files) || json_array_size(files) == 0
        || json_array_size(files) > ARM_INPUT_FILES_MAX) {
        return arm_error(400, "InvalidResource", "%s.files must list 1 to %d files", path,
                         ARM_INPUT_FILES_MAX);
    }
    json_array_foreach(files, i, f) {
        const char *s = json_string_value(f);
        if (s == NULL || s[0] == '\0' || strlen(s) > ARM_INPUT_URL_MAX
            || (names && (strchr(s, '/') != NULL || strlen(s) > 255))) {
            return arm_error(400, "InvalidResource", "%s.files[%zu] must be a %s", path, i,
                             names ? "file name of the asset" : "file name or URL");
        }
    }
    *out = json_deep_copy(files);
    return NULL;
}

static bool url_ok(const char *u)
{
    size_t n = strlen(u);

    if (n > ARM_INPUT_URL_MAX || !(strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0)) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char) u[i] <= 0x20 || u[i] == 0x7f) return false;
    }
    return strlen(strstr(u, "://") + 3) > 0;
}

static http_response_t *read_http(const json_t *input, const char *path, arm_job_input_t *in)
{
    static const char *const keys[] = { "@odata.type", "baseUri", "files", "start", "end",
                                        "label", NULL };
    const char *base = json_string_value(json_object_get(input, "baseUri"));
    json_t *files = NULL, *f;
    http_response_t *err;
    size_t i;

    if ((err = only_keys(input, path, keys)) != NULL || (err = read_clip(input, path, in)) != NULL
        || (err = read_files(input, path, false, &files)) != NULL) {
        return err;
    }
    if (json_object_get(input, "baseUri") != NULL && !json_is_null(json_object_get(input, "baseUri"))
        && (base == NULL || strlen(base) > ARM_INPUT_URL_MAX)) {
        json_decref(files);
        return bad("%s.baseUri must be an http or https URL%s", path, NULL);
    }
    if (files == NULL) {
        files = json_pack("[s]", base != NULL ? base : "");
        base = NULL;
    }
    if (in->urls == NULL) in->urls = json_array();
    json_array_foreach(files, i, f) {
        const char *name = json_string_value(f);
        bool slash = base != NULL && base[0] != '\0' && base[strlen(base) - 1] != '/' && name[0] != '/';
        char url[2 * ARM_INPUT_URL_MAX + 2];
        snprintf(url, sizeof(url), "%s%s%s", base != NULL ? base : "", slash ? "/" : "", name);
        if (!url_ok(url) || json_array_size(in->urls) == ARM_INPUT_FILES_MAX) {
            json_decref(files);
            return arm_error(400, "InvalidResource", "%s: '%.128s' is not an http or https URL "
                             "(at most %d bytes, %d per job)", path, url, ARM_INPUT_URL_MAX,
                             ARM_INPUT_FILES_MAX);
        }
        json_array_append_new(in->urls, json_string(url));
    }
    json_decref(files);
    return NULL;
}

static http_response_t *read_asset(arm_req_t *r, const json_t *input, const char *path,
                                   arm_job_input_t *in)
{
    static const char *const keys[] = { "@odata.type", "assetName", "files", "start", "end",
                                        "label", NULL };
    const char *name = json_string_value(json_object_get(input, "assetName"));
    http_response_t *err;

    if ((err = only_keys(input, path, keys)) != NULL || (err = read_clip(input, path, in)) != NULL
        || (err = read_files(input, path, true, &in->files)) != NULL) {
        return err;
    }
    if (name == NULL) {
        return bad("%s.assetName is required%s", path, NULL);
    }
    in->asset = arm_asset_find(r, name);
    if (in->asset == NULL) {
        return arm_error(404, "ResourceNotFound", "%s: the asset '%.64s' was not found", path, name);
    }
    return NULL;
}

static http_response_t *read_one(arm_req_t *r, const json_t *input, const char *path,
                                 arm_job_input_t *in)
{
    const char *type = json_string_value(json_object_get(input, "@odata.type"));

    if (type != NULL && strcmp(type, ASSET_TYPE) == 0) {
        if (in->asset != NULL || in->urls != NULL) {
            return arm_error(400, "NotSupported", "%s: a job reads one JobInputAsset, or "
                             "JobInputHttp inputs, not both or several assets", path);
        }
        return read_asset(r, input, path, in);
    }
    if (type != NULL && strcmp(type, HTTP_TYPE) == 0) {
        if (in->asset != NULL) {
            return arm_error(400, "NotSupported", "%s: a job reads one JobInputAsset, or "
                             "JobInputHttp inputs, not both", path);
        }
        return read_http(input, path, in);
    }
    return arm_error(400, type != NULL && strncmp(type, "#Microsoft.Media.", 17) == 0
                              ? "NotSupported" : "InvalidResource",
                     "%s: '%.64s' is not served (%s, %s and %s are)", path, type ? type : "",
                     ASSET_TYPE, HTTP_TYPE, INPUTS_TYPE);
}

http_response_t *arm_job_input_read(arm_req_t *r, const json_t *input, arm_job_input_t *in)
{
    static const char *const keys[] = { "@odata.type", "inputs", NULL };
    const char *type = json_string_value(json_object_get(input, "@odata.type"));
    const json_t *list = json_object_get(input, "inputs"), *one;
    http_response_t *err = NULL;
    char path[64];
    size_t i;

    memset(in, 0, sizeof(*in));
    if (!json_is_object(input)) {
        return bad("%s is required: {\"@odata.type\":\"" ASSET_TYPE "\",\"assetName\":…}%s",
                   "properties.input", NULL);
    }
    if (type == NULL || strcmp(type, INPUTS_TYPE) != 0) {
        err = read_one(r, input, "properties.input", in);
    } else if ((err = only_keys(input, "properties.input", keys)) == NULL) {
        if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > ARM_INPUTS_MAX) {
            err = arm_error(400, "InvalidResource", "properties.input.inputs must list 1 to %d "
                            "inputs", ARM_INPUTS_MAX);
        }
        json_array_foreach(list, i, one) {
            snprintf(path, sizeof(path), "properties.input.inputs[%zu]", i);
            if (err == NULL) err = read_one(r, one, path, in);
        }
    }
    if (err != NULL) {
        arm_job_input_free(in);
    }
    return err;
}

void arm_job_input_free(arm_job_input_t *in)
{
    json_decref(in->asset);
    json_decref(in->files);
    json_decref(in->urls);
    memset(in, 0, sizeof(*in));
}
