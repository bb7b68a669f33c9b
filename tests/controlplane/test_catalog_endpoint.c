/*
 * test_catalog_endpoint.c — the streaming endpoint record of common/catalog
 * (what mediaplaned writes and the origin decodes per request): round trips
 * with and without policies and IP ranges, every way the decoder refuses a
 * damaged record, the IP allow-list matcher (IPv4, IPv6, prefixes, mapped
 * addresses, empty list) and the host keys the origin looks up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_endpoint.h"

static catalog_endpoint_t sample(void)
{
    catalog_endpoint_t e;

    memset(&e, 0, sizeof(e));
    e.state = CATALOG_EP_RUNNING;
    e.max_age = 1800;
    strcpy(e.name, "default");
    assert_int_equal(catalog_ip_range_parse("192.168.0.0", 16, &e.ip[0]), 0);
    assert_int_equal(catalog_ip_range_parse("2001:db8::", 32, &e.ip[1]), 0);
    e.ip_count = 2;
    e.cross_domain_policy = "<cross-domain-policy/>";
    e.cross_domain_policy_len = strlen(e.cross_domain_policy);
    return e;
}

static void test_round_trip(void **state)
{
    catalog_endpoint_t e = sample(), d;
    uint8_t buf[CATALOG_EP_MAX_SIZE];
    size_t n = catalog_endpoint_encode(&e, buf, sizeof(buf));

    (void) state;
    assert_true(n > 0);
    assert_int_equal(catalog_endpoint_decode(buf, n, &d), 0);
    assert_int_equal(d.state, CATALOG_EP_RUNNING);
    assert_int_equal(d.max_age, 1800);
    assert_string_equal(d.name, "default");
    assert_int_equal(d.ip_count, 2);
    assert_memory_equal(d.ip, e.ip, 2 * sizeof(e.ip[0]));
    assert_null(d.client_access_policy);
    assert_int_equal(d.cross_domain_policy_len, e.cross_domain_policy_len);
    assert_memory_equal(d.cross_domain_policy, e.cross_domain_policy, d.cross_domain_policy_len);
    assert_true(catalog_endpoint_serving(&d));
    d.state = CATALOG_EP_STOPPING;
    assert_false(catalog_endpoint_serving(&d));
}

static void test_empty_policy_differs_from_absent(void **state)
{
    catalog_endpoint_t e = sample(), d;
    uint8_t buf[CATALOG_EP_MAX_SIZE];
    size_t n;

    (void) state;
    e.client_access_policy = "";
    e.client_access_policy_len = 0;
    e.cross_domain_policy = NULL;
    e.max_age = -1;
    n = catalog_endpoint_encode(&e, buf, sizeof(buf));
    assert_int_equal(catalog_endpoint_decode(buf, n, &d), 0);
    assert_non_null(d.client_access_policy);
    assert_null(d.cross_domain_policy);
    assert_int_equal(d.max_age, -1);
}

static void test_encode_refuses(void **state)
{
    catalog_endpoint_t e = sample();
    uint8_t buf[CATALOG_EP_MAX_SIZE];
    size_t n = catalog_endpoint_encode(&e, buf, sizeof(buf));

    (void) state;
    assert_int_equal(catalog_endpoint_encode(&e, buf, n - 1), 0);      /* too small */
    e.ip_count = CATALOG_EP_MAX_IP + 1;
    assert_int_equal(catalog_endpoint_encode(&e, buf, sizeof(buf)), 0);
    e = sample();
    e.state = CATALOG_EP_STATE_COUNT;
    assert_int_equal(catalog_endpoint_encode(&e, buf, sizeof(buf)), 0);
    e = sample();
    e.cross_domain_policy_len = CATALOG_EP_POLICY_MAX + 1;
    assert_int_equal(catalog_endpoint_encode(&e, buf, sizeof(buf)), 0);
}

static void test_decode_refuses_damage(void **state)
{
    catalog_endpoint_t e = sample(), d;
    uint8_t buf[CATALOG_EP_MAX_SIZE], bad[CATALOG_EP_MAX_SIZE];
    size_t n = catalog_endpoint_encode(&e, buf, sizeof(buf));

    (void) state;
    for (size_t len = 0; len < n; len++) {
        assert_int_equal(catalog_endpoint_decode(buf, len, &d), -1);     /* every truncation */
    }
    memcpy(bad, buf, n);
    bad[n] = 0;
    assert_int_equal(catalog_endpoint_decode(bad, n + 1, &d), -1);      /* trailing byte */
    memcpy(bad, buf, n);
    bad[0] = 'X';
    assert_int_equal(catalog_endpoint_decode(bad, n, &d), -1);          /* magic */
    memcpy(bad, buf, n);
    bad[4] = CATALOG_EP_STATE_COUNT;
    assert_int_equal(catalog_endpoint_decode(bad, n, &d), -1);          /* state */
    memcpy(bad, buf, n);
    bad[17] = 33;                                                        /* v4 prefix > 32 */
    assert_int_equal(catalog_endpoint_decode(bad, n, &d), -1);
    memcpy(bad, buf, n);
    bad[6] = 0xFF;                                                       /* ip count */
    assert_int_equal(catalog_endpoint_decode(bad, n, &d), -1);
}

static int allowed(const catalog_endpoint_t *e, const char *text)
{
    catalog_ip_range_t a;

    assert_int_equal(catalog_ip_range_parse(text, -1, &a), 0);
    return catalog_endpoint_ip_allowed(e, a.family, a.addr);
}

static void test_ip_allow_list(void **state)
{
    catalog_endpoint_t e = sample();

    (void) state;
    assert_true(allowed(&e, "192.168.3.4"));
    assert_true(allowed(&e, "192.168.255.255"));
    assert_false(allowed(&e, "192.169.0.1"));
    assert_false(allowed(&e, "127.0.0.1"));
    assert_true(allowed(&e, "2001:db8:1::5"));
    assert_false(allowed(&e, "2001:db9::1"));
    assert_true(allowed(&e, "::ffff:192.168.1.1"));     /* v4-mapped counts as IPv4 */
    assert_false(allowed(&e, "::ffff:10.0.0.1"));
    e.ip_count = 0;
    assert_true(allowed(&e, "10.0.0.1"));               /* empty list: everyone */
    assert_int_equal(catalog_ip_range_parse("10.1.2.3", 20, &e.ip[0]), 0);
    e.ip_count = 1;
    assert_true(allowed(&e, "10.1.15.255"));            /* 20 bits: 10.1.0.0-10.1.15.255 */
    assert_false(allowed(&e, "10.1.16.0"));
    assert_int_equal(catalog_ip_range_parse("10.1.2.3", -1, &e.ip[0]), 0);
    assert_true(allowed(&e, "10.1.2.3"));
    assert_false(allowed(&e, "10.1.2.4"));
    assert_int_equal(catalog_ip_range_parse("0.0.0.0", 0, &e.ip[0]), 0);
    assert_true(allowed(&e, "8.8.8.8"));
    assert_false(allowed(&e, "::1"));                   /* families never mix */
}

static void test_ip_range_parse_refuses(void **state)
{
    catalog_ip_range_t r;

    (void) state;
    assert_int_equal(catalog_ip_range_parse("300.1.1.1", -1, &r), -1);
    assert_int_equal(catalog_ip_range_parse("10.0.0.0", 33, &r), -1);
    assert_int_equal(catalog_ip_range_parse("::1", 129, &r), -1);
    assert_int_equal(catalog_ip_range_parse("", -1, &r), -1);
    assert_int_equal(catalog_ip_range_parse("example.com", -1, &r), -1);
    assert_int_equal(catalog_ip_range_parse("::1", 128, &r), 0);
    assert_int_equal(r.family, 6);
}

static void test_host_keys(void **state)
{
    char k[CATALOG_EP_NAME_MAX + 300];

    (void) state;
    assert_int_equal(catalog_host_key("Video.Example.COM:8080", 22, k, sizeof(k)), 19);
    assert_string_equal(k, "h:video.example.com");
    assert_true(catalog_host_key("example.com.", 12, k, sizeof(k)) > 0);
    assert_string_equal(k, "h:example.com");
    assert_true(catalog_host_key("[::1]:80", 8, k, sizeof(k)) > 0);
    assert_string_equal(k, "h:[::1]");
    assert_int_equal(catalog_host_key("", 0, k, sizeof(k)), 0);
    assert_int_equal(catalog_host_key(":80", 3, k, sizeof(k)), 0);
    assert_int_equal(catalog_host_key("bad host", 8, k, sizeof(k)), 0);
    assert_int_equal(catalog_host_key("a/b", 3, k, sizeof(k)), 0);
    assert_int_equal(catalog_host_key("example.com", 11, k, 5), 0);      /* no room */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_empty_policy_differs_from_absent),
        cmocka_unit_test(test_encode_refuses),
        cmocka_unit_test(test_decode_refuses_damage),
        cmocka_unit_test(test_ip_allow_list),
        cmocka_unit_test(test_ip_range_parse_refuses),
        cmocka_unit_test(test_host_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
