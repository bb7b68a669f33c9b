/*
 * http_server.h — the daemon's HTTP listener (libmicrohttpd, epoll + a pool
 * of threads).  It buffers bounded request bodies for the API, streams upload
 * bodies to a sink, and hands complete requests to the router callbacks.
 */
#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

#include "http/http_types.h"

typedef struct {
    /* After the headers: may set req->sink (streamed body) or req->early. */
    void (*begin)(void *app, http_request_t *req);
    /* After the whole body (buffered requests): the answer. */
    http_response_t *(*finish)(void *app, http_request_t *req);
    void *app;
    size_t max_body;          /* buffered-body limit (413 above it) */
    unsigned threads;
} http_handlers_t;

typedef struct http_server http_server_t;

/* listen: "host:port" (IPv4 or [IPv6]:port). */
http_server_t *http_server_start(const char *listen, const http_handlers_t *h,
                                 char *err, size_t errlen);
/* An HTTPS listener (libmicrohttpd over GnuTLS) with the certificate chain
 * and private key of two PEM files (each at most 1 MiB). */
typedef struct {
    const char *certificate;
    const char *key;
} http_tls_t;
http_server_t *http_server_start_tls(const char *listen, const http_handlers_t *h,
                                     const http_tls_t *tls, char *err, size_t errlen);
void http_server_stop(http_server_t *s);
/* The port actually bound (useful with port 0). */
unsigned http_server_port(const http_server_t *s);

#endif
