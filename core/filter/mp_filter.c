/*
 * mp_filter.c — applies a request's filters (mp_filter.h) to what a
 * manifest shows: which tracks, which segments of the shared timeline, and
 * which quality an HLS master names first.  Segment boundaries are never
 * moved, only left out, so every listed segment URL is one the unfiltered
 * asset serves with the same bytes.
 */
#include "mp_filter.h"

#include "../segment/mp_track_info.h"

#include <stdio.h>
#include <strings.h>

static const char *mp_ftype_name(const mp_track_t *t)
{
    return t->type == MP_TRACK_VIDEO ? "video" : t->type == MP_TRACK_AUDIO ? "audio" : "text";
}

/* The codec's four-character code: the first element of its RFC 6381 string. */
static int mp_ffourcc_is(const mp_track_t *t, const char *value)
{
    size_t n = strcspn(t->codecs, ".");
    return strlen(value) == n && strncasecmp(t->codecs, value, n) == 0;
}

static int mp_flanguage_is(const mp_pres_track_t *t, const char *value)
{
    return strcasecmp(mp_lang_tag(t->language), value) == 0 ||
           (t->language[0] != '\0' && strcasecmp(t->language, value) == 0);
}

static int mp_fcond_holds(const mp_filter_cond_t *c, const mp_pres_track_t *t)
{
    int equal;
    switch (c->prop) {
    case MP_FPROP_TYPE:
        equal = strcasecmp(mp_ftype_name(t->track), c->value) == 0;
        break;
    case MP_FPROP_NAME:
        equal = strcasecmp(t->name, c->value) == 0;
        break;
    case MP_FPROP_LANGUAGE:
        equal = mp_flanguage_is(t, c->value);
        break;
    case MP_FPROP_FOURCC:
        equal = mp_ffourcc_is(t->track, c->value);
        break;
    default:
        equal = t->bitrate >= c->lo && t->bitrate <= c->hi;
        break;
    }
    return c->not_equal ? !equal : equal;
}

static int mp_fselect_holds(const mp_filter_select_t *s, const mp_pres_track_t *t)
{
    for (uint32_t i = 0; i < s->count; i++) {
        if (!mp_fcond_holds(&s->conds[i], t)) {
            return 0;
        }
    }
    return 1;
}

static int mp_filter_keeps_one(const mp_filter_t *f, const mp_pres_track_t *t)
{
    if (f->select_count == 0) {
        return 1;
    }
    for (uint32_t i = 0; i < f->select_count; i++) {
        if (mp_fselect_holds(&f->selects[i], t)) {
            return 1;
        }
    }
    return 0;
}

int mp_filter_keeps(const mp_filter_set_t *fs, const mp_pres_track_t *t)
{
    for (uint32_t i = 0; i < fs->count; i++) {
        if (!mp_filter_keeps_one(fs->filters[i], t)) {
            return 0;
        }
    }
    return 1;
}

static uint32_t mp_ffirst_quality(const mp_filter_set_t *fs)
{
    for (uint32_t i = 0; i < fs->count; i++) {
        if (fs->filters[i]->first_quality) {
            return fs->filters[i]->first_quality;
        }
    }
    return 0;
}

/* The video track whose bitrate is nearest to fq moves to the front. */
static void mp_fmove_first(mp_presentation_t *p, uint32_t fq)
{
    uint32_t best = p->count;
    uint64_t best_diff = UINT64_MAX;
    for (uint32_t i = 0; i < p->count; i++) {
        uint32_t b = p->tracks[i].bitrate;
        uint64_t diff = b > fq ? b - fq : fq - b;
        if (p->tracks[i].track->type == MP_TRACK_VIDEO && diff < best_diff) {
            best = i;
            best_diff = diff;
        }
    }
    if (best < p->count && best > 0) {
        mp_pres_track_t moved = p->tracks[best];
        memmove(&p->tracks[1], &p->tracks[0], best * sizeof(p->tracks[0]));
        p->tracks[0] = moved;
    }
}

int mp_filter_presentation(const mp_filter_set_t *fs, const mp_presentation_t *p, int hls,
                           mp_presentation_t *out, char *err, size_t el)
{
    *out = *p;
    out->count = 0;
    for (uint32_t i = 0; i < p->count; i++) {
        if (mp_filter_keeps(fs, &p->tracks[i])) {
            out->tracks[out->count++] = p->tracks[i];
        }
    }
    if (out->count == 0) {
        snprintf(err, el, "the filters leave no track");
        return MP_ERR_BAD_REQUEST;
    }
    uint32_t fq = mp_ffirst_quality(fs);
    if (hls && fq) {
        mp_fmove_first(out, fq);
    }
    return MP_OK;
}

/* The intersection of the filters' ranges. */
static void mp_frange(const mp_filter_set_t *fs, int live, mp_filter_t *r)
{
    memset(r, 0, sizeof(*r));
    for (uint32_t i = 0; i < fs->count; i++) {
        const mp_filter_t *f = fs->filters[i];
        if ((f->flags & MP_FILTER_HAS_START) &&
            (!(r->flags & MP_FILTER_HAS_START) || f->start_10m > r->start_10m)) {
            r->start_10m = f->start_10m;
        }
        if ((f->flags & MP_FILTER_HAS_END) && !live &&
            (!(r->flags & MP_FILTER_HAS_END) || f->end_10m < r->end_10m)) {
            r->end_10m = f->end_10m;
        }
        if ((f->flags & MP_FILTER_HAS_WINDOW) && f->window_10m &&
            (!(r->flags & MP_FILTER_HAS_WINDOW) || f->window_10m < r->window_10m)) {
            r->window_10m = f->window_10m;
        }
        if ((f->flags & MP_FILTER_HAS_BACKOFF) && live && f->backoff_10m > r->backoff_10m) {
            r->backoff_10m = f->backoff_10m;
        }
        r->flags |= f->flags & (live ? ~(uint32_t) MP_FILTER_HAS_END : ~0u);
    }
}

/* Leaves out the first n segments of the view. */
static void mp_fdrop_front(mp_timeline_t *tl, uint32_t n)
{
    tl->bounds_10m += n;
    tl->count -= n;
    tl->first_no += n;
}

/* Ends the view with segment last (its end is the next boundary). */
static void mp_fclose_after(mp_timeline_t *tl, uint32_t last)
{
    if (last + 1 < tl->count) {
        tl->count = last + 2;
        tl->end_10m = tl->bounds_10m[last + 1];
        tl->closed = 1;
    }
}

/* Number of segments of the view (a closed one ends at its last boundary). */
static uint32_t mp_fsegments(const mp_timeline_t *tl)
{
    return tl->closed ? (tl->count ? tl->count - 1 : 0) : tl->count;
}

static uint64_t mp_fseg_end(const mp_timeline_t *tl, uint32_t i)
{
    return i + 1 < tl->count ? tl->bounds_10m[i + 1] : tl->end_10m;
}

static void mp_fapply_range(const mp_filter_t *r, mp_timeline_t *tl)
{
    if ((r->flags & MP_FILTER_HAS_BACKOFF) && r->backoff_10m) {
        uint64_t limit = tl->end_10m > r->backoff_10m ? tl->end_10m - r->backoff_10m : 0;
        uint32_t n = mp_fsegments(tl);
        while (n > 0 && mp_fseg_end(tl, n - 1) > limit) {
            n--;
        }
        if (n == 0) {
            tl->count = 0;
            return;
        }
        mp_fclose_after(tl, n - 1);
    }
    if (r->flags & MP_FILTER_HAS_END) {
        uint32_t n = mp_fsegments(tl);
        while (n > 0 && tl->bounds_10m[n - 1] >= r->end_10m) {
            n--;
        }
        if (n == 0) {
            tl->count = 0;
            return;
        }
        mp_fclose_after(tl, n - 1);
    }
    if (r->flags & MP_FILTER_HAS_START) {
        uint32_t first = 0, n = mp_fsegments(tl);
        while (first < n && mp_fseg_end(tl, first) <= r->start_10m) {
            first++;
        }
        if (first >= n) {
            tl->count = 0;
            return;
        }
        mp_fdrop_front(tl, first);
    }
    if ((r->flags & MP_FILTER_HAS_WINDOW) && r->window_10m) {
        uint32_t first = 0, n = mp_fsegments(tl);
        while (first + 1 < n && tl->bounds_10m[first + 1] + r->window_10m <= tl->end_10m) {
            first++;
        }
        mp_fdrop_front(tl, first);
    }
}

int mp_filter_timeline(const mp_filter_set_t *fs, mp_timeline_t *tl, mp_presentation_t *p,
                       char *err, size_t el)
{
    mp_filter_t r;
    mp_frange(fs, tl->live != NULL, &r);
    if (!(r.flags & (MP_FILTER_HAS_START | MP_FILTER_HAS_END | MP_FILTER_HAS_WINDOW |
                     MP_FILTER_HAS_BACKOFF)) || tl->count == 0) {
        return MP_OK;
    }
    uint32_t before = tl->first_no;
    mp_fapply_range(&r, tl);
    if (mp_fsegments(tl) == 0) {
        snprintf(err, el, "the filters' time range leaves no segment");
        return MP_ERR_BAD_REQUEST;
    }
    if (tl->first_no != before && tl->bounds_10m[0] > p->start_10m) {
        p->start_10m = tl->bounds_10m[0];
    }
    if (tl->closed && tl->live == NULL) {
        p->end_10m = tl->end_10m;
        p->duration_10m = tl->end_10m;
    }
    return MP_OK;
}
