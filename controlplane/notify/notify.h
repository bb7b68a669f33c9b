/*
 * notify.h — job/task notifications to NotificationEndPoints (webhooks).
 *
 * Producers (the job scheduler, the NotificationEndPoints Test action) call
 * notify_enqueue() inside their catalog write transaction: the message is
 * rendered once and stored in the catalog's outbox database (durable with
 * the change that caused it).  After commit, the sender thread
 * (notify_sender.c) POSTs each endpoint's messages in order, signs them when
 * the endpoint has a signing key, and retries with backoff.  Messages still
 * in the outbox when the daemon stops are delivered after the next start.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include "api/api_context.h"

#include <jansson.h>

/* Queues one notification message for NotificationEndPoint endpoint_id, inside c's write
 * transaction (durable outbox in the catalog); delivered after commit by the webhook sender.
 * event_type: "JobStateChange", "TaskStateChange", "TaskProgress", ... ; properties: the
 * message's Properties object (borrowed).  Returns 0, or -1 after api_fail().
 *
 * Works with c->req == NULL (scheduler transactions).  The sender is woken
 * through api_after_commit(); a context that does not run c->after[] after
 * its commit still gets its messages delivered within NOTIFY_POLL_MS.
 * An endpoint that does not exist (deleted) queues nothing and returns 0.
 * AMS receivers expect Properties values as strings (job states by name:
 * "Queued", "Processing", "Finished", ...); AccountName, AccountId and
 * NotificationEndPointId are added when missing. */
int notify_enqueue(api_ctx_t *c, const char *endpoint_id, const char *event_type,
                   const json_t *properties);

/* Sender thread: started once the catalog is open, stopped before it closes.
 * Stop aborts transfers in flight; their messages stay in the outbox. */
#define NOTIFY_POLL_MS 1000
int  notify_sender_start(app_t *app, char *err, size_t errlen);
void notify_sender_stop(app_t *app);
/* Makes the sender look at the outbox now (any thread; no-op when not started). */
void notify_sender_wake(app_t *app);

/* Removes every queued message of an endpoint (inside c's write transaction). */
int notify_outbox_drop_endpoint(api_ctx_t *c, const char *endpoint_id);

#endif
