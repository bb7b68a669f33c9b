/*
 * catalog_endpoint.c — encoding and decoding of the streaming endpoint
 * record and the IP allow-list matcher.
 *
 *   "MPE1" | u8 state | u8 name_len | u16 ip_count | i64 max_age |
 *   ip_count × (u8 family | u8 prefix | 16 bytes) | name |
 *   u32 cap_len | cap | u32 cdp_len | cdp        (len 0xFFFFFFFF: not set)
 */
#include "catalog_endpoint.h"
#include "catalog_bytes.h"

#include <arpa/inet.h>
#include <string.h>

#define EP_MAGIC     "MPE1"
#define EP_FIXED     (4 + 1 + 1 + 2 + 8)
#define EP_IP_SIZE   18
#define EP_ABSENT    0xFFFFFFFFu

static uint8_t *put_doc(uint8_t *p, const char *doc, size_t len)
{
    if (doc == NULL) {
        return catalog_put_u32(p, EP_ABSENT);
    }
    p = catalog_put_u32(p, (uint32_t) len);
    memcpy(p, doc, len);
    return p + len;
}

size_t catalog_endpoint_encode(const catalog_endpoint_t *e, uint8_t *buf, size_t cap)
{
    size_t name_len = strnlen(e->name, sizeof(e->name));
    size_t cap_len = e->client_access_policy ? e->client_access_policy_len : 0;
    size_t cdp_len = e->cross_domain_policy ? e->cross_domain_policy_len : 0;
    size_t need = EP_FIXED + (size_t) e->ip_count * EP_IP_SIZE + name_len + 8 + cap_len + cdp_len;
    uint8_t *p = buf;

    if (name_len > CATALOG_EP_NAME_MAX || e->ip_count > CATALOG_EP_MAX_IP
        || e->state >= CATALOG_EP_STATE_COUNT || cap_len > CATALOG_EP_POLICY_MAX
        || cdp_len > CATALOG_EP_POLICY_MAX || need > cap) {
        return 0;
    }
    memcpy(p, EP_MAGIC, 4);
    p[4] = e->state;
    p[5] = (uint8_t) name_len;
    p = catalog_put_u16(p + 6, e->ip_count);
    p = catalog_put_u64(p, (uint64_t) e->max_age);
    for (uint16_t i = 0; i < e->ip_count; i++) {
        *p++ = e->ip[i].family;
        *p++ = e->ip[i].prefix;
        memcpy(p, e->ip[i].addr, 16);
        p += 16;
    }
    memcpy(p, e->name, name_len);
    p += name_len;
    p = put_doc(p, e->client_access_policy, cap_len);
    p = put_doc(p, e->cross_domain_policy, cdp_len);
    return (size_t) (p - buf);
}

static int valid_range(const catalog_ip_range_t *r)
{
    return (r->family == 4 && r->prefix <= 32) || (r->family == 6 && r->prefix <= 128);
}

/* Reads one optional document; returns the bytes consumed or 0 if malformed. */
static size_t get_doc(const uint8_t *p, size_t left, const char **doc, size_t *len)
{
    uint32_t n;

    if (left < 4) {
        return 0;
    }
    n = catalog_get_u32(p);
    if (n == EP_ABSENT) {
        *doc = NULL;
        *len = 0;
        return 4;
    }
    if (n > CATALOG_EP_POLICY_MAX || n > left - 4) {
        return 0;
    }
    *doc = (const char *) p + 4;
    *len = n;
    return 4 + (size_t) n;
}

int catalog_endpoint_decode(const uint8_t *buf, size_t len, catalog_endpoint_t *e)
{
    size_t name_len, off, used;

    if (len < EP_FIXED || memcmp(buf, EP_MAGIC, 4) != 0) {
        return -1;
    }
    e->state = buf[4];
    name_len = buf[5];
    e->ip_count = catalog_get_u16(buf + 6);
    e->max_age = (int64_t) catalog_get_u64(buf + 8);
    if (e->state >= CATALOG_EP_STATE_COUNT || name_len > CATALOG_EP_NAME_MAX
        || e->ip_count > CATALOG_EP_MAX_IP || e->max_age < -1
        || len - EP_FIXED < (size_t) e->ip_count * EP_IP_SIZE + name_len) {
        return -1;
    }
    off = EP_FIXED;
    for (uint16_t i = 0; i < e->ip_count; i++, off += EP_IP_SIZE) {
        e->ip[i].family = buf[off];
        e->ip[i].prefix = buf[off + 1];
        memcpy(e->ip[i].addr, buf + off + 2, 16);
        if (!valid_range(&e->ip[i])) {
            return -1;
        }
    }
    memcpy(e->name, buf + off, name_len);
    e->name[name_len] = '\0';
    off += name_len;
    used = get_doc(buf + off, len - off, &e->client_access_policy, &e->client_access_policy_len);
    if (used == 0) {
        return -1;
    }
    off += used;
    used = get_doc(buf + off, len - off, &e->cross_domain_policy, &e->cross_domain_policy_len);
    if (used == 0 || off + used != len) {
        return -1;
    }
    return 0;
}

int catalog_endpoint_serving(const catalog_endpoint_t *e)
{
    return e->state == CATALOG_EP_RUNNING || e->state == CATALOG_EP_SCALING;
}

static int prefix_matches(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;

    if (memcmp(a, b, whole) != 0) {
        return 0;
    }
    if (rest == 0) {
        return 1;
    }
    uint8_t mask = (uint8_t) (0xFF << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };

int catalog_endpoint_ip_allowed(const catalog_endpoint_t *e, int family, const uint8_t *addr)
{
    if (e->ip_count == 0) {
        return 1;
    }
    if (family == 6 && memcmp(addr, v4_mapped, sizeof(v4_mapped)) == 0) {
        family = 4;
        addr += 12;
    }
    for (uint16_t i = 0; i < e->ip_count; i++) {
        if (e->ip[i].family == family && prefix_matches(e->ip[i].addr, addr, e->ip[i].prefix)) {
            return 1;
        }
    }
    return 0;
}

int catalog_ip_range_parse(const char *text, int prefix, catalog_ip_range_t *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, text, out->addr) == 1) {
        out->family = 4;
    } else if (inet_pton(AF_INET6, text, out->addr) == 1) {
        out->family = 6;
    } else {
        return -1;
    }
    if (prefix < 0) {
        prefix = out->family == 4 ? 32 : 128;
    }
    if (prefix > (out->family == 4 ? 32 : 128)) {
        return -1;
    }
    out->prefix = (uint8_t) prefix;
    return 0;
}

static int host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
           || c == '_' || c == ':' || c == '[' || c == ']';
}

static size_t host_without_port(const char *host, size_t len)
{
    if (len > 0 && host[0] == '[') {
        const char *close = memchr(host, ']', len);
        return close != NULL ? (size_t) (close - host) + 1 : len;
    }
    for (size_t i = 0; i < len; i++) {
        if (host[i] == ':') {
            return i;
        }
    }
    return len;
}

size_t catalog_host_key(const char *host, size_t len, char *out, size_t cap)
{
    size_t n = host_without_port(host, len);

    while (n > 0 && host[n - 1] == '.') {
        n--;                                  /* "example.com." is example.com */
    }
    if (n == 0 || n + 3 > cap || n + 2 > 2 + 255) {
        return 0;
    }
    out[0] = 'h';
    out[1] = ':';
    for (size_t i = 0; i < n; i++) {
        char c = host[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char) (c - 'A' + 'a');
        }
        if (!host_char(c)) {
            return 0;
        }
        out[2 + i] = c;
    }
    out[2 + n] = '\0';
    return 2 + n;
}
