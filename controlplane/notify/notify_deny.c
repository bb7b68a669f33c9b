/*
 * notify_deny.c — CIDR blocks of denied webhook addresses (notify_deny.h):
 * every address is compared in IPv6 form, IPv4 mapped to ::ffff:0:0/96.
 */
#include "notify/notify_deny.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A numeric address as 16 bytes; *v4 set for IPv4.  0 or -1. */
static int notify_addr(const char *text, uint8_t out[16], int *v4)
{
    struct in_addr a4;
    *v4 = inet_pton(AF_INET, text, &a4) == 1;
    if (*v4) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        return 0;
    }
    return inet_pton(AF_INET6, text, out) == 1 ? 0 : -1;
}

static int notify_parse_one(const char *tok, notify_cidr_t *c)
{
    char addr[64];
    const char *slash = strchr(tok, '/');
    size_t len = slash ? (size_t) (slash - tok) : strlen(tok);
    int v4;
    long bits;
    char *end = NULL;

    if (len == 0 || len >= sizeof(addr)) {
        return -1;
    }
    memcpy(addr, tok, len);
    addr[len] = '\0';
    if (notify_addr(addr, c->addr, &v4) != 0) {
        return -1;
    }
    bits = slash ? strtol(slash + 1, &end, 10) : (v4 ? 32 : 128);
    if ((slash && (end == slash + 1 || *end != '\0')) || bits < 0 || bits > (v4 ? 32 : 128)) {
        return -1;
    }
    c->bits = (unsigned) bits + (v4 ? 96 : 0);
    return 0;
}

int notify_deny_parse(const char *text, notify_deny_t *d)
{
    char buf[2048], *save = NULL;
    memset(d, 0, sizeof(*d));
    if (text == NULL || strlen(text) >= sizeof(buf)) {
        return text == NULL ? 0 : -1;
    }
    strcpy(buf, text);
    for (char *tok = strtok_r(buf, " \t,", &save); tok != NULL; tok = strtok_r(NULL, " \t,", &save)) {
        if (d->count == NOTIFY_DENY_MAX || notify_parse_one(tok, &d->cidr[d->count]) != 0) {
            return -1;
        }
        d->count++;
    }
    return 0;
}

static int notify_in_block(const notify_cidr_t *c, const uint8_t a[16])
{
    unsigned full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(a, c->addr, full) != 0) {
        return 0;
    }
    return rest == 0 || ((a[full] ^ c->addr[full]) & (uint8_t) (0xff << (8 - rest))) == 0;
}

int notify_deny_match(const notify_deny_t *d, const char *ip)
{
    uint8_t a[16];
    int v4;
    if (ip == NULL || notify_addr(ip, a, &v4) != 0) {
        return d->count > 0;          /* an address we cannot read: refuse when denying */
    }
    for (size_t i = 0; i < d->count; i++) {
        if (notify_in_block(&d->cidr[i], a)) {
            return 1;
        }
    }
    return 0;
}
