/*
 * test_time_parse.c — controlplane/util/time_parse: the date-time strings
 * AMS-era clients really sent (the azure-media Node.js SDK's moment format
 * "M/D/YYYY hh:mm:ss A", .NET DateTime.ToString() in the invariant culture,
 * JavaScript toISOString()/toUTCString(), WCF "\/Date(ms)\/"), every other
 * form DateTime.Parse takes, and the garbage it refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/time_parse.h"

#define T_054415 1796622255000LL   /* 2026-12-07T05:44:15Z */
#define T_174415 1796665455000LL   /* 2026-12-07T17:44:15Z */
#define T_MIDNIGHT 1796601600000LL /* 2026-12-07T00:00:00Z */
#define T_004415 1796604255000LL   /* 2026-12-07T00:44:15Z */
#define T_124415 1796647455000LL   /* 2026-12-07T12:44:15Z */
#define T_0544 1796622240000LL     /* 2026-12-07T05:44:00Z */

typedef struct {
    const char *text;
    int64_t ms;
} case_t;

static void expect_all(const case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t ms = -1;
        print_message("%s\n", cases[i].text);
        assert_int_equal(time_parse(cases[i].text, &ms), 0);
        assert_int_equal(ms, cases[i].ms);
    }
}

#define EXPECT(cases) expect_all(cases, sizeof(cases) / sizeof(cases[0]))

/* azure-media (moment 'M/D/YYYY hh:mm:ss A' and 'MM/DD/YYYY hh:mm:ss A'),
 * .NET DateTime.ToString(CultureInfo.InvariantCulture) ("MM/dd/yyyy HH:mm:ss"). */
static void test_us_dates_with_designator(void **state)
{
    (void) state;
    static const case_t cases[] = {
        { "12/7/2026 05:44:15 AM", T_054415 },
        { "12/07/2026 05:44:15 AM", T_054415 },
        { "12/7/2026 5:44:15 AM", T_054415 },
        { "12/7/2026 05:44:15 PM", T_174415 },
        { "12/7/2026 5:44:15 pm", T_174415 },
        { "12/7/2026 12:44:15 AM", T_004415 },   /* 12 AM is midnight */
        { "12/7/2026 12:44:15 PM", T_124415 },   /* 12 PM is noon */
        { "12/7/2026 5:44 AM", T_0544 },         /* without seconds */
        { "12/7/2026 05:44:15", T_054415 },      /* 24-hour */
        { "12/07/2026 17:44:15", T_174415 },
        { "12/7/2026 17:44", T_174415 - 15000 },
        { "12/7/2026", T_MIDNIGHT },             /* date only */
        { "12-7-2026 05:44:15 AM", T_054415 },
        { "12/7/26 05:44:15 AM", T_054415 },     /* two-digit year, max 2029 */
        { "  12/7/2026 05:44:15 AM  ", T_054415 },
    };
    EXPECT(cases);
}

/* JavaScript toISOString(), .NET "o" and "s", XML/JSON serialisers. */
static void test_iso_8601(void **state)
{
    (void) state;
    static const case_t cases[] = {
        { "2026-12-07T05:44:15.000Z", T_054415 },
        { "2026-12-07T05:44:15Z", T_054415 },
        { "2026-12-07T05:44:15", T_054415 },
        { "2026-12-07T05:44:15.1234567Z", T_054415 + 123 },
        { "2026-12-07T05:44:15.1234567", T_054415 + 123 },
        { "2026-12-07T06:44:15+01:00", T_054415 },
        { "2026-12-07T06:44:15.5+0100", T_054415 + 500 },
        { "2026-12-07T00:44:15-05:00", T_054415 },
        { "2026-12-07T07:44:15+02", T_054415 },
        { "2026-12-07 05:44:15Z", T_054415 },
        { "2026-12-07 05:44:15", T_054415 },
        { "2026-12-07T05:44", T_0544 },
        { "2026-12-07", T_MIDNIGHT },
        { "2026/12/07 05:44:15", T_054415 },
        { "2026-12-7", T_MIDNIGHT },
    };
    EXPECT(cases);
}

/* RFC 1123 (JavaScript toUTCString(), .NET "R") and month names. */
static void test_month_names(void **state)
{
    (void) state;
    static const case_t cases[] = {
        { "Mon, 07 Dec 2026 05:44:15 GMT", T_054415 },
        { "Monday, 07 December 2026 05:44:15 GMT", T_054415 },
        { "07 Dec 2026 05:44:15", T_054415 },
        { "7 December 2026", T_MIDNIGHT },
        { "7-Dec-2026 05:44:15 AM", T_054415 },
        { "Dec 7, 2026 5:44:15 PM", T_174415 },
        { "December 7 2026", T_MIDNIGHT },
        { "dec 07, 2026 05:44:15 utc", T_054415 },
    };
    EXPECT(cases);
}

/* WCF / OData verbose JSON: ms are UTC; an offset marks local time only. */
static void test_ms_dates(void **state)
{
    (void) state;
    static const case_t cases[] = {
        { "/Date(1796622255000)/", T_054415 },
        { "/Date(1796622255000+0100)/", T_054415 },
        { "/Date(1796622255000-0500)/", T_054415 },
        { "\\/Date(1796622255000)\\/", T_054415 },
        { "\\/Date(1796622255000+0100)\\/", T_054415 },
        { "/Date(-1000)/", -1000 },
        { "/Date(0)/", 0 },
    };
    EXPECT(cases);
}

static void test_leap_days(void **state)
{
    (void) state;
    static const case_t cases[] = {
        { "2/29/2024", 1709164800000LL },
        { "2024-02-29T00:00:00Z", 1709164800000LL },
    };
    int64_t ms;
    EXPECT(cases);
    assert_int_equal(time_parse("2/29/2026", &ms), -1);
    assert_int_equal(time_parse("2026-02-29", &ms), -1);
    assert_int_equal(time_parse("4/31/2026", &ms), -1);
}

static void test_garbage_refused(void **state)
{
    (void) state;
    static const char *bad[] = {
        "", " ", "now", "tomorrow", "12/7", "2026", "12/7/2026x", "2026-12-07Tjunk",
        "13/7/2026", "12/32/2026", "2026-13-01", "2026-00-10", "0/7/2026",
        "12/7/2026 25:00:00", "12/7/2026 13:44:15 PM", "12/7/2026 05:60:00",
        "12/7/2026 05:44:61", "12/7/2026 05:44:15 XM", "12/7/2026 05:44:15 AMX",
        "2026-12-07T05:44:15+25:00", "2026-12-07T05:44:15+1", "2026-12-07T05:44:15Zjunk",
        "2026-12-07T", "2026-12-07T05", "2026-12-07T05:", "2026-12-07T05:44:15.",
        "12/7/2026 05:44:15 AM GMT+01:00 (CET)", "Tue, 07 Dec 2026 05:44:15 GMT",
        "Foo 7, 2026", "7 Foo 2026", "12/7/202", "12/7/20266", "2026-12-07-01",
        "12.7.2026.1", "/Date()/", "/Date(abc)/", "/Date(1)", "/Date(1+01)/",
        "/Date(1)/junk", "\\/Date(1)/", "/Date(99999999999999999)/",
    };
    int64_t ms;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        print_message("%s\n", bad[i]);
        assert_int_equal(time_parse(bad[i], &ms), -1);
    }
    assert_int_equal(time_parse(NULL, &ms), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_us_dates_with_designator),
        cmocka_unit_test(test_iso_8601),
        cmocka_unit_test(test_month_names),
        cmocka_unit_test(test_ms_dates),
        cmocka_unit_test(test_leap_days),
        cmocka_unit_test(test_garbage_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
