/*
 * main.c — mediaplaned: reads its configuration, opens the catalog (LMDB) and
 * its secrets under data_dir, seeds the fixed entities (media processors, the
 * default streaming endpoint), finishes interrupted operations, serves the AMS v2 API
 * until SIGTERM/SIGINT, then stops accepting, finishes requests and closes.
 *
 *   mediaplaned -c /etc/mediaplane/mediaplaned.conf [-o key=value]... [-t]
 */
#include "api/api_handlers.h"
#include "arm/arm_signing_key.h"
#include "catalog/catalog_schema.h"
#include "daemon/daemon_log.h"
#include "entities/asset_folders_sweep.h"
#include "entities/entity_sets.h"
#include "http/http_server.h"
#include "keys/master_key.h"
#include "keys/protection_key.h"
#include "notify/notify.h"
#include "sched/scheduler.h"
#include "live/live_archiver.h"
#include "storage/blob_store.h"
#include "util/secret_file.h"
#include "util/time_text.h"

#include <errno.h>
#include <libxml/parser.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void) sig;
    stop_requested = 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: mediaplaned -c CONFIG [-o key=value]... [-t]\n"
                    "  -c CONFIG     configuration file (see conf/mediaplaned.conf.in)\n"
                    "  -o key=value  override one setting\n"
                    "  -t            check the configuration and exit\n");
}

static int parse_args(int argc, char **argv, daemon_config_t *cfg, int *test_only)
{
    char err[512];
    int opt;

    config_defaults(cfg);
    while ((opt = getopt(argc, argv, "c:o:th")) != -1) {
        if (opt == 'c') {
            if (config_load(cfg, optarg, err, sizeof(err)) != 0) {
                fprintf(stderr, "mediaplaned: %s\n", err);
                return -1;
            }
        } else if (opt == 'o') {
            char *eq = strchr(optarg, '=');
            if (eq == NULL) {
                usage();
                return -1;
            }
            *eq = '\0';
            if (config_set(cfg, optarg, eq + 1, err, sizeof(err)) != 0) {
                fprintf(stderr, "mediaplaned: -o %s\n", err);
                return -1;
            }
        } else if (opt == 't') {
            *test_only = 1;
        } else {
            usage();
            return -1;
        }
    }
    if (config_finish(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "mediaplaned: %s\n", err);
        return -1;
    }
    return 0;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0750) != 0 && errno != EEXIST) {
        log_error("cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int load_secrets(app_t *app)
{
    char path[CONFIG_PATH_MAX + 32], err[512];

    snprintf(path, sizeof(path), "%s/token.key", app->cfg.data_dir);
    if (secret_file_load_or_create(path, app->token_key, sizeof(app->token_key), err, sizeof(err))) {
        log_error("%s", err);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/sas.key", app->cfg.data_dir);
    if (secret_file_load_or_create(path, app->sas_key, sizeof(app->sas_key), err, sizeof(err))) {
        log_error("%s", err);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/origin.key", app->cfg.data_dir);
    if (secret_file_load_or_create(path, app->origin_key, sizeof(app->origin_key), err,
                                   sizeof(err))) {
        log_error("%s", err);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/keys", app->cfg.data_dir);
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        log_error("cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    app->protection_key = protection_key_load_or_create(path, err, sizeof(err));
    if (app->protection_key == NULL) {
        log_error("protection key: %s", err);
        return -1;
    }
    app->master_key = master_key_load_or_create(path, err, sizeof(err));
    if (app->master_key == NULL) {
        log_error("master key: %s", err);
        return -1;
    }
    app->arm_key = arm_signing_key_load_or_create(path, err, sizeof(err));
    if (app->arm_key == NULL) {
        log_error("v3 token key: %s", err);
        return -1;
    }
    return 0;
}

/* Leftovers of interrupted uploads and deletions; staged blocks never
 * committed are dropped after upload_staged_expiry (a week by default, as
 * Azure does). */
static void sweep_storage(app_t *app, time_t incoming_before)
{
    blob_status_t st = blob_sweep(app->cfg.media_root, incoming_before,
                                  time(NULL) - (time_t) app->cfg.upload_staged_expiry);
    if (st != BLOB_OK) {
        log_warn("storage sweep: %s", blob_status_code(st));
    }
}

/* encoder_path's default: mediaplane-encoder next to this binary (or one
 * directory up, for the sanitizer build in build/san/). */
static void default_encoder_path(daemon_config_t *cfg)
{
    char self[CONFIG_PATH_MAX - 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;

    if (cfg->encoder_path[0] != '\0' || n <= 0) {
        return;
    }
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash == NULL) {
        return;
    }
    *slash = '\0';
    snprintf(cfg->encoder_path, sizeof(cfg->encoder_path), "%s/mediaplane-encoder", self);
    if (access(cfg->encoder_path, X_OK) != 0 && (slash = strrchr(self, '/')) != NULL) {
        *slash = '\0';
        snprintf(cfg->encoder_path, sizeof(cfg->encoder_path), "%s/mediaplane-encoder", self);
    }
}

static int seed_catalog(app_t *app)
{
    api_ctx_t c = { .app = app, .now_ms = time_now_ms() };
    int rc;

    if (catalog_begin(app->store, true, &c.txn) != 0) {
        return -1;
    }
    rc = media_processors_seed(&c);
    if (rc == 0) {
        rc = streaming_endpoints_seed(&c);
    }
    if (rc == 0) {
        rc = reserved_units_seed(&c);
    }
    if (rc == 0) {
        rc = storage_accounts_seed(&c);
    }
    if (rc != 0) {
        catalog_abort(&c.txn);
        return -1;
    }
    return catalog_commit(&c.txn) == 0 ? 0 : -1;
}

/* One daemon per data directory: a second one would run tasks twice.  The
 * lock lives as long as the process (the descriptor is never closed). */
static int lock_data_dir(const daemon_config_t *cfg)
{
    char path[CONFIG_PATH_MAX + 32];
    int fd;

    snprintf(path, sizeof(path), "%s/mediaplaned.lock", cfg->data_dir);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
        log_error("%s: %s (is another mediaplaned using %s?)", path,
                  fd < 0 ? strerror(errno) : "locked", cfg->data_dir);
        if (fd >= 0) close(fd);
        return -1;
    }
    return 0;
}

static int open_state(app_t *app)
{
    char dir[CONFIG_PATH_MAX + 32], err[512];

    default_encoder_path(&app->cfg);
    if (make_dir(app->cfg.data_dir) != 0 || lock_data_dir(&app->cfg) != 0
        || make_dir(app->cfg.media_root) != 0 || make_dir(app->cfg.work_dir) != 0
        || load_secrets(app) != 0) {
        return -1;
    }
    snprintf(dir, sizeof(dir), "%s/%s", app->cfg.data_dir, CATALOG_DIR_NAME);
    app->store = catalog_store_open(dir, app->cfg.catalog_map_size, entity_set_names(), err,
                                    sizeof(err));
    if (app->store == NULL) {
        log_error("%s", err);
        return -1;
    }
    if (seed_catalog(app) != 0) {
        log_error("cannot seed the catalog");
        return -1;
    }
    operations_resume(app);
    /* no upload can be live yet: every temp file is a leftover, including
     * one written in this very second (the sweep removes mtime < before) */
    sweep_storage(app, time(NULL) + 1);
    asset_folders_sweep(app);
    return 0;
}

int main(int argc, char **argv)
{
    static app_t app;
    http_handlers_t handlers;
    http_server_t *server, *tls_server = NULL;
    struct sigaction sa = { 0 };
    char err[512];
    int test_only = 0;

    if (parse_args(argc, argv, &app.cfg, &test_only) != 0) {
        return 2;
    }
    if (test_only) {
        printf("mediaplaned: configuration ok\n");
        return 0;
    }
    log_set_level((log_level_t) app.cfg.log_level);
    auth_throttle_init(&app.token_throttle, app.cfg.token_failure_limit);
    xmlInitParser();
    umask(027);            /* the nginx workers read (never write) as group members */
    signal(SIGPIPE, SIG_IGN);
    if (open_state(&app) != 0) {
        return 1;
    }
    handlers = (http_handlers_t) { .begin = api_router_begin, .finish = api_router_finish,
                                   .app = &app, .max_body = app.cfg.max_body,
                                   .threads = app.cfg.threads };
    server = http_server_start(app.cfg.listen, &handlers, err, sizeof(err));
    if (server == NULL) {
        log_error("%s", err);
        catalog_store_close(app.store);
        return 1;
    }
    if (app.cfg.tls_listen[0] != '\0') {
        http_tls_t tls = { app.cfg.tls_certificate, app.cfg.tls_certificate_key };
        tls_server = http_server_start_tls(app.cfg.tls_listen, &handlers, &tls, err, sizeof(err));
        if (tls_server == NULL) {
            log_error("tls_listen: %s", err);
            http_server_stop(server);
            catalog_store_close(app.store);
            return 1;
        }
        log_info("https on %s (port %u), v3 (ARM) API %s", app.cfg.tls_listen,
                 http_server_port(tls_server), app.cfg.arm_url);
    }
    if (notify_sender_start(&app, err, sizeof(err)) != 0) {
        log_error("%s", err);
        http_server_stop(tls_server);
        http_server_stop(server);
        catalog_store_close(app.store);
        return 1;
    }
    if (scheduler_start(&app) != 0) {
        notify_sender_stop(&app);
        http_server_stop(tls_server);
        http_server_stop(server);
        catalog_store_close(app.store);
        return 1;
    }
    if (live_archivers_start(&app) != 0) {
        scheduler_stop();
        notify_sender_stop(&app);
        http_server_stop(server);
        catalog_store_close(app.store);
        return 1;
    }
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    log_info("mediaplaned listening on %s (port %u), api %s, data %s", app.cfg.listen,
             http_server_port(server), app.cfg.api_url, app.cfg.data_dir);
    for (unsigned tick = 1; !stop_requested; tick++) {
        sleep(10);            /* a signal cuts it short */
        if (tick % 360 == 0) {
            sweep_storage(&app, time(NULL) - 86400);    /* hourly */
        }
        if (!stop_requested) {
            int dead = catalog_store_check_readers(app.store);
            if (dead > 0) {
                log_info("released %d catalog reader slot(s) of exited processes", dead);
            }
        }
    }
    log_info("stopping");
    http_server_stop(tls_server);
    http_server_stop(server);
    live_archivers_stop();         /* archivers keep running: the next start adopts them */
    scheduler_stop();
    notify_sender_stop(&app);      /* after the producers; queued messages stay in the outbox */
    catalog_store_close(app.store);
    protection_key_free(app.protection_key);
    master_key_free(app.master_key);
    arm_signing_key_free(app.arm_key);
    xmlCleanupParser();
    return 0;
}
