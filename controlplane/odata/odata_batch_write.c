/*
 * odata_batch_write.c — the response side of $batch (OData v3): a
 * multipart/mixed body whose parts are application/http messages (status
 * line, headers, body) — one per query operation, and per changeset either
 * a nested multipart/mixed of its operations' responses or, when it failed,
 * the single failure response.
 */
#include "odata/odata_batch_write.h"

#include <string.h>

static const char *reason(int status)
{
    static const struct { int status; const char *text; } reasons[] = {
        { 200, "OK" }, { 201, "Created" }, { 202, "Accepted" }, { 204, "No Content" },
        { 301, "Moved Permanently" }, { 304, "Not Modified" }, { 400, "Bad Request" },
        { 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
        { 405, "Method Not Allowed" }, { 409, "Conflict" }, { 412, "Precondition Failed" },
        { 413, "Request Entity Too Large" }, { 415, "Unsupported Media Type" },
        { 500, "Internal Server Error" }, { 503, "Service Unavailable" },
        { 507, "Insufficient Storage" },
    };
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        if (reasons[i].status == status) {
            return reasons[i].text;
        }
    }
    return status < 400 ? "OK" : "Error";
}

void odata_batch_write_response(FILE *out, const char *boundary, const http_response_t *r,
                                const char *content_id)
{
    fprintf(out, "--%s\r\nContent-Type: application/http\r\n"
            "Content-Transfer-Encoding: binary\r\n\r\n", boundary);
    fprintf(out, "HTTP/1.1 %d %s\r\n", r->status, reason(r->status));
    if (content_id != NULL) {
        fprintf(out, "Content-ID: %s\r\n", content_id);
    }
    if (r->content_type != NULL) {
        fprintf(out, "Content-Type: %s\r\n", r->content_type);
    }
    for (size_t i = 0; i < r->nheaders; i++) {
        fprintf(out, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
    }
    fprintf(out, "Content-Length: %zu\r\n\r\n", r->body != NULL ? r->body_len : 0);
    if (r->body != NULL && r->body_len > 0) {
        fwrite(r->body, 1, r->body_len, out);
    }
    fputs("\r\n", out);
}

void odata_batch_write_open(FILE *out, const char *boundary, const char *inner_boundary)
{
    fprintf(out, "--%s\r\nContent-Type: multipart/mixed; boundary=%s\r\n\r\n", boundary,
            inner_boundary);
}

void odata_batch_write_close(FILE *out, const char *boundary)
{
    fprintf(out, "--%s--\r\n", boundary);
}
