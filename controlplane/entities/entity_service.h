/*
 * entity_service.h — the generic operations on any entity set, inside the
 * request's catalog transaction: create/load/update/delete records from
 * OData bodies, keep child and $links navigations consistent in both
 * directions, and list with $filter/$orderby/$top/$skip.
 */
#ifndef ENTITY_SERVICE_H
#define ENTITY_SERVICE_H

#include "entities/entity_model.h"
#include "odata/odata_filter.h"
#include "odata/odata_orderby.h"

#define ENTITY_ID_MAX 256
#define ENTITY_PAGE_MAX 1000

/* "nb:cid:UUID:" + a new random GUID. */
void entity_new_id(const entity_set_t *set, char out[ENTITY_ID_MAX]);
/* Checks prefix + GUID, lower-cases the GUID; 0 or -1. */
int  entity_normalize_id(const entity_set_t *set, const char *in, char out[ENTITY_ID_MAX]);
/* The GUID part of an id (pointer into id), or NULL. */
const char *entity_guid(const char *id);

/* Loads a record; 404 (ResourceNotFound) if missing or if the id is malformed. */
int entity_load(api_ctx_t *c, const entity_set_t *set, const char *id, json_t **rec);

/* Applies a client body to rec: type checks, limits, unknown properties,
 * write-once rules.  Navigation members found in body are copied to navs. */
int entity_apply_body(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
                      bool creating, json_t *navs);

int entity_create(api_ctx_t *c, const entity_set_t *set, json_t *body, json_t **out);
/* Creates from a prepared record (server-side creation, e.g. job outputs):
 * fills id, defaults, Created/LastModified, runs hooks. */
int entity_insert(api_ctx_t *c, const entity_set_t *set, json_t *rec);
int entity_update(api_ctx_t *c, const entity_set_t *set, const char *id, json_t *body,
                  bool replace);
/* Writes rec back (LastModified = now) without client-body checks. */
int entity_save(api_ctx_t *c, const entity_set_t *set, json_t *rec);
int entity_delete(api_ctx_t *c, const entity_set_t *set, const char *id);

/* $links between two existing entities (both directions are recorded). */
int entity_link(api_ctx_t *c, const entity_set_t *set, const char *id, const entity_nav_t *nav,
                const char *target_id, bool add);

typedef struct {
    odata_filter_t  *filter;
    odata_orderby_t *orderby;
    long             top;        /* -1: none */
    long             skip;
} entity_query_t;

/* Lists a set, or the targets of a navigation of one record when nav != NULL.
 * Returns records (new array) and the total number matching the filter. */
int entity_list(api_ctx_t *c, const entity_set_t *set, const char *owner_id,
                const entity_nav_t *nav, const entity_query_t *q, json_t **records,
                size_t *total);

/* Ids of a navigation's targets (children or $links) of one record. */
json_t *entity_nav_ids(api_ctx_t *c, const char *owner_id, const entity_nav_t *nav);

const char *entity_str(const json_t *rec, const char *name);   /* NULL if not a string */
/* The State of a startable entity (StreamingEndpoints, Channels, Programs):
 * "Stopped" when it has none yet; entity_in_state compares it. */
const char *entity_state(const json_t *rec);
bool        entity_in_state(const json_t *rec, const char *state);
/* A startable entity from State `from` to `to`, saved; 400 naming `noun`
 * ("the channel") when it is not in `from`.  0 or -1. */
int         entity_move_state(api_ctx_t *c, const entity_set_t *set, json_t *rec,
                              const char *noun, const char *from, const char *to);
long long   entity_int(const json_t *rec, const char *name, long long dflt);
/* A DateTime property in unix ms, or dflt when absent/null/unparsable. */
int64_t     entity_time(const json_t *rec, const char *name, int64_t dflt);

#endif
