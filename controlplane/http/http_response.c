/*
 * http_response.c — constructors for http_response_t (memory bodies, files,
 * extra headers).  Allocation failures yield NULL; the server answers 500.
 */
#include "http/http_types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

http_response_t *http_response_new(int status, const char *content_type)
{
    http_response_t *r = calloc(1, sizeof(*r));

    if (r != NULL) {
        r->status = status;
        r->content_type = content_type;
        r->fd = -1;
    }
    return r;
}

http_response_t *http_response_take(int status, const char *content_type, char *body, size_t len)
{
    http_response_t *r = http_response_new(status, content_type);

    if (r == NULL) {
        free(body);
        return NULL;
    }
    r->body = body;
    r->body_len = len;
    return r;
}

http_response_t *http_response_text(int status, const char *content_type, const char *text)
{
    char *copy = strdup(text);

    return copy == NULL ? NULL : http_response_take(status, content_type, copy, strlen(copy));
}

http_response_t *http_response_file(int status, const char *content_type, int fd,
                                    uint64_t offset, uint64_t length)
{
    http_response_t *r = http_response_new(status, content_type);

    if (r == NULL) {
        close(fd);
        return NULL;
    }
    r->fd = fd;
    r->fd_offset = offset;
    r->fd_length = length;
    return r;
}

void http_response_header(http_response_t *r, const char *name, const char *value)
{
    if (r == NULL || r->nheaders >= HTTP_MAX_HEADERS || strlen(name) >= sizeof(r->headers[0].name)) {
        return;
    }
    snprintf(r->headers[r->nheaders].name, sizeof(r->headers[0].name), "%s", name);
    r->headers[r->nheaders].value = strdup(value);
    if (r->headers[r->nheaders].value != NULL) {
        r->nheaders++;
    }
}

void http_response_free(http_response_t *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].value);
    }
    if (r->fd >= 0) {
        close(r->fd);
    }
    free(r->body);
    free(r);
}
