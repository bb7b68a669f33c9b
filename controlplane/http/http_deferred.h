/*
 * http_deferred.h — a small pool of threads for request steps that must not
 * run on the HTTP server's polling threads (each of which serves many
 * connections): a Put Block List that copies gigabytes would stall every
 * other connection of its thread for as long.  The server suspends the
 * connection, submits the step here, and the step's completion callback
 * resumes it.  The queue is bounded: a full queue refuses the submission
 * (the server answers 503 with Retry-After).
 */
#ifndef HTTP_DEFERRED_H
#define HTTP_DEFERRED_H

#include <stdbool.h>

/* Threads per pool, and steps that may wait for one. */
#define HTTP_DEFERRED_THREADS 2
#define HTTP_DEFERRED_QUEUE   32

typedef struct http_deferred http_deferred_t;

/* run(arg) on a pool thread; it must finish with whatever resumes its
 * connection (the pool does not touch arg afterwards). */
typedef void (*http_deferred_fn)(void *arg);

http_deferred_t *http_deferred_start(void);
/* false when the queue is full or the pool is stopping. */
bool http_deferred_submit(http_deferred_t *d, http_deferred_fn run, void *arg);
/* Runs every step already queued, then joins the threads; later
 * submissions are refused.  Safe to call twice. */
void http_deferred_stop(http_deferred_t *d);
/* Stops (if not yet) and frees. */
void http_deferred_free(http_deferred_t *d);

#endif
