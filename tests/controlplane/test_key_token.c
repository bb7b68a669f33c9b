/*
 * test_key_token.c — the key service's token verifier (common/token):
 * RS256 JWTs against a template's RSA keys (keys made at test time), the
 * algorithm-confusion cases (an HS256 token keyed with the public key or
 * certificate bytes, RS256 against symmetric keys, alg=none, RS384/PS256,
 * a "crit" header), tampering, wrong key, truncated signatures, unusable
 * keys in the template, and HS256 still working beside RSA keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rsa_test_util.h"
#include "token/key_token.h"

#define KID "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
#define NOW 1700000000
#define SYM "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="   /* bytes 0..31 */

typedef struct {
    EVP_PKEY *key, *other;
    char *pub, *rsa_only, *sym_only, *mixed;   /* pub: the stored form (PKCS#1) */
} fixture_t;

static char *templates(const char *sym, const char *rsa)
{
    json_t *t = json_pack("{s:s, s:s, s:s, s:[], s:[{s:s, s:n}]}", "issuer", "http://issuer/",
                          "audience", "urn:test", "type", "JWT", "keys", "claims", "type",
                          KEY_TOKEN_KID_CLAIM, "value");
    if (sym != NULL) {
        json_array_append_new(json_object_get(t, "keys"), json_string(sym));
    }
    if (rsa != NULL) {
        json_object_set_new(t, "rsa_keys", json_pack("[s]", rsa));
    }
    json_t *list = json_pack("[o]", t);
    char *s = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    assert_non_null(s);
    return s;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    f->key = rt_rsa_key(2048);
    f->other = rt_rsa_key(2048);
    f->pub = rt_rsa_pub_b64(f->key);
    f->rsa_only = templates(NULL, f->pub);
    f->sym_only = templates(SYM, NULL);
    f->mixed = templates(SYM, f->pub);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    EVP_PKEY_free(f->key);
    EVP_PKEY_free(f->other);
    free(f->pub);
    free(f->rsa_only);
    free(f->sym_only);
    free(f->mixed);
    free(f);
    return 0;
}

static char *claims(long exp, const char *kid)
{
    static char buf[512];
    snprintf(buf, sizeof(buf), "{\"iss\":\"http://issuer/\",\"aud\":\"urn:test\",\"exp\":%ld,"
             "\"nbf\":%d,\"%s\":\"%s\"}", exp, NOW - 10, KEY_TOKEN_KID_CLAIM, kid);
    return buf;
}

/* key_token_verify's answer; the reason must contain words when it fails. */
static void expect(const char *tmpl, char *token, int want, const char *words)
{
    char reason[256] = "";
    int rc = key_token_verify(tmpl, token, strlen(token), KID, NOW, reason, sizeof(reason));
    if (rc != want || (want != 0 && words != NULL && strstr(reason, words) == NULL)) {
        fail_msg("rc %d (want %d), reason '%s' (want '%s')", rc, want, reason, words ? words : "");
    }
    free(token);
}

static void test_rs256_verifies(void **state)
{
    fixture_t *f = *state;
    expect(f->rsa_only, rt_jwt_rs256("RS256", claims(NOW + 600, KID), f->key), 0, NULL);
    expect(f->mixed, rt_jwt_rs256("RS256", claims(NOW + 600, KID), f->key), 0, NULL);
    expect(f->rsa_only, rt_jwt_rs256("RS256", claims(NOW - 3600, KID), f->key), -1, "expired");
    expect(f->rsa_only, rt_jwt_rs256("RS256", claims(NOW + 600, "00000000-0000-0000-0000-000000000001"),
                                     f->key), -1, "requested key");
}

static void test_rs256_wrong_key_and_tampering(void **state)
{
    fixture_t *f = *state;
    expect(f->rsa_only, rt_jwt_rs256("RS256", claims(NOW + 600, KID), f->other), -1, "signature");

    char *good = rt_jwt_rs256("RS256", claims(NOW + 600, KID), f->key);
    char *forged_part = rt_jwt_unsigned("{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
                                        claims(NOW + 86400 * 365, KID));
    char *tampered = malloc(strlen(forged_part) + strlen(good) + 2);
    sprintf(tampered, "%s%s", forged_part, strrchr(good, '.'));
    expect(f->rsa_only, tampered, -1, "signature");

    char *truncated = strdup(good);
    truncated[strlen(truncated) - 4] = '\0';       /* 3 bytes shorter than the modulus */
    expect(f->rsa_only, truncated, -1, "signature");
    free(forged_part);
    free(good);
}

/* An HS256 token keyed with what an attacker knows of an RSA template. */
static void test_hs256_with_public_material_fails(void **state)
{
    fixture_t *f = *state;
    size_t spki_len, pub_len, cert_len;
    unsigned char *spki = rt_spki_der(f->key, &spki_len), *pub = rt_rsa_pub_der(f->key, &pub_len);
    unsigned char *cert = rt_cert_der(f->key, &cert_len);
    const char *c = claims(NOW + 600, KID);

    expect(f->rsa_only, rt_jwt_hs256("HS256", c, spki, spki_len), -1, "no symmetric");
    expect(f->rsa_only, rt_jwt_hs256("HS256", c, pub, pub_len), -1, "no symmetric");
    expect(f->rsa_only, rt_jwt_hs256("HS256", c, cert, cert_len), -1, "no symmetric");
    expect(f->rsa_only, rt_jwt_hs256("HS256", c, (unsigned char *) f->pub, strlen(f->pub)), -1,
           "no symmetric");
    /* beside a symmetric key the public material is still no HMAC key */
    expect(f->mixed, rt_jwt_hs256("HS256", c, pub, pub_len), -1, "signature");
    expect(f->mixed, rt_jwt_hs256("HS256", c, cert, cert_len), -1, "signature");
    OPENSSL_free(spki);
    OPENSSL_free(pub);
    OPENSSL_free(cert);
}

static void test_other_algorithms_fail(void **state)
{
    fixture_t *f = *state;
    const char *c = claims(NOW + 600, KID);
    expect(f->sym_only, rt_jwt_rs256("RS256", c, f->key), -1, "no X.509 or RSA");
    expect(f->rsa_only, rt_jwt_rs256("RS384", c, f->key), -1, "algorithm");
    expect(f->rsa_only, rt_jwt_rs256("PS256", c, f->key), -1, "algorithm");
    expect(f->rsa_only, rt_jwt_rs256("rs256", c, f->key), -1, "algorithm");

    char *none = rt_jwt_unsigned("{\"alg\":\"none\",\"typ\":\"JWT\"}", c);
    char *none_dot = malloc(strlen(none) + 2);
    sprintf(none_dot, "%s.", none);
    free(none);
    expect(f->rsa_only, none_dot, -1, "algorithm");

    char *part = rt_jwt_unsigned("{\"alg\":\"RS256\",\"crit\":[\"exp\"]}", c);
    unsigned char sig[512];
    size_t sig_len = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, f->key), 1);
    assert_int_equal(EVP_DigestSign(md, sig, &sig_len, (unsigned char *) part, strlen(part)), 1);
    EVP_MD_CTX_free(md);
    expect(f->rsa_only, rt_jwt_append_sig(part, sig, sig_len), -1, "crit");
}

static void test_hs256_unchanged(void **state)
{
    fixture_t *f = *state;
    unsigned char key[32];
    for (int i = 0; i < 32; i++) {
        key[i] = (unsigned char) i;
    }
    expect(f->sym_only, rt_jwt_hs256("HS256", claims(NOW + 600, KID), key, 32), 0, NULL);
    expect(f->mixed, rt_jwt_hs256("HS256", claims(NOW + 600, KID), key, 32), 0, NULL);
}

/* Keys the verifier cannot use match nothing and crash nothing. */
static void test_unusable_rsa_keys(void **state)
{
    fixture_t *f = *state;
    EVP_PKEY *ec = rt_ec_key();
    char *ec_spki = rt_spki_b64(ec), *rsa_spki = rt_spki_b64(f->key);   /* not the PKCS#1 form */
    const char *bad[] = { "", "@@@", "AAAA", ec_spki, rsa_spki };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *t = templates(NULL, bad[i]);
        expect(t, rt_jwt_rs256("RS256", claims(NOW + 600, KID), f->key), -1, "signature");
        free(t);
    }
    free(ec_spki);
    free(rsa_spki);
    EVP_PKEY_free(ec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rs256_verifies),
        cmocka_unit_test(test_rs256_wrong_key_and_tampering),
        cmocka_unit_test(test_hs256_with_public_material_fails),
        cmocka_unit_test(test_other_algorithms_fail),
        cmocka_unit_test(test_hs256_unchanged),
        cmocka_unit_test(test_unusable_rsa_keys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
