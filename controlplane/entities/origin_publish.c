/*
 * origin_publish.c — keeps the catalog's origin database (catalog_origin.h)
 * in step with origin locators: one binary record per locator GUID holding
 * the asset folder, the validity window, the protocols allowed in the
 * clear and those served encrypted: AES-128 envelope (origin_envelope.c)
 * or common encryption (origin_common.c); the files of storage-encrypted
 * assets (origin_storage.c).  Written in the same transaction
 * as the API change, so the origin sees both or neither.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "entities/origin_keys.h"
#include "catalog/catalog_origin.h"
#include "catalog/catalog_schema.h"
#include "util/duration_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    api_ctx_t        *c;
    catalog_origin_t *o;
    char             *envelope_config;   /* the envelope policy's configuration */
    char             *cenc_config;       /* ... of DynamicCommonEncryption */
    char             *cbcs_config;       /* ... of DynamicCommonEncryptionCbcs */
} policy_walk_t;

#define POLICY_ENVELOPE 3            /* DynamicEnvelopeEncryption */
#define POLICY_CENC 4                /* DynamicCommonEncryption */
#define POLICY_CBCS 5                /* DynamicCommonEncryptionCbcs */
/* what the origin serves with common encryption: fMP4 over DASH and HLS,
 * and Smooth Streaming with 'cenc' (PIFF, a PlayReady ProtectionHeader) */
#define CBCS_PROTOCOLS (CATALOG_PROTO_DASH | CATALOG_PROTO_HLS)
#define CENC_PROTOCOLS (CBCS_PROTOCOLS | CATALOG_PROTO_SMOOTH)

static void keep_config(char **slot, const char *cfg)
{
    free(*slot);
    *slot = cfg ? strdup(cfg) : NULL;
}

/* One linked policy: NoDynamicEncryption (2) and None (0) serve its
 * protocols in the clear; Blocked (1) refuses them; DynamicEnvelopeEncryption
 * (3) serves HLS with AES-128; the common encryption types (4 'cenc', 5
 * 'cbcs') serve DASH and HLS as encrypted fMP4, 'cenc' Smooth too.
 * Protocols an encrypting policy names but the origin cannot encrypt so
 * (progressive download, Smooth with 'cbcs'; HLS TS is refused by the
 * packager) are blocked, never clear. */
static int apply_policy(const char *policy_id, void *arg)
{
    policy_walk_t *w = arg;
    json_t *p = NULL;
    uint32_t protocols;
    long long type;
    const char *cfg;

    if (catalog_get(&w->c->txn, "AssetDeliveryPolicies", policy_id, &p) != 0) {
        return 0;
    }
    protocols = (uint32_t) entity_int(p, "AssetDeliveryProtocol", 0);
    type = entity_int(p, "AssetDeliveryPolicyType", 1);
    cfg = entity_str(p, "AssetDeliveryConfiguration");
    if (type == 0 || type == 2) {
        w->o->protocols_clear |= protocols;
    } else if (type == POLICY_ENVELOPE) {
        w->o->protocols_envelope |= protocols & CATALOG_PROTO_HLS;
        w->o->protocols_blocked |= protocols & ~CATALOG_PROTO_HLS;
        keep_config(&w->envelope_config, cfg);
    } else if (type == POLICY_CENC || type == POLICY_CBCS) {
        uint32_t served = type == POLICY_CENC ? CENC_PROTOCOLS : CBCS_PROTOCOLS;
        *(type == POLICY_CENC ? &w->o->protocols_cenc : &w->o->protocols_cbcs) |= protocols & served;
        w->o->protocols_blocked |= protocols & ~served;
        keep_config(type == POLICY_CENC ? &w->cenc_config : &w->cbcs_config, cfg);
    } else {
        w->o->protocols_blocked |= protocols;
    }
    json_decref(p);
    return 0;
}

/* No policy: every protocol in the clear (AMS's rule).  With policies: only
 * what they allow; unlisted protocols are blocked; envelope-encrypted ones
 * get their key.  0, or -1 after api_fail(). */
static int delivery_protocols(api_ctx_t *c, const char *asset_id, catalog_origin_t *o)
{
    policy_walk_t w = { c, o, NULL, NULL, NULL };
    int rc = 0;

    o->protocols_clear = 0;
    o->protocols_blocked = 0;
    o->protocols_envelope = 0;
    o->protocols_cenc = 0;
    o->protocols_cbcs = 0;
    if (catalog_count_links(&c->txn, asset_id, "DeliveryPolicies") == 0) {
        o->protocols_clear = CATALOG_PROTO_ALL;
        return 0;
    }
    catalog_each_link(&c->txn, asset_id, "DeliveryPolicies", apply_policy, &w);
    o->protocols_envelope &= ~o->protocols_blocked;
    o->protocols_cenc &= ~(o->protocols_blocked | o->protocols_envelope);
    o->protocols_cbcs &= ~(o->protocols_blocked | o->protocols_envelope | o->protocols_cenc);
    o->protocols_clear &= ~(o->protocols_blocked | o->protocols_envelope | o->protocols_cenc
                            | o->protocols_cbcs);
    if (o->protocols_envelope != 0) {
        rc = origin_envelope(c, asset_id, w.envelope_config, o);
    }
    if (rc == 0 && (o->protocols_cenc | o->protocols_cbcs) != 0) {
        rc = origin_common(c, asset_id, w.cenc_config, w.cbcs_config, o);
    }
    free(w.envelope_config);
    free(w.cenc_config);
    free(w.cbcs_config);
    return rc;
}

typedef struct {
    const char       *asset_id;
    catalog_origin_t *o;
} live_probe_t;

/* A Running program archiving into the asset makes it live: the DVR window
 * is its ArchiveWindowLength, the availability start the time it became
 * Running (its LastModified then; a Running program cannot change its
 * window). */
static int probe_running_program(const char *id, json_t *rec, void *arg)
{
    live_probe_t *p = arg;
    double seconds = 0;

    (void) id;
    if (!entity_in_state(rec, "Running") || strcmp(entity_str(rec, "AssetId"), p->asset_id) != 0) {
        return 0;
    }
    p->o->flags |= CATALOG_ORIGIN_FLAG_LIVE;
    if (duration_parse(entity_str(rec, "ArchiveWindowLength"), &seconds) == 0 && seconds > 0) {
        p->o->live_window_ms = (int64_t) (seconds * 1000.0);
    }
    p->o->live_start_ms = entity_time(rec, "LastModified", 0);
    return 1;
}

static void origin_live(api_ctx_t *c, const char *asset_id, catalog_origin_t *o)
{
    live_probe_t p = { asset_id, o };
    catalog_each(&c->txn, "Programs", probe_running_program, &p);
}

int origin_publish_locator(api_ctx_t *c, const json_t *locator)
{
    const char *id = entity_str(locator, "Id"), *guid = entity_guid(id);
    const char *asset = entity_str(locator, "AssetId");
    static __thread catalog_origin_t o;            /* 6 KB of URLs: off the stack */
    static __thread uint8_t buf[CATALOG_ORIGIN_MAX_SIZE];
    size_t len;
    int rc;

    memset(&o, 0, sizeof(o));
    o.start_ms = entity_time(locator, "StartTime", 0);
    o.expiry_ms = entity_time(locator, "ExpirationDateTime", 0);
    if (asset_container_name(asset, o.asset_dir, sizeof(o.asset_dir)) != 0) {
        return api_fail(c, 500, "InternalError", "locator without a valid asset");
    }
    if (delivery_protocols(c, asset, &o) != 0
        || origin_storage(c, asset, o.asset_dir, &o.flags) != 0) {
        return -1;
    }
    origin_live(c, asset, &o);
    len = catalog_origin_encode(&o, buf, sizeof(buf));
    if (len == 0) {
        return api_fail(c, 500, "InternalError", "cannot encode the origin record");
    }
    rc = catalog_raw_put(&c->txn, CATALOG_DB_ORIGIN, guid, strlen(guid), buf, len);
    return rc == 0 ? 0 : api_fail(c, 500, "InternalError", "origin record: %s", mdb_strerror(rc));
}

int origin_unpublish_locator(api_ctx_t *c, const char *locator_id)
{
    const char *guid = entity_guid(locator_id);
    int rc = catalog_raw_del(&c->txn, CATALOG_DB_ORIGIN, guid, strlen(guid));

    return (rc == 0 || rc == MDB_NOTFOUND) ? 0
           : api_fail(c, 500, "InternalError", "origin record: %s", mdb_strerror(rc));
}

static int republish_one(const char *locator_id, void *arg)
{
    api_ctx_t *c = arg;
    json_t *loc = NULL;
    int rc = 0;

    if (catalog_get(&c->txn, "Locators", locator_id, &loc) != 0) {
        return 0;
    }
    if (entity_int(loc, "Type", 0) == LOCATOR_ORIGIN) {
        rc = origin_publish_locator(c, loc) != 0 ? 1 : 0;
    }
    json_decref(loc);
    return rc;
}

int origin_republish_asset(api_ctx_t *c, const char *asset_id)
{
    return catalog_each_link(&c->txn, asset_id, "Locators", republish_one, c) != 0 ? -1 : 0;
}
