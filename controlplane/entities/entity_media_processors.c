/*
 * entity_media_processors.c — MediaProcessors: read-only, seeded at start
 * with the processors mediaplane really runs (jobs/processor_config.c: Media
 * Encoder Standard and the legacy Azure Media Encoder names, with the ids AMS
 * gave them so existing clients that hard-code them keep working).
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "jobs/processor_config.h"

static const entity_prop_t mp_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Description", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Name", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Sku", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Vendor", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Version", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t mp_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

int media_processors_seed(api_ctx_t *c)
{
    for (const processor_info_t *p = processors_all(); p->id != NULL; p++) {
        json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "Id", p->id, "Name", p->name,
                                "Description", p->description, "Sku", "", "Vendor", "mediaplane",
                                "Version", p->version);
        int rc = catalog_put(&c->txn, "MediaProcessors", p->id, rec);
        json_decref(rec);
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

const entity_set_t entity_media_processors = {
    .name = "MediaProcessors",
    .type_name = AMS_TYPE("MediaProcessor"),
    .id_prefix = "nb:mpid:UUID:",
    .flags = ES_READ_ONLY,
    .props = mp_props,
    .navs = mp_navs,
};
