/*
 * live_hooks.h — the RTMP server's callbacks (nginx-rtmp on_connect,
 * on_publish, on_publish_done with `notify_method get`) on mediaplaned's
 * listener under /rtmp/: publish authentication against the catalog.
 */
#ifndef LIVE_HOOKS_H
#define LIVE_HOOKS_H

#include "api/api_context.h"

#include <stdbool.h>

/* The channel whose ingest token (32 lower-case hex) is token: a new
 * reference, or NULL (also the Smooth ingest's lookup). */
json_t *live_channel_of_token(app_t *app, const char *token);

bool live_hooks_route(const char *path);
http_response_t *live_hooks_handle(app_t *app, http_request_t *req);
/* The current publish to the channel of stream_key cannot be archived (why):
 * its next on_update (within notify_update_timeout) drops the publisher,
 * logging why; the channel's next publish is judged afresh. */
void live_hooks_reject_publish(const char *stream_key, const char *why);

#endif
