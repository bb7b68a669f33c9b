/*
 * enc_fetch.c — downloading one HTTP(S) input with libcurl (see
 * enc_fetch.h).  The body streams to a 0600 file; the byte cap is checked
 * on the declared length (CURLOPT_MAXFILESIZE_LARGE) and on every write,
 * so a server that lies about it is cut off at the cap.
 */
#include "enc_fetch.h"
#include "enc_events.h"
#include "enc_names.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const enc_fetch_limits_t *lim;
    int fd;
    long long written;
    int too_big, denied, write_failed;
    char denied_ip[64];
} fetch_t;

static int v4_private(const uint8_t a[4])
{
    return a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224
           || (a[0] == 100 && (a[1] & 0xc0) == 64) || (a[0] == 169 && a[1] == 254)
           || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168)
           || (a[0] == 192 && a[1] == 0 && a[2] == 0) || (a[0] == 198 && (a[1] & 0xfe) == 18);
}

static int v6_private(const uint8_t a[16])
{
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t zero[15] = { 0 };

    if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0) {
        return v4_private(a + 12);
    }
    return memcmp(a, zero, 15) == 0                 /* :: and ::1 */
           || (a[0] & 0xfe) == 0xfc                 /* fc00::/7 unique local */
           || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)   /* fe80::/10 link-local */
           || a[0] == 0xff;                         /* multicast */
}

int enc_fetch_address_private(const char *ip)
{
    uint8_t a[16];

    if (inet_pton(AF_INET, ip, a) == 1) {
        return v4_private(a);
    }
    if (inet_pton(AF_INET6, ip, a) == 1) {
        return v6_private(a);
    }
    return 1;
}

static int check_peer(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
    fetch_t *f = arg;

    (void) local_ip;
    (void) primary_port;
    (void) local_port;
    if (!f->lim->allow_private && enc_fetch_address_private(primary_ip)) {
        f->denied = 1;
        snprintf(f->denied_ip, sizeof(f->denied_ip), "%s", primary_ip);
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

static size_t write_body(char *data, size_t size, size_t n, void *arg)
{
    fetch_t *f = arg;
    size_t len = size * n, done = 0;

    if (f->written + (long long) len > f->lim->max_bytes) {
        f->too_big = 1;
        return 0;
    }
    while (done < len) {
        ssize_t w = write(f->fd, data + done, len - done);
        if (w <= 0) {
            f->write_failed = 1;
            return 0;
        }
        done += (size_t) w;
    }
    f->written += (long long) len;
    return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    fetch_t *f = arg;

    (void) dltotal;
    (void) dlnow;
    (void) ultotal;
    (void) ulnow;
    enc_event_progress(0, 0);         /* the daemon sees the task alive */
    return f->lim->cancel != NULL && *f->lim->cancel ? 1 : 0;
}

static int set_options(CURL *h, const char *url, fetch_t *f)
{
    CURLcode rc = CURLE_OK;

#define OPT(o, v) if (rc == CURLE_OK) rc = curl_easy_setopt(h, o, v)
    OPT(CURLOPT_URL, url);
    OPT(CURLOPT_PROTOCOLS_STR, "http,https");
    OPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    OPT(CURLOPT_FOLLOWLOCATION, 1L);
    OPT(CURLOPT_MAXREDIRS, (long) ENC_FETCH_MAX_REDIRECTS);
    OPT(CURLOPT_TIMEOUT, f->lim->timeout_s);
    OPT(CURLOPT_CONNECTTIMEOUT, f->lim->timeout_s < 30 ? f->lim->timeout_s : 30L);
    OPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) f->lim->max_bytes);
    OPT(CURLOPT_FAILONERROR, 1L);
    OPT(CURLOPT_NOSIGNAL, 1L);
    OPT(CURLOPT_USERAGENT, "mediaplane-encoder/1.0");
    OPT(CURLOPT_WRITEFUNCTION, write_body);
    OPT(CURLOPT_WRITEDATA, (void *) f);
    OPT(CURLOPT_NOPROGRESS, 0L);
    OPT(CURLOPT_XFERINFOFUNCTION, on_progress);
    OPT(CURLOPT_XFERINFODATA, (void *) f);
    OPT(CURLOPT_PREREQFUNCTION, check_peer);
    OPT(CURLOPT_PREREQDATA, (void *) f);
#undef OPT
    return rc == CURLE_OK ? 0 : -1;
}

/* The file name a URL's path ends with (query and fragment dropped). */
static void url_file_name(const char *url, char *out, size_t cap)
{
    char path[1024];
    const char *start = strstr(url, "://");
    size_t n;

    start = start != NULL ? strchr(start + 3, '/') : NULL;
    n = start != NULL ? strcspn(start, "?#") : 0;
    snprintf(path, sizeof(path), "%.*s", (int) (n < sizeof(path) ? n : sizeof(path) - 1),
             start != NULL ? start : "");
    enc_basename(path[0] != '\0' ? path : "input", 0, out, cap);
}

/* The error of a failed transfer: code and message. */
static const char *failure(CURL *h, CURLcode rc, const fetch_t *f, const char *url, char *err,
                           size_t err_len)
{
    long status = 0;

    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (f->denied) {
        snprintf(err, err_len, "%.400s: the address %s is private, loopback or link-local "
                 "(the daemon's http_input_private is off)", url, f->denied_ip);
        return "DownloadNotAccessible";
    }
    if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(err, err_len, "%.400s: larger than %lld bytes (the daemon's "
                 "http_input_max_bytes)", url, f->lim->max_bytes);
        return "DownloadNotAccessible";
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK && f->lim->cancel != NULL && *f->lim->cancel) {
        snprintf(err, err_len, "canceled while downloading %.400s", url);
        return "Canceled";
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(err, err_len, "%.400s: not downloaded within %ld s (the daemon's "
                 "http_input_timeout)", url, f->lim->timeout_s);
        return "DownloadTransientError";
    }
    if (rc == CURLE_HTTP_RETURNED_ERROR) {
        snprintf(err, err_len, "%.400s: HTTP status %ld", url, status);
        return status >= 500 || status == 408 || status == 429 ? "DownloadTransientError"
                                                                : "DownloadNotAccessible";
    }
    snprintf(err, err_len, "%.400s: %s", url, f->write_failed ? strerror(errno)
                                                            : curl_easy_strerror(rc));
    return rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT
           || rc == CURLE_TOO_MANY_REDIRECTS ? "DownloadNotAccessible" : "DownloadTransientError";
}

int enc_fetch(const char *url, const char *dir, const enc_fetch_limits_t *lim, char *path,
              size_t path_len, const char **code, char *err, size_t err_len)
{
    fetch_t f = { lim, -1, 0, 0, 0, 0, "" };
    char name[ENC_BASENAME_MAX + 1];
    CURL *h = curl_easy_init();
    CURLcode rc;

    url_file_name(url, name, sizeof(name));
    snprintf(path, path_len, "%s/%s", dir, name);
    *code = "DownloadTransientError";
    f.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (h == NULL || f.fd < 0 || set_options(h, url, &f) != 0) {
        snprintf(err, err_len, "cannot prepare the download of %.400s: %s", url,
                 f.fd < 0 ? strerror(errno) : "libcurl");
        if (h != NULL) curl_easy_cleanup(h);
        if (f.fd >= 0) close(f.fd);
        return -1;
    }
    rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        *code = failure(h, rc, &f, url, err, err_len);
    }
    curl_easy_cleanup(h);
    if (close(f.fd) != 0 && rc == CURLE_OK) {
        snprintf(err, err_len, "%.400s: %s", path, strerror(errno));
        return -1;
    }
    return rc == CURLE_OK ? 0 : -1;
}
