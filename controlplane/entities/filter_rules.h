/*
 * filter_rules.h — the rules of a manifest filter (v2 Filters and
 * AssetFilters, v3 accountFilters and assetFilters: the same records), as
 * stored in v2 form: PresentationTimeRange {StartTimestamp, EndTimestamp,
 * PresentationWindowDuration, LiveBackoffDuration, Timescale} (Edm.Int64
 * as text), Tracks [{PropertyConditions: [{Property, Value, Operator}]}],
 * FirstQuality {Bitrate}.  Checked (400 naming the field), then written for
 * the origin as the text core/filter/mp_filter.h reads, under
 * "<scope>/<name>" in ofilters (common/catalog/catalog_ofilter.h).
 */
#ifndef FILTER_RULES_H
#define FILTER_RULES_H

#include "api/api_context.h"

#include <jansson.h>

#define FILTER_NAME_MAX          64    /* = MP_URL_FILTER_NAME_MAX */
#define FILTER_SELECTIONS_MAX    16    /* Tracks entries (= MP_FILTER_MAX_SELECTIONS) */
#define FILTER_CONDITIONS_MAX    8     /* PropertyConditions per entry */
#define FILTER_VALUE_MAX         64    /* characters of a condition's Value */
#define FILTER_ACCOUNT_MAX       64    /* account filters */
#define FILTER_ASSET_MAX         32    /* filters of one asset */
#define FILTER_WINDOW_MIN_S      120   /* PresentationWindowDuration, at least (AMS) */
#define FILTER_BACKOFF_MAX_S     300   /* LiveBackoffDuration, at most (AMS) */

/* A filter name: 1..FILTER_NAME_MAX of [A-Za-z0-9._~-]. */
bool filter_name_ok(const char *name);

/* Checks and normalizes PresentationTimeRange, Tracks and FirstQuality of
 * rec (v2 form); 0, or -1 after api_fail(400). */
int filter_rules_check(api_ctx_t *c, json_t *rec);

/* Writes (or, with rec NULL, removes) the origin's copy of a filter.
 * scope: CATALOG_OFILTER_ACCOUNT or "asset-<guid>".  0, or -1 after
 * api_fail(). */
int filter_publish(api_ctx_t *c, const char *scope, const char *name, const json_t *rec);

/* Int64 member of o (integer or decimal text) into *out; 0 when absent
 * or null, 1 when set, -1 when malformed or negative. */
int filter_int64(const json_t *o, const char *name, long long *out);

#endif
