/*
 * odata_resource.h — the resource path of an API URL, after "/api/":
 *   Set | Set('key') | Set('key')/Nav | Set('key')/Prop[/$value] |
 *   Set('key')/$links/Nav[('key2')] | Set/$count | Function | $metadata
 * Keys may be quoted ('nb:cid:UUID:…', '' escapes a quote) or bare, and the
 * path arrives percent-decoded.
 */
#ifndef ODATA_RESOURCE_H
#define ODATA_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>

#define ODATA_NAME_MAX 64
#define ODATA_KEY_MAX  256

typedef struct {
    char set[ODATA_NAME_MAX];       /* entity set or function name */
    char key[ODATA_KEY_MAX];
    bool has_key;
    char member[ODATA_NAME_MAX];    /* navigation, property or action after the key */
    char member_key[ODATA_KEY_MAX]; /* $links/Nav('key2') or Nav('key2') */
    bool has_member_key;
    bool links;                     /* $links/ */
    bool value;                     /* /$value */
    bool count;                     /* /$count */
} odata_resource_t;

/* path: the part after "/api/" (may be empty: the service document).
 * Returns 0, or -1 with a message. */
int odata_resource_parse(const char *path, odata_resource_t *out, char *err, size_t errlen);

/* Parses a function argument value: 'text' (unquoting '') or a bare token. */
int odata_unquote(const char *in, char *out, size_t cap);

#endif
