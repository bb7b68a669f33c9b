/*
 * daemon_config.c — parsing of mediaplaned's configuration file and options.
 * A table maps each key to its parser, so adding a setting is one line.
 */
#include "daemon/daemon_config.h"
#include "notify/notify_deny.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void config_defaults(daemon_config_t *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8081");
    snprintf(c->data_dir, sizeof(c->data_dir), "/var/lib/mediaplane");
    snprintf(c->account_name, sizeof(c->account_name), "mediaplane");
    snprintf(c->token_issuer, sizeof(c->token_issuer), "https://mediaplane/oauth2");
    snprintf(c->encoder_complexity, sizeof(c->encoder_complexity), "Balanced");
    snprintf(c->ffmpeg_path, sizeof(c->ffmpeg_path), "ffmpeg");
    c->live_max_programs = 64;
    c->smooth_max_box = 16u << 20;
    c->smooth_max_fragments = 1000000;
    c->smooth_max_streams = 8;
    c->threads = 4;
    c->max_body = 4u << 20;
    c->catalog_map_size = (size_t) 1 << 30;
    c->token_lifetime = 6 * 3600;
    c->token_failure_limit = 20;
    c->log_level = 1;
    c->notify_timeout_ms = 10000;
    c->notify_max_attempts = 5;
    c->notify_retry_ms = 2000;
    c->upload_max_blob = 50ull << 30;
    c->upload_max_container = 100ull << 30;
    c->upload_max_staged = 50ull << 30;
    c->upload_min_free = 1ull << 30;
    c->upload_staged_expiry = 7 * 86400;
    c->http_input_max_bytes = (size_t) 4 << 30;
    c->http_input_timeout = 3600;
}

static int parse_size(const char *v, size_t *out)
{
    char *end;
    unsigned long long n = strtoull(v, &end, 10);

    if (end == v) {
        return -1;
    }
    switch (tolower((unsigned char) *end)) {
    case 'k': n <<= 10; end++; break;
    case 'm': n <<= 20; end++; break;
    case 'g': n <<= 30; end++; break;
    default: break;
    }
    if (*end != '\0' || n == 0) {
        return -1;
    }
    *out = (size_t) n;
    return 0;
}

/* A size like parse_size (k, m, g, t suffixes) up to 2^60 bytes, or 0 for
 * "no limit". */
static int parse_limit(const char *v, unsigned long long *out)
{
    static const char suffixes[] = "kmgt";
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    const char *suffix = *end != '\0' ? strchr(suffixes, tolower((unsigned char) *end)) : NULL;
    unsigned shift = suffix != NULL ? 10u * (unsigned) (suffix - suffixes + 1) : 0;

    if (end == v || *v == '-' || (suffix != NULL && end[1] != '\0') || (suffix == NULL && *end != '\0')
        || n > ((1ull << 60) >> shift)) {
        return -1;
    }
    *out = n << shift;
    return 0;
}

static int parse_seconds(const char *v, unsigned *out)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);

    switch (*end) {
    case 's': end++; break;
    case 'm': n *= 60; end++; break;
    case 'h': n *= 3600; end++; break;
    case 'd': n *= 86400; end++; break;
    default: break;
    }
    if (end == v || *end != '\0' || n == 0 || n > 365ul * 86400) {
        return -1;
    }
    *out = (unsigned) n;
    return 0;
}

static int copy_text(char *dst, size_t cap, const char *v)
{
    if (strlen(v) >= cap || *v == '\0') {
        return -1;
    }
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

#define TEXT_SETTING(field) \
    static int set_##field(daemon_config_t *c, const char *v) \
    { return copy_text(c->field, sizeof(c->field), v); }
TEXT_SETTING(listen)
TEXT_SETTING(tls_listen)
TEXT_SETTING(tls_certificate)
TEXT_SETTING(tls_certificate_key)
TEXT_SETTING(arm_url)
TEXT_SETTING(data_dir)
TEXT_SETTING(media_root)
TEXT_SETTING(api_url)
TEXT_SETTING(upload_url)
TEXT_SETTING(streaming_url)
TEXT_SETTING(key_delivery_url)
TEXT_SETTING(account_name)
TEXT_SETTING(token_issuer)
TEXT_SETTING(encoder_path)
TEXT_SETTING(work_dir)
TEXT_SETTING(rtmp_url)
TEXT_SETTING(rtmp_local_url)
TEXT_SETTING(ffmpeg_path)

static int set_webhook_deny(daemon_config_t *c, const char *v)
{
    notify_deny_t d;
    return notify_deny_parse(v, &d) == 0 ? copy_text(c->webhook_deny, sizeof(c->webhook_deny), v)
                                         : -1;
}

/* At most 64: the archiver supervisor's table (live/live_archiver.c). */
static int set_live_max_programs(daemon_config_t *c, const char *v)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (*end != '\0' || n < 1 || n > 64) return -1;
    c->live_max_programs = (unsigned) n;
    return 0;
}

/* Smooth ingest bounds (live/live_smooth_ingest.c). */
static int set_smooth_max_box(daemon_config_t *c, const char *v)
{
    size_t n;
    if (parse_size(v, &n) != 0 || n < 4096 || n > (256u << 20)) return -1;
    c->smooth_max_box = n;
    return 0;
}

static int set_smooth_max_fragments(daemon_config_t *c, const char *v)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (*end != '\0' || n < 1 || n > 100000000) return -1;
    c->smooth_max_fragments = (unsigned) n;
    return 0;
}

static int set_smooth_max_streams(daemon_config_t *c, const char *v)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (*end != '\0' || n < 1 || n > 64) return -1;
    c->smooth_max_streams = (unsigned) n;
    return 0;
}

static int set_threads(daemon_config_t *c, const char *v)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (*end != '\0' || n < 1 || n > 256) return -1;
    c->threads = (unsigned) n;
    return 0;
}

static int set_max_body(daemon_config_t *c, const char *v) { return parse_size(v, &c->max_body); }
static int set_map_size(daemon_config_t *c, const char *v) { return parse_size(v, &c->catalog_map_size); }
static int set_token_lifetime(daemon_config_t *c, const char *v) { return parse_seconds(v, &c->token_lifetime); }

static int set_upload_max_blob(daemon_config_t *c, const char *v)
{ return parse_limit(v, &c->upload_max_blob); }
static int set_upload_max_container(daemon_config_t *c, const char *v)
{ return parse_limit(v, &c->upload_max_container); }
static int set_upload_max_staged(daemon_config_t *c, const char *v)
{ return parse_limit(v, &c->upload_max_staged); }
static int set_upload_min_free(daemon_config_t *c, const char *v)
{ return parse_limit(v, &c->upload_min_free); }
static int set_upload_staged_expiry(daemon_config_t *c, const char *v)
{ return parse_seconds(v, &c->upload_staged_expiry); }

static int parse_uint(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (end == v || *end != '\0' || n < lo || n > hi) return -1;
    *out = (unsigned) n;
    return 0;
}

static int set_notify_timeout(daemon_config_t *c, const char *v)
{ return parse_uint(v, 100, 600000, &c->notify_timeout_ms); }
static int set_token_failure_limit(daemon_config_t *c, const char *v)
{ return parse_uint(v, 0, 100000, &c->token_failure_limit); }
static int set_notify_attempts(daemon_config_t *c, const char *v)
{ return parse_uint(v, 1, 100, &c->notify_max_attempts); }
static int set_notify_retry(daemon_config_t *c, const char *v)
{ return parse_uint(v, 10, 3600000, &c->notify_retry_ms); }

static int set_http_input_max_bytes(daemon_config_t *c, const char *v)
{ return parse_size(v, &c->http_input_max_bytes); }
static int set_http_input_timeout(daemon_config_t *c, const char *v)
{ return parse_seconds(v, &c->http_input_timeout) != 0 || c->http_input_timeout == 0 ? -1 : 0; }
static int set_http_input_private(daemon_config_t *c, const char *v)
{
    c->http_input_private = strcmp(v, "on") == 0;
    return c->http_input_private || strcmp(v, "off") == 0 ? 0 : -1;
}

/* the encoder's --complexity: AMS's Complexity names (case-insensitive) */
static int set_encoder_complexity(daemon_config_t *c, const char *v)
{
    static const char *const names[] = { "Speed", "Balanced", "Quality" };
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(v, names[i]) == 0) {
            snprintf(c->encoder_complexity, sizeof(c->encoder_complexity), "%s", names[i]);
            return 0;
        }
    }
    return -1;
}

static int set_log_level(daemon_config_t *c, const char *v)
{
    static const char *const names[] = { "debug", "info", "warn", "error" };
    for (int i = 0; i < 4; i++) {
        if (strcmp(v, names[i]) == 0) {
            c->log_level = i;
            return 0;
        }
    }
    return -1;
}

/* "client <id> <secret>" */
static int set_client(daemon_config_t *c, const char *v)
{
    const char *sp = strchr(v, ' ');
    config_client_t *cl;

    if (sp == NULL || c->nclients >= CONFIG_MAX_CLIENTS) {
        return -1;
    }
    cl = &c->clients[c->nclients];
    if ((size_t) (sp - v) >= sizeof(cl->client_id)) {
        return -1;
    }
    memcpy(cl->client_id, v, (size_t) (sp - v));
    cl->client_id[sp - v] = '\0';
    while (*sp == ' ') sp++;
    if (strlen(sp) < CONFIG_CLIENT_SECRET_MIN
        || copy_text(cl->client_secret, sizeof(cl->client_secret), sp) != 0 || strchr(sp, ' ')) {
        return -1;
    }
    c->nclients++;
    return 0;
}

static const struct {
    const char *key;
    int (*set)(daemon_config_t *c, const char *v);
    const char *expect;
} settings[] = {
    { "listen", set_listen, "host:port" },
    { "tls_listen", set_tls_listen, "host:port" },
    { "tls_certificate", set_tls_certificate, "a PEM file" },
    { "tls_certificate_key", set_tls_certificate_key, "a PEM file" },
    { "arm_url", set_arm_url, "an https URL" },
    { "data_dir", set_data_dir, "a directory" },
    { "media_root", set_media_root, "a directory" },
    { "api_url", set_api_url, "a URL" },
    { "upload_url", set_upload_url, "a URL" },
    { "streaming_url", set_streaming_url, "a URL" },
    { "key_delivery_url", set_key_delivery_url, "a URL" },
    { "account_name", set_account_name, "a name" },
    { "token_issuer", set_token_issuer, "a URI" },
    { "encoder_path", set_encoder_path, "an executable" },
    { "work_dir", set_work_dir, "a directory" },
    { "rtmp_url", set_rtmp_url, "an rtmp:// URL" },
    { "rtmp_local_url", set_rtmp_local_url, "an rtmp:// URL" },
    { "ffmpeg_path", set_ffmpeg_path, "an executable" },
    { "live_max_programs", set_live_max_programs, "1..64" },
    { "smooth_max_box", set_smooth_max_box, "a size like 16m (4k..256m)" },
    { "smooth_max_fragments", set_smooth_max_fragments, "1..100000000" },
    { "smooth_max_streams", set_smooth_max_streams, "1..64" },
    { "encoder_complexity", set_encoder_complexity, "Speed|Balanced|Quality" },
    { "threads", set_threads, "1..256" },
    { "max_body", set_max_body, "a size like 4m" },
    { "catalog_map_size", set_map_size, "a size like 1g" },
    { "token_lifetime", set_token_lifetime, "a duration like 6h" },
    { "token_failure_limit", set_token_failure_limit, "0..100000 (failed token requests per address per minute; 0: no limit)" },
    { "log_level", set_log_level, "debug|info|warn|error" },
    { "notify_timeout_ms", set_notify_timeout, "100..600000 (ms)" },
    { "notify_max_attempts", set_notify_attempts, "1..100" },
    { "notify_retry_ms", set_notify_retry, "10..3600000 (ms)" },
    { "webhook_deny", set_webhook_deny, "CIDR blocks like \"127.0.0.0/8 10.0.0.0/8 ::1/128\" (at most 32)" },
    { "upload_max_blob_size", set_upload_max_blob, "a size like 50g, or 0" },
    { "upload_max_container_size", set_upload_max_container, "a size like 100g, or 0" },
    { "upload_max_staged_size", set_upload_max_staged, "a size like 50g, or 0" },
    { "upload_min_free_space", set_upload_min_free, "a size like 1g, or 0" },
    { "upload_staged_expiry", set_upload_staged_expiry, "a duration like 7d" },
    { "http_input_max_bytes", set_http_input_max_bytes, "a size like 4g" },
    { "http_input_timeout", set_http_input_timeout, "a duration like 1h" },
    { "http_input_private", set_http_input_private, "on|off" },
    { "client", set_client, "<client_id> <client_secret> (a secret of 16 to 255 characters, no spaces)" },
};

int config_set(daemon_config_t *c, const char *key, const char *value, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
        if (strcmp(settings[i].key, key) == 0) {
            if (settings[i].set(c, value) != 0) {
                snprintf(err, errlen, "'%s': expected %s", key, settings[i].expect);
                return -1;
            }
            return 0;
        }
    }
    snprintf(err, errlen, "unknown setting '%s'", key);
    return -1;
}

static char *trim(char *s)
{
    char *e;
    while (isspace((unsigned char) *s)) s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char) e[-1])) *--e = '\0';
    return s;
}

int config_load(daemon_config_t *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char line[2048], msg[256];
    int lineno = 0;

    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *hash = strchr(line, '#'), *s, *sp;
        lineno++;
        if (hash != NULL) *hash = '\0';
        s = trim(line);
        if (*s == '\0') continue;
        sp = s + strcspn(s, " \t");
        if (*sp != '\0') *sp++ = '\0';
        if (config_set(c, s, trim(sp), msg, sizeof(msg)) != 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

static void ensure_slash(char *url, size_t cap)
{
    size_t n = strlen(url);
    if (n > 0 && url[n - 1] != '/' && n + 1 < cap) {
        url[n] = '/';
        url[n + 1] = '\0';
    }
}

/* The HTTPS listener needs its certificate and key; arm_url (the v3 API's
 * public base: token audience and issuer) defaults to https://<tls_listen>
 * and never ends with '/' (clients ask for scope "<arm_url>/.default"). */
static int finish_tls(daemon_config_t *c, char *err, size_t errlen)
{
    size_t n;

    if (c->tls_listen[0] != '\0'
        && (c->tls_certificate[0] == '\0' || c->tls_certificate_key[0] == '\0')) {
        snprintf(err, errlen, "tls_listen needs tls_certificate and tls_certificate_key");
        return -1;
    }
    if (c->arm_url[0] == '\0' && c->tls_listen[0] != '\0') {
        snprintf(c->arm_url, sizeof(c->arm_url), "https://%s", c->tls_listen);
    }
    if (c->arm_url[0] != '\0' && strncmp(c->arm_url, "https://", 8) != 0) {
        snprintf(err, errlen, "arm_url must be an https:// URL (the Azure SDKs refuse http)");
        return -1;
    }
    n = strlen(c->arm_url);
    while (n > 8 && c->arm_url[n - 1] == '/') {
        c->arm_url[--n] = '\0';
    }
    return 0;
}

/* rtmp_url: rtmp://<streaming_url's host>:1935/ unless set; rtmp_local_url:
 * rtmp://127.0.0.1:1935/ unless set; both end with '/'. */
static int default_rtmp_urls(daemon_config_t *c, char *err, size_t errlen)
{
    const char *host = strstr(c->streaming_url, "://");
    size_t n;

    host = host != NULL ? host + 3 : c->streaming_url;
    n = strcspn(host, ":/?#");
    if (host[0] == '[') {
        n = strcspn(host, "]") + 1;
    }
    if (c->rtmp_url[0] == '\0'
        && (size_t) snprintf(c->rtmp_url, sizeof(c->rtmp_url), "rtmp://%.*s:1935/", (int) n, host)
               >= sizeof(c->rtmp_url)) {
        snprintf(err, errlen, "streaming_url is too long");
        return -1;
    }
    if (c->rtmp_local_url[0] == '\0') {
        snprintf(c->rtmp_local_url, sizeof(c->rtmp_local_url), "rtmp://127.0.0.1:1935/");
    }
    if (strncmp(c->rtmp_url, "rtmp://", 7) != 0 || strncmp(c->rtmp_local_url, "rtmp://", 7) != 0) {
        snprintf(err, errlen, "rtmp_url and rtmp_local_url must be rtmp:// URLs");
        return -1;
    }
    ensure_slash(c->rtmp_url, sizeof(c->rtmp_url));
    ensure_slash(c->rtmp_local_url, sizeof(c->rtmp_local_url));
    return 0;
}

int config_finish(daemon_config_t *c, char *err, size_t errlen)
{
    if (c->media_root[0] == '\0') {
        if (strlen(c->data_dir) + 7 > sizeof(c->media_root)) {
            snprintf(err, errlen, "data_dir is too long");
            return -1;
        }
        memcpy(c->media_root, c->data_dir, strlen(c->data_dir));
        memcpy(c->media_root + strlen(c->data_dir), "/media", 7);
    }
    if (c->work_dir[0] == '\0'
        && snprintf(c->work_dir, sizeof(c->work_dir), "%s/work", c->data_dir)
               >= (int) sizeof(c->work_dir)) {
        snprintf(err, errlen, "data_dir is too long");
        return -1;
    }
    if (c->api_url[0] == '\0') {
        snprintf(c->api_url, sizeof(c->api_url), "http://%s/api/", c->listen);
    }
    if (c->upload_url[0] == '\0') {
        snprintf(c->upload_url, sizeof(c->upload_url), "http://%s/upload/", c->listen);
    }
    if (c->streaming_url[0] == '\0') {
        snprintf(c->streaming_url, sizeof(c->streaming_url), "http://%s/", c->listen);
    }
    ensure_slash(c->api_url, sizeof(c->api_url));
    ensure_slash(c->upload_url, sizeof(c->upload_url));
    ensure_slash(c->streaming_url, sizeof(c->streaming_url));
    if (c->key_delivery_url[0] == '\0'
        && (size_t) snprintf(c->key_delivery_url, sizeof(c->key_delivery_url), "%skeydelivery/",
                             c->streaming_url) >= sizeof(c->key_delivery_url)) {
        snprintf(err, errlen, "streaming_url is too long");
        return -1;
    }
    ensure_slash(c->key_delivery_url, sizeof(c->key_delivery_url));
    if (finish_tls(c, err, errlen) != 0) {
        return -1;
    }
    if (default_rtmp_urls(c, err, errlen) != 0) {
        return -1;
    }
    if (c->nclients == 0) {
        snprintf(err, errlen, "no 'client <id> <secret>' configured: nobody could call the API");
        return -1;
    }
    return 0;
}
