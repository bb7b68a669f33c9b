/*
 * arm_router.c — v3 (ARM) request handling (see arm_router.h): path and
 * api-version checks, the account name, the JSON body, the catalog
 * transaction around the resource handler (committed before answering).
 */
#include "arm/arm_router.h"
#include "arm/arm_error.h"
#include "arm/arm_lro.h"
#include "api/api_handlers.h"
#include "daemon/daemon_log.h"
#include "util/time_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const arm_resource_t resources[] = {
    { "", NULL, arm_account_handle },
    { "assets", arm_assets_writes, arm_assets_handle },
    { "transforms", arm_jobs_writes, arm_transforms_handle },
    { "streamingLocators", NULL, arm_locators_handle },
    { "streamingPolicies", NULL, arm_policies_handle },
    { "contentKeyPolicies", NULL, arm_key_policies_handle },
    { "streamingEndpoints", arm_endpoints_writes, arm_endpoints_handle },
    { "streamingEndpointOperations", NULL, arm_endpoint_operation_handle },
    { "accountFilters", NULL, arm_account_filters_handle },
    { "liveEvents", arm_live_events_writes, arm_live_events_handle },
    { "liveEventOperations", NULL, arm_lro_status_handle },
    { "liveOutputOperations", NULL, arm_lro_status_handle },
};

static const arm_resource_t *find_resource(const arm_path_t *p)
{
    const char *collection = p->nseg > 0 ? p->seg[0] : "";

    for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++) {
        if (strcasecmp(resources[i].collection, collection) == 0) {
            return &resources[i];
        }
    }
    return NULL;
}

http_response_t *arm_error_from_ctx(const arm_req_t *r)
{
    const api_error_t *e = &r->c.err;

    if (e->status == 0) {
        return arm_error(500, "InternalError", "internal error");
    }
    return arm_error(e->status, e->code[0] != '\0' ? e->code : "BadRequest", "%s", e->message);
}

int arm_resource_id(const arm_req_t *r, const char *collection, const char *name, char *out,
                    size_t cap)
{
    int n = snprintf(out, cap, "%s/%s/%s", r->account_id, collection, name);
    return n > 0 && (size_t) n < cap ? 0 : -1;
}

json_t *arm_resource(const arm_req_t *r, const char *collection, const char *type,
                     const char *name, json_t *properties)
{
    char id[ARM_ID_MAX + 2 * ARM_NAME_MAX];

    if (arm_resource_id(r, collection, name, id, sizeof(id)) != 0) {
        json_decref(properties);
        return NULL;
    }
    return json_pack("{s:s,s:s,s:s,s:o}", "id", id, "name", name, "type", type, "properties",
                     properties);
}

http_response_t *arm_page_init(arm_req_t *r, arm_page_t *p)
{
    const char *token = http_arg(r->c.req, "$skiptoken");
    char *end;

    memset(p, 0, sizeof(*p));
    p->value = json_array();
    if (token != NULL) {
        p->skip = strtol(token, &end, 10);
        if (*token == '\0' || *end != '\0' || p->skip < 0 || p->skip > ARM_SKIP_MAX) {
            json_decref(p->value);
            p->value = NULL;
            return arm_error(400, "InvalidParameter", "$skiptoken is the offset a nextLink gave");
        }
    }
    return NULL;
}

bool arm_page_take(arm_page_t *p)
{
    long i = p->seen++;

    if (i < p->skip) {
        return false;
    }
    if (i >= p->skip + ARM_PAGE) {
        p->more = true;
        return false;
    }
    return true;
}

bool arm_page_full(const arm_page_t *p)
{
    return p->more;
}

/* The request path percent-encoded for a URL (names may hold any byte). */
static void encode_path(const char *path, char *out, size_t cap)
{
    static const char keep[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/";
    size_t n = 0;

    for (; *path != '\0' && n + 4 < cap; path++) {
        if (strchr(keep, *path) != NULL) {
            out[n++] = *path;
        } else {
            n += (size_t) snprintf(out + n, cap - n, "%%%02X", (unsigned char) *path);
        }
    }
    out[n] = '\0';
}

/* "&name=<value percent-encoded>" when the request has the argument. */
static void append_arg(arm_req_t *r, const char *name, char *link, size_t cap)
{
    const char *v = http_arg(r->c.req, name);
    size_t n = strlen(link);

    if (v == NULL || n + strlen(name) + 2 >= cap) {
        return;
    }
    n += (size_t) snprintf(link + n, cap - n, "&%s=", name);
    for (; *v != '\0' && n + 4 < cap; v++) {
        n += (size_t) (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~", *v)
                       ? snprintf(link + n, cap - n, "%c", *v)
                       : snprintf(link + n, cap - n, "%%%02X", (unsigned char) *v));
    }
}

http_response_t *arm_page_answer(arm_req_t *r, arm_page_t *p)
{
    json_t *body = json_pack("{s:o}", "value", p->value);
    char path[3 * ARM_ID_MAX], link[sizeof(path) + CONFIG_URL_MAX + 3200];

    p->value = NULL;
    if (p->more) {
        encode_path(r->c.req->path, path, sizeof(path));
        snprintf(link, sizeof(link), "%s%s?api-version=%s&$skiptoken=%ld", r->c.app->cfg.arm_url,
                 path, http_arg(r->c.req, "api-version"), p->skip + ARM_PAGE);
        append_arg(r, "$filter", link, sizeof(link));     /* arm_list_query.h */
        append_arg(r, "$orderby", link, sizeof(link));
        json_object_set_new(body, "@odata.nextLink", json_string(link));
    }
    return arm_json(200, body);
}

static http_response_t *parse_body(arm_req_t *r)
{
    json_error_t jerr;

    if (r->c.req->body_overflow) {
        return arm_error(413, "RequestEntityTooLarge", "the request body is larger than %zu bytes",
                         r->c.app->cfg.max_body);
    }
    if (r->c.req->body == NULL || r->c.req->body_len == 0) {
        return NULL;
    }
    r->body = json_loadb(r->c.req->body, r->c.req->body_len, 0, &jerr);
    if (r->body == NULL || !json_is_object(r->body)) {
        return arm_error(400, "InvalidRequestContent", "the body is not a JSON object: %s",
                         r->body == NULL ? jerr.text : "another JSON value");
    }
    return NULL;
}

static http_response_t *check_request(arm_req_t *r, const arm_resource_t **res)
{
    char why[256];
    const char *bad;

    if (arm_path_parse(r->c.req->path, &r->path, why, sizeof(why)) != ARM_PATH_OK) {
        return arm_error(404, "InvalidResourceNamespace", "%s", why);
    }
    if (strcasecmp(r->path.account, r->c.app->cfg.account_name) != 0) {
        return arm_error(404, "ResourceNotFound", "the Media Services account '%s' was not "
                         "found (this installation serves '%s')", r->path.account,
                         r->c.app->cfg.account_name);
    }
    *res = find_resource(&r->path);
    if (*res == NULL) {
        return arm_error(404, "NotSupported", "'%s' resources are not served by this "
                         "installation (see README, Coming from AMS)", r->path.seg[0]);
    }
    bad = arm_api_version_check((*res)->collection, http_arg(r->c.req, "api-version"));
    if (bad != NULL) {
        return arm_error(400, http_arg(r->c.req, "api-version") == NULL
                                  ? "MissingApiVersionParameter" : "InvalidApiVersionParameter",
                         "%s", bad);
    }
    if (arm_account_id(&r->path, r->account_id, sizeof(r->account_id)) != 0) {
        return arm_error(400, "InvalidResourceName", "the path is too long");
    }
    return parse_body(r);
}

static http_response_t *run_in_txn(arm_req_t *r, const arm_resource_t *res)
{
    bool writes = res->writes != NULL ? res->writes(r)
                                      : strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;
    http_response_t *out;
    int rc = catalog_begin(r->c.app->store, writes, &r->c.txn);

    if (rc != 0) {
        return arm_error(503, "ServiceUnavailable", "catalog busy: %s", mdb_strerror(rc));
    }
    out = res->handle(r);
    if (out == NULL || out->status >= 400 || r->c.err.status != 0) {
        catalog_abort(&r->c.txn);
        if (out == NULL || r->c.err.status != 0) {
            http_response_free(out);
            out = arm_error_from_ctx(r);
        }
        return out;
    }
    if (!r->c.txn.write) {
        catalog_abort(&r->c.txn);
        return out;
    }
    if (api_commit(&r->c) != 0) {
        http_response_free(out);
        return arm_error_from_ctx(r);
    }
    return out;
}

http_response_t *arm_handle(app_t *app, http_request_t *req)
{
    arm_req_t r = { .c = { .app = app, .req = req, .now_ms = time_now_ms(),
                           .fmt = ODATA_MINIMAL },
                    .method = req->method };
    const arm_resource_t *res = NULL;
    http_response_t *out = check_request(&r, &res);

    if (out == NULL) {
        out = run_in_txn(&r, res);
        api_ctx_release(&r.c);
    }
    json_decref(r.body);
    return out;
}
