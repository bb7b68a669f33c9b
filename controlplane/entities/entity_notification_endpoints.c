/*
 * entity_notification_endpoints.c — NotificationEndPoints: where job and task
 * notifications go.  mediaplane delivers to WebHooks (EndPointType 3: an
 * http/https URL) only; AzureQueue (1) endpoints are refused.  A signing key
 * (CredentialType 1) arrives RSA-OAEP-wrapped with the protection
 * certificate (the .NET SDK asks GetProtectionKeyId for ContentKeyType 2,
 * ConfigurationEncryption), is unwrapped here and kept sealed under the
 * master key, bound to the endpoint's Id; it is never returned.
 * Action (mediaplane extension): POST NotificationEndPoints('…')/Test queues
 * a test message.  Delivery lives in notify/.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "keys/key_status.h"
#include "keys/master_key.h"
#include "keys/protection_key.h"
#include "notify/notify.h"
#include "notify/notify_transfer.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TYPE_AZURE_QUEUE 1
#define TYPE_WEBHOOK 3
#define CREDENTIAL_NONE 0
#define CREDENTIAL_SIGNING_KEY 1

static const entity_prop_t endpoint_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_REQUIRED, 256, NULL, NULL },
    { "Created", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "EndPointType", EDM_INT32, P_REQUIRED | P_ONCE, 0, NULL, NULL },
    { "EndPointAddress", EDM_STRING, P_REQUIRED | P_ONCE, 2048, NULL, NULL },
    { "CredentialType", EDM_INT32, P_ONCE, 0, "0", NULL },
    { "EncryptedEndPointCredential", EDM_STRING, P_ONCE | P_NULLABLE, 4096, NULL, NULL },
    { "ProtectionKeyId", EDM_STRING, P_ONCE | P_NULLABLE, 256, NULL, NULL },
    { "ProtectionKeyType", EDM_INT32, P_ONCE, 0, "0", NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t endpoint_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

/* An absolute http(s) URL with a host, as libcurl understands it. */
static bool is_webhook_url(const char *address)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    bool ok = false;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, address, 0) == CURLUE_OK
        && curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK
        && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        ok = (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0)
             && host[0] != '\0' && strpbrk(address, " \t\r\n") == NULL;
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

static int seal_credential(api_ctx_t *c, json_t *rec)
{
    uint8_t key[NOTIFY_SIGNING_KEY_MAX];
    size_t len = 0;
    char *sealed = NULL;
    int rc;

    if (!protection_key_id_matches(c->app->protection_key, entity_str(rec, "ProtectionKeyId"))) {
        return api_fail(c, 400, "InvalidValue",
                        "ProtectionKeyId is not this installation's (see GetProtectionKeyId)");
    }
    rc = protection_key_unwrap(c->app->protection_key, entity_str(rec, "EncryptedEndPointCredential"),
                               key, sizeof(key), &len);
    if (rc != KEY_OK) {
        return api_fail(c, 400, "InvalidValue",
                        "EncryptedEndPointCredential cannot be decrypted with the protection key "
                        "(%s): encrypt the signing key with RSA-OAEP and the certificate of "
                        "GetProtectionKey", key_status_str(rc));
    }
    rc = master_key_seal_bound(c->app->master_key, entity_str(rec, "Id"), key, len, &sealed);
    OPENSSL_cleanse(key, sizeof(key));
    if (rc != KEY_OK) {
        return api_fail(c, 500, "InternalError", "cannot seal the signing key (%s)",
                        key_status_str(rc));
    }
    json_object_set_new(rec, NOTIFY_SEALED_KEY_MEMBER, json_string(sealed));
    json_object_set_new(rec, "EncryptedEndPointCredential", json_null());   /* never returned */
    free(sealed);
    return 0;
}

static int check_credential(api_ctx_t *c, json_t *rec)
{
    long long type = entity_int(rec, "CredentialType", CREDENTIAL_NONE);
    bool has_secret = entity_str(rec, "EncryptedEndPointCredential") != NULL;

    if (entity_int(rec, "ProtectionKeyType", 0) != 0) {
        return api_fail(c, 400, "InvalidValue", "ProtectionKeyType must be 0 (X509CertificateThumbprint)");
    }
    if (type == CREDENTIAL_NONE) {
        return has_secret ? api_fail(c, 400, "InvalidValue",
                                     "EncryptedEndPointCredential needs CredentialType 1 (SigningKey)")
                          : 0;
    }
    if (type != CREDENTIAL_SIGNING_KEY) {
        return api_fail(c, 400, "InvalidValue", "CredentialType must be None 0 or SigningKey 1");
    }
    if (!has_secret || entity_str(rec, "ProtectionKeyId") == NULL) {
        return api_fail(c, 400, "MissingProperty",
                        "CredentialType 1 (SigningKey) needs EncryptedEndPointCredential and "
                        "ProtectionKeyId");
    }
    return seal_credential(c, rec);
}

static int endpoint_on_create(api_ctx_t *c, json_t *rec, json_t *navs)
{
    long long type = entity_int(rec, "EndPointType", 0);

    (void) navs;
    if (type == TYPE_AZURE_QUEUE) {
        return api_fail(c, 400, "NotSupported",
                        "EndPointType 1 (AzureQueue) is not supported: use WebHook (3)");
    }
    if (type != TYPE_WEBHOOK) {
        return api_fail(c, 400, "InvalidValue", "EndPointType must be AzureQueue 1 or WebHook 3");
    }
    if (!is_webhook_url(entity_str(rec, "EndPointAddress"))) {
        return api_fail(c, 400, "InvalidValue",
                        "EndPointAddress of a WebHook must be an absolute http or https URL");
    }
    return check_credential(c, rec);
}

typedef struct {
    const char *endpoint_id;
    char        user[ENTITY_ID_MAX];
} usage_t;

static bool is_final_state(const json_t *rec)
{
    long long state = entity_int(rec, "State", 0);
    return state == 3 || state == 4 || state == 5;   /* Finished, Error, Canceled */
}

/* Any "...NotificationSubscriptions" array member naming the endpoint. */
static int find_subscriber(const char *id, json_t *rec, void *arg)
{
    usage_t *u = arg;
    const char *key;
    json_t *v, *sub;
    size_t i;

    if (is_final_state(rec)) {
        return 0;
    }
    json_object_foreach(rec, key, v) {
        size_t n = strlen(key);
        if (n < 25 || strcmp(key + n - 25, "NotificationSubscriptions") != 0 || !json_is_array(v)) {
            continue;
        }
        json_array_foreach(v, i, sub) {
            const char *target = entity_str(sub, "NotificationEndPointId");
            if (target != NULL && strcasecmp(target, u->endpoint_id) == 0) {
                snprintf(u->user, sizeof(u->user), "%s", id);
                return 1;
            }
        }
    }
    return 0;
}

static int endpoint_on_delete(api_ctx_t *c, const json_t *rec)
{
    static const char *const subscriber_sets[] = { "Jobs", "Tasks", NULL };
    usage_t u = { .endpoint_id = entity_str(rec, "Id") };

    for (size_t i = 0; subscriber_sets[i] != NULL; i++) {
        if (entity_set_find(subscriber_sets[i]) != NULL
            && catalog_each(&c->txn, subscriber_sets[i], find_subscriber, &u) == 1) {
            return api_fail(c, 400, "InvalidOperation",
                            "the endpoint is used by the notification subscriptions of %s, "
                            "which has not finished", u.user);
        }
    }
    return notify_outbox_drop_endpoint(c, u.endpoint_id);
}

/* POST NotificationEndPoints('…')/Test — mediaplane extension: queues a
 * message of EventType 0 (None) that receivers of AMS messages ignore. */
static int endpoint_test(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                         json_t **result)
{
    json_t *props = json_pack("{s:s}", "Test", "mediaplane test notification");
    int rc;

    (void) set;
    (void) body;
    (void) result;
    rc = notify_enqueue(c, entity_str(rec, "Id"), "EndPointTest", props);
    json_decref(props);
    return rc;
}

static const entity_action_t endpoint_actions[] = {
    { "Test", endpoint_test },
    { NULL, NULL },
};

const entity_set_t entity_notification_endpoints = {
    .name = "NotificationEndPoints",
    .type_name = AMS_TYPE("NotificationEndPoint"),
    .id_prefix = "nb:nepid:UUID:",
    .props = endpoint_props,
    .navs = endpoint_navs,
    .actions = endpoint_actions,
    .on_create = endpoint_on_create,
    .on_delete = endpoint_on_delete,
};
