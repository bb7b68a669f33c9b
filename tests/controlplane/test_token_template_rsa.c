/*
 * test_token_template_rsa.c — X509CertTokenVerificationKey and
 * RsaTokenVerificationKey in TokenRestrictionTemplates (keys and
 * certificates made at test time): reduced to the key's PKCS#1 RSAPublicKey
 * in "rsa_keys" (primary first, beside symmetric "keys"), the compact form
 * verifying an RS256 JWT in the key service's verifier, and each bad key
 * refused with a message naming the problem.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keypolicy/token_template.h"
#include "rsa_test_util.h"
#include "token/key_token.h"

#define HEAD "<TokenRestrictionTemplate xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" " \
             "xmlns=\"" TOKEN_TEMPLATE_NS "\">"
#define BASIC "<Audience>urn:test</Audience><Issuer>http://issuer/</Issuer>"
#define SYM64 "E5BUHiN4vBdzUzdP0IWaHFMMU3D1uRZgF16TOhSfwwHGSw+Kbf0XqsHzEIYk11M372viB9vbiacsdcQksA0ftw=="
#define JWT_TAIL "<TokenType>JWT</TokenType></TokenRestrictionTemplate>"

typedef struct {
    EVP_PKEY *key, *alt;
    char *pub, *alt_pub, *cert, *alt_cert;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    f->key = rt_rsa_key(2048);
    f->alt = rt_rsa_key(3072);
    f->pub = rt_rsa_pub_b64(f->key);
    f->alt_pub = rt_rsa_pub_b64(f->alt);
    f->cert = rt_cert_b64(f->key);
    f->alt_cert = rt_cert_b64(f->alt);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    EVP_PKEY_free(f->key);
    EVP_PKEY_free(f->alt);
    free(f->pub);
    free(f->alt_pub);
    free(f->cert);
    free(f->alt_cert);
    free(f);
    return 0;
}

/* <Name i:type="type"><Member>body</Member></Name> */
static char *key_xml(const char *name, const char *type, const char *member, const char *body)
{
    size_t n = strlen(body) + 256;
    char *s = malloc(n);
    snprintf(s, n, "<%s i:type=\"%s\"><%s>%s</%s></%s>", name, type, member, body, member, name);
    return s;
}

/* The RsaTokenVerificationKey RawBody of k: base64 of {"e":…,"n":…}. */
static char *rsa_json_b64(EVP_PKEY *k)
{
    BIGNUM *n = NULL, *e = NULL;
    unsigned char nb[1024], eb[16];
    assert_int_equal(EVP_PKEY_get_bn_param(k, "n", &n), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(k, "e", &e), 1);
    int nl = BN_bn2bin(n, nb), el = BN_bn2bin(e, eb);
    char *n64 = rt_b64(nb, (size_t) nl), *e64 = rt_b64(eb, (size_t) el);
    char json[2048];
    snprintf(json, sizeof(json), "{\"e\":\"%s\",\"n\":\"%s\"}", e64, n64);
    BN_free(n);
    BN_free(e);
    free(n64);
    free(e64);
    return rt_b64((unsigned char *) json, strlen(json));
}

static char *document(const char *alternates, const char *primary, const char *tail)
{
    size_t n = strlen(alternates) + strlen(primary) + 1024;
    char *s = malloc(n);
    snprintf(s, n, HEAD "<AlternateVerificationKeys>%s</AlternateVerificationKeys>" BASIC
             "%s<RequiredClaims><TokenClaim><ClaimType>" KEY_TOKEN_KID_CLAIM "</ClaimType>"
             "<ClaimValue i:nil=\"true\" /></TokenClaim></RequiredClaims>%s",
             alternates, primary, tail);
    return s;
}

static json_t *parse(const char *xml, char *err)
{
    return token_template_parse(xml, strlen(xml), err, 512);
}

static void test_x509_primary(void **state)
{
    fixture_t *f = *state;
    char err[512];
    char *primary = key_xml("PrimaryVerificationKey", "X509CertTokenVerificationKey", "RawBody",
                            f->cert);
    char *xml = document("", primary, JWT_TAIL);
    json_t *t = parse(xml, err);
    if (t == NULL) {
        fail_msg("refused: %s", err);
    }
    assert_int_equal(json_array_size(json_object_get(t, "keys")), 0);
    assert_int_equal(json_array_size(json_object_get(t, "rsa_keys")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(t, "rsa_keys"), 0)),
                        f->pub);
    json_decref(t);
    free(primary);
    free(xml);
}

/* Primary symmetric, alternates X.509 and RSA: both lists, primary first. */
static void test_mixed_keys_and_rsa_form(void **state)
{
    fixture_t *f = *state;
    char err[512];
    char *rsa = rsa_json_b64(f->key);
    char *a1 = key_xml("TokenVerificationKey", "X509CertTokenVerificationKey", "RawBody", f->alt_cert);
    char *a2 = key_xml("TokenVerificationKey", "RsaTokenVerificationKey", "RawBody", rsa);
    char *alts = malloc(strlen(a1) + strlen(a2) + 1);
    sprintf(alts, "%s%s", a1, a2);
    char *primary = key_xml("PrimaryVerificationKey", "SymmetricVerificationKey", "KeyValue", SYM64);
    char *xml = document(alts, primary, JWT_TAIL);
    json_t *t = parse(xml, err);
    if (t == NULL) {
        fail_msg("refused: %s", err);
    }
    json_t *keys = json_object_get(t, "keys"), *rsa_keys = json_object_get(t, "rsa_keys");
    assert_int_equal(json_array_size(keys), 1);
    assert_string_equal(json_string_value(json_array_get(keys, 0)), SYM64);
    assert_int_equal(json_array_size(rsa_keys), 2);
    assert_string_equal(json_string_value(json_array_get(rsa_keys, 0)), f->alt_pub);
    assert_string_equal(json_string_value(json_array_get(rsa_keys, 1)), f->pub);
    json_decref(t);
    free(rsa);
    free(a1);
    free(a2);
    free(alts);
    free(primary);
    free(xml);
}

/* What mediaplaned stores is what the key service verifies with. */
static void test_compact_form_verifies_rs256(void **state)
{
    fixture_t *f = *state;
    char err[512], reason[256], claims[512];
    char *primary = key_xml("PrimaryVerificationKey", "X509CertTokenVerificationKey", "RawBody",
                            f->cert);
    char *xml = document("", primary, JWT_TAIL);
    json_t *t = parse(xml, err), *list = json_array();
    assert_non_null(t);
    json_array_append_new(list, t);
    char *text = json_dumps(list, JSON_COMPACT);
    long now = (long) time(NULL);
    snprintf(claims, sizeof(claims), "{\"iss\":\"http://issuer/\",\"aud\":\"urn:test\",\"exp\":%ld,"
             "\"" KEY_TOKEN_KID_CLAIM "\":\"nb:kid:UUID:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0\"}",
             now + 600);
    char *good = rt_jwt_rs256("RS256", claims, f->key), *bad = rt_jwt_rs256("RS256", claims, f->alt);
    assert_int_equal(key_token_verify(text, good, strlen(good), "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                                      now, reason, sizeof(reason)), 0);
    assert_int_equal(key_token_verify(text, bad, strlen(bad), "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                                      now, reason, sizeof(reason)), -1);
    free(good);
    free(bad);
    free(text);
    json_decref(list);
    free(primary);
    free(xml);
}

static void expect_refusal(const char *type, const char *member, const char *body,
                           const char *tail, const char *words)
{
    char err[512];
    char *primary = key_xml("PrimaryVerificationKey", type, member, body);
    char *xml = document("", primary, tail);
    json_t *t = parse(xml, err);
    if (t != NULL || strstr(err, words) == NULL) {
        fail_msg("expected a refusal naming '%s', got '%s'", words, t ? "(accepted)" : err);
    }
    free(primary);
    free(xml);
}

static void test_bad_keys_refused(void **state)
{
    fixture_t *f = *state;
    const char *x509 = "X509CertTokenVerificationKey", *rsa = "RsaTokenVerificationKey";
    EVP_PKEY *ec = rt_ec_key(), *small = rt_rsa_key(1024);
    char *ec_cert = rt_cert_b64(ec), *small_cert = rt_cert_b64(small);
    char *not_json = rt_b64((const unsigned char *) "not json", 8);
    char *no_n = rt_b64((const unsigned char *) "{\"e\":\"AQAB\"}", 12);

    expect_refusal(x509, "RawBody", "not base64!", JWT_TAIL, "RawBody of PrimaryVerificationKey");
    expect_refusal(x509, "RawBody", "AAAAAAAA", JWT_TAIL, "is not a DER X.509 certificate");
    expect_refusal(x509, "RawBody", f->pub, JWT_TAIL, "is not a DER X.509 certificate");
    expect_refusal(x509, "RawBody", ec_cert, JWT_TAIL, "only RSA keys");
    expect_refusal(x509, "RawBody", small_cert, JWT_TAIL, "1024 bits");
    expect_refusal(x509, "KeyValue", f->cert, JWT_TAIL, "unexpected <KeyValue>");
    expect_refusal(x509, "RawBody", f->cert, "<TokenType>SWT</TokenType></TokenRestrictionTemplate>",
                   "need TokenType JWT");
    expect_refusal(x509, "RawBody", f->cert, "</TokenRestrictionTemplate>", "need TokenType JWT");
    expect_refusal(rsa, "RawBody", not_json, JWT_TAIL, "JSON");
    expect_refusal(rsa, "RawBody", no_n, JWT_TAIL, "JSON");
    free(ec_cert);
    free(small_cert);
    free(not_json);
    free(no_n);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x509_primary),
        cmocka_unit_test(test_mixed_keys_and_rsa_form),
        cmocka_unit_test(test_compact_form_verifies_rs256),
        cmocka_unit_test(test_bad_keys_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
