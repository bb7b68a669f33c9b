/*
 * arm_error.c — JSON and error answers of the v3 (ARM) API (arm_error.h).
 */
#include "arm/arm_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

http_response_t *arm_json(int status, json_t *j)
{
    char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

    json_decref(j);
    if (text == NULL) {
        return NULL;
    }
    return http_response_take(status, "application/json; charset=utf-8", text, strlen(text));
}

http_response_t *arm_error(int status, const char *code, const char *fmt, ...)
{
    char message[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    return arm_json(status, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message));
}
