/*
 * live_smooth_ingest.h — Smooth / fragmented-MP4 ingest: encoders push
 * `POST <streaming_url><channel token>/ingest.isml/Streams(<name>)` (long,
 * chunked) through the origin's nginx to mediaplaned, which demultiplexes
 * the fragmented MP4 into the archives of the channel's Running programs.
 */
#ifndef LIVE_SMOOTH_INGEST_H
#define LIVE_SMOOTH_INGEST_H

#include "api/api_context.h"

#include <stdbool.h>

/* Whether path is an ingest URL ("/<32 hex>/ingest.isml…"). */
bool live_smooth_route(const char *path);
/* After the headers: the push authenticated (req->sink set) or refused
 * (req->early). */
void live_smooth_begin(app_t *app, http_request_t *req);

#endif
