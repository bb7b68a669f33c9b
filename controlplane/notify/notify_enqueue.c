/*
 * notify_enqueue.c — the producers' side of notifications: render the
 * message for an endpoint and store it in the outbox inside the caller's
 * write transaction; wake the sender once that transaction has committed.
 */
#include "notify/notify.h"
#include "notify/notify_message.h"
#include "notify/notify_outbox.h"
#include "daemon/daemon_log.h"

#include <stdlib.h>
#include <string.h>

#define ENDPOINTS_SET "NotificationEndPoints"

static void wake_after_commit(app_t *app, const char *arg)
{
    (void) arg;
    notify_sender_wake(app);
}

static int queue_wake(api_ctx_t *c)
{
    for (size_t i = 0; i < c->nafter; i++) {
        if (c->after[i].fn == wake_after_commit) {
            return 0;
        }
    }
    return api_after_commit(c, wake_after_commit, "");
}

int notify_enqueue(api_ctx_t *c, const char *endpoint_id, const char *event_type,
                   const json_t *properties)
{
    notify_message_meta_t meta = { .account_name = c->app->cfg.account_name,
                                   .endpoint_id = endpoint_id,
                                   .event_code = notify_event_code(event_type),
                                   .time_ms = c->now_ms };
    char *body;
    int rc;

    if (!c->txn.write || meta.event_code < 0 || !json_is_object(properties)) {
        return api_fail(c, 500, "InternalError", "bad notification (%s)",
                        event_type ? event_type : "no event type");
    }
    if (!catalog_exists(&c->txn, ENDPOINTS_SET, endpoint_id)) {
        log_debug("notification %s for missing endpoint %s dropped", event_type, endpoint_id);
        return 0;
    }
    body = notify_message_render(&meta, properties);
    if (body == NULL) {
        return api_fail(c, 500, "InternalError", "cannot render the notification");
    }
    rc = notify_outbox_put(&c->txn, endpoint_id, body, c->now_ms);
    free(body);
    if (rc != 0) {
        return api_fail(c, rc == MDB_MAP_FULL ? 507 : 500, "InternalError",
                        "cannot queue the notification: %s", mdb_strerror(rc));
    }
    return queue_wake(c);
}

int notify_outbox_drop_endpoint(api_ctx_t *c, const char *endpoint_id)
{
    int rc = notify_outbox_drop(&c->txn, endpoint_id);

    if (rc != 0) {
        return api_fail(c, 500, "InternalError", "cannot drop queued notifications: %s",
                        mdb_strerror(rc));
    }
    return 0;
}
