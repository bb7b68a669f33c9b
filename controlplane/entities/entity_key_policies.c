/*
 * entity_key_policies.c — ContentKeyAuthorizationPolicies and their
 * Options: who may get a content key from the key service, and how it is
 * delivered.  Options are linked to a policy with
 * ContentKeyAuthorizationPolicies('…')/$links/Options; a ContentKey names
 * its policy in AuthorizationPolicyId (entity_content_keys.c), and a policy
 * a key uses cannot be deleted.  Each restriction is checked when written and
 * kept in a compact private form (_Restrictions) for the key service:
 * Open → {"type":0}; TokenRestricted → {"type":1,"token":<token_template.h
 * form>}.  IPRestricted is refused (not supported).
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "keypolicy/token_template.h"

#include <string.h>
#include <strings.h>

#define RESTRICTION_OPEN 0
#define RESTRICTION_TOKEN 1
#define RESTRICTION_IP 2
#define MAX_RESTRICTIONS 8

static const entity_prop_t policy_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t policy_navs[] = {
    { "Options", "ContentKeyAuthorizationPolicyOptions", NAV_LINKS, NULL, true, NULL },
    { NULL, NULL, 0, NULL, false, NULL },
};

static const entity_prop_t option_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_NULLABLE, 256, NULL, NULL },
    { "KeyDeliveryType", EDM_INT32, P_REQUIRED, 0, NULL, NULL },
    { "KeyDeliveryConfiguration", EDM_STRING, P_NULLABLE, 65536, NULL, NULL },
    { "Restrictions", EDM_COLLECTION, P_REQUIRED, 0, NULL,
      "Collection(" AMS_TYPE("ContentKeyAuthorizationPolicyRestriction") ")" },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t option_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

typedef struct {
    const char *policy_id;
    char        key_id[ENTITY_ID_MAX];
} key_use_t;

static int find_key_using(const char *id, json_t *rec, void *arg)
{
    key_use_t *u = arg;
    const char *policy = entity_str(rec, "AuthorizationPolicyId");

    if (policy != NULL && strcasecmp(policy, u->policy_id) == 0) {
        snprintf(u->key_id, sizeof(u->key_id), "%s", id);
        return 1;
    }
    return 0;
}

static int policy_on_delete(api_ctx_t *c, const json_t *rec)
{
    key_use_t u = { .policy_id = entity_str(rec, "Id") };

    if (catalog_each(&c->txn, "ContentKeys", find_key_using, &u) == 1) {
        return api_fail(c, 400, "InvalidOperation",
                        "the policy is used by ContentKey %s: clear its AuthorizationPolicyId first",
                        u.key_id);
    }
    return 0;
}

/* One restriction → its compact form, or NULL after api_fail(). */
static json_t *check_restriction(api_ctx_t *c, size_t i, const json_t *r)
{
    long long type = entity_int(r, "KeyRestrictionType", -1);
    const char *req = entity_str(r, "Requirements");
    json_t *name = json_object_get(r, "Name"), *token;
    char err[512];

    if (!json_is_object(r) || (name != NULL && !json_is_string(name) && !json_is_null(name))) {
        api_fail(c, 400, "InvalidValue", "Restrictions[%zu] must be {Name, KeyRestrictionType, "
                 "Requirements}", i);
        return NULL;
    }
    switch (type) {
    case RESTRICTION_OPEN:
        if (req != NULL && req[0] != '\0') {
            api_fail(c, 400, "InvalidValue", "Restrictions[%zu]: an Open restriction has no "
                     "Requirements", i);
            return NULL;
        }
        return json_pack("{s:i}", "type", RESTRICTION_OPEN);
    case RESTRICTION_TOKEN:
        token = token_template_parse(req, req ? strlen(req) : 0, err, sizeof(err));
        if (token == NULL) {
            api_fail(c, 400, "InvalidValue", "Restrictions[%zu]: %s", i, err);
            return NULL;
        }
        return json_pack("{s:i, s:o}", "type", RESTRICTION_TOKEN, "token", token);
    case RESTRICTION_IP:
        api_fail(c, 400, "NotSupported", "Restrictions[%zu]: IPRestricted (2) is not supported by "
                 "mediaplane: use Open (0) or TokenRestricted (1)", i);
        return NULL;
    default:
        api_fail(c, 400, "InvalidValue", "Restrictions[%zu]: KeyRestrictionType must be Open 0, "
                 "TokenRestricted 1 or IPRestricted 2", i);
        return NULL;
    }
}

static int check_option(api_ctx_t *c, json_t *rec)
{
    long long delivery = entity_int(rec, "KeyDeliveryType", -1);
    json_t *list = json_object_get(rec, "Restrictions"), *compact, *r;
    size_t i;

    if (delivery < 1 || delivery > 4) {
        return api_fail(c, 400, "InvalidValue", "KeyDeliveryType must be PlayReadyLicense 1, "
                        "BaselineHttp 2, Widevine 3 or FairPlay 4");
    }
    if (!json_is_array(list) || json_array_size(list) == 0
        || json_array_size(list) > MAX_RESTRICTIONS) {
        return api_fail(c, 400, "InvalidValue", "Restrictions must list 1 to %d restrictions",
                        MAX_RESTRICTIONS);
    }
    compact = json_array();
    json_array_foreach(list, i, r) {
        json_t *one = check_restriction(c, i, r);
        if (one == NULL) {
            json_decref(compact);
            return -1;
        }
        json_array_append_new(compact, one);
    }
    json_object_set_new(rec, "_Restrictions", compact);
    return 0;
}

static int option_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    (void) navs;
    return check_option(c, rec);
}

static int option_on_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    (void) old;
    return check_option(c, rec);
}

const entity_set_t entity_key_policies = {
    .name = "ContentKeyAuthorizationPolicies",
    .type_name = AMS_TYPE("ContentKeyAuthorizationPolicy"),
    .id_prefix = "nb:ckpid:UUID:",
    .props = policy_props,
    .navs = policy_navs,
    .on_delete = policy_on_delete,
};

const entity_set_t entity_key_policy_options = {
    .name = "ContentKeyAuthorizationPolicyOptions",
    .type_name = AMS_TYPE("ContentKeyAuthorizationPolicyOption"),
    .id_prefix = "nb:ckpoid:UUID:",
    .props = option_props,
    .navs = option_navs,
    .on_create = option_on_create,
    .on_update = option_on_update,
};
