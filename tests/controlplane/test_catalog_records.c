/*
 * test_catalog_records.c — the origin record with its envelope tail
 * (catalog_origin.c: MPO4 round trip with common encryption and live facts,
 * MPO3, MPO2 and MPO1
 * records of older daemons still decode, the verdicts) and sealed content keys for the origin
 * (catalog_okey.c: round trip; another key id, another origin key, any
 * flipped byte or a truncated record never opens).
 */
#include "../unit/unit_helpers.h"

#include <string.h>

#include "catalog/catalog_okey.h"
#include "catalog/catalog_origin.h"

static const uint8_t origin_key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const char kid[] = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

static void test_origin_v4_round_trip(void **state)
{
    (void) state;
    static catalog_origin_t o = { .start_ms = 5, .expiry_ms = 9, .protocols_clear = 0,
                                  .protocols_blocked = 0, .protocols_envelope = CATALOG_PROTO_HLS,
                                  .envelope_has_iv = 1, .protocols_cenc = CATALOG_PROTO_DASH,
                                  .protocols_cbcs = CATALOG_PROTO_PROGRESSIVE, .cbcs_has_iv = 1,
                                  .flags = CATALOG_ORIGIN_FLAG_LIVE,
                                  .live_window_ms = 300000, .live_start_ms = 1796688000123 };
    static catalog_origin_t d;
    static uint8_t buf[CATALOG_ORIGIN_MAX_SIZE];
    strcpy(o.asset_dir, "asset-1234");
    strcpy(o.envelope_key_uri, "https://keys.example/?KID=x");
    strcpy(o.common_key_uri, "https://keys.example/?KID=y");
    strcpy(o.clearkey_url, "https://keys.example/ClearKey/");
    strcpy(o.playready_url, "https://pr.example/rightsmanager.asmx");
    memset(o.fairplay_url, 'f', CATALOG_ORIGIN_URI_MAX - 1);   /* the longest */
    for (int i = 0; i < 16; i++) {
        o.cenc_kid[i] = (uint8_t) (200 + i);
        o.cbcs_kid[i] = (uint8_t) (220 + i);
        o.cbcs_iv[i] = (uint8_t) (i * 3);
    }
    for (int i = 0; i < 16; i++) {
        o.envelope_kid[i] = (uint8_t) i;
        o.envelope_iv[i] = (uint8_t) (100 + i);
    }
    size_t n = catalog_origin_encode(&o, buf, sizeof(buf));
    assert_true(n > 0);
    assert_int_equal(catalog_origin_decode(buf, n, &d), 0);
    assert_string_equal(d.asset_dir, "asset-1234");
    assert_string_equal(d.envelope_key_uri, o.envelope_key_uri);
    assert_memory_equal(d.envelope_kid, o.envelope_kid, 16);
    assert_memory_equal(d.envelope_iv, o.envelope_iv, 16);
    assert_int_equal(d.envelope_has_iv, 1);
    assert_int_equal(d.protocols_cenc, CATALOG_PROTO_DASH);
    assert_memory_equal(d.cenc_kid, o.cenc_kid, 16);
    assert_memory_equal(d.cbcs_kid, o.cbcs_kid, 16);
    assert_memory_equal(d.cbcs_iv, o.cbcs_iv, 16);
    assert_int_equal(d.cbcs_has_iv, 1);
    assert_string_equal(d.common_key_uri, o.common_key_uri);
    assert_string_equal(d.clearkey_url, o.clearkey_url);
    assert_string_equal(d.widevine_url, "");
    assert_string_equal(d.playready_url, o.playready_url);
    assert_string_equal(d.fairplay_url, o.fairplay_url);
    assert_int_equal(d.flags, CATALOG_ORIGIN_FLAG_LIVE);
    assert_int_equal(d.live_window_ms, 300000);
    assert_int_equal(d.live_start_ms, 1796688000123);
    assert_int_equal(catalog_origin_check(&d, 6, CATALOG_PROTO_HLS), CATALOG_ENVELOPE);
    assert_int_equal(catalog_origin_check(&d, 6, CATALOG_PROTO_DASH), CATALOG_CENC);
    assert_int_equal(catalog_origin_check(&d, 6, CATALOG_PROTO_PROGRESSIVE), CATALOG_CBCS);
    assert_int_equal(catalog_origin_check(&d, 6, CATALOG_PROTO_SMOOTH), CATALOG_BLOCKED);
    assert_int_equal(catalog_origin_check(&d, 10, CATALOG_PROTO_HLS), CATALOG_EXPIRED);
    for (size_t cut = 0; cut < n; cut++) {
        assert_int_equal(catalog_origin_decode(buf, cut, &d), -1);
    }
    /* a URL one byte too long does not encode */
    o.fairplay_url[CATALOG_ORIGIN_URI_MAX - 1] = 'f';
    assert_int_equal(catalog_origin_encode(&o, buf + 0, sizeof(buf)), 0);
    o.fairplay_url[CATALOG_ORIGIN_URI_MAX - 1] = '\0';
    /* an MPO3 record (no live facts) of an older daemon */
    memcpy(buf, "MPO3", 4);
    assert_int_equal(catalog_origin_decode(buf, n - 16, &d), 0);
    assert_string_equal(d.fairplay_url, o.fairplay_url);
    assert_int_equal(d.live_window_ms, 0);
    assert_int_equal(catalog_origin_decode(buf, n, &d), -1);   /* MPO3 with a tail */
    n -= 16;
    /* an MPO2 record (envelope, no common encryption) of an older daemon */
    size_t common = 4 + 16 + 4 + 16 + 4 + 16 + 5 * 2 + strlen(o.common_key_uri)
                    + strlen(o.clearkey_url) + strlen(o.playready_url) + strlen(o.fairplay_url);
    memcpy(buf, "MPO2", 4);
    assert_int_equal(catalog_origin_decode(buf, n - common, &d), 0);
    assert_int_equal(d.protocols_envelope, CATALOG_PROTO_HLS);
    assert_int_equal(d.protocols_cenc, 0);
    assert_int_equal(catalog_origin_check(&d, 6, CATALOG_PROTO_DASH), CATALOG_BLOCKED);
    assert_int_equal(catalog_origin_decode(buf, n, &d), -1);   /* MPO2 with a tail */
    /* an MPO1 record (no envelope) of an older daemon */
    size_t v1 = n - common - (4 + 16 + 4 + 16 + 2 + strlen(o.envelope_key_uri));
    memcpy(buf, "MPO1", 4);
    assert_int_equal(catalog_origin_decode(buf, v1, &d), 0);
    assert_int_equal(d.protocols_envelope, 0);
    assert_int_equal(catalog_origin_check(&d, 6, CATALOG_PROTO_HLS), CATALOG_BLOCKED);
}

static void test_okey_seal_and_open(void **state)
{
    (void) state;
    catalog_okey_t k = { .key_len = 16, .auth = CATALOG_OKEY_AUTH_OPEN }, out;
    uint8_t rec[CATALOG_OKEY_MAX_SIZE], other_key[32];
    for (int i = 0; i < 16; i++) {
        k.key[i] = (uint8_t) (0xA0 + i);
    }
    size_t n = catalog_okey_seal(origin_key, kid, &k, rec, sizeof(rec));
    assert_int_equal(n, 8 + 12 + 16 + 16);
    for (size_t i = 0; i + 16 <= n; i++) {
        assert_memory_not_equal(rec + i, k.key, 16);       /* not in the clear */
    }
    assert_int_equal(catalog_okey_open(origin_key, kid, rec, n, &out), 0);
    assert_memory_equal(out.key, k.key, 16);
    assert_int_equal(out.key_len, 16);
    assert_int_equal(out.auth, CATALOG_OKEY_AUTH_OPEN);
    /* another key id (a record copied under another key), another origin key */
    assert_int_equal(catalog_okey_open(origin_key, "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f1",
                                       rec, n, &out), -1);
    memcpy(other_key, origin_key, 32);
    other_key[31] ^= 1;
    assert_int_equal(catalog_okey_open(other_key, kid, rec, n, &out), -1);
    /* every flipped bit of the record, every truncation */
    for (size_t i = 0; i < n; i++) {
        rec[i] ^= 0x10;
        assert_int_equal(catalog_okey_open(origin_key, kid, rec, n, &out), -1);
        rec[i] ^= 0x10;
        assert_int_equal(catalog_okey_open(origin_key, kid, rec, i, &out), -1);
    }
    /* two seals of the same key differ (fresh nonce) */
    uint8_t rec2[CATALOG_OKEY_MAX_SIZE];
    assert_int_equal(catalog_okey_seal(origin_key, kid, &k, rec2, sizeof(rec2)), n);
    assert_memory_not_equal(rec, rec2, n);
    k.key_len = 0;
    assert_int_equal(catalog_okey_seal(origin_key, kid, &k, rec, sizeof(rec)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_origin_v4_round_trip),
        cmocka_unit_test(test_okey_seal_and_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
