/*
 * mp_decimal.c — see mp_decimal.h.
 */
#include "mp_decimal.h"

int mp_decimal_u64(const char *p, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0 || len > 20) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return 0;
        }
        uint64_t d = (uint64_t) (p[i] - '0');
        if (v > (max - d) / 10) {
            return 0;
        }
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}
