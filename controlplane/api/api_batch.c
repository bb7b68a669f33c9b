/*
 * api_batch.c — POST /api/$batch.  The body is parsed by odata_batch_parse
 * (400 if malformed); each operation becomes an http_request_t without a
 * connection and goes through the router's own dispatch: a query operation
 * through api_handle (its own read transaction), a changeset's operations
 * through api_dispatch_request inside ONE write transaction that is
 * committed only if all of them succeed (else aborted: the changeset's
 * answer is then the failing operation's error alone).  "$<Content-ID>" at
 * the start of a URL, or as the whole "uri"/"url" of a $links body, stands
 * for the entity created earlier in the same changeset by that operation.
 */
#include "api/api_handlers.h"
#include "odata/odata_batch.h"
#include "odata/odata_batch_write.h"
#include "odata/odata_render.h"
#include "util/text_codec.h"
#include "util/time_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOUNDARY_MAX 64

typedef struct {
    http_request_t req;
    char          *path;
    char          *body;
    http_field_t   headers[ODATA_BATCH_MAX_HEADERS];
    http_field_t  *args;
    size_t         args_cap;
} batch_request_t;

static void request_free(batch_request_t *br)
{
    for (size_t i = 0; i < br->req.nlocal_args; i++) {
        free((char *) br->args[i].name);
        free((char *) br->args[i].value);
    }
    free(br->args);
    free(br->path);
    free(br->body);
}

static int add_arg(const char *k, const char *v, void *arg)
{
    batch_request_t *br = arg;
    size_t n = br->req.nlocal_args;

    if (n == br->args_cap) {
        size_t cap = br->args_cap ? br->args_cap * 2 : 8;
        http_field_t *args = realloc(br->args, cap * sizeof(*args));
        if (args == NULL) {
            return -1;
        }
        br->args = args;
        br->args_cap = cap;
        br->req.local_args = args;
    }
    br->args[n].name = strdup(k);
    br->args[n].value = strdup(v);
    br->req.nlocal_args++;
    return br->args[n].name != NULL && br->args[n].value != NULL ? 0 : -1;
}

/* The entity path ("Assets('…')") a Content-ID reference stands for. */
static const char *reference(api_ctx_t *c, json_t *refs, const char *text, size_t *used)
{
    size_t n = strcspn(text + 1, "/?");
    char id[64];
    const char *path;

    if (n == 0 || n >= sizeof(id)) {
        api_fail(c, 400, "BadRequest", "malformed Content-ID reference in '%.80s'", text);
        return NULL;
    }
    memcpy(id, text + 1, n);
    id[n] = '\0';
    path = json_string_value(json_object_get(refs, id));
    if (path == NULL) {
        api_fail(c, 400, "BadRequest", "'$%s' names no entity created earlier in this changeset", id);
    }
    *used = n + 1;
    return path;
}

/* "/api/Set…" (still percent-encoded) for an operation's URL. */
static char *api_path(api_ctx_t *c, const char *url, json_t *refs)
{
    const char *scheme = strstr(url, "://"), *ref = NULL;
    size_t used = 0;
    char *out;

    if (scheme != NULL && scheme < url + strcspn(url, "/?")) {
        url = strchr(scheme + 3, '/');
        url = url != NULL ? url : "/";
    }
    if (url[0] == '$' && strncmp(url, "$metadata", 9) != 0 && strncmp(url, "$batch", 6) != 0) {
        if ((ref = reference(c, refs, url, &used)) == NULL) {
            return NULL;
        }
    } else if (url[0] == '/') {
        if (strncmp(url, "/api/", 5) != 0 && strcmp(url, "/api") != 0) {
            api_fail(c, 404, "ResourceNotFound", "no such resource: the API lives under /api/");
            return NULL;
        }
        url += strcmp(url, "/api") == 0 ? 4 : 5;
    }
    out = malloc(strlen("/api/") + (ref ? strlen(ref) : 0) + strlen(url + used) + 1);
    if (out != NULL) {
        sprintf(out, "/api/%s%s", ref ? ref : "", url + used);
    }
    return out;
}

/* {"uri":"$1"} → {"uri":"<api_url>Assets('…')"}; other bodies are kept. */
static char *resolve_body(api_ctx_t *c, const odata_batch_op_t *op, json_t *refs, size_t *len)
{
    json_t *body = NULL;
    const char *key = NULL, *uri = NULL, *path;
    char *out = NULL;
    size_t used;

    if (memchr(op->body, '$', op->body_len) != NULL
        && (body = json_loadb(op->body, op->body_len, 0, NULL)) != NULL) {
        key = json_is_string(json_object_get(body, "uri")) ? "uri" : "url";
        uri = json_string_value(json_object_get(body, key));
    }
    if (uri != NULL && uri[0] == '$') {
        if ((path = reference(c, refs, uri, &used)) == NULL) {
            json_decref(body);
            return NULL;
        }
        char *full = malloc(strlen(c->app->cfg.api_url) + strlen(path) + strlen(uri + used) + 1);
        if (full != NULL) {
            sprintf(full, "%s%s%s", c->app->cfg.api_url, path, uri + used);
            json_object_set_new(body, key, json_string(full));
            free(full);
            out = json_dumps(body, JSON_COMPACT);
            *len = out != NULL ? strlen(out) : 0;
        }
    } else if ((out = malloc(op->body_len + 1)) != NULL) {
        memcpy(out, op->body, op->body_len);
        out[op->body_len] = '\0';
        *len = op->body_len;
    }
    json_decref(body);
    if (out == NULL) {
        api_fail(c, 500, "InternalError", "out of memory");
    }
    return out;
}

/* Builds the request of one operation; -1 with c->err set. */
static int request_build(api_ctx_t *c, const http_request_t *outer, const odata_batch_op_t *op,
                         json_t *refs, batch_request_t *br)
{
    char *query;

    memset(br, 0, sizeof(*br));
    for (size_t i = 0; i < op->nheaders; i++) {
        br->headers[i].name = op->headers[i].name;
        br->headers[i].value = op->headers[i].value;
    }
    br->req.local_headers = br->headers;
    br->req.nlocal_headers = op->nheaders;
    br->req.method = op->method;
    memcpy(br->req.request_id, outer->request_id, sizeof(br->req.request_id));
    memcpy(br->req.peer, outer->peer, sizeof(br->req.peer));
    if ((br->path = api_path(c, op->url, refs)) == NULL
        || (br->body = resolve_body(c, op, refs, &br->req.body_len)) == NULL) {
        return -1;
    }
    br->req.body = br->body;
    query = strchr(br->path, '?');
    if (query != NULL) {
        *query++ = '\0';
        if (form_each(query, strlen(query), add_arg, br) != 0) {
            return api_fail(c, 400, "BadRequest", "malformed query string in '%.80s'", op->url);
        }
    }
    if (url_decode_inplace(br->path, 0) < 0) {
        return api_fail(c, 400, "BadRequest", "malformed percent-encoding in '%.80s'", op->url);
    }
    br->req.path = br->path;
    return 0;
}

/* ------------------------------------------------------------ operations */

static void run_query(app_t *app, const http_request_t *outer, const odata_batch_op_t *op,
                      FILE *out, const char *boundary)
{
    api_ctx_t c = { .app = app, .req = (http_request_t *) outer, .now_ms = time_now_ms() };
    batch_request_t br;
    http_response_t *r;

    c.fmt = odata_format_choose(outer);
    if (request_build(&c, outer, op, NULL, &br) == 0) {
        r = api_handle(app, &br.req);
    } else {
        r = api_error_response(&c);
    }
    if (r == NULL) {
        r = api_error_simple(c.fmt, 500, "InternalError", "no response");
    }
    if (r != NULL) {
        odata_batch_write_response(out, boundary, r, op->content_id);
    }
    http_response_free(r);
    request_free(&br);
}

/* Remembers "$id" → the entity path of the Location a POST answered with. */
static void remember_reference(api_ctx_t *c, json_t *refs, const odata_batch_op_t *op,
                               const http_response_t *r)
{
    const char *loc = NULL;
    size_t base = strlen(c->app->cfg.api_url);

    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcmp(r->headers[i].name, "Location") == 0) {
            loc = r->headers[i].value;
        }
    }
    if (op->content_id == NULL || loc == NULL) {
        return;
    }
    if (strncmp(loc, c->app->cfg.api_url, base) == 0) {
        loc += base;
    } else if (strrchr(loc, '/') != NULL) {
        loc = strrchr(loc, '/') + 1;
    }
    json_object_set_new(refs, op->content_id, json_string(loc));
}

typedef struct {
    const odata_batch_op_t *ops;
    size_t                  n;
    http_response_t       **responses;
    json_t                 *refs;
} changeset_t;

/* Runs every operation in c->txn; returns the index of the failed one or n. */
static size_t changeset_apply(api_ctx_t *c, const http_request_t *outer, changeset_t *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        batch_request_t br;
        http_response_t *r = NULL;

        c->fmt = odata_format_choose(outer);
        memset(&c->err, 0, sizeof(c->err));
        if (request_build(c, outer, &cs->ops[i], cs->refs, &br) == 0) {
            r = api_dispatch_request(c, &br.req);
        }
        request_free(&br);
        c->req = (http_request_t *) outer;
        if (r == NULL || c->err.status != 0) {
            http_response_free(r);
            if (c->err.status == 0) {
                api_fail(c, 500, "InternalError", "no response");
            }
            return i;
        }
        remember_reference(c, cs->refs, &cs->ops[i], r);
        cs->responses[i] = r;
    }
    return cs->n;
}

static void changeset_write(api_ctx_t *c, changeset_t *cs, size_t failed, FILE *out,
                            const char *boundary)
{
    char inner[BOUNDARY_MAX], guid[UUID_TEXT_LEN + 1];

    if (failed < cs->n || c->err.status != 0) {
        http_response_t *r = api_error_response(c);
        if (r != NULL) {
            odata_batch_write_response(out, boundary, r,
                                       failed < cs->n ? cs->ops[failed].content_id : NULL);
        }
        http_response_free(r);
        return;
    }
    uuid_v4_text(guid);
    snprintf(inner, sizeof(inner), "changesetresponse_%s", guid);
    odata_batch_write_open(out, boundary, inner);
    for (size_t i = 0; i < cs->n; i++) {
        odata_batch_write_response(out, inner, cs->responses[i], cs->ops[i].content_id);
    }
    odata_batch_write_close(out, inner);
}

static void run_changeset(app_t *app, const http_request_t *outer, const odata_batch_op_t *ops,
                          size_t n, FILE *out, const char *boundary)
{
    api_ctx_t c = { .app = app, .req = (http_request_t *) outer, .now_ms = time_now_ms() };
    changeset_t cs = { ops, n, calloc(n, sizeof(http_response_t *)), json_object() };
    size_t failed = n;
    int rc;

    c.fmt = odata_format_choose(outer);
    if (cs.responses == NULL) {
        api_fail(&c, 500, "InternalError", "out of memory");
    } else if ((rc = catalog_begin(app->store, true, &c.txn)) != 0) {
        api_fail(&c, 503, "ServiceUnavailable", "catalog busy: %s", mdb_strerror(rc));
    } else {
        failed = changeset_apply(&c, outer, &cs);
        if (failed < n) {
            catalog_abort(&c.txn);     /* nothing of the changeset is kept */
        } else {
            api_commit(&c);
        }
    }
    changeset_write(&c, &cs, failed, out, boundary);
    for (size_t i = 0; cs.responses != NULL && i < n; i++) {
        http_response_free(cs.responses[i]);
    }
    free(cs.responses);
    json_decref(cs.refs);
    api_ctx_release(&c);
}

/* ------------------------------------------------------------ entry */

static http_response_t *batch_answer(char *text, size_t len, const char *boundary)
{
    char type[BOUNDARY_MAX + 40];
    http_response_t *r = http_response_take(202, NULL, text, len);

    if (r != NULL) {
        snprintf(type, sizeof(type), "multipart/mixed; boundary=%s", boundary);
        http_response_header(r, "Content-Type", type);
        http_response_header(r, "DataServiceVersion", "1.0;");
    }
    return r;
}

http_response_t *api_batch_handle(app_t *app, http_request_t *req)
{
    odata_format_t fmt = odata_format_choose(req);
    char err[256], boundary[BOUNDARY_MAX], guid[UUID_TEXT_LEN + 1], *text = NULL;
    size_t len = 0, i = 0;
    odata_batch_t b;
    FILE *out;

    if (strcmp(req->method, "POST") != 0) {
        return api_error_simple(fmt, 405, "MethodNotAllowed", "$batch is POSTed");
    }
    if (odata_batch_parse(http_header(req, "Content-Type"), req->body ? req->body : "",
                          req->body_len, &b, err, sizeof(err)) != 0) {
        odata_batch_free(&b);
        return api_error_simple(fmt, 400, "BadRequest", err);
    }
    uuid_v4_text(guid);
    snprintf(boundary, sizeof(boundary), "batchresponse_%s", guid);
    out = open_memstream(&text, &len);
    if (out == NULL) {
        odata_batch_free(&b);
        return api_error_simple(fmt, 500, "InternalError", "out of memory");
    }
    while (i < b.nops) {
        size_t j = i + 1;
        if (b.ops[i].changeset < 0) {
            run_query(app, req, &b.ops[i], out, boundary);
        } else {
            while (j < b.nops && b.ops[j].changeset == b.ops[i].changeset) {
                j++;
            }
            run_changeset(app, req, &b.ops[i], j - i, out, boundary);
        }
        i = j;
    }
    odata_batch_write_close(out, boundary);
    fclose(out);
    odata_batch_free(&b);
    return batch_answer(text, len, boundary);
}
