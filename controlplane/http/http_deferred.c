/*
 * http_deferred.c — the pool of http_deferred.h: a fixed ring of queued
 * steps under one mutex, HTTP_DEFERRED_THREADS threads taking them in
 * order.  Stopping lets the queued steps finish (each resumes a suspended
 * connection, which libmicrohttpd needs before it can stop).
 */
#include "http/http_deferred.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct {
    http_deferred_fn run;
    void *arg;
} step_t;

struct http_deferred {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    step_t queue[HTTP_DEFERRED_QUEUE];
    unsigned head, count;
    bool stopping;
    unsigned started;
    pthread_t threads[HTTP_DEFERRED_THREADS];
};

/* The next step, or false when stopping with nothing left. */
static bool take(http_deferred_t *d, step_t *out)
{
    pthread_mutex_lock(&d->lock);
    while (d->count == 0 && !d->stopping) {
        pthread_cond_wait(&d->wake, &d->lock);
    }
    bool have = d->count > 0;
    if (have) {
        *out = d->queue[d->head];
        d->head = (d->head + 1) % HTTP_DEFERRED_QUEUE;
        d->count--;
    }
    pthread_mutex_unlock(&d->lock);
    return have;
}

static void *worker(void *arg)
{
    http_deferred_t *d = arg;
    step_t s;

    while (take(d, &s)) {
        s.run(s.arg);
    }
    return NULL;
}

http_deferred_t *http_deferred_start(void)
{
    http_deferred_t *d = calloc(1, sizeof(*d));

    if (d == NULL) {
        return NULL;
    }
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->wake, NULL);
    for (unsigned i = 0; i < HTTP_DEFERRED_THREADS; i++) {
        if (pthread_create(&d->threads[i], NULL, worker, d) != 0) {
            break;
        }
        d->started++;
    }
    if (d->started == 0) {
        http_deferred_free(d);
        return NULL;
    }
    return d;
}

bool http_deferred_submit(http_deferred_t *d, http_deferred_fn run, void *arg)
{
    bool ok;

    pthread_mutex_lock(&d->lock);
    ok = !d->stopping && d->count < HTTP_DEFERRED_QUEUE;
    if (ok) {
        d->queue[(d->head + d->count) % HTTP_DEFERRED_QUEUE] = (step_t) { run, arg };
        d->count++;
        pthread_cond_signal(&d->wake);
    }
    pthread_mutex_unlock(&d->lock);
    return ok;
}

void http_deferred_stop(http_deferred_t *d)
{
    if (d == NULL) {
        return;
    }
    pthread_mutex_lock(&d->lock);
    bool joined = d->stopping;
    d->stopping = true;
    pthread_cond_broadcast(&d->wake);
    pthread_mutex_unlock(&d->lock);
    for (unsigned i = 0; i < d->started && !joined; i++) {
        pthread_join(d->threads[i], NULL);
    }
}

void http_deferred_free(http_deferred_t *d)
{
    if (d == NULL) {
        return;
    }
    http_deferred_stop(d);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}
