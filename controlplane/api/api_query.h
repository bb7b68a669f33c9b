/*
 * api_query.h — the OData query options of a GET: $filter, $orderby, $top,
 * $skip, $select, $inlinecount, checked against the entity set's properties.
 */
#ifndef API_QUERY_H
#define API_QUERY_H

#include "entities/entity_service.h"
#include "odata/odata_select.h"

typedef struct {
    entity_query_t  q;
    odata_select_t *select;
    bool            inlinecount;
} api_query_t;

int  api_query_parse(api_ctx_t *c, const entity_set_t *set, api_query_t *out);
void api_query_free(api_query_t *q);

#endif
