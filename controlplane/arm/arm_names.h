/*
 * arm_names.h — v3 resource names over v2 records.  v3 addresses assets and
 * streaming locators by name; the catalog keys them by v2 id.  An asset's
 * v3 name is its v2 Name (unique among assets created through v3), or
 * "asset-<guid>" (its container) for a v2 asset without a Name; a
 * streaming locator's v3 name is its v2 Name, else its GUID.  Names match
 * case-insensitively, as ARM names do.
 */
#ifndef ARM_NAMES_H
#define ARM_NAMES_H

#include "arm/arm_router.h"

/* A valid v3 name: 1..ARM_NAME_MAX bytes of [A-Za-z0-9_.~-], not starting
 * with '.' (ARM's rule for Media Services resource names, widened). */
bool arm_name_ok(const char *name);

/* The v3 name of an asset record (into out). */
void arm_asset_name(const json_t *asset, char *out, size_t cap);
/* The asset record named name (new reference) or NULL. */
json_t *arm_asset_find(arm_req_t *r, const char *name);

/* The v3 name of a locator record (into out). */
void arm_locator_name(const json_t *locator, char *out, size_t cap);
/* The OnDemandOrigin locator named name (new reference) or NULL. */
json_t *arm_locator_find(arm_req_t *r, const char *name);

#endif
