/*
 * fuzz_api_request.c — libFuzzer target for what mediaplaned parses from a
 * client before touching the catalog: the request path (first line: empty
 * segments collapsed, /api prefix) and the OData resource path in it,
 * and the rest as a JSON body applied to every entity set's descriptor
 * (type checks, limits, unknown properties, write-once rules), as an SWT
 * bearer token, as an API instant and as a form body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_path.h"
#include "auth/swt.h"
#include "entities/entity_model.h"
#include "entities/entity_service.h"
#include "odata/odata_resource.h"
#include "util/text_codec.h"
#include "util/time_text.h"
#include "fuzz_check.h"

static int ignore_field(const char *k, const char *v, void *arg)
{
    (void) k;
    (void) v;
    (void) arg;
    return 0;
}

static void apply_to_every_set(json_t *body)
{
    for (const entity_set_t *const *s = entity_sets_all(); *s != NULL; s++) {
        for (int creating = 0; creating < 2; creating++) {
            api_ctx_t c;
            json_t *rec = json_pack("{s:s,s:s,s:i}", "Name", "old", "ParentAssetId", "p",
                                    "Type", 1);
            json_t *navs = json_object();
            memset(&c, 0, sizeof(c));
            entity_apply_body(&c, *s, rec, body, creating, navs);
            /* client input must only ever give 4xx */
            FUZZ_CHECK(c.err.status == 0 || (c.err.status >= 400 && c.err.status <= 499));
            json_decref(rec);
            json_decref(navs);
        }
    }
}

/* A collapsed path has no "//", is no longer, and keeps the /api verdict
 * of a path that had none to collapse. */
static void check_path(const char *text)
{
    char *collapsed = api_path_collapse(text);

    if (collapsed != NULL) {
        FUZZ_CHECK(strstr(collapsed, "//") == NULL && strlen(collapsed) < strlen(text));
        if (api_path_is_api(collapsed)) {
            api_path_rest(collapsed);
        }
        free(collapsed);
    } else if (api_path_is_api(text)) {
        api_path_rest(text);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[32] = "fuzz-key-fuzz-key-fuzz-key-fuzz";
    char *text = malloc(size + 1), *nl;
    odata_resource_t path;
    swt_claims_t claims;
    char err[256];
    int64_t ms;
    json_t *body;

    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    nl = memchr(text, '\n', size);
    if (nl != NULL) {
        *nl = '\0';
    }
    odata_resource_parse(text, &path, err, sizeof(err));
    check_path(text);
    time_parse(text, &ms);
    if (nl != NULL) {
        const char *rest = nl + 1;
        size_t rest_len = size - (size_t) (rest - text);
        body = json_loadb(rest, rest_len, JSON_REJECT_DUPLICATES, NULL);
        if (body != NULL) {
            apply_to_every_set(body);
            json_decref(body);
        }
        swt_verify(key, sizeof(key), rest, 0, &claims);
        form_each(rest, strlen(rest), ignore_field, NULL);
    }
    free(text);
    return 0;
}
