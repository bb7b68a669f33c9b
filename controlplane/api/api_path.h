/*
 * api_path.h — the request path as AMS's front end saw it before routing:
 * empty segments collapsed ("/api//CreateFileInfos", what clients that join
 * a base URL ending in '/' with a path starting with '/' send) and the
 * "/api" prefix matched in any case ("https://media.windows.net/API/").
 */
#ifndef API_PATH_H
#define API_PATH_H

#include <stdbool.h>

/* A malloc'ed copy of path with every run of '/' made one, or NULL when
 * path has none to collapse (or memory ran out: the path is then used as is). */
char *api_path_collapse(const char *path);
/* True for "/api" and "/api/…", the prefix in any case. */
bool api_path_is_api(const char *path);
/* What follows "/api/" ("" for "/api"); path must satisfy api_path_is_api. */
const char *api_path_rest(const char *path);

#endif
