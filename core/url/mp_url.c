/*
 * mp_url.c — the AMS dynamic-packaging URL grammar (see mp_url.h).  Pure
 * string work over the decoded path: no allocation, every number checked for
 * overflow, every rejection explained in err.
 */
#include "mp_url.h"

#include "../mp_decimal.h"

#include <stdio.h>
#include <strings.h>

typedef struct {
    const char *name;
    mp_format_t format;
} mp_format_entry_t;

static const mp_format_entry_t mp_formats[] = {
    { "m3u8-aapl", MP_FMT_HLS_V4 },
    { "m3u8-cmaf", MP_FMT_HLS_CMAF },
    { "m3u8-aapl-v3", MP_FMT_HLS_TS },
    { "mpd-time-csf", MP_FMT_DASH_CSF },
    { "mpd-time-cmaf", MP_FMT_DASH_CMAF },
    { NULL, 0 }
};

typedef struct {
    const char *p;
    size_t len;
} mp_str_t;

static int mp_fail(char *err, size_t err_len, int rc, const char *msg)
{
    snprintf(err, err_len, "%s", msg);
    return rc;
}

const char *mp_format_name(mp_format_t f)
{
    for (const mp_format_entry_t *e = mp_formats; e->name; e++) {
        if (e->format == f) {
            return e->name;
        }
    }
    return "";
}

int mp_format_is_hls(mp_format_t f)
{
    return f == MP_FMT_HLS_V4 || f == MP_FMT_HLS_CMAF || f == MP_FMT_HLS_TS;
}

int mp_format_is_dash(mp_format_t f)
{
    return f == MP_FMT_DASH_CSF || f == MP_FMT_DASH_CMAF;
}

static int mp_str_ieq(mp_str_t s, const char *lit)
{
    return strlen(lit) == s.len && strncasecmp(s.p, lit, s.len) == 0;
}

static int mp_parse_u64(mp_str_t s, uint64_t max, uint64_t *out)
{
    return mp_decimal_u64(s.p, s.len, max, out);
}

/* Split "Word(args)" into word and args; args.p == NULL when no parens. */
static int mp_split_call(mp_str_t seg, mp_str_t *word, mp_str_t *args)
{
    const char *open = memchr(seg.p, '(', seg.len);
    args->p = NULL;
    args->len = 0;
    if (open == NULL) {
        *word = seg;
        return 1;
    }
    word->p = seg.p;
    word->len = (size_t) (open - seg.p);
    const char *close = memchr(open, ')', seg.len - word->len);
    if (close == NULL) {
        return 0;
    }
    size_t tail = seg.len - (size_t) (close + 1 - seg.p);
    /* Allow a player-friendly extension after the call: Manifest(...).m3u8 */
    if (tail && !(mp_str_ieq((mp_str_t) { close + 1, tail }, ".m3u8") ||
                  mp_str_ieq((mp_str_t) { close + 1, tail }, ".mpd"))) {
        return 0;
    }
    args->p = open + 1;
    args->len = (size_t) (close - open - 1);
    return 1;
}

/* Next comma-separated item of args; returns 0 at the end. */
static int mp_next_item(mp_str_t *args, mp_str_t *item)
{
    if (args->p == NULL || args->len == 0) {
        return 0;
    }
    const char *comma = memchr(args->p, ',', args->len);
    item->p = args->p;
    item->len = comma ? (size_t) (comma - args->p) : args->len;
    args->p += item->len + (comma ? 1 : 0);
    args->len -= item->len + (comma ? 1 : 0);
    if (comma && args->len == 0) {
        args->p = NULL;
    }
    return 1;
}

static void mp_split_kv(mp_str_t item, mp_str_t *key, mp_str_t *value)
{
    const char *eq = memchr(item.p, '=', item.len);
    *key = item;
    value->p = NULL;
    value->len = 0;
    if (eq) {
        key->len = (size_t) (eq - item.p);
        value->p = eq + 1;
        value->len = item.len - key->len - 1;
    }
}

static int mp_filter_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '~' || c == '-';
}

int mp_url_filter_name_ok(const char *name, size_t len)
{
    if (len == 0 || len > MP_URL_FILTER_NAME_MAX) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (!mp_filter_name_char(name[i])) {
            return 0;
        }
    }
    return 1;
}

/* filter=a;b;c: up to MP_URL_MAX_FILTERS names of [A-Za-z0-9._~-]. */
static int mp_parse_filter(mp_str_t value, mp_request_t *r, char *err, size_t el)
{
    mp_str_t rest = value;
    uint32_t count = 0;
    do {
        const char *semi = memchr(rest.p, ';', rest.len);
        size_t len = semi ? (size_t) (semi - rest.p) : rest.len;
        if (!mp_url_filter_name_ok(rest.p, len)) {
            snprintf(err, el, "filter names are 1..%d characters of A-Z a-z 0-9 . _ ~ -",
                     MP_URL_FILTER_NAME_MAX);
            return MP_ERR_BAD_REQUEST;
        }
        if (++count > MP_URL_MAX_FILTERS) {
            snprintf(err, el, "at most %d filters in filter=", MP_URL_MAX_FILTERS);
            return MP_ERR_BAD_REQUEST;
        }
        rest.p += len + (semi ? 1 : 0);
        rest.len -= len + (semi ? 1 : 0);
        if (semi && rest.len == 0) {
            return mp_fail(err, el, MP_ERR_BAD_REQUEST, "empty filter name");
        }
    } while (rest.len > 0);
    r->filter = value.p;
    r->filter_len = value.len;
    r->filter_count = count;
    return MP_OK;
}

/* Options shared by Manifest(...) and Fragments(...): format, audio-only,
 * encryption. */
static int mp_apply_option(mp_str_t key, mp_str_t value, mp_request_t *r, char *err, size_t el)
{
    if (mp_str_ieq(key, "format")) {
        for (const mp_format_entry_t *e = mp_formats; e->name; e++) {
            if (mp_str_ieq(value, e->name)) {
                r->format = e->format;
                return MP_OK;
            }
        }
        snprintf(err, el, "unknown format '%.*s'", (int) (value.len > 40 ? 40 : value.len), value.p);
        return MP_ERR_BAD_REQUEST;
    }
    if (mp_str_ieq(key, "audio-only")) {
        if (mp_str_ieq(value, "false") || mp_str_ieq(value, "true")) {
            r->audio_only = mp_str_ieq(value, "true");
            return MP_OK;
        }
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "audio-only must be true or false");
    }
    if (mp_str_ieq(key, "encryption")) {
        static const struct { const char *name; mp_encryption_t enc; } encs[] = {
            { "cbc", MP_ENC_CBC }, { "cenc", MP_ENC_CENC }, { "cbcs-aapl", MP_ENC_CBCS },
            { "cbcs", MP_ENC_CBCS }, { NULL, MP_ENC_ANY }
        };
        for (int i = 0; encs[i].name; i++) {
            if (mp_str_ieq(value, encs[i].name)) {
                r->encryption = encs[i].enc;
                return MP_OK;
            }
        }
        return mp_fail(err, el, MP_ERR_BAD_REQUEST,
                       "encryption must be cbc, cenc or cbcs-aapl");
    }
    if (mp_str_ieq(key, "filter")) {
        return mp_parse_filter(value, r, err, el);
    }
    /* later options are accepted and ignored */
    return MP_OK;
}

static int mp_set_stream(mp_str_t name, mp_request_t *r, char *err, size_t el)
{
    if (name.len == 0 || name.len >= MP_STREAM_NAME_LEN) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "bad stream name");
    }
    for (size_t i = 0; i < name.len; i++) {
        char c = name.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-')) {
            return mp_fail(err, el, MP_ERR_BAD_REQUEST, "bad character in stream name");
        }
    }
    memcpy(r->stream, name.p, name.len);
    r->stream[name.len] = '\0';
    return MP_OK;
}

static int mp_parse_options(mp_str_t args, mp_request_t *r, char *err, size_t el)
{
    mp_str_t item, key, value;
    while (mp_next_item(&args, &item)) {
        mp_split_kv(item, &key, &value);
        if (value.p == NULL) {
            return mp_fail(err, el, MP_ERR_BAD_REQUEST, "manifest option without '='");
        }
        int rc = mp_apply_option(key, value, r, err, el);
        if (rc != MP_OK) {
            return rc;
        }
    }
    return MP_OK;
}

/* Manifest(name,format=...) under QualityLevels: an HLS media playlist. */
static int mp_parse_playlist(mp_str_t args, mp_request_t *r, char *err, size_t el)
{
    mp_str_t item;
    if (!mp_next_item(&args, &item) || memchr(item.p, '=', item.len) != NULL) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "expected Manifest(<stream>,format=...)");
    }
    int rc = mp_set_stream(item, r, err, el);
    if (rc == MP_OK) {
        rc = mp_parse_options(args, r, err, el);
    }
    if (rc == MP_OK && !mp_format_is_hls(r->format)) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "media playlists exist for HLS formats only");
    }
    r->kind = MP_REQ_PLAYLIST;
    return rc;
}

/* Fragments(name=t|i[,format=...]) */
static int mp_parse_fragments(mp_str_t args, mp_request_t *r, char *err, size_t el)
{
    mp_str_t item, key, value;
    if (!mp_next_item(&args, &item)) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "expected Fragments(<stream>=<time>)");
    }
    mp_split_kv(item, &key, &value);
    if (value.p == NULL || mp_set_stream(key, r, err, el) != MP_OK) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "expected Fragments(<stream>=<time>)");
    }
    if (mp_str_ieq(value, "i")) {
        r->kind = MP_REQ_INIT;
    } else if (mp_parse_u64(value, UINT64_MAX, &r->time_10m)) {
        r->kind = MP_REQ_FRAGMENT;
    } else {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "fragment time is not a number");
    }
    int rc = mp_parse_options(args, r, err, el);
    if (rc == MP_OK && r->kind == MP_REQ_INIT && r->format == MP_FMT_SMOOTH) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "Smooth Streaming has no init segment");
    }
    if (rc == MP_OK && r->kind == MP_REQ_INIT && r->format == MP_FMT_HLS_TS) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "MPEG-TS has no init segment");
    }
    return rc;
}

/* Locate "<asset>.ism" or "<asset>.mp4" followed by '/' or the end. */
static int mp_find_asset(const char *uri, size_t len, mp_request_t *r, size_t *rest)
{
    for (size_t i = 0; i + 4 <= len; i++) {
        int ism = strncasecmp(uri + i, ".ism", 4) == 0;
        int mp4 = strncasecmp(uri + i, ".mp4", 4) == 0;
        if ((ism || mp4) && (i + 4 == len || uri[i + 4] == '/')) {
            r->asset = uri;
            r->asset_len = i + 4;
            r->asset_is_ism = ism;
            *rest = i + 4;
            return 1;
        }
    }
    return 0;
}

static int mp_check_asset_path(const mp_request_t *r, char *err, size_t el)
{
    const char *p = r->asset, *end = r->asset + r->asset_len;
    if (r->asset_len < 5 || p[0] != '/') {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "asset path must be absolute");
    }
    for (; p < end; p++) {
        if (*p == '\0' || *p == '\\') {
            return mp_fail(err, el, MP_ERR_BAD_REQUEST, "bad character in asset path");
        }
        if (p[0] == '/' && p + 1 < end && p[1] == '.' &&
            (p + 2 == end || p[2] == '/' || (p[2] == '.' && (p + 3 == end || p[3] == '/')))) {
            return mp_fail(err, el, MP_ERR_BAD_REQUEST, "dot segments are not allowed in paths");
        }
    }
    return MP_OK;
}

static int mp_parse_subresource(mp_str_t rest, mp_request_t *r, char *err, size_t el)
{
    const char *slash = memchr(rest.p, '/', rest.len);
    mp_str_t first = { rest.p, slash ? (size_t) (slash - rest.p) : rest.len }, word, args;
    if (!mp_split_call(first, &word, &args)) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "unbalanced parentheses in URL");
    }
    if (slash == NULL && mp_str_ieq(word, "Manifest")) {
        r->kind = MP_REQ_MANIFEST;
        return mp_parse_options(args, r, err, el);
    }
    uint64_t bitrate;
    if (slash == NULL || !mp_str_ieq(word, "QualityLevels") || args.p == NULL ||
        !mp_parse_u64(args, UINT32_MAX, &bitrate)) {
        return mp_fail(err, el, MP_ERR_NOT_FOUND, "not a packaging URL");
    }
    r->bitrate = (uint32_t) bitrate;
    mp_str_t second = { slash + 1, rest.len - first.len - 1 };
    if (memchr(second.p, '/', second.len) || !mp_split_call(second, &word, &args) || args.p == NULL) {
        return mp_fail(err, el, MP_ERR_NOT_FOUND, "not a packaging URL");
    }
    if (mp_str_ieq(word, "Manifest")) {
        return mp_parse_playlist(args, r, err, el);
    }
    if (mp_str_ieq(word, "Fragments")) {
        return mp_parse_fragments(args, r, err, el);
    }
    return mp_fail(err, el, MP_ERR_NOT_FOUND, "not a packaging URL");
}

int mp_url_parse(const char *uri, size_t len, mp_request_t *r, char *err, size_t el)
{
    size_t rest;
    memset(r, 0, sizeof(*r));
    r->format = MP_FMT_SMOOTH;
    r->audio_only = 1;
    if (el) {
        err[0] = '\0';
    }
    if (!mp_find_asset(uri, len, r, &rest)) {
        return mp_fail(err, el, MP_ERR_NOT_FOUND, "not an .ism or .mp4 URL");
    }
    int rc = mp_check_asset_path(r, err, el);
    if (rc != MP_OK) {
        return rc;
    }
    if (rest == len || (rest + 1 == len && uri[rest] == '/')) {
        if (r->asset_is_ism) {
            return mp_fail(err, el, MP_ERR_NOT_FOUND, "server manifests are never served raw");
        }
        r->kind = MP_REQ_FILE;
        return MP_OK;
    }
    return mp_parse_subresource((mp_str_t) { uri + rest + 1, len - rest - 1 }, r, err, el);
}
