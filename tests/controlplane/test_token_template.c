/*
 * test_token_template.c — the TokenRestrictionTemplate parser: the XML the
 * AMS REST documentation and SDKs produced (alternate keys, nil claim value,
 * SWT default, nil OpenID document) in compact form, and each refusal with
 * a message naming what is wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "keypolicy/token_template.h"

#define HEAD "<TokenRestrictionTemplate xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" " \
             "xmlns=\"" TOKEN_TEMPLATE_NS "\">"
#define KEY64 "E5BUHiN4vBdzUzdP0IWaHFMMU3D1uRZgF16TOhSfwwHGSw+Kbf0XqsHzEIYk11M372viB9vbiacsdcQksA0ftw=="
#define ALT64 "BklyAFiPTQsuJNKriQJBZHYaKM2CkCTDQX2bw9sMYuvEC9sjW0W7GUIBygQL/+POEeUqCYPnmEU2g0o1GW2Oqg=="
#define PRIMARY(k) "<PrimaryVerificationKey i:type=\"SymmetricVerificationKey\"><KeyValue>" k \
                   "</KeyValue></PrimaryVerificationKey>"
#define BASIC "<Audience>urn:test</Audience><Issuer>http://testacs.com/</Issuer>"

static json_t *parse(const char *xml, char *err)
{
    return token_template_parse(xml, strlen(xml), err, 512);
}

static void test_documented_template(void **state)
{
    (void) state;
    char err[512];
    json_t *t = parse(HEAD "<AlternateVerificationKeys><TokenVerificationKey "
                      "i:type=\"SymmetricVerificationKey\"><KeyValue>" ALT64 "</KeyValue>"
                      "</TokenVerificationKey></AlternateVerificationKeys>" BASIC PRIMARY(KEY64)
                      "<RequiredClaims><TokenClaim><ClaimType>urn:microsoft:azure:mediaservices:"
                      "contentkeyidentifier</ClaimType><ClaimValue i:nil=\"true\" /></TokenClaim>"
                      "<TokenClaim><ClaimType>role</ClaimType><ClaimValue> admin </ClaimValue>"
                      "</TokenClaim></RequiredClaims><TokenType>JWT</TokenType>"
                      "</TokenRestrictionTemplate>", err);
    assert_non_null(t);
    assert_string_equal(json_string_value(json_object_get(t, "issuer")), "http://testacs.com/");
    assert_string_equal(json_string_value(json_object_get(t, "audience")), "urn:test");
    assert_string_equal(json_string_value(json_object_get(t, "type")), "JWT");
    json_t *keys = json_object_get(t, "keys"), *claims = json_object_get(t, "claims");
    assert_int_equal(json_array_size(keys), 2);
    assert_string_equal(json_string_value(json_array_get(keys, 0)), KEY64);   /* primary first */
    assert_string_equal(json_string_value(json_array_get(keys, 1)), ALT64);
    assert_int_equal(json_array_size(claims), 2);
    assert_true(json_is_null(json_object_get(json_array_get(claims, 0), "value")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(claims, 1), "value")), "admin");
    json_decref(t);
}

static void test_defaults(void **state)
{
    (void) state;
    char err[512];
    json_t *t = parse("<?xml version=\"1.0\"?>\n" HEAD "\n  <AlternateVerificationKeys />" BASIC
                      "<OpenIdConnectDiscoveryDocument i:nil=\"true\" />" PRIMARY("\n " KEY64 "\n")
                      "</TokenRestrictionTemplate>", err);
    assert_non_null(t);
    assert_string_equal(json_string_value(json_object_get(t, "type")), "SWT");
    assert_int_equal(json_array_size(json_object_get(t, "keys")), 1);
    assert_int_equal(json_array_size(json_object_get(t, "claims")), 0);
    json_decref(t);
}

static void expect_refusal(const char *xml, const char *words)
{
    char err[512];
    json_t *t = parse(xml, err);
    if (t != NULL || strstr(err, words) == NULL) {
        fail_msg("expected a refusal naming '%s', got '%s'", words, t ? "(accepted)" : err);
    }
}

static void test_refusals(void **state)
{
    (void) state;
    expect_refusal("", "XML document");
    expect_refusal("<TokenRestrictionTemplate", "not well-formed");
    expect_refusal("<TokenRestrictionTemplate/>", "root must be");
    expect_refusal("<Other xmlns=\"" TOKEN_TEMPLATE_NS "\"/>", "root must be");
    expect_refusal(HEAD "<Audience>a</Audience>" PRIMARY(KEY64) "</TokenRestrictionTemplate>",
                   "Issuer is required");
    expect_refusal(HEAD "<Issuer>i</Issuer>" PRIMARY(KEY64) "</TokenRestrictionTemplate>",
                   "Audience is required");
    expect_refusal(HEAD BASIC "</TokenRestrictionTemplate>", "PrimaryVerificationKey is required");
    expect_refusal(HEAD BASIC PRIMARY("AAAA") "</TokenRestrictionTemplate>", "base64 of 16");
    expect_refusal(HEAD BASIC PRIMARY("not base64") "</TokenRestrictionTemplate>", "KeyValue");
    expect_refusal(HEAD BASIC PRIMARY(KEY64) PRIMARY(KEY64) "</TokenRestrictionTemplate>",
                   "one PrimaryVerificationKey");
    expect_refusal(HEAD BASIC "<PrimaryVerificationKey i:type=\"X509CertTokenVerificationKey\">"
                   "<RawBody>AAAA</RawBody></PrimaryVerificationKey></TokenRestrictionTemplate>",
                   "is not a DER X.509 certificate");
    expect_refusal(HEAD BASIC "<PrimaryVerificationKey i:type=\"JsonWebKey\">"
                   "<RawBody>AAAA</RawBody></PrimaryVerificationKey></TokenRestrictionTemplate>",
                   "X509CertTokenVerificationKey and RsaTokenVerificationKey are supported");
    expect_refusal(HEAD BASIC PRIMARY(KEY64) "<TokenType>SAML</TokenType></TokenRestrictionTemplate>",
                   "SWT or JWT");
    expect_refusal(HEAD BASIC BASIC PRIMARY(KEY64) "</TokenRestrictionTemplate>", "given twice");
    expect_refusal(HEAD "<Audience></Audience><Issuer>i</Issuer>" PRIMARY(KEY64)
                   "</TokenRestrictionTemplate>", "Audience must be non-empty");
    expect_refusal(HEAD BASIC PRIMARY(KEY64) "<RequiredClaims><TokenClaim><ClaimValue>x"
                   "</ClaimValue></TokenClaim></RequiredClaims></TokenRestrictionTemplate>",
                   "needs a ClaimType");
    expect_refusal(HEAD BASIC PRIMARY(KEY64) "<Extra/></TokenRestrictionTemplate>",
                   "unknown element <Extra>");
    expect_refusal(HEAD BASIC PRIMARY(KEY64) "<x:Issuer xmlns:x=\"urn:other\">i</x:Issuer>"
                   "</TokenRestrictionTemplate>", "namespace");
    expect_refusal(HEAD BASIC PRIMARY(KEY64) "<OpenIdConnectDiscoveryDocument><ConfigurationUrl>"
                   "https://x</ConfigurationUrl></OpenIdConnectDiscoveryDocument>"
                   "</TokenRestrictionTemplate>", "OpenIdConnectDiscoveryDocument");
    expect_refusal("<!DOCTYPE t [<!ENTITY e \"x\">]>" HEAD BASIC PRIMARY(KEY64)
                   "</TokenRestrictionTemplate>", "DOCTYPE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documented_template),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
