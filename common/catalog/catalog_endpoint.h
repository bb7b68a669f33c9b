/*
 * catalog_endpoint.h — the streaming endpoint record: what the origin needs
 * to know about the StreamingEndpoint a request reaches (its state, the IP
 * allow list, the Cache-Control max-age, the cross-site policy documents),
 * as a small binary layout (no JSON).  Encoded by mediaplaned, decoded by
 * the nginx module; also the IP allow-list matcher both sides use.
 */
#ifndef CATALOG_ENDPOINT_H
#define CATALOG_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

/* StreamingEndpoint states, as stored (the API renders them as strings). */
typedef enum {
    CATALOG_EP_STOPPED = 0,
    CATALOG_EP_STARTING,
    CATALOG_EP_RUNNING,
    CATALOG_EP_STOPPING,
    CATALOG_EP_DELETING,
    CATALOG_EP_SCALING,
    CATALOG_EP_STATE_COUNT
} catalog_ep_state_t;

#define CATALOG_EP_MAX_IP        64       /* IP allow-list entries */
#define CATALOG_EP_POLICY_MAX    (32 * 1024)  /* each cross-site policy document */
#define CATALOG_EP_NAME_MAX      24
#define CATALOG_EP_MAX_SIZE      (64 + CATALOG_EP_NAME_MAX + CATALOG_EP_MAX_IP * 18 \
                                  + 2 * CATALOG_EP_POLICY_MAX)

/* An allowed range: family 4 (addr[0..3]) or 6 (addr[0..15]), prefix bits. */
typedef struct {
    uint8_t family;
    uint8_t prefix;
    uint8_t addr[16];
} catalog_ip_range_t;

typedef struct {
    uint8_t  state;                   /* catalog_ep_state_t */
    int64_t  max_age;                 /* CacheControl.MaxAge seconds, -1: not set */
    char     name[CATALOG_EP_NAME_MAX + 1];
    uint16_t ip_count;                /* 0: everyone may stream */
    catalog_ip_range_t ip[CATALOG_EP_MAX_IP];
    /* Cross-site policy documents, pointers into the decoded buffer (NULL: not set). */
    const char *client_access_policy;
    size_t      client_access_policy_len;
    const char *cross_domain_policy;
    size_t      cross_domain_policy_len;
} catalog_endpoint_t;

/* Returns the encoded length, or 0 if cap is too small or a field too long. */
size_t catalog_endpoint_encode(const catalog_endpoint_t *e, uint8_t *buf, size_t cap);

/* Returns 0, or -1 on a malformed or foreign-version record.  The policy
 * pointers point into buf, which must outlive e. */
int catalog_endpoint_decode(const uint8_t *buf, size_t len, catalog_endpoint_t *e);

/* True if the endpoint serves streaming requests (Running or Scaling). */
int catalog_endpoint_serving(const catalog_endpoint_t *e);

/* True if a client at addr (family 4: 4 bytes, 6: 16 bytes; an IPv4-mapped
 * IPv6 address counts as IPv4) may stream: empty list, or a range holds it. */
int catalog_endpoint_ip_allowed(const catalog_endpoint_t *e, int family, const uint8_t *addr);

/* Parses "a.b.c.d" or an IPv6 text plus a prefix length (-1: the whole
 * address) into a range; 0 or -1 (bad address, prefix out of range). */
int catalog_ip_range_parse(const char *text, int prefix, catalog_ip_range_t *out);

/* The endpoints-database key of a host name ("h:" + lower case, without a
 * ":port" suffix; "[v6]" kept in brackets).  Returns its length, or 0 if the
 * host is empty, too long or has characters no host name has. */
size_t catalog_host_key(const char *host, size_t len, char *out, size_t cap);

#endif
