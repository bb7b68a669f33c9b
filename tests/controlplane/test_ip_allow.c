/*
 * test_ip_allow.c — who may publish to a channel (entities/access_checks:
 * ip_allow_permits): no AccessControl or no IP member lets everyone in, an
 * empty Allow list nobody (as AMS channels), ranges by prefix for IPv4 and
 * IPv6, an IPv4-mapped IPv6 peer counted as IPv4, an address alone as /32,
 * malformed peers refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "entities/access_checks.h"

static json_t *ac(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    assert_non_null(v);
    return v;
}

static void test_absent_means_everyone(void **state)
{
    json_t *no_ip = ac("{}"), *null_ip = ac("{\"IP\":null}"), *null_allow = ac("{\"IP\":{}}");

    (void) state;
    assert_true(ip_allow_permits(NULL, "192.0.2.1"));
    assert_true(ip_allow_permits(no_ip, "192.0.2.1"));
    assert_true(ip_allow_permits(null_ip, "2001:db8::1"));
    assert_true(ip_allow_permits(null_allow, "192.0.2.1"));
    json_decref(no_ip);
    json_decref(null_ip);
    json_decref(null_allow);
}

static void test_empty_list_means_nobody(void **state)
{
    json_t *empty = ac("{\"IP\":{\"Allow\":[]}}");

    (void) state;
    assert_false(ip_allow_permits(empty, "127.0.0.1"));
    assert_false(ip_allow_permits(empty, "::1"));
    json_decref(empty);
}

static void test_ranges(void **state)
{
    json_t *list = ac("{\"IP\":{\"Allow\":["
                      "{\"Name\":\"lan\",\"Address\":\"10.0.0.0\",\"SubnetPrefixLength\":8},"
                      "{\"Name\":\"one\",\"Address\":\"192.0.2.7\"},"
                      "{\"Name\":\"v6\",\"Address\":\"2001:db8::\",\"SubnetPrefixLength\":32}]}}");

    (void) state;
    assert_true(ip_allow_permits(list, "10.255.1.2"));
    assert_false(ip_allow_permits(list, "11.0.0.1"));
    assert_true(ip_allow_permits(list, "192.0.2.7"));
    assert_false(ip_allow_permits(list, "192.0.2.8"));            /* an address alone: /32 */
    assert_true(ip_allow_permits(list, "2001:db8:ffff::1"));
    assert_false(ip_allow_permits(list, "2001:db9::1"));
    assert_true(ip_allow_permits(list, "::ffff:10.1.2.3"));       /* v4-mapped = v4 */
    assert_false(ip_allow_permits(list, "not-an-address"));
    assert_false(ip_allow_permits(list, ""));
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_absent_means_everyone),
        cmocka_unit_test(test_empty_list_means_nobody),
        cmocka_unit_test(test_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
