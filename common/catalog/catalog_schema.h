/*
 * catalog_schema.h — the one definition of mediaplane's catalog: an LMDB
 * environment written only by mediaplaned (controlplane/) and read, lock-free,
 * by the origin (ngx_module/).  Every named database and key format is here.
 */
#ifndef CATALOG_SCHEMA_H
#define CATALOG_SCHEMA_H

/* Bumped when a record layout changes incompatibly; stored in DB "meta". */
#define CATALOG_SCHEMA_VERSION   1
#define CATALOG_MAX_DBS          48

/* meta: "schema" -> decimal CATALOG_SCHEMA_VERSION, "account" -> name. */
#define CATALOG_DB_META          "meta"

/*
 * One database per AMS entity set, named like the set ("Assets", "Files",
 * "Locators", ...).  Key: the entity id ("nb:cid:UUID:<guid>", GUID in
 * lower case).  Value: the entity as compact JSON text (jansson), with the
 * public properties of the AMS contract plus private members whose names
 * start with '_' (never rendered to clients).
 */

/*
 * links: navigation between entities.  Key: "<from id>\0<navigation>\0<to id>",
 * value: empty, or for ordered navigations a big-endian u32 position.
 * Used both for one-to-many children (Assets(x)/Files) and for $links
 * (Assets(x)/ContentKeys).
 */
#define CATALOG_DB_LINKS         "links"

/*
 * origin: what the origin needs to serve a streaming URL, keyed by the
 * locator GUID as it appears in the URL (36 chars, lower case).  Value: a
 * catalog_origin record (catalog_origin.h), rewritten by the daemon in the
 * same transaction as any change to the locator, its asset or the asset's
 * delivery policies.  The origin never parses JSON.
 */
#define CATALOG_DB_ORIGIN        "origin"

/*
 * okeys: content keys sealed for the origin (catalog_okey.h); ofiles: the
 * storage-encrypted files of published assets, "<asset folder>/<name>" ->
 * key id + InitializationVector (catalog_ofile.h).
 *
 * ofilters: manifest filters (Filters / AssetFilters) in the text form the
 * origin's format core reads, "<scope>/<name>" (catalog_ofilter.h).
 */

/*
 * endpoints: the StreamingEndpoints as the origin sees them, one
 * catalog_endpoint record (catalog_endpoint.h) per host name:
 *   "h:<host>"  (catalog_host_key: lower case, no port) for each endpoint's
 *               HostName and CustomHostNames;
 *   "*"         the default endpoint (requests whose Host matches no key).
 * Rewritten by the daemon in the same transaction as any change to an
 * endpoint; the origin reads one key (two for the default) per request.
 */
#define CATALOG_DB_ENDPOINTS     "endpoints"
#define CATALOG_EP_DEFAULT_KEY   "*"
#define CATALOG_HOST_KEY_MAX     (2 + 255)

/*
 * outbox: notification messages waiting for delivery to a NotificationEndPoint
 * (daemon only; the origin never opens it).  Key: "<endpoint id>\0" + a
 * big-endian u64 sequence number, so one endpoint's messages are contiguous
 * and in the order they were queued.  Value: JSON {"body": the rendered
 * message text, "attempts": n, "next_ms": unix ms of the next try}.  The
 * sequence counter is "outbox_seq" in meta (big-endian u64).
 */
#define CATALOG_DB_OUTBOX        "outbox"
#define CATALOG_META_OUTBOX_SEQ  "outbox_seq"

/* The LMDB environment is the directory <data_dir>/catalog. */
#define CATALOG_DIR_NAME         "catalog"

/* Asset containers are folders <media_root>/asset-<guid>. */
#define CATALOG_CONTAINER_PREFIX "asset-"

#define CATALOG_GUID_LEN         36

#endif
