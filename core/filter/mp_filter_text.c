/*
 * mp_filter_text.c — reads the one-line text form of a filter (mp_filter.h)
 * that the control plane writes into the catalog: bounded, every number
 * checked for overflow, every rejection explained.
 */
#include "mp_filter.h"

#include "../mp_decimal.h"

#include <stdio.h>
#include <strings.h>

typedef struct {
    const char *p;
    size_t len;
} mp_fstr_t;

static int mp_ffail(char *err, size_t el, const char *msg, mp_fstr_t what)
{
    snprintf(err, el, "filter: %s '%.*s'", msg, (int) (what.len > 40 ? 40 : what.len), what.p);
    return MP_ERR_BAD_REQUEST;
}

static int mp_fstr_is(mp_fstr_t s, const char *lit)
{
    return strlen(lit) == s.len && strncasecmp(s.p, lit, s.len) == 0;
}

/* Cuts s at the first sep: *head before it, s after it (or empty). */
static mp_fstr_t mp_fcut(mp_fstr_t *s, char sep)
{
    const char *at = memchr(s->p, sep, s->len);
    mp_fstr_t head = { s->p, at ? (size_t) (at - s->p) : s->len };
    s->p += head.len + (at ? 1 : 0);
    s->len -= head.len + (at ? 1 : 0);
    return head;
}

static int mp_fnum(mp_fstr_t s, uint64_t max, uint64_t *out)
{
    return mp_decimal_u64(s.p, s.len, max, out);
}

static int mp_fvalue_ok(mp_fstr_t v)
{
    if (v.len == 0 || v.len > MP_FILTER_VALUE_MAX) {
        return 0;
    }
    for (size_t i = 0; i < v.len; i++) {
        char c = v.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

/* "n" or "lo-hi" */
static int mp_fbitrate(mp_fstr_t v, mp_filter_cond_t *c)
{
    mp_fstr_t hi = v, lo = mp_fcut(&hi, '-');
    uint64_t a, b;
    if (!mp_fnum(lo, UINT32_MAX, &a)) {
        return 0;
    }
    b = a;
    if (lo.len < v.len && !mp_fnum(hi, UINT32_MAX, &b)) {
        return 0;
    }
    c->lo = (uint32_t) a;
    c->hi = (uint32_t) b;
    return a <= b;
}

static const struct {
    const char *name;
    mp_filter_prop_t prop;
} mp_fprops[] = {
    { "type", MP_FPROP_TYPE }, { "name", MP_FPROP_NAME }, { "language", MP_FPROP_LANGUAGE },
    { "fourcc", MP_FPROP_FOURCC }, { "bitrate", MP_FPROP_BITRATE }, { NULL, 0 }
};

/* "<prop>:<eq|ne>:<value>" */
static int mp_fcond(mp_fstr_t s, mp_filter_cond_t *c, char *err, size_t el)
{
    mp_fstr_t all = s, prop = mp_fcut(&s, ':'), op = mp_fcut(&s, ':');
    int i = 0;
    while (mp_fprops[i].name && !mp_fstr_is(prop, mp_fprops[i].name)) {
        i++;
    }
    if (mp_fprops[i].name == NULL) {
        return mp_ffail(err, el, "unknown track property", prop);
    }
    c->prop = mp_fprops[i].prop;
    if (!mp_fstr_is(op, "eq") && !mp_fstr_is(op, "ne")) {
        return mp_ffail(err, el, "operator is eq or ne in", all);
    }
    c->not_equal = mp_fstr_is(op, "ne");
    if (!mp_fvalue_ok(s) || (c->prop == MP_FPROP_BITRATE && !mp_fbitrate(s, c))) {
        return mp_ffail(err, el, "bad condition value in", all);
    }
    memcpy(c->value, s.p, s.len);
    c->value[s.len] = '\0';
    return MP_OK;
}

static int mp_fselect(mp_fstr_t s, mp_filter_t *f, char *err, size_t el)
{
    if (f->select_count >= MP_FILTER_MAX_SELECTIONS) {
        return mp_ffail(err, el, "too many track selections at", s);
    }
    mp_filter_select_t *sel = &f->selects[f->select_count++];
    while (s.len > 0) {
        if (sel->count >= MP_FILTER_MAX_CONDITIONS) {
            return mp_ffail(err, el, "too many conditions in a selection at", s);
        }
        int rc = mp_fcond(mp_fcut(&s, ','), &sel->conds[sel->count++], err, el);
        if (rc != MP_OK) {
            return rc;
        }
    }
    return sel->count ? MP_OK : mp_ffail(err, el, "empty track selection", s);
}

typedef struct {
    const char *key;
    uint32_t flag;
    size_t offset;
} mp_ftime_t;

static const mp_ftime_t mp_ftimes[] = {
    { "start", MP_FILTER_HAS_START, offsetof(mp_filter_t, start_10m) },
    { "end", MP_FILTER_HAS_END, offsetof(mp_filter_t, end_10m) },
    { "window", MP_FILTER_HAS_WINDOW, offsetof(mp_filter_t, window_10m) },
    { "backoff", MP_FILTER_HAS_BACKOFF, offsetof(mp_filter_t, backoff_10m) },
    { NULL, 0, 0 }
};

static int mp_fitem(mp_fstr_t item, mp_filter_t *f, uint64_t *ts, char *err, size_t el)
{
    mp_fstr_t value = item, key = mp_fcut(&value, '=');
    uint64_t n;
    if (mp_fstr_is(key, "track")) {
        return mp_fselect(value, f, err, el);
    }
    if (!mp_fnum(value, INT64_MAX, &n)) {
        return mp_ffail(err, el, "bad number in", item);
    }
    if (mp_fstr_is(key, "ts")) {
        *ts = n;
        return n > 0 ? MP_OK : mp_ffail(err, el, "timescale must be positive:", item);
    }
    if (mp_fstr_is(key, "fq")) {
        f->first_quality = (uint32_t) (n > UINT32_MAX ? UINT32_MAX : n);
        return MP_OK;
    }
    for (const mp_ftime_t *t = mp_ftimes; t->key; t++) {
        if (mp_fstr_is(key, t->key)) {
            f->flags |= t->flag;
            *(uint64_t *) ((char *) f + t->offset) = n;    /* in ts units until the end */
            return MP_OK;
        }
    }
    return mp_ffail(err, el, "unknown item", key);
}

int mp_filter_parse(const char *text, size_t len, mp_filter_t *f, char *err, size_t el)
{
    mp_fstr_t s = { text, len };
    uint64_t ts = MP_TIMESCALE_10M;
    memset(f, 0, sizeof(*f));
    if (len > MP_FILTER_TEXT_MAX) {
        snprintf(err, el, "filter: longer than %d bytes", MP_FILTER_TEXT_MAX);
        return MP_ERR_BAD_REQUEST;
    }
    while (s.len > 0) {
        mp_fstr_t item = mp_fcut(&s, ';');
        if (item.len == 0) {
            continue;
        }
        int rc = mp_fitem(item, f, &ts, err, el);
        if (rc != MP_OK) {
            return rc;
        }
    }
    for (const mp_ftime_t *t = mp_ftimes; t->key; t++) {
        uint64_t *v = (uint64_t *) ((char *) f + t->offset);
        unsigned __int128 t = (unsigned __int128) *v * MP_TIMESCALE_10M / ts;
        *v = t > INT64_MAX ? INT64_MAX : (uint64_t) t;      /* far beyond any media */
    }
    if ((f->flags & MP_FILTER_HAS_START) && (f->flags & MP_FILTER_HAS_END) &&
        f->end_10m <= f->start_10m) {
        snprintf(err, el, "filter: the end of the time range is not after its start");
        return MP_ERR_BAD_REQUEST;
    }
    return MP_OK;
}
