/*
 * upload_handler.c — the blob-storage face of SAS locators, enough of the
 * Azure Blob REST API for storage clients of the AMS era:
 *   PUT    /upload/<container>/<blob>?<sas>                       Put Blob (streamed)
 *   PUT    …/<blob>?<sas>&comp=block&blockid=<b64>                Put Block (streamed)
 *   PUT    …/<blob>?<sas>&comp=blocklist  (XML body)              Put Block List
 *   GET|HEAD …/<blob>?<sas>  (Range / x-ms-range: one range, 206/416)  Get Blob
 *   DELETE …/<blob>?<sas>                                         Delete Blob
 *   GET    /upload/<container>?<sas>&restype=container&comp=list  List Blobs
 * Every request carries a SAS whose signature, window and permissions are
 * checked, and whose locator (for a bulk-ingest container "ingest-<guid>",
 * whose IngestManifest) must still exist in the catalog; a blob committed
 * into an ingest container is handed to ingest_process.c.
 */
#define _GNU_SOURCE
#include "api/api_handlers.h"
#include "daemon/daemon_log.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "http/http_range.h"
#include "storage/blob_mime.h"
#include "storage/blob_store.h"
#include "upload/sas_token.h"
#include "util/time_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    app_t         *app;
    blob_writer_t *w;
    char           container[64];
    char           name[256];
    char           md5[64];
    bool           have_md5;
} upload_state_t;

static http_response_t *storage_error(int status, const char *code, const char *message)
{
    char *xml = NULL;
    http_response_t *r;

    if (asprintf(&xml, "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>%s</Code>"
                       "<Message>%s</Message></Error>", code, message) < 0) {
        return NULL;
    }
    r = http_response_take(status, "application/xml", xml, strlen(xml));
    http_response_header(r, "x-ms-error-code", code);
    return r;
}

static http_response_t *blob_error(blob_status_t st)
{
    return storage_error(blob_status_http(st), blob_status_code(st), blob_status_message(st));
}

/* The daemon's upload limits, as the blob store takes them. */
static blob_limits_t upload_limits(const app_t *app)
{
    const daemon_config_t *c = &app->cfg;
    return (blob_limits_t) { c->upload_max_blob, c->upload_max_container, c->upload_max_staged,
                             c->upload_min_free, (time_t) c->upload_staged_expiry };
}

/* The declared body length, or BLOB_SIZE_UNKNOWN (chunked, or unreadable). */
static uint64_t declared_length(http_request_t *req)
{
    const char *v = http_header(req, "Content-Length");
    char *end;
    unsigned long long n;

    if (v == NULL || *v < '0' || *v > '9') {
        return BLOB_SIZE_UNKNOWN;
    }
    n = strtoull(v, &end, 10);
    return *end == '\0' && n < BLOB_SIZE_UNKNOWN ? n : BLOB_SIZE_UNKNOWN;
}

/* "/upload/<container>[/<blob>]" */
static int split_path(const char *path, char *container, size_t ccap, char *name, size_t ncap)
{
    const char *c = path + strlen("/upload/"), *slash = strchr(c, '/');
    size_t clen = slash ? (size_t) (slash - c) : strlen(c);

    if (clen == 0 || clen >= ccap || (slash && strlen(slash + 1) >= ncap)) {
        return -1;
    }
    memcpy(container, c, clen);
    container[clen] = '\0';
    snprintf(name, ncap, "%s", slash ? slash + 1 : "");
    return blob_container_name_ok(container) ? 0 : -1;
}

static const char *arg_of(void *ctx, const char *name)
{
    return http_arg(ctx, name);
}

/* The SAS locator named by si, if it is one of this container's asset; NULL
 * otherwise (the caller answers 403 after the signature check). */
static json_t *load_sas_locator(app_t *app, const char *si, const char *container, bool *busy)
{
    catalog_txn_t t;
    char id[ENTITY_ID_MAX], asset_container[64];
    json_t *loc = NULL;

    *busy = false;
    if (si == NULL || strlen(si) != 36) {
        return NULL;
    }
    snprintf(id, sizeof(id), "nb:lid:UUID:%s", si);
    if (catalog_begin(app->store, false, &t) != 0) {
        *busy = true;
        return NULL;
    }
    if (catalog_get(&t, "Locators", id, &loc) == 0
        && (entity_int(loc, "Type", 0) != 1
            || asset_container_name(entity_str(loc, "AssetId"), asset_container,
                                    sizeof(asset_container)) != 0
            || strcmp(asset_container, container) != 0)) {
        json_decref(loc);
        loc = NULL;
    }
    catalog_abort(&t);
    return loc;
}

/* The locator (loaded before the signature was checked against its
 * instance) must be inside its window now. */
static http_response_t *check_locator_window(const json_t *loc)
{
    int64_t now = time_now_ms(), start = 0, expiry = 0;

    time_parse(entity_str(loc, "StartTime"), &start);
    time_parse(entity_str(loc, "ExpirationDateTime"), &expiry);
    if (now + 5 * 60 * 1000 < start || (expiry != 0 && now >= expiry)) {
        return storage_error(403, "AuthenticationFailed", "the SAS is not valid at this time");
    }
    return NULL;
}

/* An ingest container's SAS names its manifest (si = the manifest's GUID),
 * which must still exist; the window is the signed one. */
static http_response_t *check_manifest(app_t *app, const sas_grant_t *g, const char *manifest_id)
{
    catalog_txn_t t;
    int64_t now = time_now_ms();
    bool found;

    if (catalog_begin(app->store, false, &t) != 0) {
        return storage_error(503, "ServerBusy", "catalog unavailable");
    }
    found = catalog_exists(&t, entity_ingest_manifests.name, manifest_id)
            && strcmp(entity_guid(manifest_id), g->locator_guid) == 0;
    catalog_abort(&t);
    if (!found) {
        return storage_error(403, "AuthenticationFailed", "the ingest manifest no longer exists");
    }
    if (now + 5 * 60 * 1000 < g->start_ms || now >= g->expiry_ms) {
        return storage_error(403, "AuthenticationFailed", "the SAS is not valid at this time");
    }
    return NULL;
}

static http_response_t *check_grant(sas_grant_t *g, unsigned need)
{
    if ((g->permissions & need) != need) {
        return storage_error(403, "AuthorizationPermissionMismatch",
                             "the SAS does not grant this operation");
    }
    return NULL;
}

/* An ingest container's SAS names its manifest; any other container's SAS
 * names a SAS locator, whose secret instance the signature must carry. */
static http_response_t *authorize(app_t *app, http_request_t *req, const char *container,
                                  unsigned need)
{
    char manifest_id[ENTITY_ID_MAX];
    sas_grant_t g;
    char err[128];
    json_t *loc = NULL;
    http_response_t *r;
    bool busy = false;

    if (ingest_container_manifest(container, manifest_id)) {
        if (sas_verify(app->sas_key, container, "", arg_of, req, &g, err, sizeof(err)) != 0) {
            return storage_error(403, "AuthenticationFailed", err);
        }
        r = check_grant(&g, need);
        return r != NULL ? r : check_manifest(app, &g, manifest_id);
    }
    loc = load_sas_locator(app, arg_of(req, "si"), container, &busy);
    if (busy) {
        return storage_error(503, "ServerBusy", "catalog unavailable");
    }
    if (loc == NULL) {
        return storage_error(403, "AuthenticationFailed",
                             arg_of(req, "si") != NULL ? "the SAS locator no longer exists"
                                                       : "the URL carries no complete shared access signature");
    }
    if (sas_verify(app->sas_key, container, locator_sas_instance(loc), arg_of, req, &g, err,
                   sizeof(err)) != 0) {
        r = storage_error(403, "AuthenticationFailed", err);
    } else if ((r = check_grant(&g, need)) == NULL) {
        r = check_locator_window(loc);
    }
    json_decref(loc);
    return r;
}

/* ------------------------------------------------------------ streamed puts */

static http_response_t *sink_write(void *state, const char *data, size_t len)
{
    upload_state_t *u = state;
    blob_status_t st = blob_put_write(u->w, data, len);
    return st == BLOB_OK ? NULL : blob_error(st);
}

static void sink_abort(void *state)
{
    upload_state_t *u = state;
    if (u->w != NULL) {
        blob_put_abort(u->w);
        u->w = NULL;
    }
    free(u);
}

static http_response_t *sink_finish(void *state, http_request_t *req)
{
    upload_state_t *u = state;
    char md5[BLOB_MD5_B64_SIZE];
    blob_status_t st;
    http_response_t *r;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;

    (void) req;
    st = blob_put_finish(u->w, u->have_md5 ? u->md5 : NULL, md5);
    u->w = NULL;
    if (st != BLOB_OK) {
        log_warn("upload %s/%s failed: %s", u->container, u->name, blob_status_code(st));
        r = blob_error(st);
    } else {
        ingest_blob_committed(u->app, u->container, u->name);
        r = http_response_new(201, NULL);
        http_response_header(r, "Content-MD5", md5);
        gmtime_r(&now, &tm);
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        http_response_header(r, "Last-Modified", date);
        http_response_header(r, "x-ms-request-server-encrypted", "false");
    }
    free(u);
    return r;
}

static const http_sink_t upload_sink = { sink_write, sink_finish, sink_abort };

static void begin_put(app_t *app, http_request_t *req, const char *container, const char *name)
{
    const char *comp = http_arg(req, "comp"), *md5 = http_header(req, "Content-MD5");
    upload_state_t *u;
    blob_status_t st;

    if (comp != NULL && strcmp(comp, "blocklist") == 0) {
        return;                             /* small XML body: buffered, handled at finish */
    }
    if (comp != NULL && strcmp(comp, "block") != 0) {
        req->early = storage_error(400, "InvalidQueryParameterValue", "unsupported comp");
        return;
    }
    u = calloc(1, sizeof(*u));
    if (u == NULL) {
        req->early = storage_error(500, "InternalError", "out of memory");
        return;
    }
    u->app = app;
    snprintf(u->container, sizeof(u->container), "%s", container);
    snprintf(u->name, sizeof(u->name), "%s", name);
    if (md5 != NULL) {
        snprintf(u->md5, sizeof(u->md5), "%s", md5);
        u->have_md5 = true;
    }
    blob_limits_t lim = upload_limits(app);
    if (comp != NULL) {
        const char *id = http_arg(req, "blockid");
        st = id ? blob_block_begin(app->cfg.media_root, container, name, id, &lim, declared_length(req), &u->w)
                : BLOB_BAD_BLOCK_ID;
    } else {
        st = blob_put_begin(app->cfg.media_root, container, name, &lim, declared_length(req), &u->w);
    }
    if (st != BLOB_OK) {
        log_warn("upload %s/%s refused: %s", container, name, blob_status_code(st));
        free(u);
        req->early = blob_error(st);
        return;
    }
    req->sink = &upload_sink;
    req->sink_state = u;
}

void upload_begin(app_t *app, http_request_t *req)
{
    char container[64], name[256];
    unsigned need;

    if (split_path(req->path, container, sizeof(container), name, sizeof(name)) != 0) {
        req->early = storage_error(400, "InvalidResourceName", "bad container or blob name");
        return;
    }
    if (strcmp(req->method, "PUT") == 0) need = SAS_WRITE;
    else if (strcmp(req->method, "DELETE") == 0) need = SAS_DELETE;
    else if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
        need = name[0] ? SAS_READ : SAS_LIST;
    else {
        req->early = storage_error(405, "UnsupportedHttpVerb", "method not supported");
        return;
    }
    req->early = authorize(app, req, container, need);
    if (req->early != NULL) {
        return;
    }
    if (name[0] == '\0' && need != SAS_LIST) {
        req->early = storage_error(400, "InvalidUri", "a blob name is required");
    } else if (strcmp(req->method, "PUT") == 0) {
        begin_put(app, req, container, name);
    }
}

/* ------------------------------------------------------------ buffered ops */

static http_response_t *put_block_list(app_t *app, http_request_t *req, const char *container,
                                       const char *name)
{
    char md5[BLOB_MD5_B64_SIZE];
    blob_status_t st;
    http_response_t *r;
    blob_limits_t lim = upload_limits(app);

    if (req->body_overflow) {
        return blob_error(BLOB_TOO_LARGE);
    }
    st = blob_block_list_commit(app->cfg.media_root, container, name, req->body ? req->body : "",
                                req->body_len, http_header(req, "Content-MD5"),
                                http_header(req, "x-ms-blob-content-md5"), &lim, md5);
    if (st != BLOB_OK) {
        log_warn("block list %s/%s refused: %s", container, name, blob_status_code(st));
        return blob_error(st);
    }
    ingest_blob_committed(app, container, name);
    r = http_response_new(201, NULL);
    http_response_header(r, "Content-MD5", md5);
    return r;
}

/* 416 for a range past the end, with the size it has. */
static http_response_t *range_not_satisfiable(const blob_info_t *info)
{
    char cr[64];
    http_response_t *r = storage_error(416, "InvalidRange", "The range specified is invalid "
                                       "for the current size of the resource.");
    snprintf(cr, sizeof(cr), "bytes */%llu", (unsigned long long) info->size);
    http_response_header(r, "Content-Range", cr);
    return r;
}

/* Get Blob: the whole blob (200) or the one range asked for (206, Range or
 * x-ms-range), typed by its extension; HEAD answers the same headers. */
static http_response_t *get_blob(app_t *app, http_request_t *req, const char *container,
                                 const char *name)
{
    blob_info_t info;
    int fd;
    char etag[64], cr[96];
    const char *range = http_header(req, "x-ms-range");
    uint64_t start = 0, length;
    http_range_result_t rr;
    blob_status_t st = blob_open_read(app->cfg.media_root, container, name, &fd, &info);
    http_response_t *r;

    if (st != BLOB_OK) {
        return blob_error(st);
    }
    length = info.size;
    rr = http_range_parse(range != NULL ? range : http_header(req, "Range"), info.size, &start,
                          &length);
    if (rr == HTTP_RANGE_UNSATISFIABLE) {
        close(fd);
        return range_not_satisfiable(&info);
    }
    r = http_response_file(rr == HTTP_RANGE_OK ? 206 : 200, blob_mime_type(name), fd, start, length);
    if (rr == HTTP_RANGE_OK) {
        snprintf(cr, sizeof(cr), "bytes %llu-%llu/%llu", (unsigned long long) start,
                 (unsigned long long) (start + length - 1), (unsigned long long) info.size);
        http_response_header(r, "Content-Range", cr);
    }
    snprintf(etag, sizeof(etag), "\"0x%llx%09ld\"", (unsigned long long) info.mtime.tv_sec,
             info.mtime.tv_nsec);
    http_response_header(r, "ETag", etag);
    http_response_header(r, "Accept-Ranges", "bytes");
    http_response_header(r, "x-ms-blob-type", "BlockBlob");
    return r;
}

typedef struct {
    char  *xml;
    size_t len, cap;
} xml_buf_t;

static int append_xml(xml_buf_t *b, const char *text)
{
    size_t n = strlen(text);
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
        char *p = realloc(b->xml, cap);
        if (p == NULL) return -1;
        b->xml = p;
        b->cap = cap;
    }
    memcpy(b->xml + b->len, text, n + 1);
    b->len += n;
    return 0;
}

static int list_one(const char *name, const blob_info_t *info, void *arg)
{
    char line[1024];
    /* names may hold any printable character: escape for XML */
    char esc[768];
    size_t n = 0;

    for (const char *p = name; *p && n + 6 < sizeof(esc); p++) {
        if (*p == '<') { memcpy(esc + n, "&lt;", 4); n += 4; }
        else if (*p == '&') { memcpy(esc + n, "&amp;", 5); n += 5; }
        else if (*p == '>') { memcpy(esc + n, "&gt;", 4); n += 4; }
        else esc[n++] = *p;
    }
    esc[n] = '\0';
    snprintf(line, sizeof(line), "<Blob><Name>%s</Name><Properties><Content-Length>%llu"
             "</Content-Length><BlobType>BlockBlob</BlobType></Properties></Blob>", esc,
             (unsigned long long) info->size);
    return append_xml(arg, line);
}

static http_response_t *list_blobs(app_t *app, const char *container)
{
    xml_buf_t b = { 0 };
    blob_status_t st;

    append_xml(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults><Blobs>");
    st = blob_list(app->cfg.media_root, container, list_one, &b);
    if (st != BLOB_OK) {
        free(b.xml);
        return blob_error(st);
    }
    if (append_xml(&b, "</Blobs><NextMarker /></EnumerationResults>") != 0) {
        free(b.xml);
        return NULL;
    }
    return http_response_take(200, "application/xml", b.xml, b.len);
}

/* Put Block List off the polling thread (it copies every listed block). */
static http_response_t *put_block_list_deferred(void *arg, http_request_t *req)
{
    char container[64], name[256];

    if (split_path(req->path, container, sizeof(container), name, sizeof(name)) != 0) {
        return storage_error(400, "InvalidResourceName", "bad container or blob name");
    }
    return put_block_list(arg, req, container, name);
}

http_response_t *upload_finish(app_t *app, http_request_t *req)
{
    char container[64], name[256];
    blob_status_t st;

    if (split_path(req->path, container, sizeof(container), name, sizeof(name)) != 0) {
        return storage_error(400, "InvalidResourceName", "bad container or blob name");
    }
    if (strcmp(req->method, "PUT") == 0) {
        if (req->conn != NULL) {
            req->defer = put_block_list_deferred;   /* http_server runs it on its pool */
            return NULL;
        }
        return put_block_list(app, req, container, name);
    }
    if (strcmp(req->method, "DELETE") == 0) {
        st = blob_delete(app->cfg.media_root, container, name);
        return st == BLOB_OK ? http_response_new(202, NULL) : blob_error(st);
    }
    if (name[0] == '\0') {
        return list_blobs(app, container);
    }
    return get_blob(app, req, container, name);
}
