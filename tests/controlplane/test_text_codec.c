/*
 * test_text_codec.c — the base64 and hex codecs of controlplane/util/
 * text_codec that storage/ (block ids, Content-MD5, staging names) and keys/
 * (sealed secrets, ciphertexts, certificates, thumbprints) rely on: strict
 * decoding and each way it rejects, both encoders, upper/lower-case hex, and
 * the lenient decoder SWT tokens and SAS signatures use.  Vectors are RFC 4648
 * section 10.  (URL and form codecs are in test_api_core.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/text_codec.h"

static const char *rfc_plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
static const char *rfc_encoded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
#define RFC_VECTORS (sizeof(rfc_plain) / sizeof(rfc_plain[0]))

/* Strict decode of a NUL-terminated text into out[cap]. */
static base64_status_t strict(const char *text, uint8_t *out, size_t cap, size_t *len)
{
    return base64_decode_strict(text, strlen(text), out, cap, len);
}

/* ---- strict decoding ---------------------------------------------------- */

static void test_strict_accepts_canonical(void **state)
{
    (void) state;
    uint8_t out[8];
    size_t n = 0;
    assert_int_equal(strict("TWFu", out, sizeof out, &n), BASE64_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "Man", 3);
    assert_int_equal(strict("TWE=", out, sizeof out, &n), BASE64_OK);
    assert_int_equal(n, 2);
    assert_int_equal(strict("TQ==", out, sizeof out, &n), BASE64_OK);
    assert_int_equal(n, 1);
    assert_int_equal(strict("+/+/", out, sizeof out, &n), BASE64_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "\xfb\xff\xbf", 3);
    for (size_t i = 1; i < RFC_VECTORS; i++) {
        n = 99;
        assert_int_equal(strict(rfc_encoded[i], out, sizeof out, &n), BASE64_OK);
        assert_int_equal(n, strlen(rfc_plain[i]));
        assert_memory_equal(out, rfc_plain[i], n);
    }
}

static void test_strict_rejects_malformed(void **state)
{
    (void) state;
    static const char *bad[] = {
        "",                                     /* empty */
        "TQ", "Zg=", "Zg", "A", "AAA", "AAAAA", /* length not a multiple of 4 */
        "Zm9v\n", " Zm9v", "AA AA", "AA\nA", "Zm9\t", "Zm9-", "Zm9_", "AA-_", "a*==", /* alphabet */
        "Zm=v", "AA=A", "=Zm9", "Zm9vYg=a", "TQ==TWFu", "Zg==Zg==", "AAAA====", /* misplaced '=' */
        "Z===", "A===", "====",                 /* too much padding */
        "TR==", "Zh==", "AB==", "TWF=", "Zm9=", "AAB=", /* non-zero leftover bits */
    };
    uint8_t out[16];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = 77;
        assert_int_equal(strict(bad[i], out, sizeof out, &n), BASE64_MALFORMED);
        assert_int_equal(n, 77);                /* untouched on failure */
    }
}

static void test_strict_capacity(void **state)
{
    (void) state;
    uint8_t out[8];
    size_t n = 0;
    assert_int_equal(strict("TWFuTWFuTWFu", out, sizeof out, &n), BASE64_TOO_LONG);
    assert_int_equal(strict("Zm9vYmFy", out, 5, &n), BASE64_TOO_LONG);
    assert_int_equal(strict("Zm9vYmE=", out, 5, &n), BASE64_OK);   /* exactly fits */
    assert_int_equal(n, 5);
    assert_int_equal(strict("Zg==", NULL, 0, &n), BASE64_TOO_LONG);
    /* capacity is checked before the characters, and nothing is written */
    memset(out, 0x5A, sizeof out);
    assert_int_equal(strict("!!!!!!!!", out, 5, &n), BASE64_TOO_LONG);
    for (size_t i = 0; i < sizeof out; i++)
        assert_int_equal(out[i], 0x5A);
    /* ...but a length that is not a multiple of 4 is malformed first */
    assert_int_equal(strict("Zm9vYmFyZ", out, 1, &n), BASE64_MALFORMED);
}

static void test_strict_wipes_partial_output(void **state)
{
    (void) state;
    uint8_t out[16];
    size_t n = 0;
    memset(out, 0x5A, sizeof out);
    /* the first two quanta decode before the third fails */
    assert_int_equal(strict("Zm9vYmFyZm9*", out, sizeof out, &n), BASE64_MALFORMED);
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(out[i], 0);
    for (size_t i = 9; i < sizeof out; i++)
        assert_int_equal(out[i], 0x5A);         /* beyond the decoded size */
    memset(out, 0x5A, sizeof out);
    assert_int_equal(strict("Zm9vZh==", out, sizeof out, &n), BASE64_MALFORMED);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(out[i], 0);
}

/* ---- encoding ----------------------------------------------------------- */

static void test_encode_rfc_vectors(void **state)
{
    (void) state;
    for (size_t i = 0; i < RFC_VECTORS; i++) {
        size_t len = strlen(rfc_plain[i]);
        char out[16];
        assert_int_equal(base64_encode((const uint8_t *) rfc_plain[i], len, out, sizeof out),
                         (long) strlen(rfc_encoded[i]));
        assert_string_equal(out, rfc_encoded[i]);
        assert_int_equal(BASE64_ENCODED_SIZE(len), strlen(rfc_encoded[i]) + 1);
        char *alloc = base64_encode_alloc((const uint8_t *) rfc_plain[i], len);
        assert_non_null(alloc);
        assert_string_equal(alloc, rfc_encoded[i]);
        free(alloc);
    }
}

static void test_encode_capacity(void **state)
{
    (void) state;
    char out[BASE64_ENCODED_SIZE(5)];
    assert_int_equal(sizeof out, 9);
    assert_int_equal(base64_encode((const uint8_t *) "hello", 5, out, sizeof out), 8);
    assert_string_equal(out, "aGVsbG8=");
    assert_int_equal(base64_encode((const uint8_t *) "hello", 5, out, sizeof out - 1), -1);
    assert_int_equal(base64_encode(NULL, 0, out, 1), 0);
    assert_string_equal(out, "");
}

/* Every byte string has exactly one spelling, and strict decoding reads it. */
static void test_encode_strict_round_trip(void **state)
{
    (void) state;
    uint8_t raw[64], back[64];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t) (i * 37 + 11);
    for (size_t len = 1; len <= sizeof raw; len++) {
        char *text = base64_encode_alloc(raw, len);
        size_t n = 0;
        assert_non_null(text);
        assert_int_equal(strlen(text), BASE64_ENCODED_SIZE(len) - 1);
        assert_int_equal(strict(text, back, len, &n), BASE64_OK);
        assert_int_equal(n, len);
        assert_memory_equal(back, raw, len);
        free(text);
    }
}

/* ---- hex ---------------------------------------------------------------- */

static void test_hex(void **state)
{
    (void) state;
    static const uint8_t bytes[] = { 0x00, 0x9f, 0xa0, 0xff };
    char out[9];
    assert_int_equal(hex_encode(bytes, sizeof bytes, out, sizeof out, 1), 8);
    assert_string_equal(out, "009FA0FF");
    assert_int_equal(hex_encode(bytes, sizeof bytes, out, sizeof out, 0), 8);
    assert_string_equal(out, "009fa0ff");
    assert_int_equal(hex_encode(bytes, sizeof bytes, out, sizeof out - 1, 0), -1);
    assert_int_equal(hex_encode(bytes, 0, out, 1, 1), 0);
    assert_string_equal(out, "");
}

/* ---- lenient decoding --------------------------------------------------- */

static void test_lenient_decode(void **state)
{
    (void) state;
    uint8_t out[16];
    assert_int_equal(base64_decode("Zm9vYmE=", 8, out, sizeof out), 5);
    assert_memory_equal(out, "fooba", 5);
    assert_int_equal(base64_decode("Zm9vYmE", 7, out, sizeof out), 5);     /* unpadded */
    assert_int_equal(base64_decode("-_-_", 4, out, sizeof out), 3);        /* URL-safe */
    assert_memory_equal(out, "\xfb\xff\xbf", 3);
    assert_int_equal(base64_decode("+/+/", 4, out, sizeof out), 3);
    assert_memory_equal(out, "\xfb\xff\xbf", 3);
    assert_int_equal(base64_decode("TR==", 4, out, sizeof out), 1);        /* leftover bits ignored */
    assert_int_equal(base64_decode("", 0, out, sizeof out), 0);
    assert_true(base64_decode("Zm9vY", 5, out, sizeof out) < 0);           /* one character over */
    assert_true(base64_decode("a*==", 4, out, sizeof out) < 0);
    assert_true(base64_decode("Zm9 Zm9v", 8, out, sizeof out) < 0);        /* whitespace */
    assert_true(base64_decode("Zm9vYmFy", 8, out, 5) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strict_accepts_canonical),
        cmocka_unit_test(test_strict_rejects_malformed),
        cmocka_unit_test(test_strict_capacity),
        cmocka_unit_test(test_strict_wipes_partial_output),
        cmocka_unit_test(test_encode_rfc_vectors),
        cmocka_unit_test(test_encode_capacity),
        cmocka_unit_test(test_encode_strict_round_trip),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_lenient_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
