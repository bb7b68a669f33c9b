/*
 * unit_helpers.h — shared by the cmocka unit tests: cmocka's includes in the
 * order it needs, and a builder for synthetic MP4 files in memory so tests
 * need no binary fixtures.
 */
#ifndef UNIT_HELPERS_H
#define UNIT_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#endif
