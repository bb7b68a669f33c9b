/*
 * api_metadata.c — GET /api/$metadata: the CSDL of the service, built each
 * time from the entity-set registry, the service functions the router serves
 * (api_functions.c) and the sets' entity actions.  AMS's signatures of those
 * functions (parameter names and types, results) are listed here; a function
 * or action served without a listed signature still appears, without them.
 */
#include "api/api_handlers.h"
#include "odata/odata_csdl.h"

#include <stdlib.h>
#include <string.h>

/* Signatures as AMS v2 documented them; only those the router serves are used. */
static const csdl_function_t ams_signatures[] = {
    { "CreateFileInfos", "GET", NULL, NULL, { { "assetid", "Edm.String" } } },
    { "GetProtectionKeyId", "GET", "Edm.String", NULL, { { "contentKeyType", "Edm.Int32" } } },
    { "GetProtectionKey", "GET", "Edm.String", NULL, { { "ProtectionKeyId", "Edm.String" } } },
    { "CancelJob", "GET", NULL, NULL, { { "jobid", "Edm.String" } } },
    { "RebindContentKey", "GET", "Edm.String", NULL,
      { { "id", "Edm.String" }, { "x509Certificate", "Edm.String" } } },
    { "GetKeyDeliveryUrl", "POST", "Edm.String", "ContentKeys",
      { { "keyDeliveryType", "Edm.Int32" } } },
    { "Start", "POST", NULL, NULL, { { NULL, NULL } } },
    { "Stop", "POST", NULL, NULL, { { NULL, NULL } } },
    { "Scale", "POST", NULL, NULL, { { "scaleUnit", "Edm.Int32" } } },
    { "Reset", "POST", NULL, NULL, { { NULL, NULL } } },
};

static csdl_function_t describe(const char *name, const char *method, const char *bound_set)
{
    csdl_function_t f = { name, method, NULL, bound_set, { { NULL, NULL } } };

    for (size_t i = 0; i < sizeof(ams_signatures) / sizeof(ams_signatures[0]); i++) {
        if (strcmp(ams_signatures[i].name, name) == 0) {
            memcpy(f.params, ams_signatures[i].params, sizeof(f.params));
            f.return_type = ams_signatures[i].return_type;
        }
    }
    return f;
}

static size_t count_functions(void)
{
    size_t n = 0;

    for (const api_function_t *f = api_functions_all(); f->name != NULL; f++) {
        n++;
    }
    for (const entity_set_t *const *s = entity_sets_all(); *s != NULL; s++) {
        for (const entity_action_t *a = (*s)->actions; a != NULL && a->name != NULL; a++) {
            n++;
        }
    }
    return n;
}

http_response_t *api_metadata_document(api_ctx_t *c)
{
    size_t n = 0, len = 0;
    csdl_function_t *fns = calloc(count_functions() + 1, sizeof(*fns));
    char *xml;

    if (fns == NULL) {
        api_fail(c, 500, "InternalError", "out of memory");
        return NULL;
    }
    for (const api_function_t *f = api_functions_all(); f->name != NULL; f++) {
        fns[n++] = describe(f->name, f->method, NULL);
    }
    for (const entity_set_t *const *s = entity_sets_all(); *s != NULL; s++) {
        for (const entity_action_t *a = (*s)->actions; a != NULL && a->name != NULL; a++) {
            fns[n++] = describe(a->name, "POST", (*s)->name);
        }
    }
    xml = odata_csdl_generate(entity_sets_all(), fns, n, &len);
    free(fns);
    if (xml == NULL) {
        api_fail(c, 500, "InternalError", "cannot write the metadata document");
        return NULL;
    }
    http_response_t *r = http_response_take(200, "application/xml;charset=utf-8", xml, len);
    if (r != NULL) {
        http_response_header(r, "DataServiceVersion", "3.0;");
    }
    return r;
}
