/*
 * test_arm_key_restriction.c — v3 content key policy restrictions in v2
 * terms (controlplane/arm/arm_key_restriction.c): a token restriction
 * becomes TokenRestrictionTemplate XML that v2's own parser
 * (token_template.c) reads back to the same issuer, audience (XML-special
 * characters intact), keys primary first, claims with and without a value
 * and token type; Open becomes type 0 without Requirements; missing or
 * wrong fields are 400s naming the v3 field; OpenID discovery is
 * NotSupported; GET's copy empties the secrets and leaves the rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "arm/arm_key_restriction.h"
#include "keypolicy/token_template.h"

#define SYM "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey"
/* base64 of 32 and 16 bytes */
#define KEY32 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY16 "YWFhYWFhYWFhYWFhYWFhYQ=="

static json_t *restriction(const char *extra_json)
{
    json_t *r = json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:[{s:s,s:s}],s:[{s:s},{s:s,s:s}],s:s}",
                          "@odata.type", ARM_TOKEN_RESTRICTION, "issuer", "https://issuer/?a=1&b=<2>",
                          "audience", "urn:\"test\"", "primaryVerificationKey", "@odata.type", SYM,
                          "keyValue", KEY32, "alternateVerificationKeys", "@odata.type", SYM,
                          "keyValue", KEY16, "requiredClaims", "claimType",
                          "urn:microsoft:azure:mediaservices:contentkeyidentifier", "claimType",
                          "role", "claimValue", "admin", "restrictionTokenType", "Jwt");
    json_t *extra = extra_json ? json_loads(extra_json, 0, NULL) : NULL;

    json_object_update(r, extra);
    json_decref(extra);
    return r;
}

/* The v2 form of r, parsed back by the v2 template parser. */
static json_t *round_trip(json_t *r)
{
    http_response_t *err = NULL;
    json_t *v2 = arm_key_restriction_v2(r, 0, &err), *compact;
    const char *xml;
    char why[512];

    assert_null(err);
    assert_non_null(v2);
    assert_int_equal(json_integer_value(json_object_get(v2, "KeyRestrictionType")), 1);
    xml = json_string_value(json_object_get(v2, "Requirements"));
    compact = token_template_parse(xml, strlen(xml), why, sizeof(why));
    if (compact == NULL) {
        fail_msg("%s\n%s", why, xml);
    }
    json_decref(v2);
    return compact;
}

static void test_token_restriction_reads_back(void **state)
{
    json_t *r = restriction(NULL), *t = round_trip(r), *claims;

    (void) state;
    assert_string_equal(json_string_value(json_object_get(t, "issuer")), "https://issuer/?a=1&b=<2>");
    assert_string_equal(json_string_value(json_object_get(t, "audience")), "urn:\"test\"");
    assert_string_equal(json_string_value(json_object_get(t, "type")), "JWT");
    assert_int_equal(json_array_size(json_object_get(t, "keys")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(t, "keys"), 0)), KEY32);
    assert_string_equal(json_string_value(json_array_get(json_object_get(t, "keys"), 1)), KEY16);
    claims = json_object_get(t, "claims");
    assert_int_equal(json_array_size(claims), 2);
    assert_true(json_is_null(json_object_get(json_array_get(claims, 0), "value")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(claims, 1), "value")), "admin");
    json_decref(t);
    json_decref(r);
}

static void test_swt_and_no_alternates(void **state)
{
    json_t *r = restriction("{\"restrictionTokenType\":\"Swt\",\"alternateVerificationKeys\":null,"
                            "\"requiredClaims\":[]}");
    json_t *t = round_trip(r);

    (void) state;
    assert_string_equal(json_string_value(json_object_get(t, "type")), "SWT");
    assert_int_equal(json_array_size(json_object_get(t, "keys")), 1);
    json_decref(t);
    json_decref(r);
}

static void test_open_restriction(void **state)
{
    json_t *r = json_pack("{s:s}", "@odata.type", ARM_OPEN_RESTRICTION);
    http_response_t *err = NULL;
    json_t *v2 = arm_key_restriction_v2(r, 0, &err);

    (void) state;
    assert_null(err);
    assert_int_equal(json_integer_value(json_object_get(v2, "KeyRestrictionType")), 0);
    assert_true(json_is_null(json_object_get(v2, "Requirements")));
    json_decref(v2);
    json_decref(r);
}

static void expect_400(const char *extra, const char *code, const char *words)
{
    json_t *r = restriction(extra);
    http_response_t *err = NULL;
    json_t *v2 = arm_key_restriction_v2(r, 3, &err);

    assert_null(v2);
    assert_non_null(err);
    assert_int_equal(err->status, 400);
    if (strstr(err->body, words) == NULL || strstr(err->body, code) == NULL) {
        fail_msg("%s: %s", extra, err->body);
    }
    http_response_free(err);
    json_decref(r);
}

static void test_bad_fields_are_named(void **state)
{
    (void) state;
    expect_400("{\"issuer\":\"\"}", "InvalidResource", "options[3].restriction.issuer");
    expect_400("{\"audience\":null}", "InvalidResource", "options[3].restriction.audience");
    expect_400("{\"restrictionTokenType\":\"Unknown\"}", "InvalidResource", "restrictionTokenType");
    expect_400("{\"primaryVerificationKey\":null}", "InvalidResource", "primaryVerificationKey");
    expect_400("{\"primaryVerificationKey\":{\"@odata.type\":\"#x\"}}", "InvalidResource",
               "primaryVerificationKey must be");
    expect_400("{\"alternateVerificationKeys\":[{\"@odata.type\":\"" SYM "\"}]}", "InvalidResource",
               "alternateVerificationKeys[0].keyValue");
    expect_400("{\"primaryVerificationKey\":{\"@odata.type\":"
               "\"#Microsoft.Media.ContentKeyPolicyRsaTokenKey\",\"exponent\":\"AQAB\"}}",
               "InvalidResource", "primaryVerificationKey.modulus");
    expect_400("{\"requiredClaims\":[{\"claimValue\":\"x\"}]}", "InvalidResource",
               "requiredClaims[0].claimType");
    expect_400("{\"openIdConnectDiscoveryDocument\":\"https://idp/.well-known/openid-configuration\"}",
               "NotSupported", "openIdConnectDiscoveryDocument");
    expect_400("{\"@odata.type\":\"#Microsoft.Media.ContentKeyPolicyIpRestriction\"}",
               "InvalidResource", "options[3].restriction must be");
}

static void test_get_copy_hides_secrets(void **state)
{
    json_t *options = json_pack("[{s:o,s:{s:s,s:s,s:s,s:s,s:i}}]", "restriction", restriction(NULL),
                                "configuration", "@odata.type",
                                "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration", "ask",
                                KEY16, "fairPlayPfx", "UEZY", "fairPlayPfxPassword", "pw",
                                "rentalDuration", 5);
    json_t *shown = arm_key_options_redacted(options);
    json_t *r = json_object_get(json_array_get(shown, 0), "restriction");
    json_t *c = json_object_get(json_array_get(shown, 0), "configuration");

    (void) state;
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "primaryVerificationKey"),
                                                          "keyValue")), "");
    assert_string_equal(json_string_value(json_object_get(
        json_array_get(json_object_get(r, "alternateVerificationKeys"), 0), "keyValue")), "");
    assert_string_equal(json_string_value(json_object_get(c, "ask")), "");
    assert_string_equal(json_string_value(json_object_get(c, "fairPlayPfxPassword")), "");
    assert_int_equal(json_integer_value(json_object_get(c, "rentalDuration")), 5);
    assert_string_equal(json_string_value(json_object_get(r, "issuer")), "https://issuer/?a=1&b=<2>");
    /* the stored options keep their secrets */
    assert_string_equal(json_string_value(json_object_get(json_object_get(
        json_object_get(json_array_get(options, 0), "restriction"), "primaryVerificationKey"),
        "keyValue")), KEY32);
    json_decref(shown);
    json_decref(options);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_restriction_reads_back),
        cmocka_unit_test(test_swt_and_no_alternates),
        cmocka_unit_test(test_open_restriction),
        cmocka_unit_test(test_bad_fields_are_named),
        cmocka_unit_test(test_get_copy_hides_secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
