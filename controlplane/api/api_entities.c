/*
 * api_entities.c — the OData surface of every entity set: list (with query
 * options, paging and counts), get, single properties and $value,
 * navigations, $links, create, PUT/MERGE/PATCH, delete and entity actions.
 * The rules of each set live in its descriptor's hooks, not here.
 */
#include "api/api_handlers.h"
#include "api/api_path.h"
#include "api/api_query.h"
#include "entities/entity_service.h"
#include "odata/odata_render.h"
#include "util/text_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

static json_t *parse_body(api_ctx_t *c)
{
    json_error_t jerr;
    json_t *body;

    if (c->req->body == NULL || c->req->body_len == 0) {
        api_fail(c, 400, "InvalidBody", "a JSON request body is required");
        return NULL;
    }
    body = json_loadb(c->req->body, c->req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (body == NULL) {
        api_fail(c, 400, "InvalidBody", "malformed JSON at line %d column %d: %s", jerr.line,
                 jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        api_fail(c, 400, "InvalidBody", "the request body must be a JSON object");
        return NULL;
    }
    return body;
}

typedef struct {
    char  *buf;
    size_t len, cap;
    long   skip;
} next_link_t;

static int append_arg(const char *k, const char *v, void *arg)
{
    next_link_t *n = arg;
    char ek[256], ev[2048];

    if (strcmp(k, "$skip") == 0) {
        return 0;
    }
    if (url_encode(k, strlen(k), ek, sizeof(ek)) < 0 || url_encode(v, strlen(v), ev, sizeof(ev)) < 0) {
        return 0;
    }
    n->len += (size_t) snprintf(n->buf + n->len, n->cap > n->len ? n->cap - n->len : 0, "%s=%s&",
                                ek, ev);
    return 0;
}

/* The URL of the next page, keeping the other query options. */
static char *next_page_url(api_ctx_t *c, long skip)
{
    next_link_t n = { NULL, 0, 8192, skip };
    const char *rest = api_path_rest(c->req->path);

    n.buf = malloc(n.cap);
    if (n.buf == NULL) {
        return NULL;
    }
    n.len = (size_t) snprintf(n.buf, n.cap, "%s%s?", c->app->cfg.api_url, rest);
    http_each_arg(c->req, append_arg, &n);
    if (n.len < n.cap) {
        snprintf(n.buf + n.len, n.cap - n.len, "$skip=%ld", skip);
    }
    return n.buf;
}

static http_response_t *respond_list(api_ctx_t *c, const entity_set_t *set, const char *owner,
                                     const entity_nav_t *nav, bool count_only)
{
    api_query_t q;
    json_t *records = NULL, *items, *rec;
    size_t total = 0, i;
    long skip;
    char *next = NULL;
    http_response_t *r = NULL;

    if (api_query_parse(c, set, &q) != 0
        || entity_list(c, set, owner, nav, &q.q, &records, &total) != 0) {
        api_query_free(&q);
        return NULL;
    }
    if (count_only) {
        char num[32];
        snprintf(num, sizeof(num), "%zu", total);
        r = http_response_text(200, "text/plain;charset=utf-8", num);
        goto done;
    }
    items = json_array();
    json_array_foreach(records, i, rec) {
        json_array_append_new(items, odata_render_entity(c, set, rec, q.select));
    }
    skip = q.q.skip > 0 ? q.q.skip : 0;
    if ((q.q.top < 0 || q.q.top > ENTITY_PAGE_MAX)
        && total > (size_t) skip + json_array_size(records)) {
        next = next_page_url(c, skip + (long) json_array_size(records));
    }
    r = odata_respond_collection(c, set->name, items, q.inlinecount ? (long) total : -1, next);
done:
    free(next);
    json_decref(records);
    api_query_free(&q);
    return r;
}

static const entity_set_t *find_set(api_ctx_t *c, const char *name)
{
    const entity_set_t *set = entity_set_find(name);

    if (set == NULL) {
        api_fail(c, 404, "ResourceNotFound", "Resource not found for the segment '%s'.", name);
    }
    return set;
}

/* ------------------------------------------------------------ GET */

static http_response_t *get_reference(api_ctx_t *c, const entity_nav_t *nav, const json_t *rec)
{
    const entity_set_t *target = find_set(c, nav->target);
    json_t *t = NULL;
    http_response_t *r = NULL;
    const char *id = entity_str(rec, nav->fk);

    if (target == NULL) {
        return NULL;
    }
    if (id == NULL) {
        api_fail(c, 404, "ResourceNotFound", "no %s", nav->name);
        return NULL;
    }
    if (entity_load(c, target, id, &t) == 0) {
        r = odata_respond_entity(c, target, t, 200, NULL);
    }
    json_decref(t);
    return r;
}

static http_response_t *get_value(const entity_prop_t *p, const json_t *rec)
{
    const json_t *v = json_object_get(rec, p->name);
    char *text;

    if (v == NULL || json_is_null(v)) {
        return http_response_new(204, NULL);
    }
    if (json_is_string(v)) {
        return http_response_text(200, "text/plain;charset=utf-8", json_string_value(v));
    }
    text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    return text ? http_response_take(200, "text/plain;charset=utf-8", text, strlen(text)) : NULL;
}

static http_response_t *get_member(api_ctx_t *c, const entity_set_t *set, const odata_resource_t *path,
                                   json_t *rec)
{
    const entity_nav_t *nav = entity_nav_find(set, path->member);
    const entity_prop_t *p = entity_prop_find(set, path->member);
    const char *id = entity_str(rec, "Id");

    if (path->links) {
        if (nav == NULL || nav->kind == NAV_REFERENCE) {
            api_fail(c, 400, "BadRequest", "'%s' is not a $links navigation of %s", path->member,
                     set->name);
            return NULL;
        }
        return odata_respond_links(c, nav->target, entity_nav_ids(c, id, nav));
    }
    if (p != NULL && !path->has_member_key) {
        return path->value ? get_value(p, rec) : odata_respond_property(c, set, p, rec);
    }
    if (nav == NULL) {
        api_fail(c, 404, "ResourceNotFound", "'%s' is not a property or navigation of %s",
                 path->member, set->name);
        return NULL;
    }
    if (nav->kind == NAV_REFERENCE) {
        return get_reference(c, nav, rec);
    }
    if (find_set(c, nav->target) == NULL) {
        return NULL;
    }
    return respond_list(c, entity_set_find(nav->target), id, nav, path->count);
}

static http_response_t *handle_get(api_ctx_t *c, const entity_set_t *set, const odata_resource_t *path)
{
    json_t *rec = NULL;
    http_response_t *r = NULL;
    api_query_t q;

    if (!path->has_key) {
        return respond_list(c, set, NULL, NULL, path->count);
    }
    if (entity_load(c, set, path->key, &rec) != 0) {
        return NULL;
    }
    if (path->member[0] != '\0') {
        r = get_member(c, set, path, rec);
    } else if (api_query_parse(c, set, &q) == 0) {
        r = odata_respond_entity(c, set, rec, 200, q.select);
        api_query_free(&q);
    } else {
        api_query_free(&q);
    }
    json_decref(rec);
    return r;
}

/* ------------------------------------------------------------ writes */

static http_response_t *created(api_ctx_t *c, const entity_set_t *set, json_t *rec)
{
    http_response_t *r;
    char *uri = odata_entity_uri(c, set->name, entity_str(rec, "Id"));

    if (http_header(c->req, "Prefer") != NULL
        && strstr(http_header(c->req, "Prefer"), "return-no-content") != NULL) {
        r = odata_respond_empty(c, c->operation_id[0] ? 202 : 204);
    } else {
        r = odata_respond_entity(c, set, rec, c->operation_id[0] ? 202 : 201, NULL);
    }
    if (r != NULL && uri != NULL) {
        http_response_header(r, "Location", uri);
    }
    free(uri);
    return r;
}

/* Resolves {"uri": ".../Set('id')"} (verbose) or {"url": …} to a set and id. */
static const entity_set_t *link_target(api_ctx_t *c, json_t *body, char *id, size_t cap)
{
    const char *uri = entity_str(body, "uri");
    const char *slash, *open;
    char set_name[ODATA_NAME_MAX], path_text[1024];
    odata_resource_t p;
    char err[128];

    if (uri == NULL) {
        uri = entity_str(body, "url");
    }
    if (uri == NULL || strlen(uri) >= sizeof(path_text)) {
        api_fail(c, 400, "InvalidBody", "a $links body needs {\"uri\": \"…/Set('id')\"}");
        return NULL;
    }
    snprintf(path_text, sizeof(path_text), "%s", uri);
    if (url_decode_inplace(path_text, 0) < 0 || (open = strchr(path_text, '(')) == NULL) {
        api_fail(c, 400, "InvalidBody", "cannot read an entity address from '%s'", uri);
        return NULL;
    }
    for (slash = open; slash > path_text && slash[-1] != '/'; slash--) {
    }
    if (odata_resource_parse(slash, &p, err, sizeof(err)) != 0 || !p.has_key
        || p.member[0] != '\0' || strlen(p.key) >= cap) {
        api_fail(c, 400, "InvalidBody", "cannot read an entity address from '%s'", uri);
        return NULL;
    }
    snprintf(set_name, sizeof(set_name), "%s", p.set);
    snprintf(id, cap, "%s", p.key);
    return find_set(c, set_name);
}

static http_response_t *change_link(api_ctx_t *c, const entity_set_t *set, const odata_resource_t *path,
                                    bool add)
{
    const entity_nav_t *nav = entity_nav_find(set, path->member);
    const entity_set_t *target_set;
    json_t *rec = NULL, *target = NULL, *body = NULL;
    char target_id[ENTITY_ID_MAX];
    http_response_t *r = NULL;

    if (nav == NULL || !nav->linkable) {
        api_fail(c, 400, "BadRequest", "'%s' of %s cannot be linked through $links",
                 path->member, set->name);
        return NULL;
    }
    if (add) {
        body = parse_body(c);
        target_set = body ? link_target(c, body, target_id, sizeof(target_id)) : NULL;
    } else {
        target_set = entity_set_find(nav->target);
        snprintf(target_id, sizeof(target_id), "%s", path->member_key);
        if (!path->has_member_key) {
            api_fail(c, 400, "BadRequest", "DELETE $links needs the target: %s('id')", nav->name);
            target_set = NULL;
        }
    }
    if (target_set != NULL && strcmp(target_set->name, nav->target) != 0) {
        api_fail(c, 400, "BadRequest", "%s links to %s, not %s", nav->name, nav->target,
                 target_set->name);
        target_set = NULL;
    }
    if (target_set != NULL && entity_load(c, set, path->key, &rec) == 0
        && entity_load(c, target_set, target_id, &target) == 0) {
        const char *tid = entity_str(target, "Id"), *id = entity_str(rec, "Id");
        bool linked = catalog_linked(&c->txn, id, nav->name, tid);
        if (add && linked) {
            api_fail(c, 409, "Conflict", "already linked");
        } else if (!add && !linked) {
            api_fail(c, 404, "ResourceNotFound", "no such link");
        } else if ((set->on_link == NULL || set->on_link(c, nav->name, rec, target, add) == 0)
                   && entity_link(c, set, id, nav, tid, add) == 0) {
            r = odata_respond_empty(c, 204);
        }
    }
    json_decref(body);
    json_decref(rec);
    json_decref(target);
    return r;
}

static http_response_t *run_action(api_ctx_t *c, const entity_set_t *set, const odata_resource_t *path)
{
    json_t *rec = NULL, *body = NULL, *result = NULL;
    http_response_t *r = NULL;

    for (const entity_action_t *a = set->actions; a != NULL && a->name != NULL; a++) {
        if (strcmp(a->name, path->member) != 0) {
            continue;
        }
        if (c->req->body_len > 0 && (body = parse_body(c)) == NULL) {
            return NULL;
        }
        if (entity_load(c, set, path->key, &rec) == 0
            && a->run(c, set, rec, body ? body : json_object(), &result) == 0) {
            r = result ? odata_respond_json(c, 200, result)
                       : odata_respond_empty(c, c->operation_id[0] ? 202 : 204);
            result = NULL;
        }
        json_decref(result);
        json_decref(rec);
        json_decref(body);
        return r;
    }
    api_fail(c, 404, "ResourceNotFound", "%s has no member or action '%s'", set->name,
             path->member);
    return NULL;
}

static http_response_t *handle_post(api_ctx_t *c, const entity_set_t *set, const odata_resource_t *path)
{
    json_t *body, *rec = NULL;
    http_response_t *r = NULL;

    if (path->has_key && path->links) {
        return change_link(c, set, path, true);
    }
    if (path->has_key && path->member[0] != '\0') {
        return run_action(c, set, path);
    }
    if (path->has_key) {
        api_fail(c, 405, "MethodNotAllowed", "POST creates entities: POST /api/%s", set->name);
        return NULL;
    }
    if (set->flags & ES_SERVER_MADE) {
        api_fail(c, 405, "MethodNotAllowed", "%s are made by the service, not created by clients",
                 set->name);
        return NULL;
    }
    body = parse_body(c);
    if (body != NULL && entity_create(c, set, body, &rec) == 0) {
        r = created(c, set, rec);
    }
    json_decref(rec);
    json_decref(body);
    return r;
}

static http_response_t *handle_update(api_ctx_t *c, const entity_set_t *set,
                                      const odata_resource_t *path, bool replace)
{
    json_t *body;
    http_response_t *r = NULL;

    if (!path->has_key || path->member[0] != '\0') {
        api_fail(c, 405, "MethodNotAllowed", "updates address one entity: %s('id')", set->name);
        return NULL;
    }
    body = parse_body(c);
    if (body != NULL && entity_update(c, set, path->key, body, replace) == 0) {
        r = odata_respond_empty(c, 204);
    }
    json_decref(body);
    return r;
}

static http_response_t *handle_delete(api_ctx_t *c, const entity_set_t *set,
                                      const odata_resource_t *path)
{
    if (path->has_key && path->links) {
        return change_link(c, set, path, false);
    }
    if (!path->has_key || path->member[0] != '\0') {
        api_fail(c, 405, "MethodNotAllowed", "DELETE addresses one entity: %s('id')", set->name);
        return NULL;
    }
    if (set->flags & ES_SERVER_MADE) {
        api_fail(c, 405, "MethodNotAllowed", "%s are removed by the service, not by clients",
                 set->name);
        return NULL;
    }
    if (entity_delete(c, set, path->key) != 0) {
        return NULL;
    }
    return odata_respond_empty(c, c->operation_id[0] ? 202 : 204);
}

http_response_t *api_entities_handle(api_ctx_t *c, const char *method, const odata_resource_t *path)
{
    const entity_set_t *set = find_set(c, path->set);

    if (set == NULL) {
        return NULL;
    }
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        return handle_get(c, set, path);
    }
    if (strcmp(method, "POST") == 0) {
        return handle_post(c, set, path);
    }
    if (strcmp(method, "MERGE") == 0 || strcmp(method, "PATCH") == 0) {
        return handle_update(c, set, path, false);
    }
    if (strcmp(method, "PUT") == 0) {
        return handle_update(c, set, path, true);
    }
    if (strcmp(method, "DELETE") == 0) {
        return handle_delete(c, set, path);
    }
    api_fail(c, 405, "MethodNotAllowed", "method %s is not supported", method);
    return NULL;
}
