/*
 * daemon_config.h — mediaplaned's settings: read from a "key value" file
 * (conf/mediaplaned.conf.in documents every key), then command-line
 * overrides.  Defaults suit a loopback demo.
 */
#ifndef DAEMON_CONFIG_H
#define DAEMON_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_CLIENTS 16
#define CONFIG_CLIENT_SECRET_MIN 16   /* a guessable secret is refused at start */
#define CONFIG_PATH_MAX    1024
#define CONFIG_URL_MAX     512

typedef struct {
    char     client_id[128];
    char     client_secret[256];    /* CONFIG_CLIENT_SECRET_MIN..255 characters */
} config_client_t;

typedef struct {
    char     listen[128];                 /* host:port */
    char     tls_listen[128];             /* host:port of the HTTPS listener ("" = none) */
    char     tls_certificate[CONFIG_PATH_MAX];     /* PEM chain, server certificate first */
    char     tls_certificate_key[CONFIG_PATH_MAX]; /* PEM private key */
    char     arm_url[CONFIG_URL_MAX];     /* public https base of the v3 (ARM) API, no '/' */
    char     data_dir[CONFIG_PATH_MAX];   /* catalog (LMDB) and keys */
    char     media_root[CONFIG_PATH_MAX]; /* asset containers asset-<guid>/ */
    char     api_url[CONFIG_URL_MAX];     /* public base of the API, ".../api/" */
    char     upload_url[CONFIG_URL_MAX];  /* public base of SAS upload URLs, ends with '/' */
    char     streaming_url[CONFIG_URL_MAX]; /* public base of origin URLs, ends with '/' */
    char     key_delivery_url[CONFIG_URL_MAX]; /* public base of the key service, ends with '/' */
    char     account_name[64];
    char     token_issuer[CONFIG_URL_MAX];
    char     encoder_path[CONFIG_PATH_MAX]; /* mediaplane-encoder ("" = next to the daemon) */
    char     work_dir[CONFIG_PATH_MAX];   /* encoding work dirs (default <data_dir>/work) */
    char     encoder_complexity[16];      /* Speed | Balanced | Quality: presets without their own */
    char     rtmp_url[CONFIG_URL_MAX];    /* public base of RTMP ingest URLs, ends with '/' */
    char     rtmp_local_url[CONFIG_URL_MAX]; /* the RTMP server as archivers reach it, ends with '/' */
    char     ffmpeg_path[CONFIG_PATH_MAX]; /* the archivers' ffmpeg */
    unsigned live_max_programs;           /* programs archiving at once, whole daemon (1..64) */
    size_t   smooth_max_box;              /* Smooth ingest: largest box (moov, moof, mdat) */
    unsigned smooth_max_fragments;        /* Smooth ingest: fragments of one POST */
    unsigned smooth_max_streams;          /* Smooth ingest: POSTs at once per channel */
    unsigned threads;
    size_t   max_body;                    /* API request body limit, bytes */
    size_t   catalog_map_size;            /* LMDB map size, bytes */
    unsigned token_lifetime;              /* seconds */
    unsigned token_failure_limit;         /* failed token requests per address per minute; 0: off */
    int      log_level;                   /* 0 debug .. 3 error */
    unsigned notify_timeout_ms;           /* one webhook POST, connect included */
    unsigned notify_max_attempts;         /* tries per message before it is dropped */
    unsigned notify_retry_ms;             /* first retry delay, doubled per attempt */
    char     webhook_deny[1024];          /* CIDR blocks webhooks may not reach ("" = none) */
    unsigned long long upload_max_blob;      /* one committed blob, bytes (0: none) */
    unsigned long long upload_max_container; /* committed blobs of one container (0: none) */
    unsigned long long upload_max_staged;    /* uncommitted blocks of one container (0: none) */
    unsigned long long upload_min_free;      /* free space uploads leave on media_root (0: none) */
    unsigned upload_staged_expiry;        /* seconds before untouched staged blocks go */
    size_t   http_input_max_bytes;        /* one v3 JobInputHttp file, bytes */
    unsigned http_input_timeout;          /* one v3 JobInputHttp download, seconds */
    int      http_input_private;          /* 1: JobInputHttp may reach private/loopback addresses */
    config_client_t clients[CONFIG_MAX_CLIENTS];
    size_t   nclients;
} daemon_config_t;

void config_defaults(daemon_config_t *c);
/* Reads a file; returns 0 or -1 with a message naming the line. */
int  config_load(daemon_config_t *c, const char *path, char *err, size_t errlen);
/* Applies one "key value" setting (also used for -o key=value). */
int  config_set(daemon_config_t *c, const char *key, const char *value, char *err, size_t errlen);
/* Final checks and derived values (trailing slashes); 0 or -1. */
int  config_finish(daemon_config_t *c, char *err, size_t errlen);

#endif
