/*
 * test_key_checksum.c — the AMS ContentKey checksum (.NET SDK convention and
 * the Java SDK variant), key Id GUID parsing and byte orders, and key status
 * strings.  Reference values come from FIPS-197 appendix C (AES known
 * answers) and from the openssl command-line tool.  The base64 and hex codecs
 * under them are tested in test_text_codec.c.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "keys_test_util.h"

#include <openssl/rand.h>

#include "keys/key_checksum.h"
#include "keys/key_guid.h"
#include "keys/key_status.h"

/* .NET Guid.ToByteArray() of this GUID is 00 11 22 .. ff, the FIPS-197
 * appendix C plaintext, so the checksum is the first 8 bytes of the
 * published ciphertexts: C.1 (AES-128) 69c4e0d86a7b0430..., C.3 (AES-256)
 * 8ea2b7ca516745bf..., in base64. */
static const char fips_kid[] = "33221100-5544-7766-8899-aabbccddeeff";
static const char fips_aes128_checksum[] = "acTg2Gp7BDA=";
static const char fips_aes256_checksum[] = "jqK3ylFnRb8=";

static void fill_counting(uint8_t *key, size_t len)
{
    for (size_t i = 0; i < len; i++)
        key[i] = (uint8_t)i;
}

static void test_checksum_fips197_vectors(void **state)
{
    (void)state;
    uint8_t key[32];
    char out[CONTENT_KEY_CHECKSUM_LEN + 1];
    fill_counting(key, sizeof(key));
    assert_int_equal(content_key_checksum(key, 16, fips_kid, out), KEY_OK);
    assert_string_equal(out, fips_aes128_checksum);
    assert_int_equal(content_key_checksum(key, 32, fips_kid, out), KEY_OK);
    assert_string_equal(out, fips_aes256_checksum);
}

static void test_checksum_accepts_id_forms(void **state)
{
    (void)state;
    uint8_t key[16];
    char out[CONTENT_KEY_CHECKSUM_LEN + 1];
    fill_counting(key, sizeof(key));
    const char *forms[] = {
        "{33221100-5544-7766-8899-aabbccddeeff}",
        "33221100-5544-7766-8899-AABBCCDDEEFF",
        "nb:kid:UUID:33221100-5544-7766-8899-aabbccddeeff",
        "NB:KID:uuid:33221100-5544-7766-8899-aabbccddeeff",
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        memset(out, 0, sizeof(out));
        assert_int_equal(content_key_checksum(key, 16, forms[i], out), KEY_OK);
        assert_string_equal(out, fips_aes128_checksum);
    }
}

static void test_checksum_rejects_bad_arguments(void **state)
{
    (void)state;
    uint8_t key[33] = { 0 };
    char out[CONTENT_KEY_CHECKSUM_LEN + 1];
    size_t bad_lengths[] = { 0, 8, 15, 17, 20, 31, 33 };
    for (size_t i = 0; i < sizeof(bad_lengths) / sizeof(bad_lengths[0]); i++)
        assert_int_equal(content_key_checksum(key, bad_lengths[i], fips_kid, out), KEY_ERR_ARGUMENT);
    assert_int_equal(content_key_checksum(key, 16, "33221100-5544-7766-8899", out), KEY_ERR_ARGUMENT);
    assert_int_equal(content_key_checksum(key, 16, "nb:kid:33221100-5544-7766-8899-aabbccddeeff", out),
                     KEY_ERR_ARGUMENT);
    assert_int_equal(content_key_checksum(key, 16, NULL, out), KEY_ERR_ARGUMENT);
    assert_int_equal(content_key_checksum(NULL, 16, fips_kid, out), KEY_ERR_ARGUMENT);
}

/* The .NET bytes of a GUID built field by field with sscanf, independent of
 * guid_to_dotnet_bytes. */
static void dotnet_bytes_by_fields(const char *guid, uint8_t out[16])
{
    unsigned int d1, d2, d3, rest[8];
    assert_int_equal(sscanf(guid, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &d1, &d2, &d3,
                            &rest[0], &rest[1], &rest[2], &rest[3], &rest[4], &rest[5],
                            &rest[6], &rest[7]), 11);
    for (int i = 0; i < 4; i++)
        out[i] = (uint8_t)(d1 >> (8 * i));
    out[4] = (uint8_t)d2, out[5] = (uint8_t)(d2 >> 8);
    out[6] = (uint8_t)d3, out[7] = (uint8_t)(d3 >> 8);
    for (int i = 0; i < 8; i++)
        out[8 + i] = (uint8_t)rest[i];
}

/* base64 of the first 8 bytes of `openssl enc -aes-N-ecb -nopad` over block. */
static void cli_checksum(const uint8_t *key, size_t key_len, const uint8_t block[16], char out[13])
{
    char dir[KT_PATH], in_path[KT_PATH], out_path[KT_PATH], key_hex[65];
    kt_make_temp_dir(dir);
    kt_join(in_path, dir, "block.bin");
    kt_join(out_path, dir, "checksum.txt");
    kt_write_file(in_path, block, 16, 0600);
    kt_hex(key, key_len, key_hex);
    assert_int_equal(kt_run("openssl enc -aes-%zu-ecb -nopad -K %s -in %s | head -c 8 "
                            "| openssl base64 -A > %s", key_len * 8, key_hex, in_path, out_path), 0);
    assert_int_equal(kt_read_file(out_path, out, 13), 12);
    kt_remove_tree(dir);
}

static void random_guid(char out[GUID_TEXT_LEN + 1])
{
    uint8_t bytes[16];
    assert_int_equal(RAND_bytes(bytes, sizeof(bytes)), 1);
    guid_format(bytes, out);
}

static void test_checksum_matches_openssl_cli(void **state)
{
    (void)state;
    for (size_t key_len = 16; key_len <= 32; key_len += 16) {
        for (int round = 0; round < 3; round++) {
            uint8_t key[32], block[16];
            char guid[GUID_TEXT_LEN + 1], ours[13], theirs[13];
            assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
            random_guid(guid);
            dotnet_bytes_by_fields(guid, block);
            cli_checksum(key, key_len, block, theirs);
            assert_int_equal(content_key_checksum(key, key_len, guid, ours), KEY_OK);
            assert_string_equal(ours, theirs);
        }
    }
}

static void test_checksum_java_sdk_variant(void **state)
{
    (void)state;
    uint8_t key[16], kid[16];
    char guid[GUID_TEXT_LEN + 1], java[13], cli[13], dotnet[13];
    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    random_guid(guid);
    assert_int_equal(guid_parse(guid, kid), KEY_OK);
    cli_checksum(key, 16, (const uint8_t *)guid, cli);   /* first 16 characters */
    assert_int_equal(content_key_checksum_java_sdk(key, 16, kid, java), KEY_OK);
    assert_string_equal(java, cli);
    assert_int_equal(content_key_checksum(key, 16, guid, dotnet), KEY_OK);
    assert_string_not_equal(java, dotnet);

    assert_int_equal(content_key_checksum_check(key, 16, guid, dotnet), CHECKSUM_MATCHES_DOTNET);
    assert_int_equal(content_key_checksum_check(key, 16, guid, java), CHECKSUM_MATCHES_JAVA_SDK);
    assert_int_equal(content_key_checksum_check(key, 16, guid, "AAAAAAAAAAA="), CHECKSUM_MISMATCH);
    assert_int_equal(content_key_checksum_check(key, 16, guid, ""), CHECKSUM_MISMATCH);
    char longer[20];
    snprintf(longer, sizeof(longer), "%sAAAA", dotnet);
    assert_int_equal(content_key_checksum_check(key, 16, guid, longer), CHECKSUM_MISMATCH);
    assert_int_equal(content_key_checksum_check(key, 15, guid, dotnet), KEY_ERR_ARGUMENT);
    assert_int_equal(content_key_checksum_check(key, 16, "x", dotnet), KEY_ERR_ARGUMENT);
}

static void test_guid_parse_and_format(void **state)
{
    (void)state;
    static const uint8_t expected[16] = { 0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66,
                                          0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
    uint8_t bytes[16];
    char text[GUID_TEXT_LEN + 1];
    assert_int_equal(guid_parse(fips_kid, bytes), KEY_OK);
    assert_memory_equal(bytes, expected, 16);
    assert_int_equal(guid_parse("{33221100-5544-7766-8899-AABBCCDDEEFF}", bytes), KEY_OK);
    assert_memory_equal(bytes, expected, 16);
    guid_format(expected, text);
    assert_string_equal(text, fips_kid);

    const char *bad[] = {
        "", "33221100-5544-7766-8899-aabbccddeef", "33221100-5544-7766-8899-aabbccddeeff0",
        "33221100+5544-7766-8899-aabbccddeeff", "3322110-05544-7766-8899-aabbccddeeff",
        "33221100-5544-7766-8899-aabbccddeefg", "{33221100-5544-7766-8899-aabbccddeeff",
        "(33221100-5544-7766-8899-aabbccddeeff)", "33221100554477668899aabbccddeeff",
        " 33221100-5544-7766-8899-aabbccddeef",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(guid_parse(bad[i], bytes), KEY_ERR_ARGUMENT);
    assert_int_equal(guid_parse(NULL, bytes), KEY_ERR_ARGUMENT);
}

static void test_guid_dotnet_byte_order(void **state)
{
    (void)state;
    static const uint8_t fips_plaintext[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                                0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
    uint8_t rfc[16], dotnet[16], back[16], by_fields[16];
    assert_int_equal(guid_parse(fips_kid, rfc), KEY_OK);
    guid_to_dotnet_bytes(rfc, dotnet);
    assert_memory_equal(dotnet, fips_plaintext, 16);
    guid_to_dotnet_bytes(dotnet, back);
    assert_memory_equal(back, rfc, 16);
    guid_to_dotnet_bytes(rfc, rfc);                     /* in place */
    assert_memory_equal(rfc, fips_plaintext, 16);

    char guid[GUID_TEXT_LEN + 1];
    random_guid(guid);
    assert_int_equal(guid_parse(guid, rfc), KEY_OK);
    guid_to_dotnet_bytes(rfc, dotnet);
    dotnet_bytes_by_fields(guid, by_fields);
    assert_memory_equal(dotnet, by_fields, 16);
}

static void test_content_key_id_forms(void **state)
{
    (void)state;
    uint8_t rfc[16], again[16];
    char id[CONTENT_KEY_ID_LEN + 1];
    assert_int_equal(content_key_id_parse("nb:kid:UUID:33221100-5544-7766-8899-aabbccddeeff", rfc), KEY_OK);
    content_key_id_format(rfc, id);
    assert_string_equal(id, "nb:kid:UUID:33221100-5544-7766-8899-aabbccddeeff");
    assert_int_equal(strlen(id), CONTENT_KEY_ID_LEN);
    assert_int_equal(content_key_id_parse("Nb:Kid:Uuid:{33221100-5544-7766-8899-AABBCCDDEEFF}", again), KEY_OK);
    assert_memory_equal(rfc, again, 16);
    assert_int_equal(content_key_id_parse(fips_kid, again), KEY_ERR_ARGUMENT);
    assert_int_equal(content_key_id_parse("nb:kid:UUID:", again), KEY_ERR_ARGUMENT);
    assert_int_equal(content_key_id_parse("nb:cid:UUID:33221100-5544-7766-8899-aabbccddeeff", again),
                     KEY_ERR_ARGUMENT);
}

static void test_status_strings(void **state)
{
    (void)state;
    assert_string_equal(key_status_str(KEY_OK), "ok");
    assert_string_equal(key_status_str(KEY_ERR_DECRYPT), "ciphertext rejected");
    assert_string_equal(key_status_str(12345), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum_fips197_vectors),
        cmocka_unit_test(test_checksum_accepts_id_forms),
        cmocka_unit_test(test_checksum_rejects_bad_arguments),
        cmocka_unit_test(test_checksum_matches_openssl_cli),
        cmocka_unit_test(test_checksum_java_sdk_variant),
        cmocka_unit_test(test_guid_parse_and_format),
        cmocka_unit_test(test_guid_dotnet_byte_order),
        cmocka_unit_test(test_content_key_id_forms),
        cmocka_unit_test(test_status_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
