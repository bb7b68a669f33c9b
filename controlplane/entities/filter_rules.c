/*
 * filter_rules.c — checking a filter's rules and writing them for the
 * origin (see filter_rules.h).  The text written here is the grammar of
 * core/filter/mp_filter.h; values are restricted to characters that need
 * no escaping in it.
 */
#include "entities/filter_rules.h"
#include "catalog/catalog_ofile.h"
#include "catalog/catalog_ofilter.h"
#include "catalog/catalog_store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-"
#define VALUE_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

bool filter_name_ok(const char *name)
{
    size_t len = name != NULL ? strlen(name) : 0;
    return len > 0 && len <= FILTER_NAME_MAX && strspn(name, NAME_CHARS) == len;
}

int filter_int64(const json_t *o, const char *name, long long *out)
{
    json_t *v = json_object_get(o, name);
    char *end;

    if (v == NULL || json_is_null(v)) {
        return 0;
    }
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
    } else if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) < 20) {
        *out = strtoll(json_string_value(v), &end, 10);
        if (*end != '\0') {
            return -1;
        }
    } else {
        return -1;
    }
    return *out >= 0 ? 1 : -1;
}

static const char *const time_members[] = {
    "StartTimestamp", "EndTimestamp", "PresentationWindowDuration", "LiveBackoffDuration",
    "Timescale", NULL
};

/* PresentationTimeRange: non-negative Int64s (stored as text), Timescale
 * positive (default 10,000,000), End after Start, AMS's window and
 * back-off limits. */
static int check_time_range(api_ctx_t *c, json_t *rec)
{
    json_t *r = json_object_get(rec, "PresentationTimeRange"), *norm;
    long long v[5] = { 0, 0, 0, 0, 10000000 };
    int set[5];
    char text[24];

    if (r == NULL || json_is_null(r)) {
        return 0;
    }
    norm = json_object();
    for (int i = 0; time_members[i] != NULL; i++) {
        set[i] = filter_int64(r, time_members[i], &v[i]);
        if (set[i] < 0 || (i == 4 && set[i] == 1 && v[i] == 0)) {
            json_decref(norm);
            return api_fail(c, 400, "InvalidValue", "PresentationTimeRange.%s must be a %s "
                            "Int64", time_members[i], i == 4 ? "positive" : "non-negative");
        }
        snprintf(text, sizeof(text), "%lld", v[i]);
        json_object_set_new(norm, time_members[i], set[i] == 1 || i == 4 ? json_string(text)
                                                                         : json_null());
    }
    json_object_set_new(rec, "PresentationTimeRange", norm);
    if (set[0] == 1 && set[1] == 1 && v[1] <= v[0]) {
        return api_fail(c, 400, "InvalidValue", "PresentationTimeRange.EndTimestamp must be "
                        "after StartTimestamp");
    }
    if (set[2] == 1 && v[2] / v[4] < FILTER_WINDOW_MIN_S) {
        return api_fail(c, 400, "InvalidValue", "PresentationTimeRange.PresentationWindowDuration "
                        "must be at least %d seconds", FILTER_WINDOW_MIN_S);
    }
    if (set[3] == 1 && (v[3] + v[4] - 1) / v[4] > FILTER_BACKOFF_MAX_S) {
        return api_fail(c, 400, "InvalidValue", "PresentationTimeRange.LiveBackoffDuration must "
                        "be at most %d seconds", FILTER_BACKOFF_MAX_S);
    }
    return 0;
}

static const char *const properties[] = { "Type", "Name", "Language", "FourCC", "Bitrate", NULL };

static int property_index(const char *p)
{
    for (int i = 0; p != NULL && properties[i] != NULL; i++) {
        if (strcasecmp(p, properties[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* Bitrate values: "n" or "lo-hi", lo <= hi < 2^32. */
static bool bitrate_ok(const char *v)
{
    char *end;
    unsigned long long lo = strtoull(v, &end, 10), hi = lo;

    if (end == v || (*end != '\0' && *end != '-')) {
        return false;
    }
    if (*end == '-') {
        const char *rest = end + 1;
        hi = strtoull(rest, &end, 10);
        if (end == rest || *end != '\0') {
            return false;
        }
    }
    return v[0] != '-' && lo <= hi && hi <= 0xFFFFFFFFull;
}

/* One {Property, Value, Operator}, normalized to AMS's spelling. */
static int check_condition(api_ctx_t *c, json_t *cond, size_t t, size_t i)
{
    const char *prop = json_string_value(json_object_get(cond, "Property"));
    const char *value = json_string_value(json_object_get(cond, "Value"));
    const char *op = json_string_value(json_object_get(cond, "Operator"));
    int p = property_index(prop);
    size_t len = value != NULL ? strlen(value) : 0;

    if (!json_is_object(cond) || p < 0) {
        return api_fail(c, 400, "InvalidValue", "Tracks[%zu].PropertyConditions[%zu].Property "
                        "must be Type, Name, Language, FourCC or Bitrate", t, i);
    }
    if (op == NULL || (strcasecmp(op, "Equal") != 0 && strcasecmp(op, "NotEqual") != 0)) {
        return api_fail(c, 400, "InvalidValue", "Tracks[%zu].PropertyConditions[%zu].Operator "
                        "must be Equal or NotEqual", t, i);
    }
    if (len == 0 || len > FILTER_VALUE_MAX || strspn(value, VALUE_CHARS) != len
        || (p == 0 && strcasecmp(value, "video") != 0 && strcasecmp(value, "audio") != 0
            && strcasecmp(value, "text") != 0)
        || (p == 4 && !bitrate_ok(value))) {
        return api_fail(c, 400, "InvalidValue", "Tracks[%zu].PropertyConditions[%zu].Value: %s",
                        t, i, p == 0 ? "Type is video, audio or text"
                        : p == 4 ? "Bitrate is a bit rate or a range 'low-high'"
                        : "1..64 characters of A-Z a-z 0-9 . _ -");
    }
    json_object_set_new(cond, "Property", json_string(properties[p]));
    json_object_set_new(cond, "Operator", json_string(strcasecmp(op, "Equal") == 0 ? "Equal"
                                                                                   : "NotEqual"));
    return 0;
}

/* A collection member in either JSON form ([…] or verbose {"results":[…]}). */
static json_t *collection(json_t *v)
{
    json_t *results = json_object_get(v, "results");
    return json_is_array(results) ? results : v;
}

static int check_tracks(api_ctx_t *c, json_t *rec)
{
    json_t *tracks = collection(json_object_get(rec, "Tracks")), *sel, *cond;
    size_t t, i;

    if (tracks == NULL || json_is_null(tracks)) {
        return 0;
    }
    if (!json_is_array(tracks) || json_array_size(tracks) > FILTER_SELECTIONS_MAX) {
        return api_fail(c, 400, "InvalidValue", "Tracks is a list of at most %d track selections",
                        FILTER_SELECTIONS_MAX);
    }
    json_array_foreach(tracks, t, sel) {
        json_t *conds = collection(json_object_get(sel, "PropertyConditions"));
        if (!json_is_array(conds) || json_array_size(conds) == 0
            || json_array_size(conds) > FILTER_CONDITIONS_MAX) {
            return api_fail(c, 400, "InvalidValue", "Tracks[%zu].PropertyConditions is a list "
                            "of 1..%d conditions", t, FILTER_CONDITIONS_MAX);
        }
        json_object_set(sel, "PropertyConditions", conds);
        json_array_foreach(conds, i, cond) {
            if (check_condition(c, cond, t, i) != 0) {
                return -1;
            }
        }
    }
    json_object_set(rec, "Tracks", tracks);
    return 0;
}

static int check_first_quality(api_ctx_t *c, json_t *rec)
{
    json_t *fq = json_object_get(rec, "FirstQuality");
    long long bitrate;

    if (fq == NULL || json_is_null(fq)) {
        return 0;
    }
    if (filter_int64(fq, "Bitrate", &bitrate) != 1 || bitrate == 0 || bitrate > 0xFFFFFFFFll) {
        return api_fail(c, 400, "InvalidValue", "FirstQuality.Bitrate must be a positive bit rate");
    }
    json_object_set_new(rec, "FirstQuality", json_pack("{s:I}", "Bitrate", (json_int_t) bitrate));
    return 0;
}

int filter_rules_check(api_ctx_t *c, json_t *rec)
{
    if (check_time_range(c, rec) != 0 || check_tracks(c, rec) != 0
        || check_first_quality(c, rec) != 0) {
        return -1;
    }
    return 0;
}

/* ---- the origin's text form (core/filter/mp_filter.h) --------------------- */

static void addf(char *out, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void addf(char *out, size_t cap, size_t *n, const char *fmt, ...)
{
    va_list ap;
    int w;

    va_start(ap, fmt);
    w = vsnprintf(out + (*n < cap ? *n : cap), *n < cap ? cap - *n : 0, fmt, ap);
    va_end(ap);
    *n += w > 0 ? (size_t) w : 0;
}

/* One condition as "<property>:<eq|ne>:<value>" (property in lower case). */
static void add_condition(char *out, size_t cap, size_t *n, const json_t *cond)
{
    const char *prop = json_string_value(json_object_get(cond, "Property"));
    const char *op = json_string_value(json_object_get(cond, "Operator"));
    const char *value = json_string_value(json_object_get(cond, "Value"));
    char lower[16] = "";

    for (size_t k = 0; prop != NULL && prop[k] != '\0' && k + 1 < sizeof(lower); k++) {
        lower[k] = (char) (prop[k] >= 'A' && prop[k] <= 'Z' ? prop[k] - 'A' + 'a' : prop[k]);
        lower[k + 1] = '\0';
    }
    addf(out, cap, n, "%s:%s:%s", lower, op != NULL && strcmp(op, "Equal") == 0 ? "eq" : "ne",
         value != NULL ? value : "");
}

static size_t filter_text(const json_t *rec, char *out, size_t cap)
{
    static const char *const keys[] = { "start", "end", "window", "backoff", "ts" };
    json_t *r = json_object_get(rec, "PresentationTimeRange"), *sel, *cond;
    size_t n = 0, t, i;
    long long v;

    out[0] = '\0';
    for (int k = 0; time_members[k] != NULL; k++) {
        if (filter_int64(r, time_members[k], &v) == 1) {
            addf(out, cap, &n, "%s=%lld;", keys[k], v);
        }
    }
    if (filter_int64(json_object_get(rec, "FirstQuality"), "Bitrate", &v) == 1) {
        addf(out, cap, &n, "fq=%lld;", v);
    }
    json_array_foreach(json_object_get(rec, "Tracks"), t, sel) {
        addf(out, cap, &n, "track=");
        json_array_foreach(json_object_get(sel, "PropertyConditions"), i, cond) {
            addf(out, cap, &n, "%s", i ? "," : "");
            add_condition(out, cap, &n, cond);
        }
        addf(out, cap, &n, ";");
    }
    return n;
}

int filter_publish(api_ctx_t *c, const char *scope, const char *name, const json_t *rec)
{
    char key[CATALOG_OFILTER_KEY_MAX], text[CATALOG_OFILTER_MAX_SIZE + 1];
    size_t klen = catalog_ofile_key(scope, name, strlen(name), key, sizeof(key)), tlen;
    int rc;

    if (klen == 0) {
        return api_fail(c, 400, "InvalidValue", "filter name too long");
    }
    if (rec == NULL) {
        rc = catalog_raw_del(&c->txn, CATALOG_DB_ORIGIN_FILTERS, key, klen);
        return rc == 0 || rc == MDB_NOTFOUND ? 0
               : api_fail(c, 500, "InternalError", "catalog write: %s", mdb_strerror(rc));
    }
    tlen = filter_text(rec, text, sizeof(text));
    if (tlen >= sizeof(text)) {
        return api_fail(c, 400, "InvalidValue", "the filter's rules are too long");
    }
    rc = catalog_raw_put(&c->txn, CATALOG_DB_ORIGIN_FILTERS, key, klen, text, tlen);
    return rc == 0 ? 0 : api_fail(c, 500, "InternalError", "catalog write: %s", mdb_strerror(rc));
}
