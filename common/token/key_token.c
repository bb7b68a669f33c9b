/*
 * key_token.c — JWT (HS256, RS256) and SWT verification for the key service
 * (see key_token.h): base64/base64url and form decoding, HMAC-SHA256 with
 * every symmetric key of a template (RS256: jwt_rs256.c with its RSA keys),
 * then the claims.  jansson parses JWT segments and the templates; OpenSSL
 * computes and compares MACs.
 */
#include "key_token.h"
#include "jwt_rs256.h"

#include "../codec/b64_lenient.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAC_LEN 32

static int fail(char *reason, size_t cap, const char *why)
{
    snprintf(reason, cap, "%s", why);
    return -1;
}

/* Does any key of the template sign data[0..len) with mac? */
static int mac_matches(json_t *keys, const char *data, size_t len, const uint8_t *mac,
                       size_t mac_len)
{
    size_t i;
    json_t *k;
    int ok = 0;
    if (mac_len != MAC_LEN) {
        return 0;
    }
    json_array_foreach(keys, i, k) {
        uint8_t key[512], got[MAC_LEN];
        unsigned int got_len = 0;
        const char *b64 = json_string_value(k);
        long key_len = b64 ? b64_decode_lenient(b64, strlen(b64), key, sizeof(key)) : -1;
        if (key_len > 0 && HMAC(EVP_sha256(), key, (int) key_len, (const uint8_t *) data, len,
                                got, &got_len) != NULL && got_len == MAC_LEN
            && CRYPTO_memcmp(got, mac, MAC_LEN) == 0) {
            ok = 1;
        }
        OPENSSL_cleanse(key, sizeof(key));
    }
    return ok;
}

/* "nb:kid:UUID:<guid>" or "<guid>", any case, names kid? */
static int names_key(const char *v, const char *kid)
{
    if (v == NULL) {
        return 0;
    }
    if (strncasecmp(v, "nb:kid:UUID:", 12) == 0) {
        v += 12;
    }
    return strcasecmp(v, kid) == 0;
}

/* The required claims: get(ctx, type) gives the token's value or NULL. */
static int claims_ok(json_t *tmpl, const char *(*get)(void *ctx, const char *type), void *ctx,
                     const char *kid, char *reason, size_t cap)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(tmpl, "claims"), i, c) {
        const char *type = json_string_value(json_object_get(c, "type"));
        const char *want = json_string_value(json_object_get(c, "value"));
        const char *have = type ? get(ctx, type) : NULL;
        if (have == NULL) {
            snprintf(reason, cap, "the token lacks the required claim %s", type ? type : "?");
            return -1;
        }
        if (want != NULL ? strcmp(have, want) != 0
                         : strcmp(type, KEY_TOKEN_KID_CLAIM) == 0 && !names_key(have, kid)) {
            snprintf(reason, cap, "the token's claim %s does not match%s", type,
                     want ? "" : " the requested key");
            return -1;
        }
    }
    return 0;
}

/* ---- JWT ---- */

static json_t *jwt_part(const char *p, size_t len)
{
    uint8_t buf[KEY_TOKEN_MAX_LEN];
    long n = b64_decode_lenient(p, len, buf, sizeof(buf));
    return n < 0 ? NULL : json_loadb((const char *) buf, (size_t) n, 0, NULL);
}

static const char *jwt_claim(void *ctx, const char *type)
{
    return json_string_value(json_object_get(ctx, type));
}

static int jwt_audience_ok(json_t *aud, const char *want)
{
    size_t i;
    json_t *a;
    if (json_is_string(aud)) {
        return strcmp(json_string_value(aud), want) == 0;
    }
    json_array_foreach(aud, i, a) {
        if (json_is_string(a) && strcmp(json_string_value(a), want) == 0) {
            return 1;
        }
    }
    return 0;
}

static int jwt_times_ok(json_t *body, int64_t now, char *reason, size_t cap)
{
    json_t *exp = json_object_get(body, "exp"), *nbf = json_object_get(body, "nbf");
    if (!json_is_number(exp)) {
        return fail(reason, cap, "the token has no expiry (exp)");
    }
    if ((double) now > json_number_value(exp) + KEY_TOKEN_SKEW) {
        return fail(reason, cap, "the token has expired");
    }
    if (nbf != NULL && (!json_is_number(nbf)
                        || (double) now + KEY_TOKEN_SKEW < json_number_value(nbf))) {
        return fail(reason, cap, "the token is not valid yet (nbf)");
    }
    return 0;
}

typedef enum { JWT_HS256, JWT_RS256 } jwt_alg_t;

typedef struct {
    jwt_alg_t alg;
    const char *signed_part;        /* header.payload */
    size_t signed_len;
    uint8_t sig[JWT_RS256_SIG_MAX];
    long sig_len;                   /* -1: not base64url */
    json_t *body;
} jwt_t;

/* The signature, with the template's keys of the token's algorithm only:
 * symmetric keys never verify RS256, RSA keys never verify HS256. */
static int jwt_signature_ok(json_t *tmpl, const jwt_t *j, char *reason, size_t cap)
{
    const char *list = j->alg == JWT_RS256 ? "rsa_keys" : "keys";
    json_t *keys = json_object_get(tmpl, list);
    if (json_array_size(keys) == 0) {
        return fail(reason, cap, j->alg == JWT_RS256
                    ? "the token is signed with RS256 but the policy has no X.509 or RSA "
                      "verification key"
                    : "the token is signed with HS256 but the policy has no symmetric "
                      "verification key");
    }
    int ok = j->sig_len >= 0
             && (j->alg == JWT_RS256
                 ? jwt_rs256_matches(keys, j->signed_part, j->signed_len, j->sig,
                                     (size_t) j->sig_len)
                 : mac_matches(keys, j->signed_part, j->signed_len, j->sig, (size_t) j->sig_len));
    return ok ? 0 : fail(reason, cap, "the token's signature does not verify");
}

/* One JWT template: signature, issuer, audience, times, claims. */
static int jwt_check(json_t *tmpl, const jwt_t *j, const char *kid, int64_t now, char *reason,
                     size_t cap)
{
    const char *iss = json_string_value(json_object_get(tmpl, "issuer"));
    const char *aud = json_string_value(json_object_get(tmpl, "audience"));
    if (jwt_signature_ok(tmpl, j, reason, cap) != 0) {
        return -1;
    }
    if (iss == NULL || !json_is_string(json_object_get(j->body, "iss"))
        || strcmp(json_string_value(json_object_get(j->body, "iss")), iss) != 0) {
        return fail(reason, cap, "the token's issuer (iss) is not the policy's");
    }
    if (aud == NULL || !jwt_audience_ok(json_object_get(j->body, "aud"), aud)) {
        return fail(reason, cap, "the token's audience (aud) is not the policy's");
    }
    if (jwt_times_ok(j->body, now, reason, cap) != 0) {
        return -1;
    }
    return claims_ok(tmpl, jwt_claim, j->body, kid, reason, cap);
}

/* The header's algorithm: HS256 or RS256, nothing else (alg=none, RS384,
 * PS256, ES256, …); a "crit" header names extensions we do not implement. */
static int jwt_alg(json_t *head, jwt_alg_t *alg, char *reason, size_t cap)
{
    const char *name = json_string_value(json_object_get(head, "alg"));
    if (json_object_get(head, "crit") != NULL) {
        return fail(reason, cap, "the token's header has critical extensions (crit)");
    }
    if (name != NULL && strcmp(name, "HS256") == 0) {
        *alg = JWT_HS256;
    } else if (name != NULL && strcmp(name, "RS256") == 0) {
        *alg = JWT_RS256;
    } else {
        return fail(reason, cap, "the token's algorithm must be HS256 (symmetric keys) or "
                    "RS256 (X.509 or RSA keys)");
    }
    return 0;
}

static int jwt_any_template(json_t *templates, const jwt_t *j, const char *kid, int64_t now,
                            char *reason, size_t cap)
{
    size_t i;
    json_t *t;
    fail(reason, cap, "no JWT token restriction on this key");
    json_array_foreach(templates, i, t) {
        const char *type = json_string_value(json_object_get(t, "type"));
        if (type != NULL && strcmp(type, "JWT") == 0
            && jwt_check(t, j, kid, now, reason, cap) == 0) {
            return 0;
        }
    }
    return -1;
}

static int jwt_verify(json_t *templates, const char *token, size_t len, const char *kid,
                      int64_t now, char *reason, size_t cap)
{
    const char *d1 = memchr(token, '.', len), *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t) (d1 + 1 - token)) : NULL;
    if (d2 == NULL || memchr(d2 + 1, '.', len - (size_t) (d2 + 1 - token)) != NULL) {
        return fail(reason, cap, "not a JWT (header.payload.signature)");
    }
    jwt_t jwt, *j = &jwt;
    json_t *head = jwt_part(token, (size_t) (d1 - token));
    j->body = jwt_part(d1 + 1, (size_t) (d2 - d1 - 1));
    j->signed_part = token;
    j->signed_len = (size_t) (d2 - token);
    j->sig_len = b64_decode_lenient(d2 + 1, len - (size_t) (d2 + 1 - token), j->sig,
                                    sizeof(j->sig));
    int rc = -1;
    if (!json_is_object(head) || !json_is_object(j->body)) {
        fail(reason, cap, "the token's header or payload is not base64url JSON");
    } else if (jwt_alg(head, &j->alg, reason, cap) == 0) {
        rc = jwt_any_template(templates, j, kid, now, reason, cap);
    }
    json_decref(head);
    json_decref(j->body);
    return rc;
}

/* ---- SWT ---- */

typedef struct {
    char text[KEY_TOKEN_MAX_LEN];   /* the token, fields URL-decoded in place */
    const char *name[64];
    const char *value[64];
    int count;
} swt_t;

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* URL-decode s in place ('+' is a space). */
static void url_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '%' && hex_digit(s[1]) >= 0 && hex_digit(s[2]) >= 0) {
            *o++ = (char) (hex_digit(s[1]) * 16 + hex_digit(s[2]));
            s += 2;
        } else {
            *o++ = *s == '+' ? ' ' : *s;
        }
    }
    *o = '\0';
}

static int swt_parse(swt_t *w, const char *token, size_t len)
{
    memcpy(w->text, token, len);
    w->text[len] = '\0';
    w->count = 0;
    for (char *f = w->text; f != NULL && *f;) {
        char *amp = strchr(f, '&'), *eq;
        if (amp) {
            *amp = '\0';
        }
        eq = strchr(f, '=');
        if (eq == NULL || w->count == 64) {
            return -1;
        }
        *eq = '\0';
        url_decode(f);
        url_decode(eq + 1);
        w->name[w->count] = f;
        w->value[w->count++] = eq + 1;
        f = amp ? amp + 1 : NULL;
    }
    return 0;
}

static const char *swt_claim(void *ctx, const char *type)
{
    swt_t *w = ctx;
    for (int i = 0; i < w->count; i++) {
        if (strcmp(w->name[i], type) == 0) {
            return w->value[i];
        }
    }
    return NULL;
}

static int swt_check(json_t *tmpl, swt_t *w, const char *token, size_t signed_len,
                     const uint8_t *mac, long mac_len, const char *kid, int64_t now,
                     char *reason, size_t cap)
{
    const char *iss = json_string_value(json_object_get(tmpl, "issuer"));
    const char *aud = json_string_value(json_object_get(tmpl, "audience"));
    const char *exp = swt_claim(w, "ExpiresOn"), *v;
    if (mac_len < 0 || !mac_matches(json_object_get(tmpl, "keys"), token, signed_len, mac,
                                    (size_t) mac_len)) {
        return fail(reason, cap, "the token's signature does not verify");
    }
    if (iss == NULL || (v = swt_claim(w, "Issuer")) == NULL || strcmp(v, iss) != 0) {
        return fail(reason, cap, "the token's Issuer is not the policy's");
    }
    if (aud == NULL || (v = swt_claim(w, "Audience")) == NULL || strcmp(v, aud) != 0) {
        return fail(reason, cap, "the token's Audience is not the policy's");
    }
    if (exp == NULL || strtoll(exp, NULL, 10) + KEY_TOKEN_SKEW < now) {
        return fail(reason, cap, exp ? "the token has expired" : "the token has no ExpiresOn");
    }
    return claims_ok(tmpl, swt_claim, w, kid, reason, cap);
}

static int swt_verify(json_t *templates, const char *token, size_t len, const char *kid,
                      int64_t now, char *reason, size_t cap)
{
    static const char sig[] = "&HMACSHA256=";
    const char *s = NULL;
    for (const char *p = token; (p = strstr(p, sig)) != NULL; p++) {
        s = p;                              /* the last one */
    }
    swt_t *w = malloc(sizeof(*w));
    if (s == NULL || w == NULL || swt_parse(w, token, len) != 0) {
        free(w);
        return fail(reason, cap, "not an SWT (k=v&...&HMACSHA256=...)");
    }
    uint8_t mac[64];
    const char *mac_text = swt_claim(w, "HMACSHA256");
    long mac_len = mac_text ? b64_decode_lenient(mac_text, strlen(mac_text), mac, sizeof(mac)) : -1;
    size_t i;
    json_t *t;
    int rc = fail(reason, cap, "no SWT token restriction on this key");
    json_array_foreach(templates, i, t) {
        const char *type = json_string_value(json_object_get(t, "type"));
        if ((type == NULL || strcmp(type, "SWT") == 0)
            && swt_check(t, w, token, (size_t) (s - token), mac, mac_len, kid, now, reason,
                         cap) == 0) {
            rc = 0;
            break;
        }
    }
    free(w);
    return rc;
}

int key_token_verify(const char *restrictions, const char *token, size_t len, const char *kid,
                     int64_t now, char *reason, size_t reason_len)
{
    if (token == NULL || len == 0) {
        return fail(reason, reason_len, "this key is token-restricted: send a token "
                    "(Authorization: Bearer <token>, or ?token=)");
    }
    if (len >= KEY_TOKEN_MAX_LEN || memchr(token, '\0', len) != NULL) {
        return fail(reason, reason_len, "the token is too long or malformed");
    }
    json_t *templates = json_loads(restrictions, 0, NULL);
    if (!json_is_array(templates)) {
        json_decref(templates);
        return fail(reason, reason_len, "the key's token restrictions are unreadable");
    }
    char copy[KEY_TOKEN_MAX_LEN];
    memcpy(copy, token, len);
    copy[len] = '\0';
    int rc = memchr(copy, '&', len) != NULL
             ? swt_verify(templates, copy, len, kid, now, reason, reason_len)
             : jwt_verify(templates, copy, len, kid, now, reason, reason_len);
    json_decref(templates);
    return rc;
}
