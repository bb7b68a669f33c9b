/*
 * enc_fetch.h — a task's HTTP(S) inputs (AMS v3 JobInputHttp), downloaded
 * into the task directory by the encoder process itself before it confines
 * itself (enc_sandbox.h: after that it cannot reach the network, and
 * ffmpeg's protocol whitelist only reads files).  Bounded: http and https
 * only (redirects too, at most ENC_FETCH_MAX_REDIRECTS), a byte cap, a total
 * time cap, and no private, loopback, link-local or multicast address unless
 * allowed (checked on the address connected to, after DNS, on every hop).
 */
#ifndef ENC_FETCH_H
#define ENC_FETCH_H

#include <signal.h>
#include <stddef.h>

#define ENC_FETCH_MAX_REDIRECTS 5

typedef struct {
    long long max_bytes;            /* per file */
    long timeout_s;                 /* per file, connect included */
    int allow_private;
    volatile sig_atomic_t *cancel;  /* set by SIGTERM: abort */
} enc_fetch_limits_t;

/* Downloads url into dir/<its file name>; the local path into path.
 * 0, or -1 with an AMS error code ("DownloadNotAccessible",
 * "DownloadTransientError", "Canceled") in *code and a message in err. */
int enc_fetch(const char *url, const char *dir, const enc_fetch_limits_t *lim, char *path,
              size_t path_len, const char **code, char *err, size_t err_len);

/* Is the numeric address (IPv4 or IPv6 text) private, loopback,
 * link-local, multicast or unspecified?  Unreadable text counts as yes. */
int enc_fetch_address_private(const char *ip);

#endif
