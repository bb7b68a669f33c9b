/*
 * live_smooth_ingest.c — the Smooth / fMP4 ingest receiver
 * (live_smooth_ingest.h).
 *
 * Design
 * ------
 * Path: the channel's ingest URL is `<streaming_url><token>/ingest.isml`,
 * as AMS gave it; encoders add `/Streams(<name>)`.  The origin's nginx
 * proxies it (platform-locations.conf.in: `proxy_request_buffering off`,
 * HTTP/1.1, `client_body_timeout` as the idle bound, X-Real-IP) to
 * mediaplaned, whose libmicrohttpd hands the chunked body over piece by
 * piece (an http_sink_t, as blob uploads): no process per push, and a slow
 * encoder costs only its connection (MHD's epoll threads wait for no one).
 *
 * Authentication, at the headers (403 before any body is read): the token
 * names a channel whose Input.StreamingProtocol is FragmentedMP4, it is
 * Running, and the client address (X-Real-IP from the loopback nginx) is in
 * its Input.AccessControl IP allow list (empty: nobody).  Re-checked at
 * every fragment: a channel stopped or an allow list narrowed drops the
 * push.  A channel without a Running program takes the push and archives
 * nothing (as AMS: encoders connect before programs start, as over RTMP).
 *
 * The stream: top-level boxes one after another, each whole in memory
 * before it is used (bounded by smooth_max_box).  ftyp, then optionally
 * the live server manifest (a uuid box) and other boxes (skipped unread),
 * then moov (its traks: the first video and the first audio track are
 * archived, others ignored), then moof + mdat fragments with one traf each
 * and a time (Smooth's tfxd, or tfdt).  Every connect starts with ftyp +
 * moov again.  Each fragment is checked with the origin's own reader
 * against the track's archive header (mp4_ingest_check): what the archive
 * gets, the origin can read.  Then the fragment goes, its track renumbered
 * 1, to every Running program's archive file of its kind
 * (live_smooth_archive.c), which drops duplicates by time.
 *
 * Anything malformed, over a bound, or the channel gone: the connection is
 * dropped at once (HTTP_STATUS_DROP: closed unanswered; nginx answers the
 * encoder 502) with the reason in the daemon's log; other pushes and
 * channels go on.  A push ended by its encoder answers 200.
 */
#include "live/live_smooth_ingest.h"
#include "live/live_hooks.h"
#include "live/live_smooth_archive.h"
#include "daemon/daemon_log.h"
#include "entities/access_checks.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include "mp_common.h"
#include "mp4/mp4_ingest.h"
#include "mp4/mp4_parse.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMOOTH_TOKEN_LEN     32
#define SMOOTH_NAME_MAX      64       /* Streams(<name>) */
#define SMOOTH_MAX_FTYP      4096
#define SMOOTH_CHANNELS_MAX  256      /* channels pushed to at once (stream counts) */

typedef struct {
    uint32_t id;
    bool     archived;        /* the first video or audio trak of the moov */
    bool     video;
    uint8_t *header;          /* ftyp + the track's own moov */
    size_t   header_len;
} smooth_track_t;

typedef struct {
    app_t   *app;
    char     channel_id[ENTITY_ID_MAX];
    char     channel[64];
    char     stream[SMOOTH_NAME_MAX + 1];
    char     client[64];
    /* the box being read */
    uint8_t  head[16];
    size_t   head_got;
    bool     in_box;
    bool     keep;            /* buffered (ftyp, moov, moof, mdat), else skipped */
    uint32_t box_type;
    uint64_t box_left;        /* bytes of it still to come */
    uint8_t *buf;             /* the box (after a moof: moof + mdat) */
    size_t   buf_len, buf_cap;
    size_t   moof_len;        /* > 0: buf holds a moof waiting for its mdat */
    uint8_t *ftyp;
    size_t   ftyp_len;
    smooth_track_t tracks[MP4_INGEST_MAX_TRACKS];
    int      ntracks;
    unsigned fragments, written, duplicates;
} smooth_conn_t;

/* ------------------------------------------------------------ streams per channel */

static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char     channel_id[ENTITY_ID_MAX];
    unsigned n;
} streams[SMOOTH_CHANNELS_MAX];

/* One more push to channel_id, unless it has max already: true if taken. */
static bool stream_take(const char *channel_id, unsigned max)
{
    int slot = -1;
    bool ok = false;

    pthread_mutex_lock(&streams_lock);
    for (int i = 0; i < SMOOTH_CHANNELS_MAX; i++) {
        if (streams[i].n > 0 && strcmp(streams[i].channel_id, channel_id) == 0) {
            slot = i;
            break;
        }
        if (slot < 0 && streams[i].n == 0) {
            slot = i;
        }
    }
    if (slot >= 0 && streams[slot].n < max) {
        snprintf(streams[slot].channel_id, sizeof(streams[slot].channel_id), "%s", channel_id);
        streams[slot].n++;
        ok = true;
    }
    pthread_mutex_unlock(&streams_lock);
    return ok;
}

static void stream_release(const char *channel_id)
{
    pthread_mutex_lock(&streams_lock);
    for (int i = 0; i < SMOOTH_CHANNELS_MAX; i++) {
        if (streams[i].n > 0 && strcmp(streams[i].channel_id, channel_id) == 0) {
            streams[i].n--;
            break;
        }
    }
    pthread_mutex_unlock(&streams_lock);
}

/* ------------------------------------------------------------ the connection */

static void conn_free(smooth_conn_t *s)
{
    for (int i = 0; i < s->ntracks; i++) {
        free(s->tracks[i].header);
    }
    free(s->buf);
    free(s->ftyp);
    stream_release(s->channel_id);
    free(s);
}

static http_response_t *drop(smooth_conn_t *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The push dropped: the reason logged, the connection closed unanswered. */
static http_response_t *drop(smooth_conn_t *s, const char *fmt, ...)
{
    char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    log_warn("smooth ingest dropped: %s (channel '%s', stream '%s', client %s, after %u "
             "fragments)", why, s->channel, s->stream, s->client, s->fragments);
    return http_response_new(HTTP_STATUS_DROP, "text/plain");
}

/* Why the channel (Running, allow list) does not take a push from client,
 * or NULL. */
static const char *channel_state_refusal(json_t *ch, const char *client)
{
    if (!entity_in_state(ch, "Running")) {
        return "the channel is not Running";
    }
    if (!ip_allow_permits(json_object_get(json_object_get(ch, "Input"), "AccessControl"),
                          client)) {
        return "the client address is outside the channel's IP allow list";
    }
    return NULL;
}

/* Why the channel no longer takes this push (NULL: it does). */
static const char *channel_refuses(app_t *app, const char *channel_id, const char *client)
{
    catalog_txn_t txn;
    json_t *ch = NULL;
    const char *why = NULL;

    if (catalog_begin(app->store, false, &txn) != 0) {
        return "catalog busy";
    }
    if (catalog_get(&txn, entity_channels.name, channel_id, &ch) != 0 || ch == NULL) {
        why = "the channel was deleted";
    } else {
        why = channel_state_refusal(ch, client);
    }
    json_decref(ch);
    catalog_abort(&txn);
    return why;
}

/* The moov: a track table with each archived track's header. */
static http_response_t *on_moov(smooth_conn_t *s)
{
    mp4_ingest_track_t t[MP4_INGEST_MAX_TRACKS];
    char err[256];
    bool have_video = false, have_audio = false;
    int n;

    if (s->ftyp == NULL) {
        return drop(s, "a moov before the ftyp");
    }
    if ((n = mp4_ingest_tracks(s->buf, s->buf_len, t, MP4_INGEST_MAX_TRACKS, err,
                               sizeof(err))) < 0) {
        return drop(s, "bad moov: %s", err);
    }
    for (int i = 0; i < s->ntracks; i++) {
        free(s->tracks[i].header);
    }
    memset(s->tracks, 0, sizeof(s->tracks));
    s->ntracks = n;
    for (int i = 0; i < n; i++) {
        smooth_track_t *k = &s->tracks[i];
        bool video = t[i].handler == MP_FOURCC('v', 'i', 'd', 'e');
        bool audio = t[i].handler == MP_FOURCC('s', 'o', 'u', 'n');

        k->id = t[i].track_id;
        k->video = video;
        k->archived = (video && !have_video) || (audio && !have_audio);
        have_video |= video;
        have_audio |= audio;
        if (!k->archived) {
            log_info("smooth ingest: track %u of stream '%s' (channel '%s') is not archived "
                     "(one video and one audio track are)", k->id, s->stream, s->channel);
            continue;
        }
        if ((k->header = malloc(s->ftyp_len + s->buf_len)) == NULL) {
            return drop(s, "out of memory");
        }
        memcpy(k->header, s->ftyp, s->ftyp_len);
        size_t m = mp4_ingest_track_moov(s->buf, s->buf_len, k->id, k->header + s->ftyp_len,
                                         s->buf_len, err, sizeof(err));
        if (m == 0) {
            return drop(s, "bad moov: %s", err);
        }
        k->header_len = s->ftyp_len + m;
    }
    return NULL;
}

static smooth_track_t *track_of(smooth_conn_t *s, uint32_t id)
{
    for (int i = 0; i < s->ntracks; i++) {
        if (s->tracks[i].id == id) {
            return &s->tracks[i];
        }
    }
    return NULL;
}

/* Whether header + fragment reads with the origin's reader. */
static int check_fragment(const smooth_track_t *k, const uint8_t *frag, size_t len, char *err,
                          size_t err_len)
{
    uint8_t *file = malloc(k->header_len + len);
    int rc;

    if (file == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    memcpy(file, k->header, k->header_len);
    memcpy(file + k->header_len, frag, len);
    rc = mp4_ingest_check(file, k->header_len + len, err, err_len);
    free(file);
    return rc;
}

/* A whole moof + mdat in buf. */
static http_response_t *on_fragment(smooth_conn_t *s)
{
    mp4_ingest_moof_t m;
    smooth_track_t *k;
    smooth_write_result_t res;
    const char *why;
    char err[256];

    if (++s->fragments > s->app->cfg.smooth_max_fragments) {
        return drop(s, "more than %u fragments in one POST (smooth_max_fragments)",
                    s->app->cfg.smooth_max_fragments);
    }
    if (mp4_ingest_read_moof(s->buf, s->moof_len, &m, err, sizeof(err)) != 0) {
        return drop(s, "bad moof: %s", err);
    }
    if ((k = track_of(s, m.track_id)) == NULL) {
        return drop(s, "a fragment of track %u, which the moov does not have", m.track_id);
    }
    if (!m.has_time) {
        return drop(s, "a fragment of track %u without a time (tfxd or tfdt)", m.track_id);
    }
    if (!k->archived) {
        return NULL;
    }
    s->buf[m.track_id_at] = s->buf[m.track_id_at + 1] = s->buf[m.track_id_at + 2] = 0;
    s->buf[m.track_id_at + 3] = 1;             /* the archive's track is track 1 */
    if (check_fragment(k, s->buf, s->buf_len, err, sizeof(err)) != 0) {
        return drop(s, "bad fragment of track %u: %s", m.track_id, err);
    }
    if ((why = channel_refuses(s->app, s->channel_id, s->client)) != NULL) {
        return drop(s, "%s", why);
    }
    smooth_fragment_t f = { k->video, k->header, k->header_len, s->buf, s->buf_len, m.time };
    if (live_smooth_write(s->app, s->channel_id, &f, &res) != 0) {
        return drop(s, "the archive could not be written (see the error before)");
    }
    s->written += res.written > 0;
    if (res.duplicates > 0 && res.written == 0 && s->duplicates++ == 0) {
        log_info("smooth ingest: stream '%s' (channel '%s') sends fragments the archive has "
                 "(a redundant encoder, a re-send, or timestamps that restarted): dropped",
                 s->stream, s->channel);
    }
    return NULL;
}

/* A whole top-level box in buf (or skipped). */
static http_response_t *on_box(smooth_conn_t *s)
{
    http_response_t *r = NULL;

    switch (s->box_type) {
    case MP_FOURCC('f', 't', 'y', 'p'):
        free(s->ftyp);
        s->ftyp = s->buf;
        s->ftyp_len = s->buf_len;
        s->buf = NULL;
        s->buf_cap = 0;
        break;
    case MP_FOURCC('m', 'o', 'o', 'v'):
        r = on_moov(s);
        break;
    case MP_FOURCC('m', 'o', 'o', 'f'):
        s->moof_len = s->buf_len;
        return NULL;                  /* its mdat follows in the same buffer */
    case MP_FOURCC('m', 'd', 'a', 't'):
        r = on_fragment(s);
        break;
    default:
        break;
    }
    s->buf_len = 0;
    s->moof_len = 0;
    return r;
}

static int buf_reserve(smooth_conn_t *s, size_t more)
{
    if (s->buf_len + more <= s->buf_cap) {
        return 0;
    }
    uint8_t *p = realloc(s->buf, s->buf_len + more);
    if (p == NULL) {
        return -1;
    }
    s->buf = p;
    s->buf_cap = s->buf_len + more;
    return 0;
}

/* A box header complete in head: the box begins (buffered or skipped). */
static http_response_t *box_begins(smooth_conn_t *s, size_t hdr, uint64_t size)
{
    uint32_t t = s->box_type;
    bool is_mdat = t == MP_FOURCC('m', 'd', 'a', 't'), is_moof = t == MP_FOURCC('m', 'o', 'o', 'f');

    if (size > s->app->cfg.smooth_max_box) {
        return drop(s, "a box of %llu bytes (smooth_max_box: %zu)", (unsigned long long) size,
                    s->app->cfg.smooth_max_box);
    }
    if (t == MP_FOURCC('f', 't', 'y', 'p') && size > SMOOTH_MAX_FTYP) {
        return drop(s, "an ftyp of %llu bytes", (unsigned long long) size);
    }
    if (is_mdat != (s->moof_len > 0)) {
        return drop(s, "%s", is_mdat ? "an mdat without a moof before it" : "a moof without its mdat");
    }
    if ((is_moof || is_mdat) && s->ntracks == 0) {
        return drop(s, "a fragment before the moov");
    }
    s->keep = is_mdat || is_moof || t == MP_FOURCC('f', 't', 'y', 'p')
              || t == MP_FOURCC('m', 'o', 'o', 'v');
    if (!s->keep) {
        s->buf_len = s->moof_len;
    } else if (buf_reserve(s, (size_t) size) != 0) {
        return drop(s, "out of memory for a box of %llu bytes", (unsigned long long) size);
    } else {
        memcpy(s->buf + s->buf_len, s->head, hdr);
        s->buf_len += hdr;
    }
    s->box_left = size - hdr;
    s->in_box = true;
    s->head_got = 0;
    return NULL;
}

/* Header bytes from data into head; a complete header begins its box. */
static http_response_t *read_head(smooth_conn_t *s, const uint8_t **data, size_t *len)
{
    size_t want = s->head_got >= 8 && mp_rd32(s->head) == 1 ? 16 : 8;
    size_t n = want - s->head_got < *len ? want - s->head_got : *len;
    uint64_t size;

    memcpy(s->head + s->head_got, *data, n);
    s->head_got += n;
    *data += n;
    *len -= n;
    if (s->head_got < 8 || (mp_rd32(s->head) == 1 && s->head_got < 16)) {
        return NULL;
    }
    if (mp_rd32(s->head) == 0) {
        return drop(s, "a box of unbounded size (size 0)");
    }
    size_t hdr = mp4_box_header(s->head, s->head_got, &size, &s->box_type);
    if (hdr == 0) {
        return drop(s, "a box smaller than its header");
    }
    return box_begins(s, hdr, size);
}

static http_response_t *sink_write(void *state, const char *data, size_t len)
{
    smooth_conn_t *s = state;
    const uint8_t *p = (const uint8_t *) data;
    http_response_t *r = NULL;

    while (len > 0 && r == NULL) {
        if (!s->in_box) {
            r = read_head(s, &p, &len);
        } else {
            size_t n = s->box_left < len ? (size_t) s->box_left : len;
            if (s->keep) {
                memcpy(s->buf + s->buf_len, p, n);
                s->buf_len += n;
            }
            p += n;
            len -= n;
            s->box_left -= n;
        }
        if (r == NULL && s->in_box && s->box_left == 0) {
            s->in_box = false;
            r = s->keep ? on_box(s) : NULL;
        }
    }
    return r;
}

static http_response_t *sink_finish(void *state, http_request_t *req)
{
    smooth_conn_t *s = state;

    (void) req;
    log_info("smooth ingest ended: channel '%s', stream '%s', client %s: %u fragments, %u "
             "archived, %u duplicates dropped%s", s->channel, s->stream, s->client, s->fragments,
             s->written, s->duplicates, s->in_box || s->head_got ? " (last box cut short)" : "");
    conn_free(s);
    return http_response_text(200, "text/plain", "");
}

static void sink_abort(void *state)
{
    smooth_conn_t *s = state;

    log_info("smooth ingest connection closed: channel '%s', stream '%s', client %s: %u "
             "fragments, %u archived, %u duplicates dropped", s->channel, s->stream, s->client,
             s->fragments, s->written, s->duplicates);
    conn_free(s);
}

static const http_sink_t smooth_sink = { sink_write, sink_finish, sink_abort };

/* ------------------------------------------------------------ begin */

bool live_smooth_route(const char *path)
{
    size_t i;

    if (path == NULL || path[0] != '/') {
        return false;
    }
    for (i = 1; i <= SMOOTH_TOKEN_LEN; i++) {
        if (!isxdigit((unsigned char) path[i])) {
            return false;
        }
    }
    return strncmp(path + i, "/ingest.isml", 12) == 0
           && (path[i + 12] == '\0' || path[i + 12] == '/');
}

/* The <name> of ".../ingest.isml/Streams(<name>)": 0, or -1. */
static int stream_name(const char *path, char *out, size_t cap)
{
    const char *p = path + 1 + SMOOTH_TOKEN_LEN + 12;
    size_t n;

    if (strncmp(p, "/Streams(", 9) != 0) {
        return -1;
    }
    p += 9;
    n = strcspn(p, ")");
    if (n == 0 || n >= cap || strcmp(p + n, ")") != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char) p[i]) && strchr("-_.", p[i]) == NULL) {
            return -1;
        }
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

static http_response_t *refuse(int status, const char *why, const char *channel,
                               const char *client)
{
    log_warn("smooth ingest refused: %s (channel '%s', client %s)", why, channel, client);
    return http_response_text(status, "text/plain", why);
}

/* Why the channel of token does not take a push from client (NULL: it
 * does), with its id and name. */
static const char *push_refusal(app_t *app, const char *token, const char *client,
                                smooth_conn_t *s, int *status)
{
    json_t *ch = live_channel_of_token(app, token);
    const char *why = NULL, *proto;

    *status = 403;
    if (ch == NULL) {
        return "unknown ingest token";
    }
    snprintf(s->channel_id, sizeof(s->channel_id), "%s", entity_str(ch, "Id"));
    snprintf(s->channel, sizeof(s->channel), "%s", entity_str(ch, "Name"));
    proto = entity_str(json_object_get(ch, "Input"), "StreamingProtocol");
    if (proto == NULL || strcmp(proto, "FragmentedMP4") != 0) {
        why = "the channel's Input.StreamingProtocol is not FragmentedMP4";
    } else {
        why = channel_state_refusal(ch, client);
    }
    json_decref(ch);
    return why;
}

void live_smooth_begin(app_t *app, http_request_t *req)
{
    const char *client = http_client_address(req), *why;
    char token[SMOOTH_TOKEN_LEN + 1];
    smooth_conn_t *s;
    int status;

    req->log_path = "/<key>/ingest.isml";     /* the key is a secret */
    if (strcmp(req->method, "POST") != 0) {
        req->early = refuse(405, "Smooth ingest takes POST", "?", client);
        return;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        req->early = http_response_text(503, "text/plain", "out of memory");
        return;
    }
    for (int i = 0; i < SMOOTH_TOKEN_LEN; i++) {
        token[i] = (char) tolower((unsigned char) req->path[1 + i]);
    }
    token[SMOOTH_TOKEN_LEN] = '\0';
    s->app = app;
    snprintf(s->client, sizeof(s->client), "%s", client);
    if ((why = push_refusal(app, token, client, s, &status)) != NULL) {
        req->early = refuse(status, why, s->channel, client);
    } else if (stream_name(req->path, s->stream, sizeof(s->stream)) != 0) {
        req->early = refuse(400, "the URL must end in ingest.isml/Streams(<name>): 1-64 letters, "
                            "digits, '-', '_' or '.'", s->channel, client);
    } else if (!stream_take(s->channel_id, app->cfg.smooth_max_streams)) {
        req->early = refuse(503, "the channel has smooth_max_streams pushes already",
                            s->channel, client);
    } else {
        log_info("smooth ingest accepted: channel '%s', stream '%s', client %s", s->channel,
                 s->stream, client);
        req->sink = &smooth_sink;
        req->sink_state = s;
        return;
    }
    free(s);
}
