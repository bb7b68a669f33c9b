/*
 * http_types.h — the request and response objects the daemon's handlers see.
 * They hide libmicrohttpd: handlers read headers/arguments through accessors
 * and return an http_response_t that http_server.c turns into an MHD reply.
 */
#ifndef HTTP_TYPES_H
#define HTTP_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEADERS 16

typedef struct {
    int         status;
    const char *content_type;     /* static string */
    char       *body;             /* malloc'ed, owned */
    size_t      body_len;
    int         fd;               /* >= 0: send this file instead of body (owned) */
    uint64_t    fd_offset;
    uint64_t    fd_length;
    size_t      nheaders;
    struct {
        char name[48];
        char *value;              /* malloc'ed */
    } headers[HTTP_MAX_HEADERS];
} http_response_t;

typedef struct http_request http_request_t;

/* A header or query argument of a request made without a connection. */
typedef struct {
    const char *name;
    const char *value;
} http_field_t;

/* A body consumer for requests streamed to disk (uploads).  write returns
 * NULL to go on or a response to stop with; finish returns the response.
 * A response of status HTTP_STATUS_DROP from write closes the connection at
 * once, unanswered (a live ingest body that never ends). */
#define HTTP_STATUS_DROP 0
typedef struct {
    http_response_t *(*write)(void *state, const char *data, size_t len);
    http_response_t *(*finish)(void *state, http_request_t *req);
    void (*abort)(void *state);
} http_sink_t;

struct http_request {
    void       *conn;             /* struct MHD_Connection */
    const char *method;
    const char *path;             /* percent-decoded path */
    const char *raw_query;        /* not available from MHD: NULL */
    char       *body;             /* buffered body (API requests), NUL-terminated */
    size_t      body_len;
    size_t      body_cap;
    bool        body_overflow;    /* more than the daemon's max_body arrived */
    const http_sink_t *sink;      /* set by the router's begin step for streamed bodies */
    void       *sink_state;
    http_response_t *early;       /* answer decided before the body (body is discarded) */
    /* Set by a finish step that returns NULL because the work must not run
     * on a polling thread (e.g. a Put Block List joining gigabytes): the
     * server suspends the connection and answers with defer(app, req),
     * called on a pool thread (http_deferred.h). */
    http_response_t *(*defer)(void *app, http_request_t *req);
    char        request_id[40];
    char        peer[64];
    const char *log_path;         /* the path as the access log shows it (a static string;
                                     NULL: path), for paths that hold a secret */
    /* conn == NULL (a $batch operation): headers and query arguments come
     * from these lists (names matched case-insensitively) instead of MHD. */
    const http_field_t *local_headers;
    size_t      nlocal_headers;
    const http_field_t *local_args;
    size_t      nlocal_args;
};

const char *http_header(const http_request_t *req, const char *name);
/* The client's address: X-Real-IP when the peer is a loopback proxy (the
 * nginx in front of the daemon sets it) and the header is an address, else
 * the peer itself. */
const char *http_client_address(const http_request_t *req);
/* Whether the TCP peer itself is a loopback address. */
bool http_peer_is_loopback(const http_request_t *req);
const char *http_arg(const http_request_t *req, const char *name);
/* Calls fn for each query argument; stops on non-zero. */
int http_each_arg(const http_request_t *req, int (*fn)(const char *k, const char *v, void *arg),
                  void *arg);

http_response_t *http_response_new(int status, const char *content_type);
/* Takes ownership of body (malloc'ed). */
http_response_t *http_response_take(int status, const char *content_type, char *body, size_t len);
http_response_t *http_response_text(int status, const char *content_type, const char *text);
http_response_t *http_response_file(int status, const char *content_type, int fd,
                                    uint64_t offset, uint64_t length);
void http_response_header(http_response_t *r, const char *name, const char *value);
void http_response_free(http_response_t *r);

#endif
