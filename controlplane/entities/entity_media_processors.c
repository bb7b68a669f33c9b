/*
 * entity_media_processors.c — MediaProcessors: read-only, seeded at start
 * with the processors mediaplane really runs (Media Encoder Standard, with
 * the id AMS gave it so existing clients that hard-code it keep working).
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

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

static const struct {
    const char *id, *name, *description, *version;
} processors[] = {
    { "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56", "Media Encoder Standard",
      "Media Encoder Standard (mediaplane: FFmpeg + x264)", "1.0" },
};

int media_processors_seed(api_ctx_t *c)
{
    for (size_t i = 0; i < sizeof(processors) / sizeof(processors[0]); i++) {
        json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "Id", processors[i].id,
                                "Name", processors[i].name, "Description",
                                processors[i].description, "Sku", "", "Vendor", "mediaplane",
                                "Version", processors[i].version);
        int rc = catalog_put(&c->txn, "MediaProcessors", processors[i].id, rec);
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
