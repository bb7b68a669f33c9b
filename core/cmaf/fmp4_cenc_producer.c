/*
 * fmp4_cenc_producer.c — common-encrypted fMP4 segments (see the header):
 * read the samples, map and encrypt them, write moof + mdat header, then
 * copy head and payload out on each read.
 */
#include "fmp4_cenc_producer.h"
#include "fmp4_protect.h"
#include "../mp_scratch.h"

#include <openssl/crypto.h>
#include <stdlib.h>

typedef struct {
    mp_producer_t producer;   /* first */
    mp_wr_t head;
    uint8_t *payload;         /* an mp_scratch buffer of payload_cap bytes */
    uint64_t payload_len;
    size_t payload_cap;
    uint64_t pos;             /* over head, then payload */
} fmp4_cenc_body_t;

/* Scratch of one segment's sample map. */
typedef struct {
    uint8_t *ivs;
    uint32_t *sub_start;
    mp_subsample_t *subs;
    uint32_t used;
} fmp4_cenc_map_t;

void fmp4_cenc_sample_iv(const mp_pres_track_t *pt, uint32_t i, uint8_t iv[16])
{
    uint32_t h = 2166136261u;         /* FNV-1a over name and bitrate */
    for (const char *c = pt->name; *c; c++) {
        h = (h ^ (uint8_t) *c) * 16777619u;
    }
    for (int k = 0; k < 4; k++) {
        h = (h ^ (uint8_t) (pt->bitrate >> (8 * k))) * 16777619u;
    }
    memset(iv, 0, 16);
    for (int k = 0; k < 4; k++) {
        iv[k] = (uint8_t) (h >> (24 - 8 * k));
        iv[4 + k] = (uint8_t) (i >> (24 - 8 * k));
    }
}

static void fmp4_cenc_map_free(fmp4_cenc_map_t *m)
{
    free(m->ivs);
    free(m->sub_start);
    free(m->subs);
}

int fmp4_segment_read(const mp_pres_track_t *pt, const mp_seg_t *seg, mp_source_t *src,
                      uint8_t **out, uint64_t *len, size_t *cap)
{
    uint32_t n = fmp4_payload_ranges(pt, seg, NULL);
    mp_range_t *ranges = malloc(sizeof(mp_range_t) * (n ? n : 1));
    *len = fmp4_payload_size(pt, seg);
    *out = NULL;
    if (*len > FMP4_CENC_MAX_PAYLOAD) {
        free(ranges);
        return MP_ERR_BAD_MEDIA;
    }
    *out = mp_scratch_get(*len, cap);
    if (ranges == NULL || *out == NULL) {
        free(ranges);
        mp_scratch_put(*out, *cap);
        *out = NULL;
        return MP_ERR_NO_MEMORY;
    }
    fmp4_payload_ranges(pt, seg, ranges);
    uint64_t at = 0;
    int rc = MP_OK;
    for (uint32_t i = 0; i < n && rc == MP_OK; i++) {
        rc = src->read(src, *out + at, ranges[i].length, ranges[i].offset);
        at += ranges[i].length;
    }
    free(ranges);
    if (rc != MP_OK) {
        mp_scratch_put(*out, *cap);
        *out = NULL;
    }
    return rc;
}

static int fmp4_cenc_map_alloc(const fmp4_cenc_recipe_t *r, uint32_t n, int video,
                               fmp4_cenc_map_t *m)
{
    int ctr = r->scheme == MP_CENC_CTR, subs = video || !ctr;
    memset(m, 0, sizeof(*m));
    m->ivs = ctr ? malloc((size_t) n * 8 + 1) : NULL;
    m->sub_start = subs ? malloc(sizeof(uint32_t) * ((size_t) n + 1)) : NULL;
    m->subs = subs ? malloc(sizeof(mp_subsample_t) * ((size_t) n * (video ? MP_CENC_MAX_SUBSAMPLES : 1) + 1))
                   : NULL;
    if ((ctr && m->ivs == NULL) || (subs && (m->sub_start == NULL || m->subs == NULL))) {
        fmp4_cenc_map_free(m);
        return MP_ERR_NO_MEMORY;
    }
    return MP_OK;
}

/* Map and encrypt sample i (k-th of the segment) lying at p. */
static int fmp4_cenc_sample(const fmp4_cenc_recipe_t *r, mp_cenc_cipher_t *c, uint32_t i,
                            uint32_t k, uint8_t *p, uint32_t size, fmp4_cenc_map_t *m)
{
    const mp_track_t *t = r->pt->track;
    uint8_t iv[16];
    uint32_t n = 0;
    mp_subsample_t *subs = m->subs ? m->subs + m->used : NULL;
    if (r->scheme == MP_CENC_CTR) {
        fmp4_cenc_sample_iv(r->pt, i, iv);
        memcpy(m->ivs + (size_t) k * 8, iv, 8);
    } else {
        memcpy(iv, r->constant_iv, 16);
    }
    if (t->type == MP_TRACK_VIDEO) {
        int rc = mp_cenc_video_subsamples(p, size, t->nal_length_size, t->codec == MP_CODEC_HEVC,
                                          r->scheme, subs, MP_CENC_MAX_SUBSAMPLES, &n);
        if (rc != MP_OK) {
            return rc;
        }
    } else if (subs != NULL) {
        subs[0] = (mp_subsample_t) { 0, size };   /* cbcs audio: one explicit range */
        n = 1;
    }
    if (m->sub_start != NULL) {
        m->sub_start[k] = m->used;
        m->used += n;
        m->sub_start[k + 1] = m->used;
    }
    return mp_cenc_encrypt_sample(c, iv, subs, n, p, size);
}

static int fmp4_cenc_encrypt(const fmp4_cenc_recipe_t *r, uint8_t *payload, fmp4_cenc_map_t *m)
{
    const mp_pres_track_t *pt = r->pt;
    unsigned crypt = 0, skip = 0;
    if (r->scheme == MP_CENC_CBCS) {
        fmp4_cbcs_pattern(pt->track, &crypt, &skip);
    }
    mp_cenc_cipher_t *c = mp_cenc_cipher_new(r->scheme, r->key, crypt, skip);
    if (c == NULL) {
        return MP_ERR_NO_MEMORY;
    }
    int rc = MP_OK;
    uint64_t at = 0;
    for (uint32_t i = r->seg.first; i < r->seg.end && rc == MP_OK; i++) {
        uint32_t size = mp_sample_size(pt->index, pt->track, i);
        rc = fmp4_cenc_sample(r, c, i, i - r->seg.first, payload + at, size, m);
        at += size;
    }
    mp_cenc_cipher_free(c);
    return rc;
}

static int fmp4_cenc_body_read(mp_producer_t *p, uint8_t *out, size_t cap, size_t *written,
                               int *done)
{
    fmp4_cenc_body_t *b = (fmp4_cenc_body_t *) p;
    size_t n = 0;
    if (b->pos < b->head.pos) {
        n = b->head.pos - b->pos < cap ? b->head.pos - b->pos : cap;
        memcpy(out, b->head.p + b->pos, n);
        b->pos += n;
    }
    uint64_t at = b->pos - b->head.pos, left = b->payload_len - at;
    size_t k = left < cap - n ? (size_t) left : cap - n;
    memcpy(out + n, b->payload + at, k);
    b->pos += k;
    *written = n + k;
    *done = b->pos == b->head.pos + b->payload_len;
    return MP_OK;
}

static int fmp4_cenc_body_view(mp_producer_t *p, mp_span_t *out, int max)
{
    fmp4_cenc_body_t *b = (fmp4_cenc_body_t *) p;
    int n = 0;
    if (max < 2 || b->pos != 0) {
        return 0;
    }
    out[n++] = (mp_span_t) { b->head.p, b->head.pos };
    if (b->payload_len > 0) {
        out[n++] = (mp_span_t) { b->payload, b->payload_len };
    }
    b->pos = b->head.pos + b->payload_len;
    return n;
}

static void fmp4_cenc_body_close(mp_producer_t *p)
{
    fmp4_cenc_body_t *b = (fmp4_cenc_body_t *) p;
    mp_wr_free(&b->head);
    mp_scratch_put(b->payload, b->payload_cap);
    free(b);
}

int fmp4_cenc_producer_open(const void *recipe, mp_source_t *const *sources, mp_producer_t **out,
                            uint64_t *size)
{
    const fmp4_cenc_recipe_t *r = recipe;
    uint32_t n = r->seg.end - r->seg.first;
    int video = r->pt->track->type == MP_TRACK_VIDEO;
    fmp4_cenc_body_t *b = calloc(1, sizeof(*b));
    fmp4_cenc_map_t m;
    if (b == NULL) {
        return MP_ERR_NO_MEMORY;
    }
    int rc = fmp4_segment_read(r->pt, &r->seg, sources[r->pt->file_no], &b->payload,
                               &b->payload_len, &b->payload_cap);
    if (rc == MP_OK) {
        rc = fmp4_cenc_map_alloc(r, n, video, &m);
    }
    if (rc != MP_OK) {
        mp_scratch_put(b->payload, b->payload_cap);
        free(b);
        return rc;
    }
    rc = fmp4_cenc_encrypt(r, b->payload, &m);
    if (rc == MP_OK) {
        fmp4_cenc_aux_t aux = { n, r->scheme == MP_CENC_CTR ? 8 : 0, m.ivs, m.sub_start, m.subs };
        fmp4_frag_opts_t o = { r->flavor, r->sequence_number, &aux };
        mp_wr_init_dynamic(&b->head);
        rc = fmp4_write_fragment_header(&b->head, r->pt, &r->seg, &o);
    }
    fmp4_cenc_map_free(&m);
    if (rc != MP_OK) {
        fmp4_cenc_body_close(&b->producer);
        return rc;
    }
    b->producer.read = fmp4_cenc_body_read;
    b->producer.close = fmp4_cenc_body_close;
    b->producer.view = fmp4_cenc_body_view;
    *out = &b->producer;
    *size = b->head.pos + b->payload_len;
    return MP_OK;
}
