/*
 * arm_transforms.c — v3 transforms (see arm_transforms.h):
 *   GET    transforms                  list ($filter, $orderby, $top: arm_list_query.h)
 *   GET    transforms/{t}              one
 *   PUT    transforms/{t}              create (201) or replace (200)
 *   PATCH  transforms/{t}              description and/or outputs (200)
 *   DELETE transforms/{t}              200 (its jobs stay, as v2 jobs), 204 when none
 * transforms/{t}/jobs… goes to arm_jobs.c.
 */
#include "arm/arm_error.h"
#include "arm/arm_list_query.h"
#include "arm/arm_names.h"
#include "arm/arm_presets.h"
#include "arm/arm_standard_preset.h"
#include "arm/arm_transforms.h"
#include "catalog/catalog_schema.h"
#include "util/time_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TRANSFORM_TYPE "Microsoft.Media/mediaservices/transforms"
#define KEY_PREFIX "arm:transform:"
#define BUILTIN_TYPE "#Microsoft.Media.BuiltInStandardEncoderPreset"

static size_t transform_key(const char *name, char *out, size_t cap)
{
    size_t n = (size_t) snprintf(out, cap, KEY_PREFIX "%s", name);

    for (size_t i = strlen(KEY_PREFIX); i < n && i < cap; i++) {
        out[i] = (char) tolower((unsigned char) out[i]);
    }
    return n < cap ? n : 0;
}

json_t *arm_transform_load(arm_req_t *r, const char *name)
{
    char key[ARM_NAME_MAX + 32];
    size_t klen = transform_key(name, key, sizeof(key));
    MDB_val v;

    if (klen == 0 || catalog_raw_get(&r->c.txn, CATALOG_DB_META, key, klen, &v) != 0) {
        return NULL;
    }
    return json_loadb(v.mv_data, v.mv_size, 0, NULL);
}

/* {"Sources":[{StartTime, Duration?}]} of a clip, into the MES or v3 JSON. */
static void add_clip(json_t *config, const arm_clip_t *clip)
{
    char t[32];
    json_t *src = json_object();

    arm_mes_time(clip->start, t);
    json_object_set_new(src, "StartTime", json_string(t));
    if (clip->duration > 0) {
        arm_mes_time(clip->duration, t);
        json_object_set_new(src, "Duration", json_string(t));
    }
    json_object_set_new(config, "Sources", json_pack("[o]", src));
}

char *arm_transform_configuration(const json_t *transform, size_t i, const arm_clip_t *clip)
{
    json_t *preset = json_object_get(json_array_get(json_object_get(transform, "outputs"), i),
                                     "preset"), *config;
    const char *type = json_string_value(json_object_get(preset, "@odata.type"));
    const char *name = arm_preset_encoder_name(json_string_value(json_object_get(preset, "presetName")));
    char why[512], *text;

    if (type != NULL && strcmp(type, ARM_STANDARD_PRESET_TYPE) == 0) {
        config = arm_standard_preset_to_mes(preset, "preset", why, sizeof(why));
    } else if (name == NULL) {
        return NULL;
    } else if (clip == NULL) {
        return strdup(name);
    } else {
        config = json_pack("{s:s,s:s}", "@odata.type", BUILTIN_TYPE, "presetName", name);
    }
    if (config == NULL) {
        return NULL;
    }
    if (clip != NULL) add_clip(config, clip);
    text = json_dumps(config, JSON_COMPACT);
    json_decref(config);
    return text;
}

static json_t *transform_json(arm_req_t *r, const json_t *t)
{
    json_t *props = json_pack("{s:O?,s:O?,s:O}", "created", json_object_get(t, "created"),
                              "lastModified", json_object_get(t, "lastModified"), "outputs",
                              json_object_get(t, "outputs"));

    if (json_object_get(t, "description") != NULL) {
        json_object_set(props, "description", json_object_get(t, "description"));
    }
    return arm_resource(r, "transforms", TRANSFORM_TYPE,
                        json_string_value(json_object_get(t, "name")), props);
}

/* The outputs of a PUT body, checked; NULL after setting *err. */
static json_t *checked_outputs(arm_req_t *r, http_response_t **err)
{
    json_t *outputs = json_object_get(json_object_get(r->body, "properties"), "outputs"), *o;
    size_t i;

    if (!json_is_array(outputs) || json_array_size(outputs) == 0
        || json_array_size(outputs) > ARM_TRANSFORM_OUTPUTS_MAX) {
        *err = arm_error(400, "InvalidResource", "properties.outputs must list 1 to %d outputs",
                         ARM_TRANSFORM_OUTPUTS_MAX);
        return NULL;
    }
    json_array_foreach(outputs, i, o) {
        json_t *preset = json_object_get(o, "preset");
        const char *type = json_string_value(json_object_get(preset, "@odata.type"));
        const char *name = json_string_value(json_object_get(preset, "presetName"));
        char path[64], why[512];
        json_t *mes;
        snprintf(path, sizeof(path), "outputs[%zu].preset", i);
        if (type != NULL && strcmp(type, ARM_STANDARD_PRESET_TYPE) == 0) {
            mes = arm_standard_preset_to_mes(preset, path, why, sizeof(why));
            if (mes == NULL) {
                *err = arm_error(400, "InvalidResource", "%s", why);
                return NULL;
            }
            json_decref(mes);
            continue;
        }
        if (type == NULL || strcmp(type, BUILTIN_TYPE) != 0) {
            *err = arm_error(400, "InvalidResource", "%s: only %s and %s are served (analyzer "
                             "presets are not)", path, BUILTIN_TYPE, ARM_STANDARD_PRESET_TYPE);
            return NULL;
        }
        if (arm_preset_encoder_name(name) == NULL) {
            *err = arm_error(400, "InvalidResource", "outputs[%zu].preset.presetName '%.64s' is "
                             "not served; use one of %s", i, name ? name : "", arm_preset_names());
            return NULL;
        }
    }
    return outputs;
}

static http_response_t *put_transform(arm_req_t *r, const char *name, json_t *existing)
{
    http_response_t *err = NULL;
    json_t *outputs = checked_outputs(r, &err), *desc, *t;
    char now[TIME_ISO_LEN], key[ARM_NAME_MAX + 32], *text;
    size_t klen = transform_key(name, key, sizeof(key));
    int rc;

    if (outputs == NULL) {
        return err;
    }
    if (!arm_name_ok(name) || klen == 0) {
        return arm_error(400, "InvalidResourceName", "'%.64s' is not a valid transform name", name);
    }
    desc = json_object_get(json_object_get(r->body, "properties"), "description");
    if (desc != NULL && !json_is_null(desc) && (!json_is_string(desc) || json_string_length(desc) > 4000)) {
        return arm_error(400, "InvalidResource", "description is a string of at most 4000 bytes");
    }
    time_format_iso(r->c.now_ms, now);
    t = json_pack("{s:s,s:O?,s:s,s:O}", "name", name, "created",
                  existing != NULL ? json_object_get(existing, "created") : NULL, "lastModified",
                  now, "outputs", outputs);
    if (existing == NULL) json_object_set_new(t, "created", json_string(now));
    if (json_is_string(desc)) json_object_set(t, "description", desc);
    text = json_dumps(t, JSON_COMPACT);
    rc = text != NULL ? catalog_raw_put(&r->c.txn, CATALOG_DB_META, key, klen, text, strlen(text)) : -1;
    free(text);
    if (rc != 0) {
        json_decref(t);
        api_fail(&r->c, 500, "InternalError", "cannot store the transform");
        return NULL;
    }
    err = arm_json(existing != NULL ? 200 : 201, transform_json(r, t));
    json_decref(t);
    return err;
}

/* Calls fn with every stored transform in name order until it returns true. */
static void each_transform(arm_req_t *r, bool (*fn)(json_t *t, void *arg), void *arg)
{
    MDB_val k, v;
    char key[sizeof(KEY_PREFIX) + ARM_NAME_MAX + 2];
    size_t klen = strlen(KEY_PREFIX);
    bool stop = false;

    memcpy(key, KEY_PREFIX, klen);
    while (!stop && catalog_raw_seek(&r->c.txn, CATALOG_DB_META, key, klen, &k, &v) == 0
           && k.mv_size > strlen(KEY_PREFIX) && k.mv_size < sizeof(key) - 1
           && memcmp(k.mv_data, KEY_PREFIX, strlen(KEY_PREFIX)) == 0) {
        json_t *t = json_loadb(v.mv_data, v.mv_size, 0, NULL);
        if (t != NULL) {
            stop = fn(t, arg);
            json_decref(t);
        }
        memcpy(key, k.mv_data, k.mv_size);      /* next: the key + "\0" */
        key[k.mv_size] = '\0';
        klen = k.mv_size + 1;
    }
}

typedef struct {
    arm_req_t *r;
    arm_page_t page;
    const arm_query_t *query;           /* or matches: */
    json_t *matches;
} transform_walk_t;

static bool add_transform(json_t *t, void *arg)
{
    transform_walk_t *w = arg;
    json_t *res;

    if (w->query == NULL) {
        if (arm_page_take(&w->page)) {
            json_array_append_new(w->page.value, transform_json(w->r, t));
        }
        return arm_page_full(&w->page);
    }
    res = transform_json(w->r, t);
    if (res != NULL && arm_query_match(w->query, res)) {
        json_array_append(w->matches, res);
    }
    json_decref(res);
    return false;
}

static http_response_t *list_transforms(arm_req_t *r)
{
    static const char *const fields[] = { "name", "properties/created", "properties/lastModified",
                                          NULL };
    transform_walk_t w = { r, { 0 }, NULL, NULL };
    arm_query_t q;
    http_response_t *bad = arm_query_parse(r, fields, fields, &q);

    if (bad == NULL && arm_query_active(&q)) {      /* at most the meta keys: bounded */
        w.query = &q;
        w.matches = json_array();
        each_transform(r, add_transform, &w);
        return arm_query_answer(r, &q, w.matches);
    }
    if (bad != NULL || (bad = arm_page_init(r, &w.page)) != NULL) {
        return bad;
    }
    each_transform(r, add_transform, &w);
    return arm_page_answer(r, &w.page);
}

/* PATCH: the given properties (description, outputs) over the stored ones,
 * checked as a PUT. */
static http_response_t *patch_transform(arm_req_t *r, const char *name, json_t *existing)
{
    json_t *props = json_object_get(r->body, "properties"), *merged, *saved = r->body;
    const char *key;
    json_t *v;
    http_response_t *out;

    if (existing == NULL) {
        return arm_error(404, "ResourceNotFound", "the transform '%s' was not found", name);
    }
    if (r->body == NULL || (props != NULL && !json_is_object(props))) {
        return arm_error(400, "InvalidRequestContent", "PATCH takes {\"properties\":{…}}");
    }
    merged = json_pack("{s:{s:O}}", "properties", "outputs", json_object_get(existing, "outputs"));
    if (json_object_get(existing, "description") != NULL) {
        json_object_set(json_object_get(merged, "properties"), "description",
                        json_object_get(existing, "description"));
    }
    json_object_foreach(props, key, v) {
        if (strcmp(key, "description") != 0 && strcmp(key, "outputs") != 0) {
            json_decref(merged);
            return arm_error(400, "InvalidResource", "properties.%.64s cannot be updated: a "
                             "transform takes description and outputs", key);
        }
        json_object_set(json_object_get(merged, "properties"), key, v);
    }
    r->body = merged;
    out = put_transform(r, name, existing);
    r->body = saved;
    json_decref(merged);
    return out;
}

static http_response_t *one_transform(arm_req_t *r)
{
    const char *name = r->path.seg[1];
    json_t *t = arm_transform_load(r, name);
    char key[ARM_NAME_MAX + 32];
    size_t klen;
    http_response_t *out;

    if (strcmp(r->method, "PUT") == 0) {
        out = put_transform(r, name, t);
    } else if (strcmp(r->method, "PATCH") == 0) {
        out = patch_transform(r, name, t);
    } else if (strcmp(r->method, "GET") == 0) {
        out = t != NULL ? arm_json(200, transform_json(r, t))
                        : arm_error(404, "ResourceNotFound", "the transform '%s' was not found", name);
    } else if (strcmp(r->method, "DELETE") == 0) {
        klen = transform_key(name, key, sizeof(key));
        out = t == NULL ? http_response_new(204, NULL)
              : catalog_raw_del(&r->c.txn, CATALOG_DB_META, key, klen) == 0
                  ? http_response_new(200, NULL) : NULL;
    } else {
        out = arm_error(405, "MethodNotAllowed", "transforms/{name} takes GET, PUT, PATCH or DELETE");
    }
    json_decref(t);
    return out;
}

http_response_t *arm_transforms_handle(arm_req_t *r)
{
    if (r->path.nseg == 1) {
        return strcmp(r->method, "GET") == 0
                   ? list_transforms(r)
                   : arm_error(405, "MethodNotAllowed", "the transforms collection is read with GET");
    }
    if (r->path.nseg == 2) {
        return one_transform(r);
    }
    if (arm_path_seg_is(&r->path, 2, "jobs")) {
        return arm_jobs_handle(r);
    }
    return arm_error(404, "NotSupported", "'%s' under a transform is not served", r->path.seg[2]);
}
