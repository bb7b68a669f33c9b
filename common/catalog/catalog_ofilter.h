/*
 * catalog_ofilter.h — the manifest filters (AMS Filters and AssetFilters)
 * as the origin gets them: one record per filter in the catalog's
 * "ofilters" database, keyed like ofiles (catalog_ofile_key):
 *
 *   scope "*", then '/' and the name      an account filter (v2 Filters,
 *                                          v3 accountFilters)
 *   "asset-<guid>", then '/' and the name  a filter of that asset
 *                                          (AssetFilters, v3 assetFilters)
 *
 * The value is the filter's one-line text form that core/filter/mp_filter.h
 * reads (no JSON in the origin), written by mediaplaned in the same
 * transaction as the filter's entity.  A URL's filter=<name> takes the
 * asset's filter of that name, else the account's.
 */
#ifndef CATALOG_OFILTER_H
#define CATALOG_OFILTER_H

#define CATALOG_DB_ORIGIN_FILTERS  "ofilters"
#define CATALOG_OFILTER_ACCOUNT    "*"
#define CATALOG_OFILTER_MAX_SIZE   4096      /* = MP_FILTER_TEXT_MAX */
#define CATALOG_OFILTER_KEY_MAX    (128 + 1 + 64)

#endif
