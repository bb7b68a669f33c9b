/*
 * arm_key_policies.c — v3 content key policies (see arm_key_policies.h):
 *   GET    contentKeyPolicies[/{name}]
 *   PUT    contentKeyPolicies/{name}            create (201); 409 when it exists
 *   DELETE contentKeyPolicies/{name}            200, 204 when none
 *   POST   contentKeyPolicies/{name}/getPolicyPropertiesWithSecrets
 * The v3 options are kept as given in a private member for the answers.
 */
#include "arm/arm_error.h"
#include "arm/arm_key_policies.h"
#include "arm/arm_names.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define POLICY_TYPE "Microsoft.Media/mediaservices/contentKeyPolicies"
#define CLEAR_KEY "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"
#define OPEN "#Microsoft.Media.ContentKeyPolicyOpenRestriction"
#define OPTIONS_MAX 4
#define KEY_DELIVERY_BASELINE_HTTP 2

typedef struct {
    const char *name;
    json_t *found;
    arm_page_t *page;
} walk_t;

static int match(const char *id, json_t *rec, void *arg)
{
    walk_t *w = arg;
    const char *name = entity_str(rec, "Name");

    (void) id;
    if (json_object_get(rec, "_ArmOptions") == NULL || name == NULL) {
        return 0;                      /* v2 policies have no v3 form */
    }
    if (w->page != NULL) {
        if (arm_page_take(w->page)) json_array_append(w->page->value, rec);
        return arm_page_full(w->page);
    }
    if (strcasecmp(name, w->name) == 0) {
        w->found = json_incref(rec);
        return 1;
    }
    return 0;
}

json_t *arm_key_policy_find(arm_req_t *r, const char *name)
{
    walk_t w = { name, NULL, NULL };
    catalog_each(&r->c.txn, entity_key_policies.name, match, &w);
    return w.found;
}

static json_t *policy_json(arm_req_t *r, const json_t *rec)
{
    json_t *props = json_pack("{s:s,s:s?,s:s?,s:O}", "policyId", entity_guid(entity_str(rec, "Id")),
                              "created", entity_str(rec, "Created"), "lastModified",
                              entity_str(rec, "LastModified"), "options",
                              json_object_get(rec, "_ArmOptions"));
    if (json_object_get(rec, "_ArmDescription") != NULL) {
        json_object_set(props, "description", json_object_get(rec, "_ArmDescription"));
    }
    return arm_resource(r, "contentKeyPolicies", POLICY_TYPE, entity_str(rec, "Name"), props);
}

static http_response_t *checked_options(arm_req_t *r, json_t **out)
{
    json_t *options = json_object_get(json_object_get(r->body, "properties"), "options"), *o;
    size_t i;

    if (!json_is_array(options) || json_array_size(options) == 0
        || json_array_size(options) > OPTIONS_MAX) {
        return arm_error(400, "InvalidResource", "properties.options must list 1 to %d options",
                         OPTIONS_MAX);
    }
    json_array_foreach(options, i, o) {
        const char *conf = json_string_value(json_object_get(json_object_get(o, "configuration"),
                                                             "@odata.type"));
        const char *restr = json_string_value(json_object_get(json_object_get(o, "restriction"),
                                                              "@odata.type"));
        if (conf == NULL || strcmp(conf, CLEAR_KEY) != 0 || restr == NULL
            || strcmp(restr, OPEN) != 0) {
            return arm_error(400, "InvalidResource", "options[%zu]: only %s with %s is served yet "
                             "(token restrictions, PlayReady, Widevine and FairPlay are not)",
                             i, CLEAR_KEY, OPEN);
        }
    }
    *out = options;
    return NULL;
}

/* One v2 option (Open, BaselineHttp) linked to the policy. */
static int add_option(arm_req_t *r, const char *policy_id, const json_t *o)
{
    const entity_nav_t *nav = entity_nav_find(&entity_key_policies, "Options");
    const char *name = json_string_value(json_object_get(o, "name"));
    json_t *body = json_pack("{s:s,s:i,s:n,s:[{s:s,s:i,s:n}]}", "Name", name ? name : "option",
                             "KeyDeliveryType", KEY_DELIVERY_BASELINE_HTTP,
                             "KeyDeliveryConfiguration", "Restrictions", "Name", "open",
                             "KeyRestrictionType", 0, "Requirements");
    json_t *opt = NULL;
    int rc = entity_create(&r->c, &entity_key_policy_options, body, &opt);

    if (rc == 0) {
        rc = entity_link(&r->c, &entity_key_policies, policy_id, nav, entity_str(opt, "Id"), true);
    }
    json_decref(body);
    json_decref(opt);
    return rc;
}

static http_response_t *create_policy(arm_req_t *r, const char *name)
{
    json_t *options = NULL, *body, *rec = NULL, *o;
    json_t *desc = json_object_get(json_object_get(r->body, "properties"), "description");
    http_response_t *bad = checked_options(r, &options);
    size_t i;

    if (bad != NULL) {
        return bad;
    }
    body = json_pack("{s:s}", "Name", name);
    if (entity_create(&r->c, &entity_key_policies, body, &rec) != 0) {
        json_decref(body);
        return NULL;
    }
    json_decref(body);
    json_array_foreach(options, i, o) {
        if (add_option(r, entity_str(rec, "Id"), o) != 0) {
            json_decref(rec);
            return NULL;
        }
    }
    json_object_set(rec, "_ArmOptions", options);
    if (json_is_string(desc) && json_string_length(desc) <= 4000) {
        json_object_set(rec, "_ArmDescription", desc);
    }
    bad = entity_save(&r->c, &entity_key_policies, rec) == 0 ? arm_json(201, policy_json(r, rec))
                                                              : NULL;
    json_decref(rec);
    return bad;
}

static http_response_t *one_policy(arm_req_t *r, json_t *rec)
{
    const char *name = r->path.seg[1];

    if (r->path.nseg == 3) {
        json_t *full, *props;
        if (strcmp(r->method, "POST") != 0 || rec == NULL
            || !arm_path_seg_is(&r->path, 2, "getPolicyPropertiesWithSecrets")) {
            return arm_error(404, "NotFound", "no such policy action or policy");
        }
        full = policy_json(r, rec);
        props = json_incref(json_object_get(full, "properties"));
        json_decref(full);
        return arm_json(200, props);
    }
    if (strcmp(r->method, "PUT") == 0) {
        return rec != NULL ? arm_error(409, "Conflict", "the content key policy '%s' exists", name)
               : !arm_name_ok(name) ? arm_error(400, "InvalidResourceName", "bad name")
               : create_policy(r, name);
    }
    if (rec == NULL) {
        return strcmp(r->method, "DELETE") == 0 ? http_response_new(204, NULL)
               : arm_error(404, "ResourceNotFound", "the content key policy '%s' was not found", name);
    }
    if (strcmp(r->method, "GET") == 0) {
        return arm_json(200, policy_json(r, rec));
    }
    if (strcmp(r->method, "DELETE") == 0) {
        return entity_delete(&r->c, &entity_key_policies, entity_str(rec, "Id")) == 0
                   ? http_response_new(200, NULL) : NULL;
    }
    return arm_error(405, "MethodNotAllowed", "contentKeyPolicies/{name} takes GET, PUT or DELETE");
}

http_response_t *arm_key_policies_handle(arm_req_t *r)
{
    arm_page_t page;
    json_t *rec, *records, *p;
    http_response_t *out;
    size_t i;

    if (r->path.nseg == 1) {
        walk_t w = { NULL, NULL, &page };
        if ((out = arm_page_init(r, &page)) != NULL) {
            return out;
        }
        catalog_each(&r->c.txn, entity_key_policies.name, match, &w);
        records = page.value;
        page.value = json_array();
        json_array_foreach(records, i, p) {
            json_array_append_new(page.value, policy_json(r, p));
        }
        json_decref(records);
        return arm_page_answer(r, &page);
    }
    rec = arm_key_policy_find(r, r->path.seg[1]);
    out = r->path.nseg <= 3 ? one_policy(r, rec) : arm_error(404, "NotFound", "too deep");
    json_decref(rec);
    return out;
}
