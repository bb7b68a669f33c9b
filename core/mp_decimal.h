/*
 * mp_decimal.h — the one strict decimal parser of the format core (URL
 * options, filter texts): digits only, no sign or spaces, overflow refused.
 */
#ifndef MP_DECIMAL_H
#define MP_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/* 1 and *out = the value of the len (1..20) digits at p when it is <= max;
 * 0 otherwise (*out untouched). */
int mp_decimal_u64(const char *p, size_t len, uint64_t max, uint64_t *out);

#endif
