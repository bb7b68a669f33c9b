/*
 * sas_token.h — shared access signatures for SAS locators, shaped like Azure
 * blob storage's container SAS ("sv=…&sr=c&si=<locator>&st=…&se=…&sp=rwdl&sig=…")
 * so storage clients append it to blob URLs unchanged.  The signature binds
 * the container, the locator, the times and the permissions to the daemon's
 * SAS key, and to the locator's instance: a random value the daemon stores
 * in the locator record at creation and never publishes, so a URL dies with
 * its locator even when a client re-creates a locator under the same Id.
 * The locator itself is checked in the catalog on every use.
 */
#ifndef SAS_TOKEN_H
#define SAS_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define SAS_QUERY_MAX 512

/* Permission flags of AccessPolicies: Read 1, Write 2, Delete 4, List 8. */
#define SAS_READ   1
#define SAS_WRITE  2
#define SAS_DELETE 4
#define SAS_LIST   8

/* A locator instance: 32 hex digits; "" for grants without one (locators
 * created before instances existed, ingest manifests). */
#define SAS_INSTANCE_LEN 32

typedef struct {
    char     locator_guid[37];
    char     container[64];
    int64_t  start_ms;
    int64_t  expiry_ms;
    unsigned permissions;
    char     instance[SAS_INSTANCE_LEN + 1];
} sas_grant_t;

/* A fresh random instance for a new locator; 0 or -1. */
int sas_new_instance(char out[SAS_INSTANCE_LEN + 1]);

/* The query string (no leading '?'); 0 or -1. */
int sas_build(const uint8_t key[32], const sas_grant_t *g, char out[SAS_QUERY_MAX]);

/* Verifies the arguments sv/sr/si/st/se/sp/sig against container and the
 * instance of the locator named by si (the caller looks it up); fills g.
 * lookup(name) returns a decoded query argument or NULL. */
typedef const char *(*sas_arg_fn)(void *ctx, const char *name);
int sas_verify(const uint8_t key[32], const char *container, const char *instance,
               sas_arg_fn arg, void *ctx, sas_grant_t *g, char *err, size_t errlen);

#endif
