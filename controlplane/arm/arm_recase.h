/*
 * arm_recase.h — v3 ↔ v2 member names of objects both views share.
 */
#ifndef ARM_RECASE_H
#define ARM_RECASE_H

#include <jansson.h>
#include <stdbool.h>

/* A copy of v with every object member's first letter upper-cased
 * (to_v2; "ip" → "IP") or lower-cased ("IP" → "ip"), recursively. */
json_t *arm_recase(const json_t *v, bool to_v2);

#endif
