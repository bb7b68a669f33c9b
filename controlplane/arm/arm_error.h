/*
 * arm_error.h — answers of the v3 (ARM) API: JSON bodies with
 * Content-Type application/json (the SDK parses nothing else) and ARM error
 * bodies {"error":{"code","message"}}.
 */
#ifndef ARM_ERROR_H
#define ARM_ERROR_H

#include "http/http_types.h"

#include <jansson.h>

/* status + the JSON of j (reference stolen). */
http_response_t *arm_json(int status, json_t *j);
http_response_t *arm_error(int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
