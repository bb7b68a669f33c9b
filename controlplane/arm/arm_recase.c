/*
 * arm_recase.c — v3 (camelCase) JSON members to v2 (PascalCase) and back
 * (see arm_recase.h), for the objects both views share as they are: IP
 * allow lists, cross-site policies, endpoints.
 */
#include "arm/arm_recase.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>

json_t *arm_recase(const json_t *v, bool to_v2)
{
    const char *key;
    json_t *member, *out;
    size_t i;

    if (json_is_array(v)) {
        out = json_array();
        json_array_foreach(v, i, member) {
            json_array_append_new(out, arm_recase(member, to_v2));
        }
        return out;
    }
    if (!json_is_object(v)) {
        return json_deep_copy(v);
    }
    out = json_object();
    json_object_foreach((json_t *) v, key, member) {
        char name[128];
        snprintf(name, sizeof(name), "%s", key);
        if (strcasecmp(name, "ip") == 0) {
            snprintf(name, sizeof(name), "%s", to_v2 ? "IP" : "ip");
        } else {
            name[0] = (char) (to_v2 ? toupper((unsigned char) name[0]) : tolower((unsigned char) name[0]));
        }
        json_object_set_new(out, name, arm_recase(member, to_v2));
    }
    return out;
}
