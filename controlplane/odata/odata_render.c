/*
 * odata_render.c — OData v3 JSON response shapes (see odata_render.h).
 * Verbose output escapes '/' so dates read "\/Date(ms)\/" as WCF Data
 * Services clients expect.
 */
#include "odata/odata_render.h"
#include "util/text_codec.h"
#include "util/time_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

odata_format_t odata_format_choose(const http_request_t *req)
{
    const char *f = http_arg(req, "$format");
    const char *accept = http_header(req, "Accept");
    const char *s = f != NULL ? f : accept;

    if (s == NULL) {
        return ODATA_MINIMAL;
    }
    if (strstr(s, "odata=verbose") != NULL || strcasecmp(s, "verbose") == 0) {
        return ODATA_VERBOSE;
    }
    if (strstr(s, "odata=nometadata") != NULL || strcasecmp(s, "nometadata") == 0) {
        return ODATA_NOMETADATA;
    }
    return ODATA_MINIMAL;
}

const char *odata_content_type(odata_format_t fmt)
{
    switch (fmt) {
    case ODATA_VERBOSE:
        return "application/json;odata=verbose;charset=utf-8";
    case ODATA_NOMETADATA:
        return "application/json;odata=nometadata;streaming=true;charset=utf-8";
    default:
        return "application/json;odata=minimalmetadata;streaming=true;charset=utf-8";
    }
}

char *odata_entity_uri(const api_ctx_t *c, const char *set, const char *id)
{
    char enc[3 * 256 + 1];
    char *out;
    size_t n;

    if (url_encode(id, strlen(id), enc, sizeof(enc)) < 0) {
        enc[0] = '\0';
    }
    n = strlen(c->app->cfg.api_url) + strlen(set) + strlen(enc) + 5;
    out = malloc(n);
    if (out != NULL) {
        snprintf(out, n, "%s%s('%s')", c->app->cfg.api_url, set, enc);
    }
    return out;
}

static json_t *verbose_wrap_collection(const entity_prop_t *p, json_t *arr)
{
    char type[160];
    snprintf(type, sizeof(type), "Collection(%s)", p->type_name ? p->type_name : "Edm.String");
    return json_pack("{s:{s:s},s:o}", "__metadata", "type", type, "results", arr);
}

json_t *odata_render_value(const api_ctx_t *c, const entity_prop_t *p, const json_t *v)
{
    int64_t ms;
    char text[48];

    if (v == NULL || json_is_null(v)) {
        return json_null();
    }
    if (c->fmt == ODATA_VERBOSE) {
        if (p->type == EDM_DATETIME && time_parse(json_string_value(v), &ms) == 0) {
            snprintf(text, sizeof(text), "/Date(%lld)/", (long long) ms);
            return json_string(text);
        }
        if (p->type == EDM_COLLECTION) {
            return verbose_wrap_collection(p, json_deep_copy(v));
        }
        if (p->type == EDM_COMPLEX && json_is_object(v) && p->type_name != NULL) {
            json_t *o = json_deep_copy(v);
            json_object_set_new(o, "__metadata", json_pack("{s:s}", "type", p->type_name));
            return o;
        }
    }
    return json_deep_copy(v);
}

static void add_verbose_metadata(const api_ctx_t *c, const entity_set_t *set, json_t *out,
                                 const char *uri)
{
    json_object_set_new(out, "__metadata",
                        json_pack("{s:s,s:s,s:s}", "id", uri, "uri", uri, "type", set->type_name));
    for (const entity_nav_t *n = set->navs; n != NULL && n->name != NULL; n++) {
        char *nav_uri = malloc(strlen(uri) + strlen(n->name) + 2);
        if (nav_uri == NULL) {
            continue;
        }
        sprintf(nav_uri, "%s/%s", uri, n->name);
        json_object_set_new(out, n->name, json_pack("{s:{s:s}}", "__deferred", "uri", nav_uri));
        free(nav_uri);
    }
    (void) c;
}

json_t *odata_render_entity(const api_ctx_t *c, const entity_set_t *set, const json_t *rec,
                            const odata_select_t *select)
{
    json_t *out = json_object(), *result;
    const char *id = json_string_value(json_object_get(rec, "Id"));

    if (c->fmt == ODATA_VERBOSE && id != NULL) {
        char *uri = odata_entity_uri(c, set->name, id);
        if (uri != NULL) {
            add_verbose_metadata(c, set, out, uri);
            free(uri);
        }
    }
    for (const entity_prop_t *p = set->props; p->name != NULL; p++) {
        json_object_set_new(out, p->name, odata_render_value(c, p, json_object_get(rec, p->name)));
    }
    if (select == NULL) {
        return out;
    }
    result = odata_select_apply(select, out);
    if (c->fmt == ODATA_VERBOSE && json_object_get(out, "__metadata") != NULL) {
        json_object_set(result, "__metadata", json_object_get(out, "__metadata"));
    }
    json_decref(out);
    return result;
}

static http_response_t *respond(const api_ctx_t *c, int status, json_t *body)
{
    size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
    char *text;
    http_response_t *r;

    if (c->fmt == ODATA_VERBOSE) {
        flags |= JSON_ESCAPE_SLASH;
    }
    text = json_dumps(body, flags);
    json_decref(body);
    if (text == NULL) {
        return NULL;
    }
    r = http_response_take(status, odata_content_type(c->fmt), text, strlen(text));
    if (r != NULL) {
        http_response_header(r, "DataServiceVersion", c->fmt == ODATA_VERBOSE ? "1.0;" : "3.0;");
        http_response_header(r, "X-Content-Type-Options", "nosniff");
    }
    return r;
}

static char *metadata_url(const api_ctx_t *c, const char *fragment)
{
    size_t n = strlen(c->app->cfg.api_url) + strlen(fragment) + 12;
    char *s = malloc(n);
    if (s != NULL) {
        snprintf(s, n, "%s$metadata#%s", c->app->cfg.api_url, fragment);
    }
    return s;
}

http_response_t *odata_respond_json(const api_ctx_t *c, int status, json_t *body)
{
    return respond(c, status, body);
}

http_response_t *odata_respond_empty(const api_ctx_t *c, int status)
{
    http_response_t *r = http_response_new(status, NULL);
    (void) c;
    if (r != NULL) {
        http_response_header(r, "DataServiceVersion", "1.0;");
    }
    return r;
}

http_response_t *odata_respond_entity(const api_ctx_t *c, const entity_set_t *set,
                                      const json_t *rec, int status,
                                      const odata_select_t *select)
{
    json_t *e = odata_render_entity(c, set, rec, select), *body;
    char frag[128], *meta;

    switch (c->fmt) {
    case ODATA_VERBOSE:
        body = json_pack("{s:o}", "d", e);
        break;
    case ODATA_MINIMAL:
        snprintf(frag, sizeof(frag), "%s/@Element", set->name);
        meta = metadata_url(c, frag);
        body = json_object();
        json_object_set_new(body, "odata.metadata", json_string(meta ? meta : ""));
        json_object_update(body, e);
        json_decref(e);
        free(meta);
        break;
    default:
        body = e;
        break;
    }
    return respond(c, status, body);
}

http_response_t *odata_respond_collection(const api_ctx_t *c, const char *set_name,
                                          json_t *items, long count, const char *next)
{
    json_t *body = json_object();
    char num[32], *meta;

    snprintf(num, sizeof(num), "%ld", count);
    if (c->fmt == ODATA_VERBOSE) {
        json_t *d = json_object();
        json_object_set_new(d, "results", items);
        if (count >= 0) json_object_set_new(d, "__count", json_string(num));
        if (next != NULL) json_object_set_new(d, "__next", json_string(next));
        json_object_set_new(body, "d", d);
        return respond(c, 200, body);
    }
    if (c->fmt == ODATA_MINIMAL) {
        meta = metadata_url(c, set_name);
        json_object_set_new(body, "odata.metadata", json_string(meta ? meta : ""));
        free(meta);
        if (count >= 0) json_object_set_new(body, "odata.count", json_string(num));
    }
    json_object_set_new(body, "value", items);
    if (next != NULL) json_object_set_new(body, "odata.nextLink", json_string(next));
    return respond(c, 200, body);
}

http_response_t *odata_respond_property(const api_ctx_t *c, const entity_set_t *set,
                                        const entity_prop_t *p, const json_t *rec)
{
    json_t *v = odata_render_value(c, p, json_object_get(rec, p->name));
    json_t *body;
    char frag[160], *meta;

    if (c->fmt == ODATA_VERBOSE) {
        body = json_pack("{s:{s:o}}", "d", p->name, v);
    } else {
        body = json_object();
        if (c->fmt == ODATA_MINIMAL) {
            snprintf(frag, sizeof(frag), "%s/%s", set->name, p->name);
            meta = metadata_url(c, frag);
            json_object_set_new(body, "odata.metadata", json_string(meta ? meta : ""));
            free(meta);
        }
        json_object_set_new(body, "value", v);
    }
    return respond(c, 200, body);
}

http_response_t *odata_respond_links(const api_ctx_t *c, const char *target_set, json_t *ids)
{
    json_t *arr = json_array(), *id;
    size_t i;

    json_array_foreach(ids, i, id) {
        char *uri = odata_entity_uri(c, target_set, json_string_value(id));
        json_array_append_new(arr, json_pack("{s:s}", c->fmt == ODATA_VERBOSE ? "uri" : "url",
                                             uri ? uri : ""));
        free(uri);
    }
    json_decref(ids);
    if (c->fmt == ODATA_VERBOSE) {
        return respond(c, 200, json_pack("{s:{s:o}}", "d", "results", arr));
    }
    return respond(c, 200, json_pack("{s:o}", "value", arr));
}
