/*
 * arm_key_policies.c — v3 content key policies (see arm_key_policies.h):
 *   GET    contentKeyPolicies[/{name}]
 *   PUT    contentKeyPolicies/{name}            create (201) or replace the options (200)
 *   DELETE contentKeyPolicies/{name}            200, 204 when none
 *   POST   contentKeyPolicies/{name}/getPolicyPropertiesWithSecrets
 * The v3 options are kept as given in a private member for the answers
 * (GET empties their secrets, as AMS did); each becomes one v2 option with
 * the configuration's KeyDeliveryType (ClearKey → BaselineHttp, PlayReady,
 * Widevine, FairPlay) and the restriction of arm_key_restriction.c.
 */
#include "arm/arm_error.h"
#include "arm/arm_key_policies.h"
#include "arm/arm_key_restriction.h"
#include "arm/arm_names.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "util/text_codec.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define POLICY_TYPE "Microsoft.Media/mediaservices/contentKeyPolicies"
#define CLEAR_KEY "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"
#define FAIRPLAY "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration"
#define OPTIONS_MAX 4
#define KEY_DELIVERY_PLAYREADY 1
#define KEY_DELIVERY_BASELINE_HTTP 2
#define KEY_DELIVERY_WIDEVINE 3
#define KEY_DELIVERY_FAIRPLAY 4

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

/* The v3 form; secrets emptied unless with_secrets. */
static json_t *policy_json(arm_req_t *r, const json_t *rec, bool with_secrets)
{
    const json_t *options = json_object_get(rec, "_ArmOptions");
    json_t *props = json_pack("{s:s,s:s?,s:s?,s:o}", "policyId", entity_guid(entity_str(rec, "Id")),
                              "created", entity_str(rec, "Created"), "lastModified",
                              entity_str(rec, "LastModified"), "options",
                              with_secrets ? json_deep_copy(options)
                                           : arm_key_options_redacted(options));
    if (json_object_get(rec, "_ArmDescription") != NULL) {
        json_object_set(props, "description", json_object_get(rec, "_ArmDescription"));
    }
    return arm_resource(r, "contentKeyPolicies", POLICY_TYPE, entity_str(rec, "Name"), props);
}

/* The v2 KeyDeliveryType of a v3 configuration, or -1 after *err. */
static int delivery_type(const json_t *conf, size_t i, http_response_t **err)
{
    static const struct { const char *type; int delivery; } known[] = {
        { CLEAR_KEY, KEY_DELIVERY_BASELINE_HTTP },
        { "#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration", KEY_DELIVERY_PLAYREADY },
        { "#Microsoft.Media.ContentKeyPolicyWidevineConfiguration", KEY_DELIVERY_WIDEVINE },
        { FAIRPLAY, KEY_DELIVERY_FAIRPLAY },
    };
    const char *type = json_string_value(json_object_get(conf, "@odata.type"));

    for (size_t k = 0; type != NULL && k < sizeof(known) / sizeof(known[0]); k++) {
        if (strcmp(type, known[k].type) == 0) {
            return known[k].delivery;
        }
    }
    *err = arm_error(400, "InvalidResource", "options[%zu].configuration must be a ClearKey, "
                     "PlayReady, Widevine or FairPlay configuration (#Microsoft.Media."
                     "ContentKeyPolicy…Configuration)", i);
    return -1;
}

/* What the DRM configurations need to be usable by a license server. */
static http_response_t *check_configuration(const json_t *conf, int delivery, size_t i)
{
    static const char *const lease[] = { "Undefined", "DualExpiry", "PersistentUnlimited",
                                         "PersistentLimited", NULL };
    const char *ask = json_string_value(json_object_get(conf, "ask")), *kind;
    uint8_t raw[32];
    size_t len = 0, k;

    if (delivery == KEY_DELIVERY_PLAYREADY) {
        json_t *licenses = json_object_get(conf, "licenses");
        return json_is_array(licenses) && json_array_size(licenses) >= 1
                       && json_array_size(licenses) <= 10 ? NULL
               : arm_error(400, "InvalidResource", "options[%zu].configuration.licenses must list "
                           "1 to 10 PlayReady licenses", i);
    }
    if (delivery == KEY_DELIVERY_WIDEVINE) {
        return json_is_string(json_object_get(conf, "widevineTemplate")) ? NULL
               : arm_error(400, "InvalidResource", "options[%zu].configuration.widevineTemplate "
                           "is required (a JSON string)", i);
    }
    if (delivery != KEY_DELIVERY_FAIRPLAY) {
        return NULL;
    }
    if (ask == NULL || base64_decode_strict(ask, strlen(ask), raw, sizeof(raw), &len) != BASE64_OK
        || len != 16) {
        return arm_error(400, "InvalidResource", "options[%zu].configuration.ask must be the "
                         "16-byte application secret key in base64", i);
    }
    if (!json_is_string(json_object_get(conf, "fairPlayPfx"))
        || !json_is_string(json_object_get(conf, "fairPlayPfxPassword"))) {
        return arm_error(400, "InvalidResource", "options[%zu].configuration.fairPlayPfx and "
                         "fairPlayPfxPassword are required strings", i);
    }
    kind = json_string_value(json_object_get(conf, "rentalAndLeaseKeyType"));
    for (k = 0; kind != NULL && lease[k] != NULL && strcmp(lease[k], kind) != 0; k++) {}
    if (kind == NULL || lease[k] == NULL || !json_is_integer(json_object_get(conf, "rentalDuration"))) {
        return arm_error(400, "InvalidResource", "options[%zu].configuration.rentalAndLeaseKeyType "
                         "(Undefined, DualExpiry, PersistentUnlimited, PersistentLimited) and "
                         "rentalDuration (an integer) are required", i);
    }
    return NULL;
}

/* The v2 options (bodies for ContentKeyAuthorizationPolicyOptions) of a
 * PUT body's properties.options, or NULL after *err. */
static json_t *checked_options(arm_req_t *r, json_t **given, http_response_t **err)
{
    json_t *options = json_object_get(json_object_get(r->body, "properties"), "options"), *o;
    json_t *out = json_array();
    size_t i;

    *err = NULL;
    if (!json_is_array(options) || json_array_size(options) == 0
        || json_array_size(options) > OPTIONS_MAX) {
        *err = arm_error(400, "InvalidResource", "properties.options must list 1 to %d options",
                         OPTIONS_MAX);
    }
    json_array_foreach(options, i, o) {
        json_t *name = json_object_get(o, "name"), *restriction;
        int delivery = *err == NULL ? delivery_type(json_object_get(o, "configuration"), i, err) : -1;
        if (delivery < 0 || (*err = check_configuration(json_object_get(o, "configuration"),
                                                         delivery, i)) != NULL) {
            break;
        }
        if (name != NULL && (!json_is_string(name) || json_string_length(name) > 256)) {
            *err = arm_error(400, "InvalidResource", "options[%zu].name is a string of at most "
                             "256 bytes", i);
            break;
        }
        if ((restriction = arm_key_restriction_v2(json_object_get(o, "restriction"), i, err)) == NULL) {
            break;
        }
        json_array_append_new(out, json_pack("{s:s,s:i,s:n,s:[o]}", "Name",
                                             name ? json_string_value(name) : "option",
                                             "KeyDeliveryType", delivery, "KeyDeliveryConfiguration",
                                             "Restrictions", restriction));
    }
    if (*err != NULL) {
        json_decref(out);
        return NULL;
    }
    *given = options;
    return out;
}

/* One v2 option linked to the policy; v2's own checks (the token template)
 * answer 400 naming options[i]. */
static int add_option(arm_req_t *r, const char *policy_id, json_t *body, size_t i)
{
    const entity_nav_t *nav = entity_nav_find(&entity_key_policies, "Options");
    json_t *opt = NULL;
    int rc = entity_create(&r->c, &entity_key_policy_options, body, &opt);
    char msg[sizeof(r->c.err.message)];

    if (rc == 0) {
        rc = entity_link(&r->c, &entity_key_policies, policy_id, nav, entity_str(opt, "Id"), true);
    } else if (r->c.err.status == 400) {
        const char *why = r->c.err.message;
        if (strncmp(why, "Restrictions[0]: ", 17) == 0) {
            why += 17;
        }
        snprintf(msg, sizeof(msg), "options[%zu].restriction: %.400s", i, why);
        memcpy(r->c.err.message, msg, sizeof(msg));
        snprintf(r->c.err.code, sizeof(r->c.err.code), "InvalidResource");
    }
    json_decref(opt);
    return rc;
}

/* An update replaces the options: the old v2 ones are deleted. */
static int drop_options(arm_req_t *r, const char *policy_id)
{
    json_t *ids = entity_nav_ids(&r->c, policy_id, entity_nav_find(&entity_key_policies, "Options"));
    json_t *id;
    size_t i;
    int rc = 0;

    json_array_foreach(ids, i, id) {
        if ((rc = entity_delete(&r->c, &entity_key_policy_options, json_string_value(id))) != 0) {
            break;
        }
    }
    json_decref(ids);
    return rc;
}

static http_response_t *put_policy(arm_req_t *r, const char *name, json_t *existing)
{
    json_t *given = NULL, *body, *rec = NULL, *o;
    json_t *desc = json_object_get(json_object_get(r->body, "properties"), "description");
    http_response_t *bad = NULL;
    json_t *v2 = checked_options(r, &given, &bad);
    size_t i;
    int rc;

    if (v2 == NULL) {
        return bad;
    }
    if (desc != NULL && !json_is_null(desc) && (!json_is_string(desc) || json_string_length(desc) > 4000)) {
        json_decref(v2);
        return arm_error(400, "InvalidResource", "properties.description is a string of at most "
                         "4000 bytes");
    }
    if (existing != NULL) {
        rec = json_incref(existing);
        rc = drop_options(r, entity_str(rec, "Id"));
    } else {
        body = json_pack("{s:s}", "Name", name);
        rc = entity_create(&r->c, &entity_key_policies, body, &rec);
        json_decref(body);
    }
    json_array_foreach(v2, i, o) {
        if (rc == 0) {
            rc = add_option(r, entity_str(rec, "Id"), o, i);
        }
    }
    json_decref(v2);
    if (rc != 0) {
        json_decref(rec);
        return NULL;
    }
    json_object_set(rec, "_ArmOptions", given);
    json_object_del(rec, "_ArmDescription");
    if (json_is_string(desc)) {
        json_object_set(rec, "_ArmDescription", desc);
    }
    bad = entity_save(&r->c, &entity_key_policies, rec) == 0
              ? arm_json(existing != NULL ? 200 : 201, policy_json(r, rec, false)) : NULL;
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
        full = policy_json(r, rec, true);
        props = json_incref(json_object_get(full, "properties"));
        json_decref(full);
        return arm_json(200, props);
    }
    if (strcmp(r->method, "PUT") == 0) {
        return rec == NULL && !arm_name_ok(name) ? arm_error(400, "InvalidResourceName", "bad name")
               : put_policy(r, name, rec);
    }
    if (rec == NULL) {
        return strcmp(r->method, "DELETE") == 0 ? http_response_new(204, NULL)
               : arm_error(404, "ResourceNotFound", "the content key policy '%s' was not found", name);
    }
    if (strcmp(r->method, "GET") == 0) {
        return arm_json(200, policy_json(r, rec, false));
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
            json_array_append_new(page.value, policy_json(r, p, false));
        }
        json_decref(records);
        return arm_page_answer(r, &page);
    }
    rec = arm_key_policy_find(r, r->path.seg[1]);
    out = r->path.nseg <= 3 ? one_policy(r, rec) : arm_error(404, "NotFound", "too deep");
    json_decref(rec);
    return out;
}
