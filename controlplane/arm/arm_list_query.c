/*
 * arm_list_query.c — $filter / $orderby / $top of v3 lists (see
 * arm_list_query.h).
 */
#include "arm/arm_error.h"
#include "arm/arm_list_query.h"
#include "util/time_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { ARM_OP_EQ, ARM_OP_NE, ARM_OP_GT, ARM_OP_GE, ARM_OP_LT, ARM_OP_LE };
static const char *const op_names[] = { "eq", "ne", "gt", "ge", "lt", "le", NULL };

static bool is_time_field(const char *f)
{
    return strcmp(f, "properties/created") == 0 || strcmp(f, "properties/lastModified") == 0;
}

static int find_word(const char *const *list, const char *w, size_t n)
{
    for (int i = 0; list != NULL && list[i] != NULL; i++) {
        if (strlen(list[i]) == n && strncasecmp(list[i], w, n) == 0) return i;
    }
    return -1;
}

static const char *skip_spaces(const char *s)
{
    while (*s == ' ') s++;
    return s;
}

/* The next space-free word at *s (length into *n). */
static const char *word(const char **s, size_t *n)
{
    const char *w = skip_spaces(*s);

    *n = strcspn(w, " ");
    *s = w + *n;
    return w;
}

/* A literal at *s into t->value: 'text', prefix'text' (datetime, an enum
 * type), or a bare word; -1 when malformed. */
static int literal(const char **s, arm_term_t *t)
{
    const char *p = skip_spaces(*s), *quote = strchr(p, '\'');
    size_t n = 0, prefix = strcspn(p, "' ");

    if (quote != NULL && (size_t) (quote - p) == prefix) {
        for (p = quote + 1; *p != '\0'; p++) {
            if (*p == '\'' && p[1] != '\'') break;
            if (*p == '\'') p++;
            if (n + 1 >= sizeof(t->value)) return -1;
            t->value[n++] = *p;
        }
        if (*p != '\'') return -1;
        p++;
    } else {
        n = strcspn(p, " ");
        if (n == 0 || n >= sizeof(t->value)) return -1;
        memcpy(t->value, p, n);
        p += n;
    }
    t->value[n] = '\0';
    *s = p;
    return 0;
}

static http_response_t *term(const char **s, const char *const *fields, arm_term_t *t)
{
    size_t n;
    const char *f = word(s, &n), *op;

    if ((t->field = find_word(fields, f, n)) < 0) {
        return arm_error(400, "InvalidParameter", "$filter: '%.*s' cannot be filtered on here",
                         (int) (n < 64 ? n : 64), f);
    }
    op = word(s, &n);
    if ((t->op = find_word(op_names, op, n)) < 0) {
        return arm_error(400, "InvalidParameter", "$filter: expected eq, ne, gt, ge, lt or le "
                         "after %s", fields[t->field]);
    }
    if (literal(s, t) != 0) {
        return arm_error(400, "InvalidParameter", "$filter: expected a value after %s %s (at "
                         "most %d bytes)", fields[t->field], op_names[t->op], ARM_QUERY_VALUE_MAX - 1);
    }
    if (is_time_field(fields[t->field]) && time_parse(t->value, &t->ms) != 0) {
        return arm_error(400, "InvalidParameter", "$filter: %s takes a date-time: %s",
                         fields[t->field], TIME_PARSE_FORMS);
    }
    return NULL;
}

static http_response_t *parse_filter(const char *text, arm_query_t *q)
{
    const char *s = text;
    http_response_t *err;
    size_t n;

    if (strlen(text) > 4 * ARM_QUERY_VALUE_MAX) {
        return arm_error(400, "InvalidParameter", "$filter is at most %d bytes",
                         4 * ARM_QUERY_VALUE_MAX);
    }
    for (;;) {
        const char *join;
        if (q->nterms == ARM_QUERY_TERMS) {
            return arm_error(400, "InvalidParameter", "$filter takes at most %d comparisons",
                             ARM_QUERY_TERMS);
        }
        if ((err = term(&s, q->fields, &q->terms[q->nterms++])) != NULL) {
            return err;
        }
        join = word(&s, &n);
        if (n == 0) return NULL;
        if ((n == 2 && strncasecmp(join, "or", 2) == 0 && (q->nterms == 1 || q->any))
            || (n == 3 && strncasecmp(join, "and", 3) == 0 && !q->any)) {
            q->any = n == 2;
            continue;
        }
        return arm_error(400, "InvalidParameter", "$filter: expected 'and' or 'or' (not mixed, "
                         "no parentheses) instead of '%.*s'", (int) (n < 32 ? n : 32), join);
    }
}

static http_response_t *parse_order(const char *text, const char *const *fields, arm_query_t *q)
{
    const char *s = text, *f, *dir;
    size_t n, dn;
    int i;

    f = word(&s, &n);
    i = find_word(fields, f, n);
    dir = word(&s, &dn);
    if (i < 0 || *skip_spaces(s) != '\0'
        || (dn > 0 && !(dn == 3 && strncasecmp(dir, "asc", 3) == 0)
            && !(dn == 4 && strncasecmp(dir, "desc", 4) == 0))) {
        return arm_error(400, "InvalidParameter", "$orderby takes one of the fields this list "
                         "orders by, then asc or desc");
    }
    q->order = fields[i];
    q->desc = dn == 4;
    return NULL;
}

http_response_t *arm_query_parse(arm_req_t *r, const char *const *filter_fields,
                                 const char *const *order_fields, arm_query_t *q)
{
    const char *filter = http_arg(r->c.req, "$filter"), *order = http_arg(r->c.req, "$orderby");
    const char *top = http_arg(r->c.req, "$top");
    http_response_t *err;
    char *end;

    memset(q, 0, sizeof(*q));
    q->fields = filter_fields;
    if (filter != NULL && (err = parse_filter(filter, q)) != NULL) return err;
    if (order != NULL && (err = parse_order(order, order_fields, q)) != NULL) return err;
    if (top != NULL) {
        q->top = strtol(top, &end, 10);
        if (*top == '\0' || *end != '\0' || q->top < 1 || q->top > ARM_PAGE) {
            return arm_error(400, "InvalidParameter", "$top is an integer from 1 to %d", ARM_PAGE);
        }
    }
    return NULL;
}

bool arm_query_active(const arm_query_t *q)
{
    return q->nterms > 0 || q->order != NULL || q->top > 0;
}

/* The field's value in a v3 resource ("name", "properties/x"), or NULL. */
static const char *field_value(const json_t *res, const char *field)
{
    if (strncmp(field, "properties/", 11) == 0) {
        return json_string_value(json_object_get(json_object_get(res, "properties"), field + 11));
    }
    return json_string_value(json_object_get(res, field));
}

/* <0, 0, >0 comparing a resource's field with a term's value (or another resource's). */
static int compare(const char *field, const char *a, const char *b, int64_t b_ms, bool b_parsed)
{
    int64_t am = 0, bm = b_ms;

    if (is_time_field(field) && time_parse(a, &am) == 0
        && (b_parsed || time_parse(b, &bm) == 0)) {
        return (am > bm) - (am < bm);
    }
    return strcmp(field, "name") == 0 ? strcasecmp(a, b) : strcmp(a, b);
}

/* Microsoft.Media.JobState'Processing' was read as its quoted part. */
static bool term_holds(const arm_term_t *t, const char *field, const json_t *res)
{
    const char *v = field_value(res, field);
    int c;

    if (v == NULL) {
        return t->op == ARM_OP_NE;
    }
    c = compare(field, v, t->value, t->ms, is_time_field(field));
    switch (t->op) {
    case ARM_OP_EQ: return c == 0;
    case ARM_OP_NE: return c != 0;
    case ARM_OP_GT: return c > 0;
    case ARM_OP_GE: return c >= 0;
    case ARM_OP_LT: return c < 0;
    default:        return c <= 0;
    }
}

bool arm_query_match(const arm_query_t *q, const json_t *resource)
{
    for (int i = 0; i < q->nterms; i++) {
        bool holds = term_holds(&q->terms[i], q->fields[q->terms[i].field], resource);
        if (holds == q->any) {
            return holds;
        }
    }
    return !q->any || q->nterms == 0;
}

static const arm_query_t *sort_query;      /* qsort has no context argument */

static int by_order(const void *pa, const void *pb)
{
    const json_t *a = *(const json_t *const *) pa, *b = *(const json_t *const *) pb;
    const char *va = field_value(a, sort_query->order), *vb = field_value(b, sort_query->order);
    int c = va == NULL || vb == NULL ? (va != NULL) - (vb != NULL)
                                     : compare(sort_query->order, va, vb, 0, false);

    return sort_query->desc ? -c : c;
}

http_response_t *arm_query_answer(arm_req_t *r, const arm_query_t *q, json_t *matches)
{
    size_t n = json_array_size(matches), i, taken = 0;
    json_t **items = calloc(n + 1, sizeof(*items));
    arm_page_t page;
    http_response_t *bad = items != NULL ? arm_page_init(r, &page) : NULL;

    if (items == NULL || bad != NULL) {
        free(items);
        json_decref(matches);
        return bad != NULL ? bad : arm_error(500, "InternalError", "out of memory");
    }
    for (i = 0; i < n; i++) items[i] = json_array_get(matches, i);
    if (q->order != NULL) {
        sort_query = q;
        qsort(items, n, sizeof(*items), by_order);
    }
    for (i = 0; i < n && !arm_page_full(&page) && (q->top == 0 || taken < (size_t) q->top); i++) {
        if (arm_page_take(&page)) {
            json_array_append(page.value, items[i]);
            taken++;
        }
    }
    if (q->top > 0) page.more = false;
    free(items);
    json_decref(matches);
    return arm_page_answer(r, &page);
}
