/*
 * mp_scratch.c — the per-thread cache of large buffers (mp_scratch.h):
 * a tiny array of released buffers, best fit on get, the smallest evicted
 * on put.  Sizes are rounded up to 256 KB so segments of similar size
 * share buffers.
 */
#include "mp_scratch.h"

#include <stdlib.h>

typedef struct {
    void *p;
    size_t cap;
} mp_scratch_slot_t;

static _Thread_local mp_scratch_slot_t mp_scratch_kept[MP_SCRATCH_KEEP];

void *mp_scratch_get(size_t size, size_t *cap)
{
    int best = -1;
    for (int i = 0; i < MP_SCRATCH_KEEP; i++) {
        if (mp_scratch_kept[i].p != NULL && mp_scratch_kept[i].cap >= size
            && (best < 0 || mp_scratch_kept[i].cap < mp_scratch_kept[best].cap)) {
            best = i;
        }
    }
    if (best >= 0) {
        void *p = mp_scratch_kept[best].p;
        *cap = mp_scratch_kept[best].cap;
        mp_scratch_kept[best].p = NULL;
        return p;
    }
    *cap = (size + (256u << 10) - 1) & ~(size_t) ((256u << 10) - 1);
    if (*cap == 0) {
        *cap = 256u << 10;
    }
    return malloc(*cap);
}

void mp_scratch_put(void *p, size_t cap)
{
    int slot = -1;
    if (p == NULL) {
        return;
    }
    if (cap > MP_SCRATCH_MAX) {
        free(p);
        return;
    }
    for (int i = 0; i < MP_SCRATCH_KEEP; i++) {
        if (mp_scratch_kept[i].p == NULL) {
            slot = i;
            break;
        }
        if (slot < 0 || mp_scratch_kept[i].cap < mp_scratch_kept[slot].cap) {
            slot = i;
        }
    }
    if (mp_scratch_kept[slot].p != NULL) {
        if (mp_scratch_kept[slot].cap >= cap) {
            free(p);                  /* keep the bigger ones */
            return;
        }
        free(mp_scratch_kept[slot].p);
    }
    mp_scratch_kept[slot] = (mp_scratch_slot_t) { p, cap };
}
