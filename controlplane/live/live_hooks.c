/*
 * live_hooks.c — RTMP ingest: the publish callbacks of the RTMP server,
 * answered from the catalog.
 *
 * Design (live streaming, slice 1)
 * --------------------------------
 * RTMP engine: nginx-rtmp (Debian 12 `libnginx-mod-rtmp` 1.2.2, built for
 * the installed nginx 1.22.1, loaded with `load_module`), not one written
 * here.  The alternative, FFmpeg's RTMP listener (`ffmpeg -listen 1`), takes
 * one publisher per process and port, so channels could not share port
 * 1935, and it cannot refuse a publisher before reading its stream.
 *
 * One port, per-channel paths: AMS gave `rtmp://<host>:1935/live/<32 hex>`
 * and encoders add a stream name.  ffmpeg (libavformat's rtmp_open), OBS
 * (librtmp: server URL + stream key) and GStreamer's rtmp2sink (application
 * = path up to the last '/') all send RTMP app `live/<token>` and stream
 * name `<stream>`.  nginx-rtmp matches applications by exact name, and
 * changing its configuration per channel would need reloads, after which a
 * publisher stays in the old worker.  So one `application live` serves
 * every channel: the server-level `on_connect` callback answers a
 * redirect (3xx, `Location: live`) for `live/<token>` apps, which
 * nginx-rtmp applies to the connection's app; `tcUrl` keeps the token.
 *
 * Publish authentication (the daemon owns the entities): `on_connect` and
 * `on_publish` (notify_method get) reach mediaplaned's `/rtmp/` routes on
 * its loopback listener.  Both look up the channel by the token (tcUrl's
 * path), and accept only a Running channel and a client address (`addr`,
 * the peer nginx sees) inside its Input.AccessControl IP allow list (an
 * empty list lets nobody in, as AMS); anything else is 403 and nginx-rtmp
 * drops the connection.  A publish is renamed (3xx, `Location: <token>`),
 * so every channel's stream is `live/<token>` inside the server whatever
 * the encoder called it; a second publisher to the same channel is refused
 * by nginx-rtmp ("already publishing").  `on_update` asks again every
 * few seconds while a publisher streams: a channel stopped, deleted or
 * whose allow list no longer admits the publisher drops it.  Plain `live` connections are only
 * accepted from loopback: they are the archivers, which play (nginx:
 * `allow play 127.0.0.1; deny play all;`) and cannot publish (no token).
 *
 * Supervision: nginx runs the RTMP server, so a channel needs no process:
 * Start/Stop only change what the callbacks answer, and a channel survives
 * a daemon restart by construction (publishers stay connected; while the
 * daemon is down a new connect is refused, since its callback fails).
 * Programs archive through a process each (live/live_archiver.c: ffmpeg
 * pulling live/<token> from the local server with `-c copy` into per-track
 * fragmented MP4), supervised by a daemon thread the way encoder tasks are
 * run (controlplane/sched), detached from the daemon so that it outlives a
 * daemon crash and is adopted afterwards.
 *
 * Malformed RTMP: nginx-rtmp drops the connection and logs why in nginx's
 * error log; other connections and channels are not affected.  A well-formed
 * stream that cannot be archived (a video codec other than H.264, no audio:
 * the archiver's ffmpeg fails on it) is reported by the archiver's
 * supervisor (live_hooks_reject_publish), and the next on_update drops the
 * publisher with that reason in the daemon's log.  Its listen
 * address and port are nginx configuration (`rtmp { server { listen … } }`),
 * the URLs the daemon gives out are `rtmp_url` (public) and
 * `rtmp_local_url` (archivers); see README, *Live channels*.
 */
#include "live/live_hooks.h"
#include "daemon/daemon_log.h"
#include "entities/access_checks.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define LIVE_TOKEN_LEN 32
#define LIVE_REJECTS   64       /* channels with a publish refused at once */

static bool publish_rejected(const char *token, bool forget, char *out, size_t cap);

/* The token of "live/<token>[/…]" at p, copied to out; 0 or -1. */
static int token_at(const char *p, char out[LIVE_TOKEN_LEN + 1])
{
    if (p == NULL || strncmp(p, "live/", 5) != 0) {
        return -1;
    }
    p += 5;
    for (int i = 0; i < LIVE_TOKEN_LEN; i++) {
        if (!isxdigit((unsigned char) p[i])) {
            return -1;
        }
        out[i] = (char) tolower((unsigned char) p[i]);
    }
    out[LIVE_TOKEN_LEN] = '\0';
    return p[LIVE_TOKEN_LEN] == '\0' || p[LIVE_TOKEN_LEN] == '/' || p[LIVE_TOKEN_LEN] == '?'
           ? 0 : -1;
}

/* The token in a tcUrl "rtmp://host[:port]/live/<token>[…]". */
static int token_of_tc_url(const char *tc_url, char out[LIVE_TOKEN_LEN + 1])
{
    const char *p = tc_url != NULL ? strstr(tc_url, "://") : NULL;

    p = p != NULL ? strchr(p + 3, '/') : NULL;
    return p != NULL ? token_at(p + 1, out) : -1;
}

typedef struct {
    const char *token;
    json_t     *found;
} token_walk_t;

static int match_token(const char *id, json_t *rec, void *arg)
{
    token_walk_t *w = arg;
    const char *t = entity_str(rec, "_token");

    (void) id;
    if (t != NULL && strcmp(t, w->token) == 0) {
        w->found = json_incref(rec);
        return 1;
    }
    return 0;
}

json_t *live_channel_of_token(app_t *app, const char *token)
{
    catalog_txn_t txn;
    token_walk_t w = { token, NULL };

    if (catalog_begin(app->store, false, &txn) != 0) {
        return NULL;
    }
    catalog_each(&txn, entity_channels.name, match_token, &w);
    catalog_abort(&txn);
    return w.found;
}

static bool loopback(const char *addr)
{
    return addr != NULL && (strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0);
}

/* Why a publisher at addr may not use the channel of token (NULL: it may). */
static const char *refusal(app_t *app, const char *token, const char *addr, char *name,
                           size_t cap)
{
    catalog_txn_t txn;
    token_walk_t w = { token, NULL };
    const char *why = NULL;

    name[0] = '\0';
    if (catalog_begin(app->store, false, &txn) != 0) {
        return "catalog busy";
    }
    catalog_each(&txn, entity_channels.name, match_token, &w);
    catalog_abort(&txn);
    if (w.found == NULL) {
        return "unknown stream key";
    }
    snprintf(name, cap, "%s", entity_str(w.found, "Name"));
    const char *proto = entity_str(json_object_get(w.found, "Input"), "StreamingProtocol");
    if (proto != NULL && strcmp(proto, "RTMP") != 0) {
        why = "the channel's Input.StreamingProtocol is not RTMP";
    } else if (!entity_in_state(w.found, "Running")) {
        why = "the channel is not Running";
    } else if (addr == NULL || !ip_allow_permits(json_object_get(json_object_get(w.found, "Input"),
                                                                 "AccessControl"), addr)) {
        why = "the client address is outside the channel's IP allow list";
    }
    json_decref(w.found);
    return why;
}

static http_response_t *refuse(const char *call, const char *why, const char *channel,
                               const char *addr)
{
    log_warn("rtmp %s refused: %s (channel '%s', client %s)", call, why, channel,
             addr != NULL ? addr : "?");
    return http_response_text(403, "text/plain", why);
}

static http_response_t *redirect(const char *location)
{
    http_response_t *r = http_response_text(302, "text/plain", "");
    http_response_header(r, "Location", location);
    return r;
}

static http_response_t *on_connect(app_t *app, http_request_t *req)
{
    const char *app_name = http_arg(req, "app"), *addr = http_arg(req, "addr");
    char token[LIVE_TOKEN_LEN + 1], channel[64];
    const char *why;

    if (app_name != NULL && strcmp(app_name, "live") == 0) {
        return loopback(addr) ? http_response_text(200, "text/plain", "")
                              : refuse("connect", "the app 'live' needs a channel's stream key",
                                       "", addr);
    }
    if (token_at(app_name, token) != 0) {
        return refuse("connect", "not a live/<stream key> URL", "", addr);
    }
    if ((why = refusal(app, token, addr, channel, sizeof(channel))) != NULL) {
        return refuse("connect", why, channel, addr);
    }
    return redirect("live");
}

static http_response_t *on_publish(app_t *app, http_request_t *req)
{
    const char *addr = http_arg(req, "addr");
    char token[LIVE_TOKEN_LEN + 1], channel[64];
    const char *why;

    if (token_of_tc_url(http_arg(req, "tcurl"), token) != 0) {
        return refuse("publish", "no stream key in the URL", "", addr);
    }
    if ((why = refusal(app, token, addr, channel, sizeof(channel))) != NULL) {
        return refuse("publish", why, channel, addr);
    }
    publish_rejected(token, true, NULL, 0);       /* a new publish: judged afresh */
    log_info("rtmp publish accepted: channel '%s', stream '%s', client %s", channel,
             http_arg(req, "name") ? http_arg(req, "name") : "", addr);
    return redirect(token);
}

/* The channel's Name for a log line (never the stream key: it is a secret). */
static void channel_name_of(app_t *app, const char *token, char *name, size_t cap)
{
    catalog_txn_t txn;
    token_walk_t w = { token, NULL };

    snprintf(name, cap, "?");
    if (catalog_begin(app->store, false, &txn) != 0) {
        return;
    }
    catalog_each(&txn, entity_channels.name, match_token, &w);
    catalog_abort(&txn);
    if (w.found != NULL) {
        snprintf(name, cap, "%s", entity_str(w.found, "Name"));
        json_decref(w.found);
    }
}

static http_response_t *on_publish_done(app_t *app, http_request_t *req)
{
    char token[LIVE_TOKEN_LEN + 1], channel[64] = "?";

    if (token_of_tc_url(http_arg(req, "tcurl"), token) == 0) {
        channel_name_of(app, token, channel, sizeof(channel));
    }
    log_info("rtmp publish ended: channel '%s', client %s", channel,
             http_arg(req, "addr") ? http_arg(req, "addr") : "?");
    return http_response_text(200, "text/plain", "");
}

/* nginx-rtmp asks again every notify_update_timeout while a publisher
 * streams: a channel stopped (or an allow list changed) since then drops it. */
static http_response_t *on_update(app_t *app, http_request_t *req)
{
    const char *addr = http_arg(req, "addr"), *call = http_arg(req, "call"), *why;
    char token[LIVE_TOKEN_LEN + 1], channel[64];

    if (call == NULL || strcmp(call, "update_publish") != 0) {
        return http_response_text(200, "text/plain", "");     /* players: the archivers */
    }
    if (token_of_tc_url(http_arg(req, "tcurl"), token) != 0) {
        return refuse("update", "no stream key in the URL", "", addr);
    }
    if ((why = refusal(app, token, addr, channel, sizeof(channel))) != NULL) {
        return refuse("update", why, channel, addr);
    }
    char rejected[256];
    if (publish_rejected(token, false, rejected, sizeof(rejected))) {
        return refuse("update", rejected, channel, addr);
    }
    return http_response_text(200, "text/plain", "");
}

/* ------------------------------------------------------------ rejected publishes */

/* Publishes that cannot be archived (live_hooks_reject_publish, e.g. a
 * video codec other than H.264): the channel's next on_update refuses its
 * publisher, its next on_publish starts afresh.  Kept in memory only: after
 * a daemon restart the archiver fails again and says so again. */
static struct {
    pthread_mutex_t lock;
    struct {
        char token[LIVE_TOKEN_LEN + 1];
        char why[256];
    } r[LIVE_REJECTS];
} R = { .lock = PTHREAD_MUTEX_INITIALIZER };

void live_hooks_reject_publish(const char *stream_key, const char *why)
{
    int free_slot = -1, at = -1;

    if (stream_key == NULL || strlen(stream_key) != LIVE_TOKEN_LEN) {
        return;
    }
    pthread_mutex_lock(&R.lock);
    for (int i = 0; i < LIVE_REJECTS && at < 0; i++) {
        if (strcmp(R.r[i].token, stream_key) == 0) {
            at = i;
        } else if (R.r[i].token[0] == '\0' && free_slot < 0) {
            free_slot = i;
        }
    }
    at = at >= 0 ? at : free_slot >= 0 ? free_slot : 0;     /* full: the oldest slot goes */
    snprintf(R.r[at].token, sizeof(R.r[at].token), "%s", stream_key);
    snprintf(R.r[at].why, sizeof(R.r[at].why), "%s", why);
    pthread_mutex_unlock(&R.lock);
}

/* The reason the channel's current publish is rejected, copied to out; or false. */
static bool publish_rejected(const char *token, bool forget, char *out, size_t cap)
{
    bool found = false;

    pthread_mutex_lock(&R.lock);
    for (int i = 0; i < LIVE_REJECTS && !found; i++) {
        if (strcmp(R.r[i].token, token) == 0) {
            found = true;
            if (out != NULL) {
                snprintf(out, cap, "%s", R.r[i].why);
            }
            if (forget) {
                R.r[i].token[0] = '\0';
            }
        }
    }
    pthread_mutex_unlock(&R.lock);
    return found;
}

bool live_hooks_route(const char *path)
{
    return strncmp(path, "/rtmp/", 6) == 0;
}

http_response_t *live_hooks_handle(app_t *app, http_request_t *req)
{
    /* nginx-rtmp calls from this host; the daemon's other listeners (the
     * HTTPS one may face the network) must not offer the callbacks */
    if (!http_peer_is_loopback(req)) {
        return http_response_text(403, "text/plain", "RTMP callbacks are for the local nginx-rtmp only\n");
    }
    if (strcmp(req->path, "/rtmp/on_connect") == 0) {
        return on_connect(app, req);
    }
    if (strcmp(req->path, "/rtmp/on_publish") == 0) {
        return on_publish(app, req);
    }
    if (strcmp(req->path, "/rtmp/on_update") == 0) {
        return on_update(app, req);
    }
    if (strcmp(req->path, "/rtmp/on_publish_done") == 0) {
        return on_publish_done(app, req);
    }
    return http_response_text(404, "text/plain", "no such RTMP callback\n");
}
