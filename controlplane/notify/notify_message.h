/*
 * notify_message.h — the AMS v2 notification message and its webhook
 * signature, as AMS sent them (and as the receivers of its samples check
 * them):
 *
 *   {"MessageVersion":"1.1","ETag":"<64 hex>","EventType":<n>,
 *    "TimeStamp":"<ISO 8601 UTC>","Properties":{...}}
 *
 * EventType is the number of NotificationEventType (JobStateChange 1,
 * NotificationEndPointRegistration 2, NotificationEndPointUnregistration 3,
 * TaskStateChange 4, TaskProgress 5; mediaplane's "EndPointTest" messages
 * carry 0, None).  ETag is the lower-case hex SHA-256 of
 * the message without its ETag member (compact JSON).  The signature header
 * is "ms-signature: sha256=<UPPER-case hex HMAC-SHA256(signing key, body)>":
 * AMS's own receiver samples compare it byte for byte with an upper-case
 * hex string.
 */
#ifndef NOTIFY_MESSAGE_H
#define NOTIFY_MESSAGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define NOTIFY_MESSAGE_VERSION "1.1"
#define NOTIFY_SIGNATURE_HEADER "ms-signature"
#define NOTIFY_ACCOUNT_HEADER "ms-mediaservices-accountid"
#define NOTIFY_SIGNATURE_LEN (7 + 64 + 1)     /* "sha256=" + hex + NUL */
#define NOTIFY_ACCOUNT_ID_LEN 37              /* GUID + NUL */

/* NotificationEventType number of an event name, or -1 when unknown. */
int notify_event_code(const char *event_type);

/* The account's stable id (a GUID derived from the account name: mediaplane
 * has no AMS account id); carried in Properties.AccountId and the
 * ms-mediaservices-accountid header. */
void notify_account_id(const char *account_name, char out[NOTIFY_ACCOUNT_ID_LEN]);

typedef struct {
    const char *account_name;
    const char *endpoint_id;
    int         event_code;
    int64_t     time_ms;
} notify_message_meta_t;

/* The message text (malloc'ed, free()), or NULL when properties is not an
 * object or memory runs out.  AccountName, AccountId and
 * NotificationEndPointId are added to (a copy of) the properties when absent. */
char *notify_message_render(const notify_message_meta_t *meta, const json_t *properties);

/* "sha256=<upper hex HMAC-SHA256(key, body)>". */
void notify_signature(const uint8_t *key, size_t key_len, const char *body, size_t body_len,
                      char out[NOTIFY_SIGNATURE_LEN]);

#endif
