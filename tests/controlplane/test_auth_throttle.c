/*
 * test_auth_throttle.c — the token endpoints' failure windows
 * (auth/auth_throttle.c): the limit, the window, other addresses, a full
 * table, and a limit of 0.
 */
#include "auth/auth_throttle.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

static auth_throttle_t table;

static void test_limit_and_window(void **state)
{
    unsigned retry = 0;
    (void) state;
    auth_throttle_init(&table, 3);
    for (int i = 0; i < 3; i++) {
        assert_false(auth_throttle_blocked(&table, "192.0.2.1", 1000, &retry));
        auth_throttle_failed(&table, "192.0.2.1", 1000 + i);
    }
    assert_true(auth_throttle_blocked(&table, "192.0.2.1", 1500, &retry));
    assert_int_equal(retry, 60);                         /* 59.5 s left, rounded up */
    assert_false(auth_throttle_blocked(&table, "192.0.2.2", 1500, &retry));
    assert_true(auth_throttle_blocked(&table, "192.0.2.1", 1000 + 59999, &retry));
    assert_int_equal(retry, 1);
    assert_false(auth_throttle_blocked(&table, "192.0.2.1", 1000 + 60000, &retry));
    /* a new window starts with the next failure */
    auth_throttle_failed(&table, "192.0.2.1", 70000);
    assert_false(auth_throttle_blocked(&table, "192.0.2.1", 70001, &retry));
    auth_throttle_destroy(&table);
}

static void test_full_table_reuses_the_oldest(void **state)
{
    char addr[64];
    unsigned retry = 0;
    (void) state;
    auth_throttle_init(&table, 1);
    for (int i = 0; i < AUTH_THROTTLE_SLOTS; i++) {
        snprintf(addr, sizeof(addr), "10.0.%d.%d", i / 256, i % 256);
        auth_throttle_failed(&table, addr, 1000 + i);
    }
    assert_true(auth_throttle_blocked(&table, "10.0.0.0", 2000, &retry));
    auth_throttle_failed(&table, "198.51.100.1", 3000);  /* evicts 10.0.0.0 */
    assert_true(auth_throttle_blocked(&table, "198.51.100.1", 3000, &retry));
    assert_false(auth_throttle_blocked(&table, "10.0.0.0", 3000, &retry));
    assert_true(auth_throttle_blocked(&table, "10.0.0.1", 3000, &retry));
    auth_throttle_destroy(&table);
}

static void test_zero_never_throttles(void **state)
{
    unsigned retry = 0;
    (void) state;
    auth_throttle_init(&table, 0);
    for (int i = 0; i < 1000; i++) {
        auth_throttle_failed(&table, "192.0.2.9", i);
    }
    assert_false(auth_throttle_blocked(&table, "192.0.2.9", 1000, &retry));
    auth_throttle_destroy(&table);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_and_window),
        cmocka_unit_test(test_full_table_reuses_the_oldest),
        cmocka_unit_test(test_zero_never_throttles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
