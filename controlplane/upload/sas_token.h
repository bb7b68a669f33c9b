/*
 * sas_token.h — shared access signatures for SAS locators, shaped like Azure
 * blob storage's container SAS ("sv=…&sr=c&si=<locator>&st=…&se=…&sp=rwdl&sig=…")
 * so storage clients append it to blob URLs unchanged.  The signature binds
 * the container, the locator, the times and the permissions to the daemon's
 * SAS key; the locator itself is checked in the catalog on every use.
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

typedef struct {
    char     locator_guid[37];
    char     container[64];
    int64_t  start_ms;
    int64_t  expiry_ms;
    unsigned permissions;
} sas_grant_t;

/* The query string (no leading '?'); 0 or -1. */
int sas_build(const uint8_t key[32], const sas_grant_t *g, char out[SAS_QUERY_MAX]);

/* Verifies the arguments sv/sr/si/st/se/sp/sig against container; fills g.
 * lookup(name) returns a decoded query argument or NULL. */
typedef const char *(*sas_arg_fn)(void *ctx, const char *name);
int sas_verify(const uint8_t key[32], const char *container, sas_arg_fn arg, void *ctx,
               sas_grant_t *g, char *err, size_t errlen);

#endif
