/*
 * test_duration_parse.c — the Edm.Time durations of Channels and Programs
 * (util/duration_parse): xs:duration forms .NET sent for TimeSpan values,
 * the TimeSpan text form, and what is refused (years/months, negatives,
 * empty parts, garbage, over-long text).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/duration_parse.h"

static double seconds_of(const char *text)
{
    double s = -1;
    assert_int_equal(duration_parse(text, &s), 0);
    return s;
}

static void test_xs_durations(void **state)
{
    (void) state;
    assert_true(seconds_of("PT2S") == 2);
    assert_true(seconds_of("PT5M") == 300);
    assert_true(seconds_of("PT25H") == 90000);
    assert_true(seconds_of("PT1H30M") == 5400);
    assert_true(seconds_of("P1DT1H") == 90000);
    assert_true(seconds_of("P1D") == 86400);
    assert_true(seconds_of("PT0.5S") == 0.5);
    assert_true(seconds_of("PT4M59S") == 299);
}

static void test_timespan_text(void **state)
{
    (void) state;
    assert_true(seconds_of("01:00:00") == 3600);
    assert_true(seconds_of("00:05:00") == 300);
    assert_true(seconds_of("1.01:00:00") == 90000);
    assert_true(seconds_of("00:00:02.5") == 2.5);
}

static void test_refused(void **state)
{
    static const char *bad[] = { "", "P", "PT", "PT-5M", "P1M", "P1Y", "PT1D", "P1H", "5 minutes",
                                 "PT5X", "24:00:00", "00:60:00", "1:2", "x.01:00:00", "PT5M ",
                                 NULL };
    char longer[80];
    double s;

    (void) state;
    for (int i = 0; bad[i] != NULL; i++) {
        assert_int_equal(duration_parse(bad[i], &s), -1);
    }
    assert_int_equal(duration_parse(NULL, &s), -1);
    memset(longer, '1', sizeof(longer) - 1);
    longer[0] = 'P';
    longer[1] = 'T';
    longer[sizeof(longer) - 2] = 'S';
    longer[sizeof(longer) - 1] = '\0';
    assert_int_equal(duration_parse(longer, &s), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xs_durations),
        cmocka_unit_test(test_timespan_text),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
