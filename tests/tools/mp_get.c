/*
 * mp_get.c — the origin without nginx: resolves an AMS URL against a media
 * root exactly as the module does in direct mode and writes the response
 * body to stdout (status and headers to stderr).  Used by tests to compare
 * with what nginx serves, to pre-package static files for benchmarks and to
 * debug packaging by hand:  mp_get /srv/media '/v/clip.ism/Manifest(format=mpd-time-csf)'
 *
 * MP_GET_REPEAT=n times the cold path n more times (indexing every file,
 * presentation, response) and prints the best time of each phase to stderr.
 *
 * MP_GET_AES128_KEY=<32 hex digits> protects the response as a delivery
 * policy with AES-128 envelope encryption would (HLS: EXT-X-KEY in media
 * playlists, whole segments encrypted; other formats refused), with the key
 * URI MP_GET_KEY_URI (default "key.bin") and a fixed IV MP_GET_AES128_IV
 * (32 hex digits; default: the media sequence number).
 *
 * MP_GET_CENC_KEY=<32 hex> with MP_GET_CENC_KID=<32 hex> protects it with
 * common encryption instead: scheme MP_GET_CENC_SCHEME (cenc, the default,
 * or cbcs with the constant IV MP_GET_CBCS_IV), ClearKey license URL
 * MP_GET_CLEARKEY_URL, Widevine/PlayReady/FairPlay signalling when
 * MP_GET_WIDEVINE_URL / MP_GET_PLAYREADY_URL / MP_GET_FAIRPLAY_URL are set.
 */
#include "package/mp_package.h"
#include "mp4/mp4_parse.h"
#include "ts/ts_mux.h"
#include "mp_file_reader.h"
#include "crypto/mp_protection.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static const mp_package_conf_t conf = { 60000000, 20000000 };

static int fail(int status, const char *why)
{
    fprintf(stderr, "status %d: %s\n", status, why);
    return status;
}

static int http_status(int rc)
{
    return rc == MP_ERR_BAD_REQUEST ? 400 : rc == MP_ERR_NOT_FOUND ? 404
         : rc == MP_ERR_BAD_MEDIA ? 415 : 500;
}

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    return buf;
}

/* A produced body (MPEG-TS): the producer over one file source per file. */
static void write_stream(mp_response_t *res, int *fds, uint32_t nfds)
{
    mp_source_t src[ISM_MAX_ENTRIES];
    mp_source_t *srcs[ISM_MAX_ENTRIES];
    for (uint32_t i = 0; i < nfds && i < ISM_MAX_ENTRIES; i++) {
        src[i] = mp_file_reader(fds[i]);
        srcs[i] = &src[i];
    }
    mp_producer_t *pr;
    uint64_t size;
    if (res->stream_open(res->stream_recipe, srcs, &pr, &size) != MP_OK) {
        fail(415, "producer open failed");
        exit(1);
    }
    fprintf(stderr, "content-length %llu\n", (unsigned long long) size);
    uint8_t buf[188 * 64];
    int done = 0;
    while (!done) {
        size_t n;
        if (mp_producer_read(pr, buf, sizeof(buf), &n, &done) != MP_OK) {
            fail(415, "producer read failed");
            exit(1);
        }
        fwrite(buf, 1, n, stdout);
    }
    mp_producer_close(pr);
}

static void write_ranges(const mp_response_t *res, int fd)
{
    fwrite(res->head.p, 1, res->head.pos, stdout);
    for (uint32_t i = 0; i < res->range_count; i++) {
        char *buf = malloc(res->ranges[i].length);
        mp_source_t r = mp_file_reader(fd);
        r.read(&r, buf, res->ranges[i].length, res->ranges[i].offset);
        fwrite(buf, 1, res->ranges[i].length, stdout);
        free(buf);
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* MP_GET_REPEAT: best times of indexing, presentation and response. */
static void repeat_cold(int n, const mp_request_t *req, const ism_t *ism,
                        const mp_file_list_t *files, const int *fds)
{
    double best[3] = { 1e9, 1e9, 1e9 };
    char err[MP_ERR_LEN];
    for (int k = 0; k < n; k++) {
        const mp_index_t *ix[ISM_MAX_ENTRIES];
        static mp_presentation_t p;
        mp_response_t res;
        double t0 = now_ms();
        for (uint32_t i = 0; i < files->count; i++) {
            struct stat st;
            mp_source_t r = mp_file_reader(fds[i]);
            fstat(fds[i], &st);
            ix[i] = mp4_index_file(&r, (uint64_t) st.st_size, 0, err, sizeof(err));
        }
        double t1 = now_ms();
        mp_presentation_build(&p, ism, files, ix, err, sizeof(err));
        double t2 = now_ms();
        if (mp_package(req, &p, &conf, &res, err, sizeof(err)) == MP_OK) {
            mp_response_free(&res);
        }
        double t3 = now_ms(), d[3] = { t1 - t0, t2 - t1, t3 - t2 };
        for (int j = 0; j < 3; j++) {
            best[j] = d[j] < best[j] ? d[j] : best[j];
        }
        for (uint32_t i = 0; i < files->count; i++) {
            free((void *) ix[i]);
        }
    }
    fprintf(stderr, "best of %d: index %.3f ms, presentation %.3f ms, response %.3f ms\n", n,
            best[0], best[1], best[2]);
}

static int hex16(const char *s, uint8_t out[16])
{
    for (int i = 0; i < 16; i++) {
        unsigned v;
        if (s == NULL || sscanf(s + 2 * i, "%2x", &v) != 1) {
            return -1;
        }
        out[i] = (uint8_t) v;
    }
    return s[32] == '\0' ? 0 : -1;
}

static void env_hex16(const char *name, uint8_t out[16])
{
    const char *v = getenv(name);
    if (v != NULL && hex16(v, out) != 0) {
        fprintf(stderr, "%s: 32 hex digits\n", name);
        exit(2);
    }
}

static void env_text(const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s", getenv(name) ? getenv(name) : "");
}

/* Common encryption from MP_GET_CENC_* (NULL when not asked for). */
static const mp_protection_t *env_common_protection(void)
{
    static mp_protection_t pr;
    const char *scheme = getenv("MP_GET_CENC_SCHEME");
    if (getenv("MP_GET_CENC_KEY") == NULL) {
        return NULL;
    }
    env_hex16("MP_GET_CENC_KEY", pr.key);
    env_hex16("MP_GET_CENC_KID", pr.kid);
    env_hex16("MP_GET_CBCS_IV", pr.iv);
    pr.method = scheme != NULL && strcmp(scheme, "cbcs") == 0 ? MP_PROTECT_CBCS : MP_PROTECT_CENC;
    env_text("MP_GET_KEY_URI", pr.key_uri, sizeof(pr.key_uri));
    env_text("MP_GET_CLEARKEY_URL", pr.clearkey_url, sizeof(pr.clearkey_url));
    env_text("MP_GET_WIDEVINE_URL", pr.widevine_url, sizeof(pr.widevine_url));
    env_text("MP_GET_PLAYREADY_URL", pr.playready_url, sizeof(pr.playready_url));
    env_text("MP_GET_FAIRPLAY_URL", pr.fairplay_url, sizeof(pr.fairplay_url));
    return &pr;
}

/* The protection the environment asks for (NULL: clear). */
static const mp_protection_t *env_protection(void)
{
    static mp_protection_t pr;
    if (env_common_protection() != NULL) {
        return env_common_protection();
    }
    const char *key = getenv("MP_GET_AES128_KEY"), *iv = getenv("MP_GET_AES128_IV");
    const char *uri = getenv("MP_GET_KEY_URI");
    if (key == NULL) {
        return NULL;
    }
    if (hex16(key, pr.key) != 0 || (iv != NULL && hex16(iv, pr.iv) != 0)) {
        fprintf(stderr, "MP_GET_AES128_KEY / _IV: 32 hex digits\n");
        exit(2);
    }
    pr.method = MP_PROTECT_AES128;
    pr.has_iv = iv != NULL;
    snprintf(pr.key_uri, sizeof(pr.key_uri), "%s", uri ? uri : "key.bin");
    return &pr;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s <root> <uri>\n", argv[0]);
        return 2;
    }
    char err[MP_ERR_LEN], path[4096];
    mp_request_t req;
    int rc = mp_url_parse(argv[2], strlen(argv[2]), &req, err, sizeof(err));
    if (rc != MP_OK) {
        return fail(http_status(rc), err);
    }
    req.protection = env_protection();
    snprintf(path, sizeof(path), "%s%.*s", argv[1], (int) req.asset_len, req.asset);
    static ism_t ism;
    int have_ism = 0;
    if (req.asset_is_ism) {
        size_t len;
        char *xml = read_whole(path, &len);
        if (xml == NULL) {
            return fail(404, "no such asset");
        }
        if (ism_parse(xml, len, &ism, err, sizeof(err)) != MP_OK) {
            return fail(415, err);
        }
        free(xml);
        have_ism = 1;
    }
    mp_file_list_t files;
    mp_asset_files(have_ism ? &ism : NULL, &files);
    const mp_index_t *ix[ISM_MAX_ENTRIES];
    int fds[ISM_MAX_ENTRIES];
    char *slash = strrchr(path, '/');
    for (uint32_t i = 0; i < files.count; i++) {
        char fpath[4096];
        if (have_ism) {
            snprintf(fpath, sizeof(fpath), "%.*s/%s", (int) (slash - path), path, files.names[i]);
        } else {
            snprintf(fpath, sizeof(fpath), "%s", path);
        }
        struct stat st;
        fds[i] = open(fpath, O_RDONLY);
        if (fds[i] < 0 || fstat(fds[i], &st) != 0) {
            return fail(404, "media file missing");
        }
        mp_source_t r = mp_file_reader(fds[i]);
        ix[i] = mp4_index_file(&r, (uint64_t) st.st_size, 0, err, sizeof(err));
        if (ix[i] == NULL) {
            return fail(415, err);
        }
    }
    static mp_presentation_t p;
    if (mp_presentation_build(&p, have_ism ? &ism : NULL, &files, ix, err, sizeof(err)) != MP_OK) {
        return fail(415, err);
    }
    mp_response_t res;
    rc = mp_package(&req, &p, &conf, &res, err, sizeof(err));
    if (rc != MP_OK) {
        return fail(http_status(rc), err);
    }
    fprintf(stderr, "status 200 %s length %llu\n", res.content_type,
            (unsigned long long) res.content_length);
    if (res.kind == MP_BODY_BUFFER) {
        fwrite(res.head.p, 1, res.head.pos, stdout);
    } else if (res.kind == MP_BODY_RANGES) {
        write_ranges(&res, fds[res.range_file]);
    } else {
        write_stream(&res, fds, files.count);
    }
    mp_response_free(&res);
    if (getenv("MP_GET_REPEAT") != NULL) {
        repeat_cold(atoi(getenv("MP_GET_REPEAT")), &req, have_ism ? &ism : NULL, &files, fds);
    }
    return 0;
}
