/*
 * fuzz_mp4.c — the whole format core on hostile media.  The input is an entire
 * MP4 file, read through an in-memory mp_source_t by mp4_index_file.  When an
 * index comes out it must pass mp_index_check and keep the promises the parser
 * makes (samples inside the file, ascending decode times, sorted sync
 * samples, the same index whether the moov is parsed in the probe buffer or
 * alone in an exact-size buffer where ASan sees over-reads -- except for
 * fragmented files, whose moofs follow the moov and are walked through the
 * source); then a presentation is built over it (as a single .mp4 and as an
 * .ism naming its video and audio) and every request kind of every format is
 * packaged: manifests, HLS media playlists, init segments, fMP4 fragments
 * (payload ranges checked against the file) and MPEG-TS segments muxed to the
 * end.  mp4_index_mapped (the file parsed in place) must agree with
 * mp4_index_file; indexed as a growing file (limits.growing) it must index
 * whatever indexes whole, and stay inside the file.  Any sanitizer report or abort() is a bug.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mp4/mp4_parse.h"
#include "package/mp_package.h"
#include "segment/mp_track_info.h"
#include "ts/ts_mux.h"
#include "fuzz_check.h"

/* Segments requested per track and format: first ones and the last. */
#define FUZZ_MAX_SEGS 4

typedef struct {
    const uint8_t *data;
    size_t len;
} fuzz_file_t;

static int fuzz_map(mp_source_t *m, uint64_t off, size_t need, size_t want, const uint8_t **p,
                    size_t *got)
{
    fuzz_file_t *f = m->ctx;
    if (off > f->len || need > f->len - off) {
        return MP_ERR_IO;
    }
    *p = f->data + off;
    *got = want < f->len - off ? want : (size_t) (f->len - off);
    return MP_OK;
}

static int fuzz_read(mp_source_t *r, void *buf, size_t len, uint64_t off)
{
    const fuzz_file_t *f = r->ctx;
    if (off > f->len || len > f->len - off) {
        return MP_ERR_IO;
    }
    memcpy(buf, f->data + off, len);
    return MP_OK;
}


/* What the parser promises about every index it returns. */
static void fuzz_check_index(const mp_index_t *ix, uint64_t file_size)
{
    FUZZ_CHECK(mp_index_check(ix, ix->total_size) == MP_OK);
    for (uint32_t i = 0; i < ix->track_count; i++) {
        const mp_track_t *t = mp_index_track(ix, i);
        FUZZ_CHECK(t->type == MP_TRACK_VIDEO || t->type == MP_TRACK_AUDIO);
        FUZZ_CHECK(memchr(t->codecs, '\0', sizeof(t->codecs)) != NULL);
        FUZZ_CHECK(memchr(t->language, '\0', sizeof(t->language)) != NULL);
        uint64_t bytes = 0;
        for (uint32_t s = 0; s < t->sample_count; s++) {
            uint64_t off = mp_sample_offset(ix, t, s);
            uint32_t size = mp_sample_size(ix, t, s);
            FUZZ_CHECK(off <= file_size && size <= file_size - off);
            FUZZ_CHECK(mp_sample_dts(ix, t, s) <= mp_sample_dts(ix, t, s + 1));
            bytes += size;
        }
        FUZZ_CHECK(bytes == t->total_bytes);
        FUZZ_CHECK(mp_sample_dts(ix, t, t->sample_count) == t->duration);
        for (uint32_t k = 1; k < t->key_count; k++) {
            FUZZ_CHECK(mp_key_sample(ix, t, k - 1) < mp_key_sample(ix, t, k));
        }
        if (t->key_count) {
            FUZZ_CHECK(mp_key_sample(ix, t, t->key_count - 1) < t->sample_count);
        }
    }
}

/* Two indexes of the same moov hold the same data (alignment padding in the
 * blob is not initialised, so no memcmp of the whole blob). */
static int fuzz_same_index(const mp_index_t *a, const mp_index_t *b)
{
    if (a->total_size != b->total_size || a->track_count != b->track_count ||
        a->tracks_off != b->tracks_off || a->movie_timescale != b->movie_timescale ||
        a->movie_duration != b->movie_duration ||
        memcmp(mp_index_track(a, 0), mp_index_track(b, 0), a->track_count * sizeof(mp_track_t)) != 0) {
        return 0;
    }
    for (uint32_t i = 0; i < a->track_count; i++) {
        const mp_track_t *t = mp_index_track(a, i);
        uint64_t n = t->sample_count;
        const uint8_t *pa = (const uint8_t *) a, *pb = (const uint8_t *) b;
        if (memcmp(pa + t->entry_off, pb + t->entry_off, t->entry_len) != 0 ||
            memcmp(pa + t->config_off, pb + t->config_off, t->config_len) != 0 ||
            memcmp(pa + t->offsets_off, pb + t->offsets_off, mp_offset_width(t) * n) != 0 ||
            memcmp(pa + t->sizes_off, pb + t->sizes_off, 4 * n) != 0 ||
            memcmp(pa + t->dts_off, pb + t->dts_off, mp_dts_bytes(t)) != 0 ||
            (t->cto_off && memcmp(pa + t->cto_off, pb + t->cto_off, 4 * n) != 0) ||
            (t->key_count && memcmp(pa + t->keys_off, pb + t->keys_off, 4 * (size_t) t->key_count) != 0)) {
            return 0;
        }
    }
    return 1;
}

/* A produced body (TS): every file of the presentation is the one input. */
static void fuzz_stream(const mp_response_t *res, mp_source_t *r)
{
    mp_source_t *sources[ISM_MAX_ENTRIES];
    for (int i = 0; i < ISM_MAX_ENTRIES; i++) {
        sources[i] = r;
    }
    mp_producer_t *m = NULL;
    uint64_t total = 0;
    if (res->stream_open(res->stream_recipe, sources, &m, &total) != MP_OK) {
        return;
    }
    static uint8_t buf[188 * 64];
    uint64_t produced = 0;
    int done = 0, rc = MP_OK;
    while (!done) {
        size_t n = 0;
        rc = mp_producer_read(m, buf, sizeof(buf), &n, &done);
        if (rc != MP_OK) {
            break;
        }
        FUZZ_CHECK(n % 188 == 0);
        produced += n;
        FUZZ_CHECK(produced <= total);
        FUZZ_CHECK(n > 0 || done);
    }
    if (rc == MP_OK) {
        FUZZ_CHECK(produced == total);   /* the Content-Length promise */
    }
    mp_producer_close(m);
}

static void fuzz_request(const mp_request_t *req, const mp_presentation_t *p, mp_source_t *r,
                         uint64_t file_size)
{
    static const mp_package_conf_t conf = { 60000000, 20000000 };
    mp_response_t res;
    char err[MP_ERR_LEN];
    err[0] = '\0';
    int rc = mp_package(req, p, &conf, &res, err, sizeof(err));
    if (rc != MP_OK) {
        FUZZ_CHECK(err[0] != '\0');
    } else if (res.kind == MP_BODY_BUFFER) {
        FUZZ_CHECK(res.content_length == res.head.pos);
    } else if (res.kind == MP_BODY_RANGES) {
        uint64_t total = res.head.pos;
        for (uint32_t i = 0; i < res.range_count; i++) {
            FUZZ_CHECK(res.ranges[i].offset <= file_size &&
                       res.ranges[i].length <= file_size - res.ranges[i].offset);
            total += res.ranges[i].length;
        }
        FUZZ_CHECK(total == res.content_length);
    } else if (res.kind == MP_BODY_STREAM) {
        fuzz_stream(&res, r);
    }
    mp_response_free(&res);
}

static const mp_format_t fuzz_formats[] = {
    MP_FMT_SMOOTH, MP_FMT_HLS_V4, MP_FMT_HLS_CMAF, MP_FMT_HLS_TS, MP_FMT_DASH_CSF, MP_FMT_DASH_CMAF
};

static void fuzz_presentation(const mp_presentation_t *p, mp_source_t *r, uint64_t file_size)
{
    for (size_t f = 0; f < sizeof(fuzz_formats) / sizeof(fuzz_formats[0]); f++) {
        mp_request_t req;
        memset(&req, 0, sizeof(req));
        req.format = fuzz_formats[f];
        req.audio_only = 1;
        req.kind = MP_REQ_MANIFEST;
        fuzz_request(&req, p, r, file_size);

        uint64_t target = mp_format_is_hls(req.format) ? 60000000 : 20000000;
        mp_timeline_t tl;
        if (mp_timeline_build(p, target, &tl) != MP_OK) {
            continue;
        }
        for (uint32_t t = 0; t < p->count; t++) {
            const mp_pres_track_t *pt = &p->tracks[t];
            snprintf(req.stream, sizeof(req.stream), "%s", pt->name);
            req.bitrate = pt->bitrate;
            req.kind = MP_REQ_PLAYLIST;
            fuzz_request(&req, p, r, file_size);
            req.kind = MP_REQ_INIT;
            fuzz_request(&req, p, r, file_size);

            mp_seg_t *segs;
            uint32_t n;
            if (mp_track_seg_list(pt, &tl, &segs, &n) != MP_OK) {
                continue;
            }
            for (uint32_t s = 0; s < n; s++) {
                FUZZ_CHECK(segs[s].first < segs[s].end && segs[s].end <= pt->track->sample_count);
                FUZZ_CHECK(s == 0 || segs[s].first == segs[s - 1].end);
                if (s >= FUZZ_MAX_SEGS && s + 1 != n) {
                    continue;
                }
                req.kind = MP_REQ_FRAGMENT;
                req.time_10m = segs[s].start_10m;
                fuzz_request(&req, p, r, file_size);
            }
            req.time_10m = n ? segs[n - 1].start_10m + 1 : 0;   /* not a segment start */
            fuzz_request(&req, p, r, file_size);
            free(segs);
        }
        mp_timeline_free(&tl);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file_t file = { data, size };
    mp_source_t r = { .read = fuzz_read, .ctx = &file };
    char err[MP_ERR_LEN];
    mp_index_t *ix = mp4_index_file(&r, size, 0, err, sizeof(err));

    /* The same moov parsed from a buffer of exactly its size, so that reads
     * past its end are ASan reports (mp4_index_file parses inside a larger
     * probe buffer); both paths must agree byte for byte. */
    uint64_t moov_off, moov_size, next;
    char err2[MP_ERR_LEN];
    if (mp4_find_moov(data, size, 0, size, &moov_off, &moov_size, &next, err2, sizeof(err2)) == MP_OK) {
        uint8_t *moov = malloc(moov_size ? moov_size : 1);
        FUZZ_CHECK(moov != NULL);
        memcpy(moov, data + moov_off, moov_size);
        mp_index_t *ix2 = mp4_parse_moov(moov, moov_size, size, err2, sizeof(err2));
        /* a fragmented file's samples are in its moofs: the moov alone
         * indexes nothing, whatever the whole file gives */
        int fragmented = ix2 == NULL && strstr(err2, "the moov alone describes no samples") != NULL;
        FUZZ_CHECK(fragmented || (ix == NULL) == (ix2 == NULL));
        if (fragmented) {
            FUZZ_CHECK(err2[0] != '\0');
        } else if (ix != NULL) {
            FUZZ_CHECK(fuzz_same_index(ix, ix2));
        } else {
            FUZZ_CHECK(err2[0] != '\0');
        }
        free(ix2);
        free(moov);
    }
    /* Through a view (the file parsed in place, as the nginx glue does):
     * the same index or the same failure. */
    mp_source_t m = { .ctx = &file, .view = fuzz_map };
    char err3[MP_ERR_LEN];
    mp_index_t *ix3 = mp4_index_source(&m, size, 0, NULL, err3, sizeof(err3));
    FUZZ_CHECK((ix == NULL) == (ix3 == NULL));
    if (ix != NULL) {
        FUZZ_CHECK(fuzz_same_index(ix, ix3));
    } else {
        FUZZ_CHECK(strcmp(err, err3) == 0);
    }
    free(ix3);
    /* As a growing file (a live archive): an index whose samples lie in the
     * file, or a failure with a message.  (A whole file need not index as
     * growing: a last mdat running to the end of the file, or a moof without
     * its mdat yet, is the unfinished tail of a growing file.) */
    mp4_limits_t growing = { .growing = 1 };
    char err4[MP_ERR_LEN] = "";
    mp_index_t *ix4 = mp4_index_source_limited(&m, size, &growing, NULL, err4, sizeof(err4));
    if (ix4 != NULL) {
        fuzz_check_index(ix4, size);
    } else {
        FUZZ_CHECK(err4[0] != '\0');
    }
    free(ix4);
    if (ix == NULL) {
        FUZZ_CHECK(err[0] != '\0');
        return 0;
    }
    fuzz_check_index(ix, size);

    const mp_index_t *indexes[2] = { ix, ix };
    mp_presentation_t *p = malloc(sizeof(*p));
    FUZZ_CHECK(p != NULL);
    mp_file_list_t files;

    /* the file on its own: {file}.mp4/Manifest */
    mp_asset_files(NULL, &files);
    if (mp_presentation_build(p, NULL, &files, indexes, err, sizeof(err)) == MP_OK) {
        fuzz_presentation(p, &r, size);
    }

    /* an .ism naming the file's video and audio, the audio twice with the
     * same bitrate (unique QualityLevels) and once in another language */
    static ism_t ism;
    memset(&ism, 0, sizeof(ism));
    static const struct { int video; uint32_t bitrate; const char *lang; } entries[] = {
        { 1, 0, "" }, { 0, 128000, "" }, { 0, 128000, "" }, { 0, 64000, "fra" }
    };
    for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
        ism_entry_t *e = &ism.entries[ism.count++];
        e->is_video = entries[i].video;
        snprintf(e->src, sizeof(e->src), "%s", "a.mp4");
        e->bitrate = entries[i].bitrate;
        snprintf(e->language, sizeof(e->language), "%s", entries[i].lang);
    }
    mp_asset_files(&ism, &files);
    FUZZ_CHECK(files.count == 1);
    if (mp_presentation_build(p, &ism, &files, indexes, err, sizeof(err)) == MP_OK) {
        fuzz_presentation(p, &r, size);
    }
    free(p);
    free(ix);
    return 0;
}
