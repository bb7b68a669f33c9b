/*
 * mp_index_subset.c — the one-track index of a segment's samples
 * (mp_index_subset.h): header, track, sample entry and config, then 64-bit
 * offsets, sizes, 64-bit decode times (one more: the end), composition
 * offsets when the track has them, sync sample numbers when not all are.
 */
#include "mp_index_subset.h"

#include <stdlib.h>

static uint64_t mp_align8(uint64_t v)
{
    return (v + 7) & ~(uint64_t) 7;
}

/* Byte layout of the subset: the offset of each part and the total. */
typedef struct {
    uint64_t track, entry, config, offsets, sizes, dts, cto, keys, total;
    uint32_t keys_count;
} mp_subset_layout_t;

static void mp_subset_plan(const mp_pres_track_t *pt, const mp_seg_t *seg, mp_subset_layout_t *l)
{
    const mp_track_t *t = pt->track;
    uint32_t n = seg->end - seg->first;
    l->keys_count = 0;
    if (t->key_count != 0) {
        for (uint32_t i = seg->first; i < seg->end; i++) {
            l->keys_count += mp_sample_is_key(pt->index, t, i) ? 1 : 0;
        }
    }
    l->track = mp_align8(sizeof(mp_index_t));
    l->entry = l->track + mp_align8(sizeof(mp_track_t));
    l->config = l->entry + mp_align8(t->entry_len);
    l->offsets = l->config + mp_align8(t->config_len);
    l->sizes = l->offsets + 8 * (uint64_t) n;
    l->dts = mp_align8(l->sizes + 4 * (uint64_t) n);
    l->cto = l->dts + 8 * ((uint64_t) n + 1);
    l->keys = l->cto + (t->cto_off ? 4 * (uint64_t) n : 0);
    l->total = mp_align8(l->keys + 4 * (uint64_t) l->keys_count);
}

static void mp_subset_fill(const mp_pres_track_t *pt, const mp_seg_t *seg, const uint32_t *sizes,
                           const uint64_t *offsets, const mp_subset_layout_t *l, uint8_t *b)
{
    const mp_track_t *t = pt->track;
    uint32_t n = seg->end - seg->first, k = 0;
    uint64_t *off = (uint64_t *) (b + l->offsets), *dts = (uint64_t *) (b + l->dts);
    uint32_t *sz = (uint32_t *) (b + l->sizes), *keys = (uint32_t *) (b + l->keys);
    int32_t *cto = (int32_t *) (b + l->cto);
    memcpy(b + l->entry, mp_track_entry(pt->index, t), t->entry_len);
    memcpy(b + l->config, mp_track_config(pt->index, t), t->config_len);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = seg->first + i;
        off[i] = offsets[i];
        sz[i] = sizes[i];
        dts[i] = mp_sample_dts(pt->index, t, s);
        if (t->cto_off) {
            cto[i] = mp_sample_cto(pt->index, t, s);
        }
        if (t->key_count != 0 && mp_sample_is_key(pt->index, t, s)) {
            keys[k++] = i;
        }
    }
    dts[n] = mp_sample_dts(pt->index, t, seg->end);
}

mp_index_t *mp_index_subset(const mp_pres_track_t *pt, const mp_seg_t *seg, const uint32_t *sizes,
                            const uint64_t *offsets, mp_pres_track_t *sub, mp_seg_t *sub_seg)
{
    mp_subset_layout_t l;
    mp_subset_plan(pt, seg, &l);
    uint8_t *b = calloc(1, l.total);
    if (b == NULL) {
        return NULL;
    }
    mp_index_t *ix = (mp_index_t *) b;
    mp_track_t *t = (mp_track_t *) (b + l.track);
    *ix = *pt->index;
    ix->total_size = l.total;
    ix->track_count = 1;
    ix->tracks_off = l.track;
    *t = *pt->track;
    t->sample_count = seg->end - seg->first;
    t->key_count = l.keys_count;
    t->flags = 0;
    t->dts_runs = 0;
    t->entry_off = (uint32_t) l.entry;
    t->config_off = (uint32_t) l.config;
    t->offsets_off = l.offsets;
    t->sizes_off = l.sizes;
    t->dts_off = l.dts;
    t->cto_off = pt->track->cto_off ? l.cto : 0;
    t->keys_off = l.keys_count ? l.keys : 0;
    mp_subset_fill(pt, seg, sizes, offsets, &l, b);
    *sub = *pt;
    sub->index = ix;
    sub->track = t;
    *sub_seg = *seg;
    sub_seg->first = 0;
    sub_seg->end = t->sample_count;
    return ix;
}
