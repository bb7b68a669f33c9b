/*
 * api_query.c — reading and validating query options (see api_query.h).
 * Unknown properties in $filter/$orderby/$select are a 400 naming them.
 */
#include "api/api_query.h"
#include "odata/odata_resource.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    api_ctx_t          *c;
    const entity_set_t *set;
} prop_check_t;

static int check_property(const char *name, void *arg)
{
    prop_check_t *pc = arg;
    char head[ODATA_NAME_MAX + 1];
    size_t n = strcspn(name, "/");

    if (n >= sizeof(head)) {
        return api_fail(pc->c, 400, "InvalidQuery", "property name too long");
    }
    memcpy(head, name, n);
    head[n] = '\0';
    if (entity_prop_find(pc->set, head) == NULL) {
        return api_fail(pc->c, 400, "InvalidQuery", "'%s' is not a property of %s", head,
                        pc->set->type_name);
    }
    return 0;
}

static int parse_count(api_ctx_t *c, const char *name, long *out)
{
    const char *v = http_arg(c->req, name);
    char *end;
    long n;

    *out = -1;
    if (v == NULL) {
        return 0;
    }
    errno = 0;
    n = strtol(v, &end, 10);
    if (end == v || *end != '\0' || n < 0 || errno == ERANGE) {
        return api_fail(c, 400, "InvalidQuery", "%s must be a non-negative integer", name);
    }
    *out = n;
    return 0;
}

int api_query_parse(api_ctx_t *c, const entity_set_t *set, api_query_t *out)
{
    const char *filter = http_arg(c->req, "$filter");
    const char *orderby = http_arg(c->req, "$orderby");
    const char *select = http_arg(c->req, "$select");
    const char *inl = http_arg(c->req, "$inlinecount");
    prop_check_t pc = { c, set };
    char err[256];

    memset(out, 0, sizeof(*out));
    if (parse_count(c, "$top", &out->q.top) != 0 || parse_count(c, "$skip", &out->q.skip) != 0) {
        return -1;
    }
    if (filter != NULL) {
        out->q.filter = odata_filter_parse(filter, err, sizeof(err));
        if (out->q.filter == NULL) {
            return api_fail(c, 400, "InvalidQuery", "$filter: %s", err);
        }
        if (odata_filter_foreach_property(out->q.filter, check_property, &pc) != 0) {
            return -1;
        }
    }
    if (orderby != NULL) {
        out->q.orderby = odata_orderby_parse(orderby, err, sizeof(err));
        if (out->q.orderby == NULL) {
            return api_fail(c, 400, "InvalidQuery", "$orderby: %s", err);
        }
        if (odata_orderby_foreach_property(out->q.orderby, check_property, &pc) != 0) {
            return -1;
        }
    }
    if (select != NULL) {
        out->select = odata_select_parse(select, err, sizeof(err));
        if (out->select == NULL) {
            return api_fail(c, 400, "InvalidQuery", "$select: %s", err);
        }
        if (odata_select_foreach_property(out->select, check_property, &pc) != 0) {
            return -1;
        }
    }
    if (inl != NULL) {
        if (strcmp(inl, "allpages") != 0 && strcmp(inl, "none") != 0) {
            return api_fail(c, 400, "InvalidQuery", "$inlinecount must be allpages or none");
        }
        out->inlinecount = strcmp(inl, "allpages") == 0;
    }
    return 0;
}

void api_query_free(api_query_t *q)
{
    odata_filter_free(q->q.filter);
    odata_orderby_free(q->q.orderby);
    odata_select_free(q->select);
}
