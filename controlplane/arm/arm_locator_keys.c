/*
 * arm_locator_keys.c — what a Predefined_ClearKey streaming locator sets up
 * on its asset, in v2 terms: a new EnvelopeEncryption ContentKey (16 random
 * bytes, wrapped with the daemon's own protection key as a v2 client would)
 * whose authorization policy is the locator's content key policy, linked to
 * the asset, and a DynamicEnvelopeEncryption delivery policy for HLS.  v2
 * encryption belongs to the asset, not the locator: an asset with a clear
 * origin locator cannot get a ClearKey one (409), and the key stays with
 * the asset when the locator goes.
 */
#include "arm/arm_error.h"
#include "arm/arm_locator_keys.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "keys/protection_key.h"
#include "util/text_codec.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_TYPE_ENVELOPE 4
#define DELIVERY_HLS 4
#define DELIVERY_ENVELOPE 3
#define LOCATOR_ORIGIN 2

static int has_origin_locator(const char *to, void *arg)
{
    api_ctx_t *c = arg;
    json_t *loc = NULL;
    int found = catalog_get(&c->txn, entity_locators.name, to, &loc) == 0
                && entity_int(loc, "Type", 0) == LOCATOR_ORIGIN;

    json_decref(loc);
    return found;
}

static int new_key(arm_req_t *r, const char *policy_id, char kid[ENTITY_ID_MAX])
{
    uint8_t key[16];
    char *wrapped = NULL, guid[UUID_TEXT_LEN + 1];
    json_t *body, *rec = NULL;
    int rc = -1;

    if (RAND_bytes(key, sizeof(key)) != 1 || uuid_v4_text(guid) != 0
        || protection_key_wrap(r->c.app->protection_key, key, sizeof(key), &wrapped) != 0) {
        return api_fail(&r->c, 500, "InternalError", "cannot make a content key");
    }
    OPENSSL_cleanse(key, sizeof(key));
    snprintf(kid, ENTITY_ID_MAX, "nb:kid:UUID:%s", guid);
    body = json_pack("{s:s,s:i,s:s,s:s,s:i,s:s,s:s}", "Id", kid, "ContentKeyType",
                     KEY_TYPE_ENVELOPE, "EncryptedContentKey", wrapped, "ProtectionKeyId",
                     protection_key_id(r->c.app->protection_key), "ProtectionKeyType", 0,
                     "Name", "arm:Predefined_ClearKey", "AuthorizationPolicyId", policy_id);
    if (entity_create(&r->c, &entity_content_keys, body, &rec) == 0) {
        rc = 0;
    }
    free(wrapped);
    json_decref(body);
    json_decref(rec);
    return rc;
}

static int link_asset(arm_req_t *r, const char *asset_id, const char *nav_name, const char *target)
{
    return entity_link(&r->c, &entity_assets, asset_id, entity_nav_find(&entity_assets, nav_name),
                       target, true);
}

int arm_locator_envelope(arm_req_t *r, const json_t *asset, const json_t *key_policy,
                         char kid[ENTITY_ID_MAX])
{
    const char *asset_id = entity_str(asset, "Id");
    json_t *body, *delivery = NULL;
    int rc;

    if (catalog_each_link(&r->c.txn, asset_id, "Locators", has_origin_locator, &r->c) != 0) {
        return api_fail(&r->c, 409, "Conflict", "the asset already has a streaming locator: "
                        "encryption belongs to the asset here, so a ClearKey locator needs an "
                        "asset without clear ones");
    }
    if (new_key(r, entity_str(key_policy, "Id"), kid) != 0
        || link_asset(r, asset_id, "ContentKeys", kid) != 0) {
        return -1;
    }
    body = json_pack("{s:s,s:i,s:i}", "Name", "arm:Predefined_ClearKey", "AssetDeliveryProtocol",
                     DELIVERY_HLS, "AssetDeliveryPolicyType", DELIVERY_ENVELOPE);
    rc = entity_create(&r->c, &entity_delivery_policies, body, &delivery);
    if (rc == 0) {
        rc = link_asset(r, asset_id, "DeliveryPolicies", entity_str(delivery, "Id"));
    }
    json_decref(body);
    json_decref(delivery);
    return rc;
}
