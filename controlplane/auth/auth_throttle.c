/*
 * auth_throttle.c — per-address failure windows for the token endpoints
 * (see auth_throttle.h).
 */
#include "auth/auth_throttle.h"

#include <stdio.h>
#include <string.h>

void auth_throttle_init(auth_throttle_t *t, unsigned limit)
{
    memset(t->slots, 0, sizeof(t->slots));
    t->limit = limit;
    pthread_mutex_init(&t->lock, NULL);
}

void auth_throttle_destroy(auth_throttle_t *t)
{
    pthread_mutex_destroy(&t->lock);
}

static bool window_open(const auth_throttle_slot_t *s, int64_t now_ms)
{
    return s->addr[0] != '\0' && now_ms - s->window_start_ms < AUTH_THROTTLE_WINDOW_MS;
}

static auth_throttle_slot_t *find(auth_throttle_t *t, const char *addr)
{
    for (size_t i = 0; i < AUTH_THROTTLE_SLOTS; i++) {
        if (strcmp(t->slots[i].addr, addr) == 0) {
            return &t->slots[i];
        }
    }
    return NULL;
}

/* An empty or expired slot, else the one whose window started first. */
static auth_throttle_slot_t *reusable(auth_throttle_t *t, int64_t now_ms)
{
    auth_throttle_slot_t *oldest = &t->slots[0];

    for (size_t i = 0; i < AUTH_THROTTLE_SLOTS; i++) {
        auth_throttle_slot_t *s = &t->slots[i];
        if (!window_open(s, now_ms)) {
            return s;
        }
        if (s->window_start_ms < oldest->window_start_ms) {
            oldest = s;
        }
    }
    return oldest;
}

bool auth_throttle_blocked(auth_throttle_t *t, const char *addr, int64_t now_ms,
                           unsigned *retry_after_s)
{
    const auth_throttle_slot_t *s;
    bool blocked = false;

    if (t->limit == 0) {
        return false;
    }
    pthread_mutex_lock(&t->lock);
    s = find(t, addr);
    if (s != NULL && window_open(s, now_ms) && s->failures >= t->limit) {
        int64_t left = s->window_start_ms + AUTH_THROTTLE_WINDOW_MS - now_ms;
        *retry_after_s = (unsigned) ((left + 999) / 1000);
        blocked = true;
    }
    pthread_mutex_unlock(&t->lock);
    return blocked;
}

void auth_throttle_failed(auth_throttle_t *t, const char *addr, int64_t now_ms)
{
    auth_throttle_slot_t *s;

    if (t->limit == 0) {
        return;
    }
    pthread_mutex_lock(&t->lock);
    s = find(t, addr);
    if (s == NULL || !window_open(s, now_ms)) {
        s = s != NULL ? s : reusable(t, now_ms);
        snprintf(s->addr, sizeof(s->addr), "%s", addr);
        s->window_start_ms = now_ms;
        s->failures = 0;
    }
    s->failures++;
    pthread_mutex_unlock(&t->lock);
}
