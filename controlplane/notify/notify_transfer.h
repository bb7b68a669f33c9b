/*
 * notify_transfer.h — one webhook POST of one outbox message (libcurl easy
 * handle): the endpoint's address, the JSON body, Content-Type, the
 * ms-signature header when the endpoint has a signing key (opened from its
 * master-key seal just long enough to sign), the account id header, and
 * time limits so a dead receiver costs at most notify_timeout_ms.
 */
#ifndef NOTIFY_TRANSFER_H
#define NOTIFY_TRANSFER_H

#include "api/api_context.h"
#include "notify/notify_outbox.h"

#include <curl/curl.h>
#include <jansson.h>

typedef struct notify_transfer {
    CURL              *easy;
    struct curl_slist *headers;
    char              *body;
    uint8_t            key[NOTIFY_OUTBOX_KEY_MAX];   /* outbox key of the message */
    size_t             key_len;
    char               endpoint_id[NOTIFY_OUTBOX_KEY_MAX];
    long long          attempts;                     /* before this one */
} notify_transfer_t;

/* The POST of m to endpoint (its NotificationEndPoints record), or NULL with
 * a reason (no secret in it) in *why. */
notify_transfer_t *notify_transfer_new(const app_t *app, const json_t *endpoint,
                                       const notify_outbox_msg_t *m, const char **why);
void notify_transfer_free(notify_transfer_t *t);

/* Name of the private member holding the endpoint's sealed signing key
 * (master_key_seal_bound with the endpoint Id as context). */
#define NOTIFY_SEALED_KEY_MEMBER "_SigningKey"
#define NOTIFY_SIGNING_KEY_MAX 256

#endif
