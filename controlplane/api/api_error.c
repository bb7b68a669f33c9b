/*
 * api_error.c — recording API errors and rendering them the way AMS did:
 * JSON light  {"odata.error":{"code":…,"message":{"lang":"en-US","value":…}}}
 * verbose     {"error":{"code":…,"message":{"lang":"en-US","value":…}}}
 */
#include "api/api_context.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int api_fail(api_ctx_t *c, int status, const char *code, const char *fmt, ...)
{
    va_list ap;

    if (c->err.status != 0) {
        return -1;
    }
    c->err.status = status;
    snprintf(c->err.code, sizeof(c->err.code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(c->err.message, sizeof(c->err.message), fmt, ap);
    va_end(ap);
    return -1;
}

int api_after_commit(api_ctx_t *c, void (*fn)(app_t *, const char *), const char *arg)
{
    if (strlen(arg) >= sizeof(c->after[0].arg)) {
        return api_fail(c, 500, "InternalError", "deferred action argument too long");
    }
    if (c->nafter == c->after_cap) {
        size_t cap = c->after_cap ? c->after_cap * 2 : 8;
        api_after_commit_t *after = realloc(c->after, cap * sizeof(*after));
        if (after == NULL) {
            return api_fail(c, 500, "InternalError", "out of memory");
        }
        c->after = after;
        c->after_cap = cap;
    }
    c->after[c->nafter].fn = fn;
    snprintf(c->after[c->nafter].arg, sizeof(c->after[0].arg), "%s", arg);
    c->nafter++;
    return 0;
}

void api_after_commit_run(api_ctx_t *c)
{
    for (size_t i = 0; i < c->nafter; i++) {
        c->after[i].fn(c->app, c->after[i].arg);
    }
    c->nafter = 0;
}

void api_ctx_release(api_ctx_t *c)
{
    free(c->after);
    c->after = NULL;
    c->nafter = c->after_cap = 0;
}

http_response_t *api_error_simple(odata_format_t fmt, int status, const char *code,
                                  const char *message)
{
    json_t *body = json_pack("{s:{s:s,s:{s:s,s:s}}}",
                             fmt == ODATA_VERBOSE ? "error" : "odata.error",
                             "code", code, "message", "lang", "en-US", "value", message);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    http_response_t *r;

    json_decref(body);
    if (text == NULL) {
        return NULL;
    }
    r = http_response_take(status, fmt == ODATA_VERBOSE
                                        ? "application/json;odata=verbose;charset=utf-8"
                                        : "application/json;odata=minimalmetadata;charset=utf-8",
                           text, strlen(text));
    if (r != NULL) {
        http_response_header(r, "DataServiceVersion", "3.0;");
    }
    return r;
}

http_response_t *api_error_response(const api_ctx_t *c)
{
    return api_error_simple(c->fmt, c->err.status ? c->err.status : 500,
                            c->err.code[0] ? c->err.code : "InternalError",
                            c->err.message[0] ? c->err.message : "internal error");
}
