/*
 * entity_reserved_units.c — EncodingReservedUnitTypes: one record per
 * account, keyed by AccountId (an Edm.Guid, addressed as
 * EncodingReservedUnitTypes(guid'…')), seeded at start.  ReservedUnitType
 * S1/S2/S3 = 0/1/2; CurrentReservedUnits is how many tasks the scheduler
 * runs at once (MERGE-able, 0..MaxReservableUnits; 0 pauses encoding).
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "util/text_codec.h"

#include <string.h>

#define MAX_RESERVABLE_UNITS 10

static const entity_prop_t ru_props[] = {
    { "AccountId", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "ReservedUnitType", EDM_INT32, 0, 0, "0", NULL },
    { "MaxReservableUnits", EDM_INT32, P_SERVER, 0, "10", NULL },
    { "CurrentReservedUnits", EDM_INT32, 0, 0, "1", NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t ru_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

static int ru_on_update(api_ctx_t *c, json_t *rec, const json_t *old)
{
    long long type = entity_int(rec, "ReservedUnitType", 0);
    long long units = entity_int(rec, "CurrentReservedUnits", 1);
    long long max = entity_int(old, "MaxReservableUnits", MAX_RESERVABLE_UNITS);

    if (type < 0 || type > 2) {
        return api_fail(c, 400, "InvalidValue", "ReservedUnitType must be S1 (0), S2 (1) or S3 (2)");
    }
    if (units < 0 || units > max) {
        return api_fail(c, 403, "QuotaExceeded", "CurrentReservedUnits must be 0..%lld", max);
    }
    return 0;
}

static int find_any(const char *id, json_t *rec, void *arg)
{
    (void) id;
    *(json_t **) arg = json_incref(rec);
    return 1;
}

static json_t *the_record(api_ctx_t *c)
{
    json_t *rec = NULL;
    catalog_each(&c->txn, "EncodingReservedUnitTypes", find_any, &rec);
    return rec;
}

int reserved_units_seed(api_ctx_t *c)
{
    json_t *rec = the_record(c);
    char guid[UUID_TEXT_LEN + 1];
    int rc;

    if (rec != NULL) {
        json_decref(rec);
        return 0;
    }
    if (uuid_v4_text(guid) != 0) {
        return -1;
    }
    rec = json_pack("{s:s,s:s,s:i,s:i,s:i}", "Id", guid, "AccountId", guid, "ReservedUnitType", 0,
                    "MaxReservableUnits", MAX_RESERVABLE_UNITS, "CurrentReservedUnits", 1);
    rc = catalog_put(&c->txn, "EncodingReservedUnitTypes", guid, rec);
    json_decref(rec);
    return rc == 0 ? 0 : -1;
}

int reserved_units_current(api_ctx_t *c)
{
    json_t *rec = the_record(c);
    long long units = rec != NULL ? entity_int(rec, "CurrentReservedUnits", 1) : 1;

    json_decref(rec);
    return units < 0 ? 0 : (int) units;
}

const entity_set_t entity_reserved_units = {
    .name = "EncodingReservedUnitTypes",
    .type_name = AMS_TYPE("EncodingReservedUnitType"),
    .id_prefix = "",
    .key_name = "AccountId",
    .flags = ES_SERVER_MADE,
    .props = ru_props,
    .navs = ru_navs,
    .on_update = ru_on_update,
};
