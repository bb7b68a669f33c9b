/*
 * live_archiver.h — the archivers of running programs: one ffmpeg process
 * per program pulling its channel's stream from the local RTMP server
 * (rtmp_local_url) and writing it, stream-copied, into the program's asset
 * folder as per-track fragmented MP4 (a fragment per GOP for video, 2 s for
 * audio) beside `<ManifestName>.ism`.  A supervisor thread keeps one
 * archiver per Running program; an archiver outlives a daemon crash and is
 * adopted by the next daemon (pid file in <work_dir>/live/).
 */
#ifndef LIVE_ARCHIVER_H
#define LIVE_ARCHIVER_H

#include "api/api_context.h"

#include <jansson.h>

#define LIVE_MAX_RUNNING_PROGRAMS 3    /* per channel, as AMS */
#define LIVE_MAX_ARCHIVERS        64   /* per daemon: the most live_max_programs may be */

/* Program Start's second half (in its transaction): the asset folder and
 * the archive's .ism made, the .ism registered as the asset's primary
 * file; the supervisor starts the archiver.  0, or -1 after api_fail(). */
int live_archive_begin(api_ctx_t *c, json_t *program);

/* Program Stop's second half: the archiver stopped (SIGINT: ffmpeg writes
 * its last fragment; SIGKILL after LIVE_STOP_GRACE_MS), the .ism rewritten
 * with the tracks found and every archive file registered as the asset's
 * Files.  0, or -1 after api_fail(). */
int live_archive_end(api_ctx_t *c, json_t *program);

/* Adopts archivers a previous daemon left running (pid files), then starts
 * the supervisor thread.  0 or -1. */
int  live_archivers_start(app_t *app);
/* Stops the thread; archivers keep running (the next daemon adopts them). */
void live_archivers_stop(void);

#endif
