/*
 * scheduler.h — mediaplaned's job scheduler: one thread that starts
 * runnable tasks (at most CurrentReservedUnits at once, by priority), runs
 * each as its own encoder process, writes progress to the catalog, moves
 * outputs into their assets, stops canceled tasks and settles job states.
 * There is exactly one per data directory (main takes an exclusive lock),
 * so a task never runs twice at once.
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include "api/api_context.h"

/* Requeues what a previous daemon left running (scheduler_recover), then
 * starts the thread.  0 or -1. */
int  scheduler_start(app_t *app);
/* Stops the thread; running encoders are terminated (SIGTERM, then SIGKILL)
 * and their tasks left for the next start to requeue. */
void scheduler_stop(void);
/* Wakes the thread now (after a job was created or canceled); an
 * api_after_commit callback. */
void scheduler_wake(app_t *app, const char *unused);

/* At start, before the thread: tasks found Scheduled/Processing/Canceling
 * are requeued (HistoricalEvents says so; their leftover encoder is killed,
 * their work dir wiped); jobs found Canceling become Canceled. */
int  scheduler_recover(app_t *app);

#endif
