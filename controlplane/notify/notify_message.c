/*
 * notify_message.c — rendering of AMS notification messages (ETag, event
 * numbers, account id) and the HMAC-SHA256 webhook signature.
 */
#include "notify/notify_message.h"
#include "util/text_codec.h"
#include "util/time_text.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Index = NotificationEventType; 0 (None) is what mediaplane's own
 * EndPointTest messages carry. */
static const char *const event_names[] = {
    "EndPointTest", "JobStateChange", "NotificationEndPointRegistration",
    "NotificationEndPointUnregistration", "TaskStateChange", "TaskProgress",
};

int notify_event_code(const char *event_type)
{
    for (int i = 0; event_type != NULL && i < (int) (sizeof(event_names) / sizeof(event_names[0]));
         i++) {
        if (strcmp(event_names[i], event_type) == 0) {
            return i;
        }
    }
    return -1;
}

void notify_account_id(const char *account_name, char out[NOTIFY_ACCOUNT_ID_LEN])
{
    uint8_t d[SHA256_DIGEST_LENGTH];
    char hex[2 * SHA256_DIGEST_LENGTH + 1];
    char seed[128];

    snprintf(seed, sizeof(seed), "mediaplane account %s", account_name);
    SHA256((const uint8_t *) seed, strlen(seed), d);
    d[6] = (uint8_t) ((d[6] & 0x0F) | 0x50);     /* name-based UUID (version 5 layout) */
    d[8] = (uint8_t) ((d[8] & 0x3F) | 0x80);
    hex_encode(d, 16, hex, sizeof(hex), 0);
    snprintf(out, NOTIFY_ACCOUNT_ID_LEN, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
             hex + 16, hex + 20);
}

static json_t *full_properties(const notify_message_meta_t *meta, const json_t *properties)
{
    json_t *p = json_deep_copy(properties);
    char account_id[NOTIFY_ACCOUNT_ID_LEN];

    if (p == NULL) {
        return NULL;
    }
    notify_account_id(meta->account_name, account_id);
    if (json_object_get(p, "AccountName") == NULL) {
        json_object_set_new(p, "AccountName", json_string(meta->account_name));
    }
    if (json_object_get(p, "AccountId") == NULL) {
        json_object_set_new(p, "AccountId", json_string(account_id));
    }
    if (json_object_get(p, "NotificationEndPointId") == NULL) {
        json_object_set_new(p, "NotificationEndPointId", json_string(meta->endpoint_id));
    }
    return p;
}

/* Lower-case hex SHA-256 of the compact message without ETag. */
static int message_etag(const json_t *msg, char out[2 * SHA256_DIGEST_LENGTH + 1])
{
    uint8_t d[SHA256_DIGEST_LENGTH];
    char *text = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);

    if (text == NULL) {
        return -1;
    }
    SHA256((const uint8_t *) text, strlen(text), d);
    free(text);
    hex_encode(d, sizeof(d), out, 2 * SHA256_DIGEST_LENGTH + 1, 0);
    return 0;
}

char *notify_message_render(const notify_message_meta_t *meta, const json_t *properties)
{
    char stamp[TIME_ISO_LEN], etag[2 * SHA256_DIGEST_LENGTH + 1];
    json_t *props, *content, *msg;
    char *text = NULL;

    if (!json_is_object(properties) || (props = full_properties(meta, properties)) == NULL) {
        return NULL;
    }
    time_format_iso(meta->time_ms, stamp);
    content = json_pack("{s:s, s:i, s:s, s:o}", "MessageVersion", NOTIFY_MESSAGE_VERSION,
                        "EventType", meta->event_code, "TimeStamp", stamp, "Properties", props);
    if (content == NULL || message_etag(content, etag) != 0) {
        json_decref(content);
        return NULL;
    }
    msg = json_pack("{s:s, s:s, s:O, s:O, s:O}", "MessageVersion", NOTIFY_MESSAGE_VERSION,
                    "ETag", etag, "EventType", json_object_get(content, "EventType"),
                    "TimeStamp", json_object_get(content, "TimeStamp"),
                    "Properties", json_object_get(content, "Properties"));
    if (msg != NULL) {
        text = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
    }
    json_decref(msg);
    json_decref(content);
    return text;
}

void notify_signature(const uint8_t *key, size_t key_len, const char *body, size_t body_len,
                      char out[NOTIFY_SIGNATURE_LEN])
{
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;

    HMAC(EVP_sha256(), key, (int) key_len, (const uint8_t *) body, body_len, mac, &mac_len);
    memcpy(out, "sha256=", 7);
    hex_encode(mac, mac_len, out + 7, NOTIFY_SIGNATURE_LEN - 7, 1);
}
