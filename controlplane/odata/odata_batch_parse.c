/*
 * odata_batch_parse.c — the structure of an OData v3 $batch body on top of
 * the MIME layer: each top-level part is a query operation (application/http
 * carrying one GET) or a changeset (multipart/mixed of POST/PUT/MERGE/PATCH/
 * DELETE requests; changesets do not nest).  An application/http part holds
 * "METHOD URL HTTP/1.1", headers, an empty line and the body (Content-Length
 * trims it when given).  Content-ID comes from the MIME part or the request.
 * Limits: ODATA_BATCH_MAX_OPS operations, ODATA_BATCH_MAX_CHANGESETS.
 */
#include "odata/odata_batch_mime.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define METHOD_MAX 16

typedef struct {
    odata_batch_t *b;
    int            changeset;   /* -1 at the top level */
    batch_err_t    *e;
} parse_ctx_t;

static odata_batch_op_t *new_op(parse_ctx_t *pc)
{
    odata_batch_t *b = pc->b;

    if (b->nops >= ODATA_BATCH_MAX_OPS) {
        batch_error(pc->e, "more than %d operations in one batch", ODATA_BATCH_MAX_OPS);
        return NULL;
    }
    if (b->nops == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        odata_batch_op_t *ops = realloc(b->ops, cap * sizeof(*ops));
        if (ops == NULL) {
            batch_error(pc->e, "out of memory");
            return NULL;
        }
        b->ops = ops;
        b->cap = cap;
    }
    memset(&b->ops[b->nops], 0, sizeof(b->ops[0]));
    return &b->ops[b->nops++];
}

static bool valid_method(const char *m)
{
    size_t n = strlen(m);

    if (n == 0 || n >= METHOD_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (m[i] < 'A' || m[i] > 'Z') {
            return false;
        }
    }
    return true;
}

/* "METHOD URL [HTTP/1.x]" up to the end of the line; NUL-terminates in place. */
static int request_line(parse_ctx_t *pc, char **p, char *end, odata_batch_op_t *op)
{
    char *nl = memchr(*p, '\n', (size_t) (end - *p));
    char *line = *p, *line_end = nl != NULL ? nl : end, *sp1, *sp2;

    *p = nl != NULL ? nl + 1 : end;
    if (line_end > line && line_end[-1] == '\r') {
        line_end--;
    }
    *line_end = '\0';
    sp1 = strchr(line, ' ');
    if (sp1 == NULL) {
        return batch_error(pc->e, "an application/http part must start with 'METHOD URL HTTP/1.1'");
    }
    *sp1 = '\0';
    op->method = line;
    op->url = sp1 + 1;
    sp2 = strchr(op->url, ' ');
    if (sp2 != NULL) {
        *sp2 = '\0';
        if (strncmp(sp2 + 1, "HTTP/1.", 7) != 0) {
            return batch_error(pc->e, "unknown protocol '%.16s' in a batch request line", sp2 + 1);
        }
    }
    if (!valid_method(op->method) || op->url[0] == '\0') {
        return batch_error(pc->e, "malformed batch request line '%.16s %.80s'", op->method, op->url);
    }
    return 0;
}

static int set_body(parse_ctx_t *pc, odata_batch_op_t *op, char *body, char *end)
{
    const char *length = odata_batch_header(op, "Content-Length");
    char *stop;
    unsigned long long n;

    op->body = body;
    op->body_len = (size_t) (end - body);
    if (length == NULL) {
        return 0;
    }
    n = strtoull(length, &stop, 10);
    if (*length < '0' || *length > '9' || *stop != '\0' || n > op->body_len) {
        return batch_error(pc->e, "Content-Length %.20s does not match the part's body (%zu bytes)",
                           length, op->body_len);
    }
    op->body_len = (size_t) n;
    return 0;
}

static int check_placement(parse_ctx_t *pc, const odata_batch_op_t *op)
{
    bool get = strcmp(op->method, "GET") == 0;

    if (pc->changeset < 0 && !get) {
        return batch_error(pc->e, "%s outside a changeset: only GET may be a query operation",
                           op->method);
    }
    if (pc->changeset >= 0 && get) {
        return batch_error(pc->e, "GET inside a changeset: a changeset holds only changes");
    }
    return 0;
}

static int http_part(parse_ctx_t *pc, char *p, char *end, const char *mime_content_id)
{
    odata_batch_op_t *op = new_op(pc);
    bool blank;

    if (op == NULL || request_line(pc, &p, end, op) != 0
        || batch_mime_headers(&p, end, op->headers, ODATA_BATCH_MAX_HEADERS, &op->nheaders, &blank,
                              pc->e) != 0
        || set_body(pc, op, p, end) != 0 || check_placement(pc, op) != 0) {
        return -1;
    }
    op->changeset = pc->changeset;
    op->content_id = mime_content_id != NULL ? mime_content_id
                                             : odata_batch_header(op, "Content-ID");
    return 0;
}

static int on_part(char *part, size_t len, void *arg);

static int changeset_part(parse_ctx_t *pc, char *p, char *end, const char *content_type)
{
    char boundary[ODATA_BATCH_BOUNDARY_MAX + 1];
    parse_ctx_t inner = { pc->b, 0, pc->e };

    if (pc->changeset >= 0) {
        return batch_error(pc->e, "changesets cannot be nested");
    }
    if (odata_batch_boundary(content_type, boundary, sizeof(boundary)) != 0) {
        return batch_error(pc->e, "a changeset needs 'multipart/mixed; boundary=…'");
    }
    if (pc->b->nchangesets >= ODATA_BATCH_MAX_CHANGESETS) {
        return batch_error(pc->e, "more than %d changesets in one batch", ODATA_BATCH_MAX_CHANGESETS);
    }
    inner.changeset = (int) pc->b->nchangesets++;
    return batch_mime_each_part(p, (size_t) (end - p), boundary, on_part, &inner, pc->e);
}

static int on_part(char *part, size_t len, void *arg)
{
    parse_ctx_t *pc = arg;
    odata_batch_header_t h[ODATA_BATCH_MAX_HEADERS];
    size_t n = 0;
    char *p = part, *end = part + len;
    const char *type;
    bool blank;

    if (batch_mime_headers(&p, end, h, ODATA_BATCH_MAX_HEADERS, &n, &blank, pc->e) != 0) {
        return -1;
    }
    type = batch_mime_find(h, n, "Content-Type");
    if (!blank || type == NULL) {
        return batch_error(pc->e, "each batch part needs a Content-Type header and an empty line");
    }
    if (strncasecmp(type, "application/http", 16) == 0) {
        return http_part(pc, p, end, batch_mime_find(h, n, "Content-ID"));
    }
    if (strncasecmp(type, "multipart/mixed", 15) == 0) {
        return changeset_part(pc, p, end, type);
    }
    return batch_error(pc->e, "a batch part of type '%.60s' (expected application/http or "
                       "multipart/mixed)", type);
}

int odata_batch_parse(const char *content_type, const char *body, size_t len, odata_batch_t *out,
                      char *err, size_t errlen)
{
    char boundary[ODATA_BATCH_BOUNDARY_MAX + 1];
    batch_err_t e = { err, errlen };
    parse_ctx_t pc = { out, -1, &e };

    memset(out, 0, sizeof(*out));
    err[0] = '\0';
    if (odata_batch_boundary(content_type, boundary, sizeof(boundary)) != 0) {
        return batch_error(&e, "$batch needs Content-Type: multipart/mixed; boundary=batch_…");
    }
    out->buf = malloc(len + 1);
    if (out->buf == NULL) {
        return batch_error(&e, "out of memory");
    }
    if (len > 0) {
        memcpy(out->buf, body, len);
    }
    out->buf[len] = '\0';
    if (batch_mime_each_part(out->buf, len, boundary, on_part, &pc, &e) != 0) {
        out->nops = 0;
        out->nchangesets = 0;
        return -1;
    }
    return 0;
}

void odata_batch_free(odata_batch_t *b)
{
    free(b->ops);
    free(b->buf);
    memset(b, 0, sizeof(*b));
}

const char *odata_batch_header(const odata_batch_op_t *op, const char *name)
{
    return batch_mime_find(op->headers, op->nheaders, name);
}
