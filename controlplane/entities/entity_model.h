/*
 * entity_model.h — how an AMS entity set is described to the generic
 * machinery: its properties (EDM type, who may set them, limits, defaults),
 * its navigations (children found through a foreign key, many-to-many
 * $links, single references) and hooks for the rules that make each set
 * more than a table.  One descriptor per set in entities/entity_<set>.c;
 * the registry (entity_registry.c) lists them all.
 */
#ifndef ENTITY_MODEL_H
#define ENTITY_MODEL_H

#include "api/api_context.h"

#include <jansson.h>
#include <stdbool.h>

typedef enum {
    EDM_STRING,
    EDM_INT32,
    EDM_INT64,      /* stored as a JSON string, as OData v3 JSON carries Edm.Int64 */
    EDM_DOUBLE,
    EDM_BOOL,
    EDM_DATETIME,   /* stored as ISO-8601 UTC text (util/time_text.h) */
    EDM_COMPLEX,    /* JSON object */
    EDM_COLLECTION, /* JSON array */
} edm_type_t;

#define P_REQUIRED 0x01  /* must be given (non-null) when creating */
#define P_SERVER   0x02  /* computed by the server: client values are ignored */
#define P_ONCE     0x04  /* settable when creating only; changing it later is 400 */
#define P_NULLABLE 0x08  /* null is a valid value */

typedef struct {
    const char *name;
    edm_type_t  type;
    unsigned    flags;
    int         max_len;      /* strings: max characters (0: unlimited) */
    const char *dflt;         /* JSON text of the default (NULL: none/null) */
    const char *type_name;    /* complex/collection element type (for metadata) */
} entity_prop_t;

typedef enum {
    NAV_CHILDREN,   /* target records whose `fk` holds our id (maintained as links) */
    NAV_LINKS,      /* many-to-many, created/removed through $links */
    NAV_REFERENCE,  /* one target, whose id is our property `fk` */
} nav_kind_t;

typedef struct {
    const char *name;
    const char *target;       /* target entity set */
    nav_kind_t  kind;
    const char *fk;
    bool        linkable;     /* POST/DELETE $links allowed */
    const char *order;        /* the owner's private member listing the target ids in
                                 navigation order (NULL: key order), e.g. a job's
                                 outputs as JobOutputAsset(0..n) */
} entity_nav_t;

#define ES_READ_ONLY  0x01   /* GET only (MediaProcessors) */
#define ES_CLIENT_ID  0x02   /* the client may (or must, with ES_ID_REQUIRED) supply Id */
#define ES_ID_REQUIRED 0x04
#define ES_NO_UPDATE  0x08
#define ES_SERVER_MADE 0x10  /* clients may not POST or DELETE: the server makes and removes them */
#define ES_NAME_KEY   0x20   /* keyed by a name ([A-Za-z0-9._~:#$-]), not a GUID (StorageAccounts,
                               Filters, AssetFilters) */

typedef struct entity_set entity_set_t;

typedef struct {
    const char *name;          /* POST Set('id')/Name */
    int (*run)(api_ctx_t *c, const entity_set_t *set, json_t *rec, json_t *body,
               json_t **result);
} entity_action_t;

struct entity_set {
    const char          *name;       /* "Assets" */
    const char          *type_name;  /* "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Asset" */
    const char          *id_prefix;  /* "nb:cid:UUID:" */
    const char          *key_name;   /* the key property in $metadata (NULL: "Id") */
    unsigned             flags;
    const entity_prop_t *props;
    const entity_nav_t  *navs;       /* terminated by { NULL } */
    const entity_action_t *actions;  /* terminated by { NULL } (may be NULL) */
    /* Hooks (all optional), run inside the request's write transaction.
     * Return 0, or -1 after api_fail(). */
    int (*on_create)(api_ctx_t *c, json_t *rec, json_t *navs_in_body);
    int (*after_create)(api_ctx_t *c, json_t *rec, json_t *navs_in_body); /* rec is stored: save changes */
    int (*on_update)(api_ctx_t *c, json_t *rec, const json_t *old);
    int (*after_update)(api_ctx_t *c, json_t *rec, const json_t *old);
    int (*on_delete)(api_ctx_t *c, const json_t *rec);
    int (*on_link)(api_ctx_t *c, const char *nav, json_t *rec, json_t *target, bool add);
    /* Finishes a long-running operation (entity_operations.c) on the entity
     * target_id, in the transaction after the one that started it. */
    int (*complete_operation)(api_ctx_t *c, const char *target_id);
    /* The key of a new record made from its checked body (sets keyed by
     * name, e.g. Filters); NULL: a new GUID id (or the client's Id).  0, or
     * -1 after api_fail().  out: ENTITY_ID_MAX bytes. */
    int (*make_id)(api_ctx_t *c, const json_t *rec, char *out);
};

/* registry */
const entity_set_t *entity_set_find(const char *name);
const entity_set_t *entity_set_by_prefix(const char *id);
const entity_set_t *const *entity_sets_all(void);   /* NULL-terminated */
/* NULL-terminated list of set names (catalog databases to open). */
const char *const *entity_set_names(void);

const entity_prop_t *entity_prop_find(const entity_set_t *set, const char *name);
const entity_nav_t  *entity_nav_find(const entity_set_t *set, const char *name);

#endif
