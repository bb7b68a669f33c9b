/*
 * fuzz_filter_text.c — mp_filter_parse (the origin's reading of a filter's
 * catalog text) on arbitrary bytes, then the filter applied to a small
 * presentation-free timeline.  The input is copied into a buffer of exactly
 * its length so any read past it is an ASan report.  Checks: a parse either
 * succeeds within the bounds or explains itself; a parsed time range is
 * ordered; cutting a timeline with it leaves a view inside the original.
 */
#include <stdio.h>
#include <stdlib.h>

#include "filter/mp_filter.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    mp_filter_t *f = malloc(sizeof(*f));
    char err[MP_ERR_LEN] = "";
    FUZZ_CHECK(text != NULL && f != NULL);
    memcpy(text, data, size);
    int rc = mp_filter_parse(text, size, f, err, sizeof(err));
    FUZZ_CHECK(rc == MP_OK || rc == MP_ERR_BAD_REQUEST);
    if (rc != MP_OK) {
        FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
    } else {
        FUZZ_CHECK(f->select_count <= MP_FILTER_MAX_SELECTIONS);
        for (uint32_t i = 0; i < f->select_count; i++) {
            FUZZ_CHECK(f->selects[i].count >= 1 && f->selects[i].count <= MP_FILTER_MAX_CONDITIONS);
        }
        FUZZ_CHECK(!((f->flags & MP_FILTER_HAS_START) && (f->flags & MP_FILTER_HAS_END)) ||
                   f->end_10m > f->start_10m);
        /* ten 2 s segments of VoD */
        uint64_t bounds[10];
        for (int i = 0; i < 10; i++) {
            bounds[i] = (uint64_t) i * 20000000;
        }
        mp_timeline_t tl = { bounds, 10, 200000000, NULL, 0, 0 };
        mp_presentation_t *p = calloc(1, sizeof(*p));
        FUZZ_CHECK(p != NULL);
        mp_filter_set_t fs = { 1, { f } };
        rc = mp_filter_timeline(&fs, &tl, p, err, sizeof(err));
        FUZZ_CHECK(rc == MP_OK || rc == MP_ERR_BAD_REQUEST);
        if (rc == MP_OK) {
            FUZZ_CHECK(tl.bounds_10m >= bounds && tl.first_no + tl.count <= 10);
            FUZZ_CHECK(tl.bounds_10m == bounds + tl.first_no && tl.count >= 1);
            FUZZ_CHECK(tl.end_10m <= 200000000);
        }
        free(p);
    }
    free(f);
    free(text);
    return 0;
}
