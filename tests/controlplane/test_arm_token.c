/*
 * test_arm_token.c — v3 access tokens (controlplane/arm/arm_token.c,
 * arm_signing_key.c): a token issued verifies; it stops at its expiry (with
 * 60 s of skew), and is refused for another audience, a changed claim, a
 * changed signature, alg "none", a header that is not JSON, too few parts,
 * or more than ARM_TOKEN_MAX bytes.  The signing key survives a reload
 * (same kid, old tokens still verify).  Also base64url_encode_alloc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arm/arm_signing_key.h"
#include "arm/arm_token.h"
#include "util/text_codec.h"

#define NOW 1800000000LL
#define ARM "https://127.0.0.1:8443"

static char dir[] = "/tmp/arm-token-test-XXXXXX";
static app_t app;

static int setup(void **state)
{
    char err[256];
    (void) state;
    if (mkdtemp(dir) == NULL) return -1;
    snprintf(app.cfg.arm_url, sizeof(app.cfg.arm_url), ARM);
    app.arm_key = arm_signing_key_load_or_create(dir, err, sizeof(err));
    return app.arm_key != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    char path[256];
    (void) state;
    arm_signing_key_free(app.arm_key);
    snprintf(path, sizeof(path), "%s/arm-token.pem", dir);
    unlink(path);
    rmdir(dir);
    return 0;
}

static char *issue(void)
{
    char *t = arm_token_issue(&app, "tenant-1", "client-1", NOW, 3600);
    assert_non_null(t);
    return t;
}

/* token with its part `part` (0 header, 1 claims, 2 signature) replaced. */
static char *with_part(const char *token, int part, const char *text)
{
    const char *d1 = strchr(token, '.'), *d2 = strchr(d1 + 1, '.');
    char *out = malloc(strlen(token) + strlen(text) + 4);
    if (part == 0) sprintf(out, "%s%s", text, d1);
    else if (part == 1) sprintf(out, "%.*s.%s%s", (int) (d1 - token), token, text, d2);
    else sprintf(out, "%.*s.%s", (int) (d2 - token), token, text);
    return out;
}

static char *b64url(const char *json)
{
    return base64url_encode_alloc((const uint8_t *) json, strlen(json));
}

static void test_issued_token_verifies_until_expiry(void **state)
{
    char *t = issue();
    (void) state;
    assert_int_equal(arm_token_verify(&app, t, NOW), ARM_TOKEN_OK);
    assert_int_equal(arm_token_verify(&app, t, NOW + 3600 + 60), ARM_TOKEN_OK);   /* skew */
    assert_int_equal(arm_token_verify(&app, t, NOW + 3600 + 61), ARM_TOKEN_EXPIRED);
    assert_int_equal(arm_token_verify(&app, t, NOW - 61), ARM_TOKEN_INVALID);     /* nbf */
    free(t);
}

static void test_other_audience_refused(void **state)
{
    char *t = issue();
    (void) state;
    snprintf(app.cfg.arm_url, sizeof(app.cfg.arm_url), "https://127.0.0.1:9443");
    assert_int_equal(arm_token_verify(&app, t, NOW), ARM_TOKEN_INVALID);
    snprintf(app.cfg.arm_url, sizeof(app.cfg.arm_url), ARM);
    free(t);
}

static void test_tampering_refused(void **state)
{
    char *t = issue(), *claims, *bad;
    (void) state;
    claims = b64url("{\"aud\":\"" ARM "\",\"exp\":9999999999,\"nbf\":0}");
    bad = with_part(t, 1, claims);
    assert_int_equal(arm_token_verify(&app, bad, NOW), ARM_TOKEN_INVALID);
    free(bad);
    bad = with_part(t, 2, "AAAA");
    assert_int_equal(arm_token_verify(&app, bad, NOW), ARM_TOKEN_INVALID);
    free(bad);
    free(claims);
    claims = b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    bad = with_part(t, 0, claims);
    assert_int_equal(arm_token_verify(&app, bad, NOW), ARM_TOKEN_INVALID);
    free(bad);
    bad = with_part(t, 0, "notjson");
    assert_int_equal(arm_token_verify(&app, bad, NOW), ARM_TOKEN_INVALID);
    free(bad);
    free(claims);
    assert_int_equal(arm_token_verify(&app, "a.b", NOW), ARM_TOKEN_INVALID);
    assert_int_equal(arm_token_verify(&app, "", NOW), ARM_TOKEN_INVALID);
    free(t);
}

static void test_size_bound(void **state)
{
    char *big = malloc(ARM_TOKEN_MAX + 2);
    (void) state;
    memset(big, 'a', ARM_TOKEN_MAX + 1);
    big[10] = '.';
    big[20] = '.';
    big[ARM_TOKEN_MAX + 1] = '\0';
    assert_int_equal(arm_token_verify(&app, big, NOW), ARM_TOKEN_INVALID);
    free(big);
}

static void test_key_reload_keeps_tokens(void **state)
{
    char err[256], *t = issue(), kid[64];
    arm_signing_key_t *again;
    (void) state;
    snprintf(kid, sizeof(kid), "%s", arm_signing_key_id(app.arm_key));
    again = arm_signing_key_load_or_create(dir, err, sizeof(err));
    assert_non_null(again);
    assert_string_equal(arm_signing_key_id(again), kid);
    arm_signing_key_free(app.arm_key);
    app.arm_key = again;
    assert_int_equal(arm_token_verify(&app, t, NOW), ARM_TOKEN_OK);
    free(t);
}

static void test_jwk_shape(void **state)
{
    json_t *jwk = arm_signing_key_jwk(app.arm_key);
    (void) state;
    assert_non_null(jwk);
    assert_string_equal(json_string_value(json_object_get(jwk, "kty")), "RSA");
    assert_string_equal(json_string_value(json_object_get(jwk, "e")), "AQAB");
    assert_int_equal(strlen(json_string_value(json_object_get(jwk, "n"))), 342);  /* 2048 bits */
    json_decref(jwk);
}

static void test_base64url(void **state)
{
    char *s;
    (void) state;
    s = base64url_encode_alloc((const uint8_t *) "\xfb\xff", 2);
    assert_string_equal(s, "-_8");
    free(s);
    s = base64url_encode_alloc((const uint8_t *) "", 0);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issued_token_verifies_until_expiry),
        cmocka_unit_test(test_other_audience_refused),
        cmocka_unit_test(test_tampering_refused),
        cmocka_unit_test(test_size_bound),
        cmocka_unit_test(test_key_reload_keeps_tokens),
        cmocka_unit_test(test_jwk_shape),
        cmocka_unit_test(test_base64url),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
