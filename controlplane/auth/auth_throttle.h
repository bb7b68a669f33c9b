/*
 * auth_throttle.h — throttling of failed credential checks per client
 * address, for the token endpoints: once an address has failed `limit` times
 * within a window, it is refused (429 with Retry-After) until that window
 * ends, even with the right secret, so a client secret cannot be guessed at
 * request speed.  A fixed table of AUTH_THROTTLE_SLOTS addresses bounds the
 * memory; when it is full, the slot whose window started first is reused.
 */
#ifndef AUTH_THROTTLE_H
#define AUTH_THROTTLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define AUTH_THROTTLE_SLOTS     1024
#define AUTH_THROTTLE_WINDOW_MS 60000

typedef struct {
    char     addr[64];
    int64_t  window_start_ms;
    unsigned failures;
} auth_throttle_slot_t;

typedef struct auth_throttle {
    pthread_mutex_t      lock;
    unsigned             limit;    /* failures per window; 0: never throttle */
    auth_throttle_slot_t slots[AUTH_THROTTLE_SLOTS];
} auth_throttle_t;

void auth_throttle_init(auth_throttle_t *t, unsigned limit);
void auth_throttle_destroy(auth_throttle_t *t);

/* Whether addr is refused now; *retry_after_s is set when it is. */
bool auth_throttle_blocked(auth_throttle_t *t, const char *addr, int64_t now_ms,
                           unsigned *retry_after_s);

/* Counts a failed credential check from addr. */
void auth_throttle_failed(auth_throttle_t *t, const char *addr, int64_t now_ms);

#endif
