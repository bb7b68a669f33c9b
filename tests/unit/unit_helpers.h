/*
 * unit_helpers.h — shared by the cmocka unit tests: cmocka's includes in the
 * order it needs.  Index blobs for tests that need media without MP4 files
 * come from index_builder.h; test_mp4_parse.c writes its MP4s in memory.
 */
#ifndef UNIT_HELPERS_H
#define UNIT_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#endif
