/*
 * test_notify_deny.c — the webhook deny list (notify/notify_deny.c): IPv4
 * and IPv6 blocks at their edges, IPv4-mapped IPv6 addresses, bad blocks
 * and the bound on their number refused.
 */
#include "../unit/unit_helpers.h"

#include <stdio.h>
#include <string.h>

#include "notify/notify_deny.h"

static void test_blocks(void **state)
{
    (void) state;
    notify_deny_t d;
    assert_int_equal(notify_deny_parse("10.0.0.0/8 192.168.1.0/24,127.0.0.1 fd00::/8 ::1", &d), 0);
    assert_int_equal(d.count, 5);
    assert_true(notify_deny_match(&d, "10.255.255.255"));
    assert_false(notify_deny_match(&d, "11.0.0.0"));
    assert_true(notify_deny_match(&d, "192.168.1.77"));
    assert_false(notify_deny_match(&d, "192.168.2.1"));
    assert_true(notify_deny_match(&d, "127.0.0.1"));
    assert_false(notify_deny_match(&d, "127.0.0.2"));
    assert_true(notify_deny_match(&d, "::ffff:10.1.2.3"));
    assert_true(notify_deny_match(&d, "fdab::1"));
    assert_false(notify_deny_match(&d, "fe80::1"));
    assert_true(notify_deny_match(&d, "::1"));
    assert_false(notify_deny_match(&d, "8.8.8.8"));
    assert_true(notify_deny_match(&d, "not an address"));     /* unreadable: refused */
    assert_int_equal(notify_deny_parse("", &d), 0);
    assert_false(notify_deny_match(&d, "127.0.0.1"));          /* empty list: AMS's behaviour */
}

static void test_bad_lists(void **state)
{
    (void) state;
    notify_deny_t d;
    const char *bad[] = { "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "host.example",
                          "10.0.0.0/8x", "/8" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(notify_deny_parse(bad[i], &d), -1);
    }
    char many[2000] = "";
    for (int i = 0; i < NOTIFY_DENY_MAX; i++) {
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "10.0.%d.0/24 ", i);
    }
    assert_int_equal(notify_deny_parse(many, &d), 0);          /* at the bound */
    strcat(many, "11.0.0.0/8");
    assert_int_equal(notify_deny_parse(many, &d), -1);         /* one over */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_bad_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
