/*
 * odata_csdl.h — the service's $metadata: a CSDL document (EDMX 1.0, OData
 * v3) generated from the entity-set descriptors and the list of service
 * functions and entity actions the router serves.  Nothing here is written by
 * hand per set: a set added to the registry appears in it by itself.
 */
#ifndef ODATA_CSDL_H
#define ODATA_CSDL_H

#include "entities/entity_model.h"

#include <stddef.h>

#define CSDL_NAMESPACE "Microsoft.Cloud.Media.Vod.Rest.Data.Models"
#define CSDL_CONTAINER "MediaContext"
#define CSDL_MAX_PARAMS 4

typedef struct {
    const char *name;
    const char *type;          /* EDM type name ("Edm.String") */
} csdl_param_t;

typedef struct {
    const char  *name;
    const char  *http_method;  /* "GET" or "POST" */
    const char  *return_type;  /* NULL: no result */
    const char  *binding_set;  /* entity actions: the set they are bound to */
    csdl_param_t params[CSDL_MAX_PARAMS];  /* terminated by a NULL name */
} csdl_function_t;

/* The EDM type name of a property ("Edm.Int32", "Collection(…)", …) into
 * out; its complex type, if any, is declared by odata_csdl_generate. */
void odata_csdl_prop_type(const entity_prop_t *p, const entity_set_t *set, char *out, size_t cap);

/* The whole document (malloc'ed, NUL-terminated) or NULL if out of memory.
 * sets: NULL-terminated; functions: nfunctions entries. */
char *odata_csdl_generate(const entity_set_t *const *sets, const csdl_function_t *functions,
                          size_t nfunctions, size_t *len);

#endif
