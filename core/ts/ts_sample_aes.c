/*
 * ts_sample_aes.c — SAMPLE-AES TS segments (ts_sample_aes.h): per track,
 * read the segment's samples, encrypt them into a second buffer, describe
 * the result with a subset index; then the muxer reads from memory.
 */
#include "ts_sample_aes.h"

#include "../cmaf/fmp4_cenc_producer.h"
#include "../crypto/mp_sample_aes.h"
#include "../mp4/mp_index_subset.h"
#include "../mp_scratch.h"

#include <stdlib.h>

/* One track's encrypted samples and what the muxer reads them through. */
typedef struct {
    uint8_t *data;
    size_t cap;
    mp_index_t *index;
    mp_pres_track_t pt;
    mp_seg_t seg;
    mp_source_t src;
} ts_aes_track_t;

typedef struct {
    mp_producer_t producer;   /* first */
    ts_muxer_t *mux;
    ts_aes_track_t video, audio;
} ts_aes_body_t;

static int ts_aes_memory_read(mp_source_t *s, void *buf, size_t len, uint64_t offset)
{
    const ts_aes_track_t *t = s->ctx;
    if (offset > t->cap || len > t->cap - offset) {
        return MP_ERR_IO;
    }
    memcpy(buf, t->data + offset, len);
    return MP_OK;
}

/* Encrypt the clear samples into t->data; sizes and offsets of the result. */
static int ts_aes_encrypt(const mp_pres_track_t *pt, const mp_seg_t *seg, const uint8_t *clear,
                          mp_sample_aes_t *c, ts_aes_track_t *t, uint32_t *sizes, uint64_t *offs)
{
    int video = pt->track->type == MP_TRACK_VIDEO;
    uint64_t in = 0, out = 0;
    for (uint32_t i = seg->first; i < seg->end; i++) {
        uint32_t size = mp_sample_size(pt->index, pt->track, i);
        size_t len = size;
        int rc;
        if (video) {
            rc = mp_sample_aes_video(c, clear + in, size, pt->track->nal_length_size,
                                     t->data + out, &len);
        } else {
            memcpy(t->data + out, clear + in, size);
            rc = mp_sample_aes_audio(c, t->data + out, size);
        }
        if (rc != MP_OK) {
            return rc;
        }
        sizes[i - seg->first] = (uint32_t) len;
        offs[i - seg->first] = out;
        in += size;
        out += len;
    }
    return MP_OK;
}

static void ts_aes_track_free(ts_aes_track_t *t)
{
    mp_scratch_put(t->data, t->cap);
    free(t->index);
}

static int ts_aes_track(const mp_pres_track_t *pt, const mp_seg_t *seg, mp_source_t *src,
                        mp_sample_aes_t *c, ts_aes_track_t *t)
{
    uint8_t *clear = NULL;
    size_t clear_cap = 0;
    uint64_t clear_len;
    uint32_t n = seg->end - seg->first;
    int rc = fmp4_segment_read(pt, seg, src, &clear, &clear_len, &clear_cap);
    if (rc != MP_OK) {
        return rc;
    }
    uint32_t *sizes = malloc(sizeof(uint32_t) * (n ? n : 1));
    uint64_t *offs = malloc(sizeof(uint64_t) * (n ? n : 1));
    t->data = mp_scratch_get(mp_sample_aes_video_cap(fmp4_payload_size(pt, seg)), &t->cap);
    rc = sizes && offs && t->data ? ts_aes_encrypt(pt, seg, clear, c, t, sizes, offs)
                                  : MP_ERR_NO_MEMORY;
    if (rc == MP_OK) {
        t->index = mp_index_subset(pt, seg, sizes, offs, &t->pt, &t->seg);
        rc = t->index ? MP_OK : MP_ERR_NO_MEMORY;
    }
    t->src = (mp_source_t) { ts_aes_memory_read, t, NULL, NULL, 0 };
    mp_scratch_put(clear, clear_cap);
    free(sizes);
    free(offs);
    return rc;
}

static int ts_aes_read(mp_producer_t *p, uint8_t *out, size_t cap, size_t *written, int *done)
{
    return ts_mux_read(((ts_aes_body_t *) p)->mux, out, cap, written, done);
}

static void ts_aes_close(mp_producer_t *p)
{
    ts_aes_body_t *b = (ts_aes_body_t *) p;
    ts_mux_close(b->mux);
    ts_aes_track_free(&b->video);
    ts_aes_track_free(&b->audio);
    free(b);
}

int ts_sample_aes_open(const void *recipe, mp_source_t *const *sources, mp_producer_t **out,
                       uint64_t *size)
{
    const ts_recipe_t *r = recipe;
    ts_aes_body_t *b = calloc(1, sizeof(*b));
    mp_sample_aes_t *c = mp_sample_aes_new(r->sample_aes_key, r->sample_aes_iv);
    int rc = b && c ? MP_OK : MP_ERR_NO_MEMORY;
    if (rc == MP_OK && r->video) {
        rc = ts_aes_track(r->video, &r->video_seg, sources[r->video->file_no], c, &b->video);
    }
    if (rc == MP_OK && r->audio) {
        rc = ts_aes_track(r->audio, &r->audio_seg, sources[r->audio->file_no], c, &b->audio);
    }
    mp_sample_aes_free(c);
    if (rc == MP_OK) {
        ts_segment_params_t tp = {
            r->video ? &b->video.pt : NULL, &b->video.seg, &b->video.src,
            r->audio ? &b->audio.pt : NULL, &b->audio.seg, &b->audio.src,
            r->segment_number, 1
        };
        rc = ts_mux_open(&b->mux, &tp, size);
    }
    if (rc != MP_OK) {
        if (b != NULL) {
            b->mux = NULL;
            ts_aes_close(&b->producer);
        }
        return rc;
    }
    b->producer.read = ts_aes_read;
    b->producer.close = ts_aes_close;
    *out = &b->producer;
    return MP_OK;
}
