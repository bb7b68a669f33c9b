/*
 * arm_list_query.h — $filter, $orderby and $top on v3 lists, evaluated on
 * the v3 JSON of each resource ({name, properties:{…}}):
 *   $filter   up to ARM_QUERY_TERMS comparisons "<field> eq|ne|gt|ge|lt|le
 *             <literal>" joined by all "and" or all "or" (no parentheses);
 *             literals 'text' ('' for '), datetime'…', a bare ISO date-time,
 *             or Microsoft.Media.JobState'Processing'; time fields compare as
 *             instants, name case-insensitively, other fields as text
 *   $orderby  one field, "asc" (default) or "desc"
 *   $top      1..ARM_PAGE (one page, no nextLink past it)
 * Each list names its fields; anything else or unparsable is a 400.  A
 * filtered or ordered list holds at most ARM_QUERY_MATCHES matches.
 */
#ifndef ARM_LIST_QUERY_H
#define ARM_LIST_QUERY_H

#include "arm/arm_router.h"

#define ARM_QUERY_TERMS 8
#define ARM_QUERY_VALUE_MAX 256
#define ARM_QUERY_MATCHES 100000

typedef struct {
    int     field;                      /* index into the list's fields */
    int     op;                         /* ARM_OP_* */
    char    value[ARM_QUERY_VALUE_MAX];
    int64_t ms;                         /* time fields: the instant */
} arm_term_t;

typedef struct {
    const char *const *fields;          /* "name", "properties/created", … (NULL-terminated) */
    arm_term_t terms[ARM_QUERY_TERMS];
    int     nterms;
    bool    any;                        /* terms joined by "or" */
    const char *order;                  /* the $orderby field, NULL: none */
    bool    desc;
    long    top;                        /* 0: none */
} arm_query_t;

/* Reads $filter/$orderby/$top; filter_fields and order_fields list what the
 * collection takes.  An error answer, or NULL. */
http_response_t *arm_query_parse(arm_req_t *r, const char *const *filter_fields,
                                 const char *const *order_fields, arm_query_t *q);
/* True when the list needs the matching walk (a filter, an order or a top). */
bool arm_query_active(const arm_query_t *q);
bool arm_query_match(const arm_query_t *q, const json_t *resource);
/* Sorts matches (stolen) and answers the page ($skiptoken, $top). */
http_response_t *arm_query_answer(arm_req_t *r, const arm_query_t *q, json_t *matches);

#endif
