/*
 * notify_deny.h — the addresses webhooks may not reach (the daemon's
 * `webhook_deny`: space-separated CIDR blocks, IPv4 or IPv6, e.g.
 * "127.0.0.0/8 10.0.0.0/8 ::1/128").  AMS delivered to any address, so the
 * default list is empty; operators who let untrusted clients register
 * endpoints deny loopback and private ranges.  Checked against the address
 * libcurl actually connects to (after DNS), so a name that resolves to a
 * denied address is refused too.
 */
#ifndef NOTIFY_DENY_H
#define NOTIFY_DENY_H

#include <stddef.h>
#include <stdint.h>

#define NOTIFY_DENY_MAX 32

typedef struct {
    uint8_t addr[16];                 /* IPv4 as ::ffff:a.b.c.d */
    unsigned bits;                    /* prefix length over the 128-bit form */
} notify_cidr_t;

typedef struct {
    notify_cidr_t cidr[NOTIFY_DENY_MAX];
    size_t count;
} notify_deny_t;

/* Parse text into d; 0, or -1 (a bad block or more than NOTIFY_DENY_MAX). */
int notify_deny_parse(const char *text, notify_deny_t *d);

/* Is the numeric address ip (IPv4 or IPv6 text) in one of the blocks? */
int notify_deny_match(const notify_deny_t *d, const char *ip);

#endif
