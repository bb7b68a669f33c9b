/*
 * arm_router.h — the v3 (ARM, Microsoft.Media) API over the same catalog
 * as v2: one request = one catalog transaction (read-only for GET), the
 * path and api-version checked, then the resource's handler.  Handlers see
 * an arm_req_t and answer with arm_json / arm_error bodies.
 */
#ifndef ARM_ROUTER_H
#define ARM_ROUTER_H

#include "api/api_context.h"
#include "arm/arm_path.h"

typedef struct {
    api_ctx_t   c;                      /* app, request, catalog transaction, v2 error */
    arm_path_t  path;
    char        account_id[ARM_ID_MAX]; /* id prefix of every resource */
    const char *method;
    json_t     *body;                   /* parsed JSON body or NULL */
} arm_req_t;

/* A resource collection: "assets", "transforms", … ("" = the account). */
typedef struct {
    const char *collection;
    bool        (*writes)(const arm_req_t *r);  /* NULL: only non-GET writes */
    http_response_t *(*handle)(arm_req_t *r);
} arm_resource_t;

http_response_t *arm_handle(app_t *app, http_request_t *req);

/* The ARM answer for the v2 error recorded in r->c.err (entity layer). */
http_response_t *arm_error_from_ctx(const arm_req_t *r);
/* "{account_id}/{collection}/{name}"; 0 or -1. */
int arm_resource_id(const arm_req_t *r, const char *collection, const char *name, char *out,
                    size_t cap);
/* {id,name,type,properties} (properties stolen). */
json_t *arm_resource(const arm_req_t *r, const char *collection, const char *type,
                     const char *name, json_t *properties);

/* Lists answer ARM_PAGE entries a page, then "@odata.nextLink" (the same URL with
 * $skiptoken=<offset>, fetched verbatim by the SDK).  A walk calls
 * arm_page_take for every match: true means "add it"; arm_page_full tells
 * it to stop scanning. */
#define ARM_PAGE 1000
#define ARM_SKIP_MAX 100000000L
typedef struct {
    long   skip, seen;
    bool   more;
    json_t *value;
} arm_page_t;
/* Reads $skiptoken; an error answer for a bad one, else NULL. */
http_response_t *arm_page_init(arm_req_t *r, arm_page_t *p);
bool arm_page_take(arm_page_t *p);
bool arm_page_full(const arm_page_t *p);
/* {"value":[…],"@odata.nextLink"?} (the name every AMS v3 collection used); takes p->value. */
http_response_t *arm_page_answer(arm_req_t *r, arm_page_t *p);

/* The handlers (arm_<collection>.c). */
http_response_t *arm_account_handle(arm_req_t *r);
http_response_t *arm_assets_handle(arm_req_t *r);
bool arm_assets_writes(const arm_req_t *r);
http_response_t *arm_transforms_handle(arm_req_t *r);
http_response_t *arm_jobs_handle(arm_req_t *r);     /* transforms/{t}/jobs… */
bool arm_jobs_writes(const arm_req_t *r);
http_response_t *arm_locators_handle(arm_req_t *r);
http_response_t *arm_policies_handle(arm_req_t *r);
http_response_t *arm_key_policies_handle(arm_req_t *r);
http_response_t *arm_endpoints_handle(arm_req_t *r);
bool arm_endpoints_writes(const arm_req_t *r);
http_response_t *arm_endpoint_operation_handle(arm_req_t *r);
http_response_t *arm_live_events_handle(arm_req_t *r);   /* arm_live_events.c */
bool arm_live_events_writes(const arm_req_t *r);
/* POST assets/{n}/listContainerSas (arm_container_sas.c). */
http_response_t *arm_container_sas(arm_req_t *r, const json_t *asset);
/* POST assets/{n}/listStreamingLocators (arm_locators.c). */
http_response_t *arm_asset_locators(arm_req_t *r, const json_t *asset);
/* accountFilters… and assets/{n}/assetFilters… (arm_filters.c). */
http_response_t *arm_account_filters_handle(arm_req_t *r);
http_response_t *arm_asset_filters(arm_req_t *r, const json_t *asset);

#endif
