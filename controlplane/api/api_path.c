/*
 * api_path.c — normalisation of the request path before the router reads it
 * (see api_path.h): empty segments collapsed, "/api" prefix in any case.
 */
#include "api/api_path.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define API_PREFIX "/api"

char *api_path_collapse(const char *path)
{
    char *out, *w;

    if (path == NULL || strstr(path, "//") == NULL || (out = malloc(strlen(path) + 1)) == NULL) {
        return NULL;
    }
    w = out;
    for (const char *r = path; *r != '\0'; r++) {
        if (!(*r == '/' && w > out && w[-1] == '/')) {
            *w++ = *r;
        }
    }
    *w = '\0';
    return out;
}

bool api_path_is_api(const char *path)
{
    size_t n = strlen(API_PREFIX);
    return strncasecmp(path, API_PREFIX, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

const char *api_path_rest(const char *path)
{
    size_t n = strlen(API_PREFIX);
    return path[n] == '\0' ? "" : path + n + 1;
}
