/*
 * mp_package.c — request dispatch of the format core: one table row per
 * (request kind, format family) naming the function that builds the
 * response.  Manifests and init segments are written whole into memory;
 * fMP4 segments become a header plus file ranges; TS segments become a
 * recipe for a producer (the streaming TS muxer).
 */
#include "mp_package.h"

#include "../dash/dash_manifest.h"
#include "../hls/hls_manifest.h"
#include "../mss/mss_manifest.h"
#include "../ts/ts_mux.h"
#include "../ts/ts_sample_aes.h"
#include "../crypto/mp_aes_cbc.h"
#include "../crypto/mp_protection.h"
#include "../filter/mp_filter.h"
#include "../cmaf/fmp4_cenc_producer.h"
#include "../segment/mp_track_info.h"
#include "mp_ranges_producer.h"

#include <stdio.h>
#include <stdlib.h>

typedef int (*mp_builder_t)(const mp_request_t *req, const mp_presentation_t *p,
                            const mp_timeline_t *tl, mp_response_t *out, char *err, size_t el);

static int mp_fail(char *err, size_t el, int rc, const char *msg)
{
    snprintf(err, el, "%s", msg);
    return rc;
}

void mp_asset_files(const ism_t *ism, mp_file_list_t *out)
{
    memset(out, 0, sizeof(*out));
    if (ism == NULL) {
        out->count = 1;
        return;
    }
    for (uint32_t i = 0; i < ism->count; i++) {
        uint32_t j = 0;
        while (j < out->count && strcmp(out->names[j], ism->entries[i].src) != 0) {
            j++;
        }
        if (j == out->count) {
            out->names[out->count++] = ism->entries[i].src;
        }
    }
}

static int mp_find_track(const mp_index_t *ix, const ism_entry_t *e)
{
    uint32_t type = e->is_video ? MP_TRACK_VIDEO : MP_TRACK_AUDIO;
    for (uint32_t i = 0; i < ix->track_count; i++) {
        const mp_track_t *t = mp_index_track(ix, i);
        if (t->type == type && (e->track_id == 0 || t->track_id == e->track_id)) {
            return (int) i;
        }
    }
    return -1;
}

int mp_presentation_build(mp_presentation_t *p, const ism_t *ism, const mp_file_list_t *files,
                          const mp_index_t *const *indexes, char *err, size_t el)
{
    memset(p, 0, sizeof(*p));
    if (ism == NULL) {
        for (uint32_t i = 0; i < indexes[0]->track_count; i++) {
            if (mp_presentation_add(p, indexes[0], i, 0, 0, NULL) != MP_OK) {
                return mp_fail(err, el, MP_ERR_BAD_MEDIA, "too many tracks");
            }
        }
        mp_presentation_finish(p);
        return MP_OK;
    }
    for (uint32_t i = 0; i < ism->count; i++) {
        const ism_entry_t *e = &ism->entries[i];
        uint32_t f = 0;
        while (f < files->count && strcmp(files->names[f], e->src) != 0) {
            f++;
        }
        int track = f < files->count ? mp_find_track(indexes[f], e) : -1;
        if (track < 0) {
            snprintf(err, el, "%s has no %s track%s", e->src, e->is_video ? "video" : "audio",
                     e->track_id ? " with the trackID the .ism names" : "");
            return MP_ERR_BAD_MEDIA;
        }
        if (mp_presentation_add(p, indexes[f], (uint32_t) track, f, e->bitrate, e->language) != MP_OK) {
            return mp_fail(err, el, MP_ERR_BAD_MEDIA, "too many tracks");
        }
    }
    mp_presentation_finish(p);
    return MP_OK;
}

static const char *mp_media_type(const mp_pres_track_t *t)
{
    return t->track->type == MP_TRACK_VIDEO ? "video/mp4" : "audio/mp4";
}

static int mp_finish_buffer(mp_response_t *out, const char *type, int manifest)
{
    if (out->head.failed) {
        return MP_ERR_NO_MEMORY;
    }
    out->kind = MP_BODY_BUFFER;
    out->content_type = type;
    out->content_length = out->head.pos;
    out->is_manifest = manifest;
    return MP_OK;
}

static int mp_build_manifest(const mp_request_t *req, const mp_presentation_t *p,
                             const mp_timeline_t *tl, mp_response_t *out, char *err, size_t el)
{
    int rc;
    const char *type;
    if (mp_format_is_hls(req->format)) {
        hls_params_t hp = { req->format, req->audio_only, req->protection,
                            req->filters ? req->filter : NULL, req->filter_len };
        rc = hls_write_master(&out->head, p, &hp);
        type = "application/vnd.apple.mpegurl";
    } else if (mp_format_is_dash(req->format)) {
        rc = dash_write_mpd(&out->head, p, tl, req->format,
                            mp_protection_is_common(req->protection) ? req->protection : NULL);
        type = "application/dash+xml";
    } else {
        rc = mss_write_manifest(&out->head, p, tl,
                                mp_protection_is_common(req->protection) ? req->protection : NULL);
        type = "application/vnd.ms-sstr+xml";
    }
    if (rc != MP_OK) {
        return mp_fail(err, el, rc, rc == MP_ERR_NO_MEMORY ? "out of memory"
                                    : "manifest could not be written for this media");
    }
    return mp_finish_buffer(out, type, 1);
}

static const mp_pres_track_t *mp_request_track(const mp_request_t *req, const mp_presentation_t *p,
                                               char *err, size_t el)
{
    const mp_pres_track_t *t = mp_presentation_find(p, req->stream, strlen(req->stream), req->bitrate);
    if (t == NULL) {
        snprintf(err, el, "no stream '%s' at QualityLevels(%u)", req->stream, req->bitrate);
    }
    return t;
}

static int mp_build_playlist(const mp_request_t *req, const mp_presentation_t *p,
                             const mp_timeline_t *tl, mp_response_t *out, char *err, size_t el)
{
    const mp_pres_track_t *t = mp_request_track(req, p, err, el);
    if (t == NULL) {
        return MP_ERR_NOT_FOUND;
    }
    hls_params_t hp = { req->format, req->audio_only, req->protection,
                        req->filters ? req->filter : NULL, req->filter_len };
    int rc = hls_write_media(&out->head, p, t, tl, &hp);
    if (rc != MP_OK) {
        return mp_fail(err, el, rc, rc == MP_ERR_NO_MEMORY ? "out of memory"
                                    : "no playlist for this stream in this format");
    }
    return mp_finish_buffer(out, "application/vnd.apple.mpegurl", 1);
}

static int mp_build_init(const mp_request_t *req, const mp_presentation_t *p,
                         const mp_timeline_t *tl, mp_response_t *out, char *err, size_t el)
{
    (void) tl;
    const mp_pres_track_t *t = mp_request_track(req, p, err, el);
    if (t == NULL) {
        return MP_ERR_NOT_FOUND;
    }
    const mp_protection_t *pr = mp_protection_is_common(req->protection) ? req->protection : NULL;
    if (fmp4_write_init_protected(&out->head, t, pr) != MP_OK) {
        return mp_fail(err, el, MP_ERR_NO_MEMORY, "init segment could not be written");
    }
    return mp_finish_buffer(out, mp_media_type(t), 0);
}

/* The track and segment a Fragments(name=t) URL names, or MP_ERR_NOT_FOUND. */
static int mp_request_segment(const mp_request_t *req, const mp_presentation_t *p,
                              const mp_timeline_t *tl, const mp_pres_track_t **t, mp_seg_t *seg,
                              char *err, size_t el)
{
    *t = mp_request_track(req, p, err, el);
    if (*t == NULL) {
        return MP_ERR_NOT_FOUND;
    }
    if (mp_track_segment_at(*t, tl, req->time_10m, seg) != MP_OK) {
        snprintf(err, el, "no %s segment starts at %llu", (*t)->name,
                 (unsigned long long) req->time_10m);
        return MP_ERR_NOT_FOUND;
    }
    return MP_OK;
}

/* ---- HLS AES-128: the body's producer wrapped in a whole-segment cipher ---- */

/* What an fMP4 segment's producer reads: the header, then ranges of a file. */
typedef struct {
    mp_wr_t head;
    mp_range_t *ranges;
    uint32_t count;
    uint32_t file_no;
} mp_ranges_recipe_t;

static int mp_ranges_recipe_open(const void *recipe, mp_source_t *const *sources,
                                 mp_producer_t **out, uint64_t *size)
{
    const mp_ranges_recipe_t *r = recipe;
    return mp_ranges_producer_open(r->head.p, r->head.pos, r->ranges, r->count,
                                   sources[r->file_no], out, size);
}

static void mp_ranges_recipe_free(void *recipe)
{
    mp_ranges_recipe_t *r = recipe;
    mp_wr_free(&r->head);
    free(r->ranges);
    free(r);
}

typedef struct {
    mp_producer_open_pt inner_open;
    void *inner_recipe;
    void (*inner_free)(void *recipe);
    uint8_t key[16];
    uint8_t iv[16];
} mp_envelope_recipe_t;

static int mp_envelope_open(const void *recipe, mp_source_t *const *sources,
                            mp_producer_t **out, uint64_t *size)
{
    const mp_envelope_recipe_t *e = recipe;
    mp_producer_t *inner;
    uint64_t inner_size;
    int rc = e->inner_open(e->inner_recipe, sources, &inner, &inner_size);
    return rc != MP_OK ? rc : mp_aes_cbc_open(inner, inner_size, e->key, e->iv, out, size);
}

static void mp_envelope_free(void *recipe)
{
    mp_envelope_recipe_t *e = recipe;
    if (e->inner_free) {
        e->inner_free(e->inner_recipe);
    } else {
        free(e->inner_recipe);
    }
    memset(e, 0, sizeof(*e));
    free(e);
}

static void mp_ts_recipe_free(void *recipe)
{
    ts_recipe_t *r = recipe;
    memset(r->sample_aes_key, 0, sizeof(r->sample_aes_key));
    free(r);
}

static void mp_cenc_recipe_free(void *recipe)
{
    fmp4_cenc_recipe_t *r = recipe;
    memset(r, 0, sizeof(*r));                /* the key */
    free(r);
}

/* The media sequence number of seg in t's HLS playlist: its position in the
 * track's segment list (empty segments are not listed). */
static int mp_hls_sequence(const mp_pres_track_t *t, const mp_timeline_t *tl,
                           const mp_seg_t *seg, uint64_t *seq)
{
    mp_seg_t *segs;
    uint32_t count;
    int rc = mp_track_seg_list(t, tl, &segs, &count);
    if (rc != MP_OK) {
        return rc;
    }
    *seq = 0;
    while (*seq < count && segs[*seq].start_10m != seg->start_10m) {
        (*seq)++;
    }
    free(segs);
    return *seq < count ? MP_OK : MP_ERR_NOT_FOUND;
}

/* Wrap the response's producer in AES-128 when the request is protected so. */
static int mp_envelope(const mp_request_t *req, const mp_pres_track_t *t,
                       const mp_timeline_t *tl, const mp_seg_t *seg, mp_response_t *out,
                       char *err, size_t el)
{
    const mp_protection_t *pr = req->protection;
    uint64_t seq;
    if (pr == NULL || pr->method != MP_PROTECT_AES128) {
        return MP_OK;
    }
    mp_envelope_recipe_t *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return mp_fail(err, el, MP_ERR_NO_MEMORY, "out of memory");
    }
    memcpy(e->key, pr->key, 16);
    if (pr->has_iv) {
        memcpy(e->iv, pr->iv, 16);
    } else if (mp_hls_sequence(t, tl, seg, &seq) == MP_OK) {
        mp_aes_cbc_sequence_iv(seq, e->iv);
    } else {
        free(e);
        return mp_fail(err, el, MP_ERR_NOT_FOUND, "segment not in the playlist");
    }
    e->inner_open = out->stream_open;
    e->inner_recipe = out->stream_recipe;
    e->inner_free = out->stream_recipe_free;
    out->stream_open = mp_envelope_open;
    out->stream_recipe = e;
    out->stream_recipe_free = mp_envelope_free;
    return MP_OK;
}

/* An fMP4 segment as a producer (its bytes pass through a cipher). */
static int mp_fmp4_as_stream(mp_response_t *out, uint32_t file_no, char *err, size_t el)
{
    mp_ranges_recipe_t *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return mp_fail(err, el, MP_ERR_NO_MEMORY, "out of memory");
    }
    r->head = out->head;
    r->ranges = out->ranges;
    r->count = out->range_count;
    r->file_no = file_no;
    mp_wr_init_dynamic(&out->head);
    out->ranges = NULL;
    out->range_count = 0;
    out->kind = MP_BODY_STREAM;
    out->stream_open = mp_ranges_recipe_open;
    out->stream_recipe = r;
    out->stream_recipe_free = mp_ranges_recipe_free;
    return MP_OK;
}

/* A common-encrypted fMP4 segment: a recipe for fmp4_cenc_producer. */
static int mp_cenc_segment(const mp_request_t *req, const mp_pres_track_t *t, const mp_seg_t *seg,
                           const fmp4_frag_opts_t *o, mp_response_t *out, char *err, size_t el)
{
    const mp_protection_t *pr = req->protection;
    fmp4_cenc_recipe_t *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return mp_fail(err, el, MP_ERR_NO_MEMORY, "out of memory");
    }
    r->pt = t;
    r->seg = *seg;
    r->flavor = o->flavor;
    r->sequence_number = o->sequence_number;
    r->scheme = pr->method == MP_PROTECT_CBCS ? MP_CENC_CBCS : MP_CENC_CTR;
    memcpy(r->key, pr->key, 16);
    memcpy(r->constant_iv, pr->iv, 16);
    out->kind = MP_BODY_STREAM;
    out->content_type = mp_media_type(t);
    out->stream_open = fmp4_cenc_producer_open;
    out->stream_recipe = r;
    out->stream_recipe_free = mp_cenc_recipe_free;
    return MP_OK;
}

static int mp_build_fmp4_segment(const mp_request_t *req, const mp_presentation_t *p,
                                 const mp_timeline_t *tl, mp_response_t *out, char *err, size_t el)
{
    const mp_pres_track_t *t;
    mp_seg_t seg;
    int rc = mp_request_segment(req, p, tl, &t, &seg, err, el);
    if (rc != MP_OK) {
        return rc;
    }
    fmp4_frag_opts_t o = { req->format == MP_FMT_SMOOTH ? FMP4_FLAVOR_SMOOTH : FMP4_FLAVOR_CMAF,
                           mp_timeline_find(tl, seg.start_10m) + 1, NULL };
    if (mp_protection_is_common(req->protection)) {
        return mp_cenc_segment(req, t, &seg, &o, out, err, el);
    }
    if (fmp4_write_fragment_header(&out->head, t, &seg, &o) != MP_OK) {
        return mp_fail(err, el, MP_ERR_NO_MEMORY, "fragment header could not be written");
    }
    out->range_count = fmp4_payload_ranges(t, &seg, NULL);
    out->ranges = malloc(sizeof(mp_range_t) * (out->range_count ? out->range_count : 1));
    if (out->ranges == NULL) {
        return mp_fail(err, el, MP_ERR_NO_MEMORY, "out of memory");
    }
    fmp4_payload_ranges(t, &seg, out->ranges);
    out->kind = MP_BODY_RANGES;
    out->content_type = mp_media_type(t);
    out->range_file = t->file_no;
    out->content_length = out->head.pos + fmp4_payload_size(t, &seg);
    if (req->protection == NULL || !mp_format_is_hls(req->format)) {
        return MP_OK;
    }
    rc = mp_fmp4_as_stream(out, t->file_no, err, el);
    return rc != MP_OK ? rc : mp_envelope(req, t, tl, &seg, out, err, el);
}

/* MPEG-TS cannot carry an edit list: the audio frames the source's edit list
 * hides (AAC priming) are left out, so the first audio PES is the first heard
 * frame at the source's A/V offset, as with ffmpeg's and hls.js's alignment
 * on first PTS.  Shifting their PTS instead would move every real sample
 * off the source's timing; the cost of leaving them out is that the decoder
 * starts without the priming frame's overlap, so the first ~21 ms (one AAC
 * frame) fade in instead of starting at full level. */
static int mp_build_ts_segment(const mp_request_t *req, const mp_presentation_t *p,
                               const mp_timeline_t *tl, mp_response_t *out, char *err, size_t el)
{
    const mp_pres_track_t *t;
    mp_seg_t seg;
    int rc = mp_request_segment(req, p, tl, &t, &seg, err, el);
    if (rc != MP_OK) {
        return rc;
    }
    ts_recipe_t *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return mp_fail(err, el, MP_ERR_NO_MEMORY, "out of memory");
    }
    uint32_t b = mp_timeline_find(tl, seg.start_10m);
    out->kind = MP_BODY_STREAM;
    out->content_type = "video/MP2T";
    out->stream_open = ts_producer_open;
    out->stream_recipe = r;
    r->segment_number = b;
    if (req->protection != NULL && req->protection->method == MP_PROTECT_CBCS) {
        /* SAMPLE-AES: the cbcs key and constant IV, as FairPlay over TS */
        r->sample_aes = 1;
        memcpy(r->sample_aes_key, req->protection->key, 16);
        memcpy(r->sample_aes_iv, req->protection->iv, 16);
        out->stream_open = ts_sample_aes_open;
        out->stream_recipe_free = mp_ts_recipe_free;
    }
    if (t->track->type == MP_TRACK_AUDIO) {
        r->audio = t;
        r->audio_seg = seg;
        mp_seg_skip_hidden(t, &r->audio_seg);
        return mp_envelope(req, t, tl, &seg, out, err, el);
    }
    r->video = t;
    r->video_seg = seg;
    const mp_pres_track_t *a = mp_presentation_ts_audio(p);
    if (a != NULL && mp_track_segment_at_boundary(a, tl, b, &r->audio_seg) == MP_OK) {
        r->audio = a;
        mp_seg_skip_hidden(a, &r->audio_seg);
    }
    return mp_envelope(req, t, tl, &seg, out, err, el);
}

typedef struct {
    mp_req_kind_t kind;
    int ts;                       /* row applies to m3u8-aapl-v3 (1) or the others (0) */
    mp_builder_t build;
} mp_route_t;

static const mp_route_t mp_routes[] = {
    { MP_REQ_MANIFEST, 0, mp_build_manifest },
    { MP_REQ_MANIFEST, 1, mp_build_manifest },
    { MP_REQ_PLAYLIST, 0, mp_build_playlist },
    { MP_REQ_PLAYLIST, 1, mp_build_playlist },
    { MP_REQ_INIT, 0, mp_build_init },
    { MP_REQ_FRAGMENT, 0, mp_build_fmp4_segment },
    { MP_REQ_FRAGMENT, 1, mp_build_ts_segment },
    { 0, 0, NULL }
};

/* A manifest or playlist through the request's filters (filter/mp_filter.h):
 * fewer tracks and segments; fragments and init segments are never
 * filtered, so the URLs listed serve the unfiltered bytes. */
static int mp_build_filtered(mp_builder_t build, const mp_request_t *req,
                             const mp_presentation_t *p, const mp_timeline_t *tl,
                             mp_response_t *out, char *err, size_t el)
{
    mp_presentation_t *fp = malloc(sizeof(*fp));
    mp_timeline_t ftl = *tl;
    if (fp == NULL) {
        return mp_fail(err, el, MP_ERR_NO_MEMORY, "out of memory");
    }
    int hls_master = req->kind == MP_REQ_MANIFEST && mp_format_is_hls(req->format);
    int rc = mp_filter_presentation(req->filters, p, hls_master, fp, err, el);
    if (rc == MP_OK) {
        rc = mp_filter_timeline(req->filters, &ftl, fp, err, el);
    }
    if (rc == MP_OK) {
        rc = build(req, fp, &ftl, out, err, el);
    }
    free(fp);
    return rc;
}

uint64_t mp_package_target(const mp_request_t *req, const mp_package_conf_t *conf)
{
    return mp_format_is_hls(req->format) ? conf->hls_segment_10m : conf->fragment_10m;
}

int mp_package_with_timeline(const mp_request_t *req, const mp_presentation_t *p,
                             const mp_timeline_t *tl, mp_response_t *out, char *err, size_t el)
{
    memset(out, 0, sizeof(*out));
    mp_wr_init_dynamic(&out->head);
    int ts = req->format == MP_FMT_HLS_TS;
    const mp_route_t *route = mp_routes;
    while (route->build && !(route->kind == req->kind && route->ts == ts)) {
        route++;
    }
    if (route->build == NULL) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "request kind not available in this format");
    }
    /* never the clear bytes of a protected asset */
    if (req->protection != NULL && req->protection->method == MP_PROTECT_AES128
        && !mp_format_is_hls(req->format)) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST,
                       "AES-128 envelope encryption is served over HLS only");
    }
    if (req->protection != NULL && req->protection->method == MP_PROTECT_CENC
        && req->format == MP_FMT_HLS_TS) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST, "'cenc' is served as fMP4 (format=m3u8-aapl "
                       "or m3u8-cmaf); MPEG-TS is protected with SAMPLE-AES under 'cbcs'");
    }
    if (req->protection != NULL && req->protection->method == MP_PROTECT_CBCS
        && req->format == MP_FMT_SMOOTH) {
        return mp_fail(err, el, MP_ERR_BAD_REQUEST,
                       "Smooth Streaming is protected with 'cenc' (PlayReady), not 'cbcs'");
    }
    if (req->filters != NULL && req->filters->count > 0 &&
        (req->kind == MP_REQ_MANIFEST || req->kind == MP_REQ_PLAYLIST)) {
        return mp_build_filtered(route->build, req, p, tl, out, err, el);
    }
    return route->build(req, p, tl, out, err, el);
}

int mp_package(const mp_request_t *req, const mp_presentation_t *p, const mp_package_conf_t *conf,
               mp_response_t *out, char *err, size_t el)
{
    mp_timeline_t tl;
    memset(out, 0, sizeof(*out));
    int rc = mp_timeline_build(p, mp_package_target(req, conf), &tl);
    if (rc != MP_OK) {
        return mp_fail(err, el, rc, "no samples to segment");
    }
    rc = mp_package_with_timeline(req, p, &tl, out, err, el);
    mp_timeline_free(&tl);
    return rc;
}

int mp_response_ranges_as_stream(mp_response_t *res)
{
    char err[MP_ERR_LEN];
    return res->kind == MP_BODY_RANGES ? mp_fmp4_as_stream(res, res->range_file, err, sizeof(err))
                                       : MP_OK;
}

int mp_response_file_stream(mp_response_t *res, uint32_t file_no, uint64_t offset,
                            uint64_t length, const char *content_type)
{
    memset(res, 0, sizeof(*res));
    mp_wr_init_dynamic(&res->head);
    res->ranges = malloc(sizeof(mp_range_t));
    if (res->ranges == NULL) {
        return MP_ERR_NO_MEMORY;
    }
    res->ranges[0].offset = offset;
    res->ranges[0].length = length;
    res->range_count = 1;
    res->range_file = file_no;
    res->kind = MP_BODY_RANGES;
    res->content_type = content_type;
    res->content_length = length;
    return mp_response_ranges_as_stream(res);
}

void mp_response_free(mp_response_t *r)
{
    mp_wr_free(&r->head);
    free(r->ranges);
    r->ranges = NULL;
    if (r->stream_recipe_free != NULL) {
        r->stream_recipe_free(r->stream_recipe);
    } else {
        free(r->stream_recipe);
    }
    r->stream_recipe = NULL;
    r->stream_recipe_free = NULL;
}
