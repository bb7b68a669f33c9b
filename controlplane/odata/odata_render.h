/*
 * odata_render.h — turning stored records into OData v3 JSON responses in
 * the three formats AMS clients asked for: verbose ({"d":…}, __metadata,
 * __deferred navigations, "/Date(ms)/"), minimalmetadata (odata.metadata,
 * value) and nometadata.
 */
#ifndef ODATA_RENDER_H
#define ODATA_RENDER_H

#include "entities/entity_model.h"
#include "odata/odata_select.h"

/* Picks the format from $format or Accept (default: minimalmetadata). */
odata_format_t odata_format_choose(const http_request_t *req);
const char *odata_content_type(odata_format_t fmt);

/* "<api_url>Assets('nb%3Acid%3AUUID%3A…')" (malloc'ed). */
char *odata_entity_uri(const api_ctx_t *c, const char *set, const char *id);

/* A record as the client sees it (private '_' members dropped, dates and
 * complex values in the format's shape, metadata in verbose). */
json_t *odata_render_entity(const api_ctx_t *c, const entity_set_t *set, const json_t *rec,
                            const odata_select_t *select);

http_response_t *odata_respond_entity(const api_ctx_t *c, const entity_set_t *set,
                                      const json_t *rec, int status,
                                      const odata_select_t *select);
/* items: rendered entities (stolen).  count < 0: no $inlinecount.
 * next: URL of the next page or NULL. */
http_response_t *odata_respond_collection(const api_ctx_t *c, const char *set_name,
                                          json_t *items, long count, const char *next);
/* A single property: {"d":{"Name":v}} / {"odata.metadata":…,"value":v}. */
http_response_t *odata_respond_property(const api_ctx_t *c, const entity_set_t *set,
                                        const entity_prop_t *p, const json_t *rec);
/* $links: {"d":{"results":[{"uri":…}]}} / {"value":[{"url":…}]}. */
http_response_t *odata_respond_links(const api_ctx_t *c, const char *target_set, json_t *ids);
/* Any JSON value as a response in the chosen format (function results). */
http_response_t *odata_respond_json(const api_ctx_t *c, int status, json_t *body);
http_response_t *odata_respond_empty(const api_ctx_t *c, int status);

/* A value in its wire form for the format (dates, collections, complex). */
json_t *odata_render_value(const api_ctx_t *c, const entity_prop_t *p, const json_t *v);

#endif
