/*
 * http_server.c — libmicrohttpd glue.  MHD calls the access handler once with
 * the headers, then with body chunks, then once more with none: the first
 * call runs the router's begin step (which may install a streaming sink or
 * decide an early answer), chunks go to the sink or a bounded buffer, and
 * the last call produces the response.  Errors found mid-body are answered
 * once the body is consumed (MHD only queues replies between chunks).
 */
#include "http/http_server.h"
#include "daemon/daemon_log.h"
#include "http/http_deferred.h"
#include "util/text_codec.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct http_server {
    struct MHD_Daemon *mhd;
    http_handlers_t    h;
    unsigned           port;
    char              *tls_cert;       /* PEM, kept for the daemon's lifetime */
    char              *tls_key;
    http_deferred_t   *deferred;       /* steps kept off the polling threads */
};

typedef struct {
    http_request_t   req;
    http_response_t *pending;      /* error decided mid-body */
    bool             sink_done;
    struct timespec  t0;
    bool             deferred;     /* suspended: a pool thread runs req.defer */
    http_response_t *done;         /* its answer, queued when MHD calls again */
    void            *app;
} request_state_t;

static const char *local_field(const http_field_t *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(f[i].name, name) == 0) {
            return f[i].value;
        }
    }
    return NULL;
}

const char *http_header(const http_request_t *req, const char *name)
{
    if (req->conn == NULL) {
        return local_field(req->local_headers, req->nlocal_headers, name);
    }
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static bool is_loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0
           || strncmp(addr, "::ffff:127.", 11) == 0;
}

static bool looks_like_address(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n < 64 && strspn(s, "0123456789abcdefABCDEF.:") == n;
}

bool http_peer_is_loopback(const http_request_t *req)
{
    return is_loopback(req->peer);
}

const char *http_client_address(const http_request_t *req)
{
    const char *real = http_header(req, "X-Real-IP");

    if (real != NULL && is_loopback(req->peer) && looks_like_address(real)) {
        return real;
    }
    return req->peer;
}

const char *http_arg(const http_request_t *req, const char *name)
{
    if (req->conn == NULL) {
        return local_field(req->local_args, req->nlocal_args, name);
    }
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct {
    int (*fn)(const char *k, const char *v, void *arg);
    void *arg;
    int rc;
} arg_walk_t;

static enum MHD_Result walk_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    arg_walk_t *w = cls;
    (void) kind;
    w->rc = w->fn(k, v != NULL ? v : "", w->arg);
    return w->rc == 0 ? MHD_YES : MHD_NO;
}

int http_each_arg(const http_request_t *req, int (*fn)(const char *k, const char *v, void *arg),
                  void *arg)
{
    arg_walk_t w = { fn, arg, 0 };

    if (req->conn == NULL) {
        for (size_t i = 0; i < req->nlocal_args && w.rc == 0; i++) {
            w.rc = fn(req->local_args[i].name, req->local_args[i].value, arg);
        }
        return w.rc;
    }
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, walk_arg, &w);
    return w.rc;
}

static struct MHD_Response *to_mhd(http_response_t *r)
{
    struct MHD_Response *m;

    if (r->fd >= 0) {
        m = MHD_create_response_from_fd_at_offset64(r->fd_length, r->fd, r->fd_offset);
        if (m != NULL) {
            r->fd = -1;                /* MHD closes it */
        }
    } else {
        m = MHD_create_response_from_buffer(r->body_len, r->body != NULL ? r->body : (void *) "",
                                            r->body != NULL ? MHD_RESPMEM_MUST_FREE
                                                            : MHD_RESPMEM_PERSISTENT);
        if (m != NULL) {
            r->body = NULL;            /* MHD frees it */
        }
    }
    if (m == NULL) {
        return NULL;
    }
    if (r->content_type != NULL) {
        MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    }
    for (size_t i = 0; i < r->nheaders; i++) {
        MHD_add_response_header(m, r->headers[i].name, r->headers[i].value);
    }
    return m;
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double) (t1.tv_sec - t0->tv_sec) * 1e3 + (double) (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static enum MHD_Result queue(request_state_t *st, http_response_t *r)
{
    struct MHD_Response *m;
    enum MHD_Result ok;
    int status;

    if (r == NULL) {
        r = http_response_text(500, "text/plain", "internal error\n");
        if (r == NULL) {
            return MHD_NO;
        }
    }
    http_response_header(r, "request-id", st->req.request_id);
    http_response_header(r, "x-ms-request-id", st->req.request_id);
    status = r->status;
    m = to_mhd(r);
    http_response_free(r);
    if (m == NULL) {
        return MHD_NO;
    }
    ok = MHD_queue_response(st->req.conn, (unsigned) status, m);
    MHD_destroy_response(m);
    log_info("%s %s %d %.1fms", st->req.method,
             st->req.log_path != NULL ? st->req.log_path : st->req.path, status,
             elapsed_ms(&st->t0));
    return ok;
}

static void buffer_body(request_state_t *st, size_t max_body, const char *data, size_t len)
{
    http_request_t *req = &st->req;
    size_t want;
    char *p;

    if (req->body_overflow || req->body_len + len > max_body) {
        req->body_overflow = true;
        return;
    }
    want = req->body_len + len + 1;
    if (want > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : 4096;
        while (cap < want) {
            cap *= 2;
        }
        p = realloc(req->body, cap);
        if (p == NULL) {
            req->body_overflow = true;
            return;
        }
        req->body = p;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, len);
    req->body_len += len;
    req->body[req->body_len] = '\0';
}

static void sink_chunk(request_state_t *st, const char *data, size_t len)
{
    http_response_t *stop;

    if (st->pending != NULL) {
        return;                        /* already failed: discard the rest */
    }
    stop = st->req.sink->write(st->req.sink_state, data, len);
    if (stop != NULL) {
        st->pending = stop;
        st->req.sink->abort(st->req.sink_state);
        st->sink_done = true;
    }
}

static enum MHD_Result first_call(http_server_t *s, struct MHD_Connection *conn, const char *url,
                                  const char *method, void **con_cls)
{
    request_state_t *st = calloc(1, sizeof(*st));
    const union MHD_ConnectionInfo *ci;

    if (st == NULL) {
        return MHD_NO;
    }
    clock_gettime(CLOCK_MONOTONIC, &st->t0);
    st->req.conn = conn;
    st->req.method = method;
    st->req.path = url;
    if (uuid_v4_text(st->req.request_id) != 0) {
        snprintf(st->req.request_id, sizeof(st->req.request_id), "unknown");
    }
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci != NULL && ci->client_addr != NULL) {
        getnameinfo(ci->client_addr, ci->client_addr->sa_family == AF_INET6
                        ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
                    st->req.peer, sizeof(st->req.peer), NULL, 0, NI_NUMERICHOST);
    }
    *con_cls = st;
    s->h.begin(s->h.app, &st->req);
    if (st->req.early != NULL) {
        http_response_t *r = st->req.early;
        st->req.early = NULL;
        return queue(st, r);
    }
    return MHD_YES;
}

/* Pool thread: the deferred step, then the connection resumes (MHD calls
 * on_request again, which queues st->done).  st is not touched after. */
static void run_deferred(void *arg)
{
    request_state_t *st = arg;
    struct MHD_Connection *conn = st->req.conn;

    st->done = st->req.defer(st->app, &st->req);
    MHD_resume_connection(conn);
}

/* The finish step asked to run off the polling thread (req.defer): suspend
 * the connection and hand the step to the pool; a full pool answers 503. */
static enum MHD_Result defer(http_server_t *s, request_state_t *st)
{
    st->deferred = true;
    st->app = s->h.app;
    MHD_suspend_connection(st->req.conn);
    if (s->deferred == NULL || !http_deferred_submit(s->deferred, run_deferred, st)) {
        st->done = http_response_text(503, "text/plain",
                                      "server busy: too many long operations queued\n");
        if (st->done != NULL) {
            http_response_header(st->done, "Retry-After", "1");
        }
        MHD_resume_connection(st->req.conn);
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    http_server_t *s = cls;
    request_state_t *st = *con_cls;
    http_response_t *r;

    (void) version;
    if (st == NULL) {
        return first_call(s, conn, url, method, con_cls);
    }
    if (*size > 0) {
        if (st->req.sink != NULL) {
            sink_chunk(st, data, *size);
            if (st->pending != NULL && st->pending->status == HTTP_STATUS_DROP) {
                return MHD_NO;         /* the connection is closed, unanswered */
            }
        } else {
            buffer_body(st, s->h.max_body, data, *size);
        }
        *size = 0;
        return MHD_YES;
    }
    if (st->deferred) {                /* resumed: the pool thread answered */
        r = st->done;
        st->done = NULL;
        return queue(st, r);
    }
    if (st->pending != NULL) {
        r = st->pending;
        st->pending = NULL;
    } else if (st->req.sink != NULL) {
        st->sink_done = true;
        r = st->req.sink->finish(st->req.sink_state, &st->req);
    } else {
        r = s->h.finish(s->h.app, &st->req);
        if (r == NULL && st->req.defer != NULL) {
            return defer(s, st);
        }
    }
    return queue(st, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    request_state_t *st = *con_cls;

    (void) cls;
    (void) conn;
    (void) toe;
    if (st == NULL) {
        return;
    }
    if (st->req.sink != NULL && !st->sink_done) {
        st->req.sink->abort(st->req.sink_state);     /* client went away mid-upload */
    }
    http_response_free(st->pending);
    http_response_free(st->done);
    http_response_free(st->req.early);
    free(st->req.body);
    free(st);
    *con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    struct addrinfo hints = { 0 }, *ai = NULL;
    size_t hlen;

    if (colon == NULL || colon == listen) {
        return -1;
    }
    hlen = (size_t) (colon - listen);
    if (listen[0] == '[' && colon[-1] == ']') {
        listen++;
        hlen -= 2;
    }
    if (hlen >= sizeof(host)) {
        return -1;
    }
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || ai == NULL) {
        return -1;
    }
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *len = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

/* A whole PEM file (at most 1 MiB), NUL-terminated, or NULL. */
static char *read_pem(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0;

    if (f != NULL && (buf = malloc((1u << 20) + 1)) != NULL) {
        n = fread(buf, 1, 1u << 20, f);
        buf[n] = '\0';
    }
    if (f == NULL || buf == NULL || n == 0 || n == 1u << 20 || strstr(buf, "-----BEGIN ") == NULL) {
        snprintf(err, errlen, "%s: cannot read a PEM file%s", path,
                 f == NULL ? " (missing or not readable)" : "");
        free(buf);
        buf = NULL;
    }
    if (f != NULL) {
        fclose(f);
    }
    return buf;
}

static struct MHD_Daemon *start_mhd(http_server_t *s, unsigned flags, struct sockaddr_storage *ss)
{
    unsigned threads = s->h.threads ? s->h.threads : 4;

    if (s->tls_cert != NULL) {
        return MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, on_request, s,
                                MHD_OPTION_SOCK_ADDR, (struct sockaddr *) ss,
                                MHD_OPTION_THREAD_POOL_SIZE, threads,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 120,
                                MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 1000,
                                MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int) 1,
                                MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                MHD_OPTION_HTTPS_MEM_CERT, s->tls_cert,
                                MHD_OPTION_HTTPS_MEM_KEY, s->tls_key,
                                MHD_OPTION_END);
    }
    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *) ss,
                            MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 120,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 1000,
                            MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int) 1,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_END);
}

static void server_free(http_server_t *s)
{
    if (s->tls_key != NULL) {
        memset(s->tls_key, 0, strlen(s->tls_key));
    }
    free(s->tls_key);
    free(s->tls_cert);
    http_deferred_free(s->deferred);
    free(s);
}

http_server_t *http_server_start_tls(const char *listen, const http_handlers_t *h,
                                     const http_tls_t *tls, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    http_server_t *s;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG
                     | MHD_ALLOW_SUSPEND_RESUME;
    const union MHD_DaemonInfo *info;
    socklen_t sslen;

    if (parse_listen(listen, &ss, &sslen) != 0) {
        snprintf(err, errlen, "bad listen address '%s' (want host:port)", listen);
        return NULL;
    }
    if (tls != NULL && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(err, errlen, "this libmicrohttpd has no TLS support (built without GnuTLS)");
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->h = *h;
    if (tls != NULL && ((s->tls_cert = read_pem(tls->certificate, err, errlen)) == NULL
                        || (s->tls_key = read_pem(tls->key, err, errlen)) == NULL)) {
        server_free(s);
        return NULL;
    }
    if (ss.ss_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    s->deferred = http_deferred_start();
    s->mhd = start_mhd(s, flags, &ss);
    if (s->mhd == NULL) {
        snprintf(err, errlen, "cannot listen on %s (address in use or not local%s?)", listen,
                 tls != NULL ? ", or a certificate/key that do not load or match" : "");
        server_free(s);
        return NULL;
    }
    info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info != NULL ? info->port : 0;
    return s;
}

http_server_t *http_server_start(const char *listen, const http_handlers_t *h,
                                 char *err, size_t errlen)
{
    return http_server_start_tls(listen, h, NULL, err, errlen);
}

unsigned http_server_port(const http_server_t *s)
{
    return s->port;
}

void http_server_stop(http_server_t *s)
{
    if (s == NULL) {
        return;
    }
    http_deferred_stop(s->deferred);   /* resumes every suspended connection */
    MHD_stop_daemon(s->mhd);
    server_free(s);
}
