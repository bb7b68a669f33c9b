/*
 * mp_index.c — lookups over the compact index (sync samples, time search)
 * and the structural check applied to blobs before they are trusted.
 */
#include "mp_index.h"

uint32_t mp_key_count(const mp_track_t *t)
{
    return t->key_count ? t->key_count : t->sample_count;
}

uint32_t mp_key_sample(const mp_index_t *ix, const mp_track_t *t, uint32_t k)
{
    return t->key_count ? MP_IX_ARRAY(ix, t->keys_off, uint32_t)[k] : k;
}

int mp_sample_is_key(const mp_index_t *ix, const mp_track_t *t, uint32_t i)
{
    if (t->key_count == 0) {
        return 1;
    }
    const uint32_t *keys = MP_IX_ARRAY(ix, t->keys_off, uint32_t);
    uint32_t lo = 0, hi = t->key_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < i) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < t->key_count && keys[lo] == i;
}

/* The run holding sample i: the last whose first is <= i (runs[0].first is 0). */
uint64_t mp_dts_from_runs(const mp_index_t *ix, const mp_track_t *t, uint32_t i)
{
    const mp_dts_run_t *r = MP_IX_ARRAY(ix, t->dts_off, mp_dts_run_t);
    uint32_t lo = 0, hi = t->dts_runs;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r[mid].first <= i) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return r[lo].dts + (uint64_t) (i - r[lo].first) * r[lo].delta;
}

/* mp_sample_at_or_after over runs: the last run starting before dts, then
 * arithmetic inside it. */
static uint32_t mp_runs_at_or_after(const mp_index_t *ix, const mp_track_t *t, uint64_t dts)
{
    const mp_dts_run_t *r = MP_IX_ARRAY(ix, t->dts_off, mp_dts_run_t);
    uint32_t lo = 0, hi = t->dts_runs;
    while (lo < hi) {                 /* first run with r.dts >= dts */
        uint32_t mid = lo + (hi - lo) / 2;
        if (r[mid].dts < dts) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return 0;
    }
    const mp_dts_run_t *k = &r[lo - 1];
    uint64_t end = lo < t->dts_runs && r[lo].first < t->sample_count ? r[lo].first
                                                                     : t->sample_count;
    uint64_t d = dts - k->dts, i = end;
    if (k->delta != 0) {
        i = (uint64_t) k->first + d / k->delta + (d % k->delta != 0);
    }
    return (uint32_t) (i < end ? i : end);
}

uint32_t mp_sample_at_or_after(const mp_index_t *ix, const mp_track_t *t, uint64_t dts)
{
    if (t->flags & MP_TRACK_DTS_RUNS) {
        return mp_runs_at_or_after(ix, t, dts);
    }
    uint32_t lo = 0, hi = t->sample_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (mp_sample_dts(ix, t, mid) < dts) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static int mp_range_ok(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

int mp_index_check(const mp_index_t *ix, size_t size)
{
    if (size < sizeof(*ix) || ix->magic != MP_INDEX_MAGIC || ix->version != MP_INDEX_VERSION ||
        ix->total_size != size || ix->track_count == 0 || ix->track_count > MP_MAX_TRACKS ||
        !mp_range_ok(ix->tracks_off, (uint64_t) ix->track_count * sizeof(mp_track_t), size)) {
        return MP_ERR_BAD_MEDIA;
    }
    for (uint32_t i = 0; i < ix->track_count; i++) {
        const mp_track_t *t = mp_index_track(ix, i);
        uint64_t n = t->sample_count;
        if (n == 0 || t->timescale == 0 || !mp_range_ok(t->entry_off, t->entry_len, size) ||
            !mp_range_ok(t->config_off, t->config_len, size) ||
            (t->flags & ~(uint32_t) (MP_TRACK_OFFSETS32 | MP_TRACK_DTS32 | MP_TRACK_DTS_RUNS)) ||
            ((t->flags & MP_TRACK_DTS_RUNS) && (t->dts_runs == 0 || t->dts_runs > n)) ||
            !mp_range_ok(t->offsets_off, mp_offset_width(t) * n, size) ||
            !mp_range_ok(t->sizes_off, 4 * n, size) ||
            !mp_range_ok(t->dts_off, mp_dts_bytes(t), size) ||
            ((t->flags & MP_TRACK_DTS_RUNS) &&
             MP_IX_ARRAY(ix, t->dts_off, mp_dts_run_t)[0].first != 0) ||
            (t->cto_off && !mp_range_ok(t->cto_off, 4 * n, size)) ||
            (t->key_count && !mp_range_ok(t->keys_off, 4 * (uint64_t) t->key_count, size))) {
            return MP_ERR_BAD_MEDIA;
        }
    }
    return MP_OK;
}
