/*
 * test_http_range.c — controlplane/http/http_range: the Range headers
 * progressive-download clients send (players' "bytes=0-", seeks, suffixes,
 * Azure SDK ranges), the ones answered 416 and the ones ignored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/http_range.h"

static void expect_range(const char *h, uint64_t size, uint64_t start, uint64_t length)
{
    uint64_t s = 99, l = 99;
    print_message("%s\n", h);
    assert_int_equal(http_range_parse(h, size, &s, &l), HTTP_RANGE_OK);
    assert_int_equal(s, start);
    assert_int_equal(l, length);
}

static void expect_result(const char *h, uint64_t size, http_range_result_t want)
{
    uint64_t s = 0, l = 0;
    print_message("%s\n", h ? h : "(none)");
    assert_int_equal(http_range_parse(h, size, &s, &l), want);
}

static void test_single_ranges(void **state)
{
    (void) state;
    expect_range("bytes=0-", 1000, 0, 1000);            /* browsers' first request */
    expect_range("bytes=0-0", 1000, 0, 1);
    expect_range("bytes=100-199", 1000, 100, 100);
    expect_range("bytes=500-", 1000, 500, 500);          /* a seek */
    expect_range("bytes=900-5000", 1000, 900, 100);      /* end clamped */
    expect_range("bytes=999-999", 1000, 999, 1);
    expect_range("bytes=-100", 1000, 900, 100);          /* suffix */
    expect_range("bytes=-5000", 1000, 0, 1000);
    expect_range("Bytes=0-4194303", 8388608, 0, 4194304); /* Azure SDK chunk */
    expect_range(" bytes= 10-19 ", 1000, 10, 10);
}

static void test_unsatisfiable(void **state)
{
    (void) state;
    expect_result("bytes=1000-", 1000, HTTP_RANGE_UNSATISFIABLE);
    expect_result("bytes=1000-2000", 1000, HTTP_RANGE_UNSATISFIABLE);
    expect_result("bytes=-0", 1000, HTTP_RANGE_UNSATISFIABLE);
    expect_result("bytes=0-", 0, HTTP_RANGE_UNSATISFIABLE);
    expect_result("bytes=-10", 0, HTTP_RANGE_UNSATISFIABLE);
}

static void test_ignored(void **state)
{
    (void) state;
    expect_result(NULL, 1000, HTTP_RANGE_NONE);
    expect_result("", 1000, HTTP_RANGE_NONE);
    expect_result("items=0-10", 1000, HTTP_RANGE_NONE);
    expect_result("bytes=0-10,20-30", 1000, HTTP_RANGE_NONE);   /* several: send it all */
    expect_result("bytes=20-10", 1000, HTTP_RANGE_NONE);
    expect_result("bytes=abc", 1000, HTTP_RANGE_NONE);
    expect_result("bytes=-", 1000, HTTP_RANGE_NONE);
    expect_result("bytes=10", 1000, HTTP_RANGE_NONE);
    expect_result("bytes=10-x", 1000, HTTP_RANGE_NONE);
    expect_result("bytes=99999999999999999999999-", 1000, HTTP_RANGE_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_ranges),
        cmocka_unit_test(test_unsatisfiable),
        cmocka_unit_test(test_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
