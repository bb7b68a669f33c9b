/*
 * arm_key_restriction.c — v3 restrictions to v2 ones (see
 * arm_key_restriction.h).  The token restriction is written out as the
 * TokenRestrictionTemplate XML the AMS v2 SDKs produced (text escaped),
 * and token_template.c parses it when the v2 option is created: one parser
 * and one set of rules for both APIs.  Here only the v3 shape is checked,
 * so a 400 names the v3 field.
 */
#include "arm/arm_error.h"
#include "arm/arm_key_restriction.h"
#include "keypolicy/token_template.h"
#include "util/text_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYMMETRIC_KEY "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey"
#define RSA_KEY "#Microsoft.Media.ContentKeyPolicyRsaTokenKey"
#define X509_KEY "#Microsoft.Media.ContentKeyPolicyX509CertificateTokenKey"
#define FAIRPLAY "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration"
#define XSI "http://www.w3.org/2001/XMLSchema-instance"
#define RESTRICTION_OPEN 0
#define RESTRICTION_TOKEN 1

typedef struct {
    FILE *out;
    size_t option;                 /* i of options[i] */
    http_response_t *err;
} writer_t;

static int bad(writer_t *w, const char *field, const char *what)
{
    if (w->err == NULL) {
        w->err = arm_error(400, "InvalidResource", "options[%zu].restriction.%s %s", w->option,
                           field, what);
    }
    return -1;
}

static void put_escaped(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

/* A required string member (non-empty, at most TOKEN_TEXT_MAX). */
static const char *text_member(writer_t *w, const json_t *obj, const char *key, const char *field)
{
    const char *v = json_string_value(json_object_get(obj, key));

    if (v == NULL || v[0] == '\0' || strlen(v) > TOKEN_TEXT_MAX) {
        bad(w, field, "is required: a non-empty string of at most 2048 bytes");
        return NULL;
    }
    return v;
}

/* RSA exponent and modulus → the v2 RawBody: base64 of {"e":…,"n":…}. */
static int put_rsa(writer_t *w, const json_t *key, const char *field)
{
    char name[96];
    const char *e, *n;
    char *json, *b64;
    json_t *obj;

    snprintf(name, sizeof(name), "%s.exponent", field);
    if ((e = text_member(w, key, "exponent", name)) == NULL) {
        return -1;
    }
    snprintf(name, sizeof(name), "%s.modulus", field);
    if ((n = text_member(w, key, "modulus", name)) == NULL) {
        return -1;
    }
    obj = json_pack("{s:s,s:s}", "e", e, "n", n);
    json = obj ? json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(obj);
    b64 = json ? base64_encode_alloc((const uint8_t *) json, strlen(json)) : NULL;
    if (b64 == NULL) {
        free(json);
        return bad(w, field, "cannot be encoded");
    }
    fprintf(w->out, " i:type=\"RsaTokenVerificationKey\"><RawBody>%s</RawBody>", b64);
    free(b64);
    free(json);
    return 0;
}

/* One verification key as the v2 element's attributes and content. */
static int put_key(writer_t *w, const json_t *key, const char *field)
{
    const char *type = json_string_value(json_object_get(key, "@odata.type"));
    char name[96];
    const char *v;

    if (type != NULL && strcmp(type, SYMMETRIC_KEY) == 0) {
        snprintf(name, sizeof(name), "%s.keyValue", field);
        if ((v = text_member(w, key, "keyValue", name)) == NULL) {
            return -1;
        }
        fputs(" i:type=\"SymmetricVerificationKey\"><KeyValue>", w->out);
        put_escaped(w->out, v);
        fputs("</KeyValue>", w->out);
        return 0;
    }
    if (type != NULL && strcmp(type, RSA_KEY) == 0) {
        return put_rsa(w, key, field);
    }
    if (type != NULL && strcmp(type, X509_KEY) == 0) {
        snprintf(name, sizeof(name), "%s.rawBody", field);
        if (json_string_value(json_object_get(key, "rawBody")) == NULL) {
            return bad(w, name, "is required: base64 of the DER certificate");
        }
        fputs(" i:type=\"X509CertTokenVerificationKey\"><RawBody>", w->out);
        put_escaped(w->out, json_string_value(json_object_get(key, "rawBody")));
        fputs("</RawBody>", w->out);
        return 0;
    }
    return bad(w, field, "must be a " SYMMETRIC_KEY ", " RSA_KEY " or " X509_KEY);
}

static int put_alternates(writer_t *w, const json_t *list)
{
    char field[96];
    json_t *k;
    size_t i;

    if (list == NULL || json_is_null(list)) {
        return 0;
    }
    if (!json_is_array(list) || json_array_size(list) > TOKEN_MAX_ALTERNATE_KEYS) {
        return bad(w, "alternateVerificationKeys", "must be a list of at most 16 keys");
    }
    fputs("<AlternateVerificationKeys>", w->out);
    json_array_foreach(list, i, k) {
        snprintf(field, sizeof(field), "alternateVerificationKeys[%zu]", i);
        fputs("<TokenVerificationKey", w->out);
        if (put_key(w, k, field) != 0) {
            return -1;
        }
        fputs("</TokenVerificationKey>", w->out);
    }
    fputs("</AlternateVerificationKeys>", w->out);
    return 0;
}

static int put_claims(writer_t *w, const json_t *list)
{
    char field[96];
    json_t *c;
    size_t i;

    if (list == NULL || json_is_null(list)) {
        return 0;
    }
    if (!json_is_array(list) || json_array_size(list) > TOKEN_MAX_CLAIMS) {
        return bad(w, "requiredClaims", "must be a list of at most 32 {claimType, claimValue}");
    }
    fputs("<RequiredClaims>", w->out);
    json_array_foreach(list, i, c) {
        const char *value = json_string_value(json_object_get(c, "claimValue")), *type;
        snprintf(field, sizeof(field), "requiredClaims[%zu].claimType", i);
        if ((type = text_member(w, c, "claimType", field)) == NULL) {
            return -1;
        }
        fputs("<TokenClaim><ClaimType>", w->out);
        put_escaped(w->out, type);
        fputs("</ClaimType>", w->out);
        if (value != NULL) {
            fputs("<ClaimValue>", w->out);
            put_escaped(w->out, value);
            fputs("</ClaimValue>", w->out);
        } else {
            fputs("<ClaimValue i:nil=\"true\"/>", w->out);
        }
        fputs("</TokenClaim>", w->out);
    }
    fputs("</RequiredClaims>", w->out);
    return 0;
}

static int put_token_type(writer_t *w, const json_t *r)
{
    const char *t = json_string_value(json_object_get(r, "restrictionTokenType"));

    if (t == NULL || (strcmp(t, "Jwt") != 0 && strcmp(t, "Swt") != 0)) {
        return bad(w, "restrictionTokenType", "must be Jwt or Swt");
    }
    fprintf(w->out, "<TokenType>%s</TokenType>", strcmp(t, "Jwt") == 0 ? "JWT" : "SWT");
    return 0;
}

static int put_template(writer_t *w, const json_t *r)
{
    const char *issuer, *audience;
    const json_t *oidc = json_object_get(r, "openIdConnectDiscoveryDocument");

    if (json_is_string(oidc) && json_string_length(oidc) > 0) {
        w->err = arm_error(400, "NotSupported", "options[%zu].restriction."
                           "openIdConnectDiscoveryDocument is not supported by this installation: "
                           "give primaryVerificationKey (and alternateVerificationKeys)", w->option);
        return -1;
    }
    if ((issuer = text_member(w, r, "issuer", "issuer")) == NULL
        || (audience = text_member(w, r, "audience", "audience")) == NULL) {
        return -1;
    }
    fputs("<TokenRestrictionTemplate xmlns:i=\"" XSI "\" xmlns=\"" TOKEN_TEMPLATE_NS "\">", w->out);
    if (put_alternates(w, json_object_get(r, "alternateVerificationKeys")) != 0) {
        return -1;
    }
    fputs("<Audience>", w->out);
    put_escaped(w->out, audience);
    fputs("</Audience><Issuer>", w->out);
    put_escaped(w->out, issuer);
    fputs("</Issuer><PrimaryVerificationKey", w->out);
    if (!json_is_object(json_object_get(r, "primaryVerificationKey"))) {
        return bad(w, "primaryVerificationKey", "is required");
    }
    if (put_key(w, json_object_get(r, "primaryVerificationKey"), "primaryVerificationKey") != 0) {
        return -1;
    }
    fputs("</PrimaryVerificationKey>", w->out);
    if (put_claims(w, json_object_get(r, "requiredClaims")) != 0 || put_token_type(w, r) != 0) {
        return -1;
    }
    fputs("</TokenRestrictionTemplate>", w->out);
    return 0;
}

static json_t *token_restriction(const json_t *r, size_t i, http_response_t **err)
{
    writer_t w = { NULL, i, NULL };
    char *xml = NULL;
    size_t len = 0;
    json_t *out = NULL;
    int rc;

    w.out = open_memstream(&xml, &len);
    if (w.out == NULL) {
        *err = arm_error(500, "InternalError", "out of memory");
        return NULL;
    }
    rc = put_template(&w, r);
    fclose(w.out);
    if (rc == 0 && len > TOKEN_TEMPLATE_MAX_BYTES) {
        rc = bad(&w, "primaryVerificationKey", "and the rest of the restriction exceed 64 KB");
    }
    if (rc == 0) {
        out = json_pack("{s:s,s:i,s:s}", "Name", "token", "KeyRestrictionType", RESTRICTION_TOKEN,
                        "Requirements", xml);
    }
    *err = w.err;
    free(xml);
    return out;
}

json_t *arm_key_restriction_v2(const json_t *restriction, size_t i, http_response_t **err)
{
    const char *type = json_string_value(json_object_get(restriction, "@odata.type"));

    *err = NULL;
    if (type != NULL && strcmp(type, ARM_OPEN_RESTRICTION) == 0) {
        return json_pack("{s:s,s:i,s:n}", "Name", "open", "KeyRestrictionType", RESTRICTION_OPEN,
                         "Requirements");
    }
    if (type != NULL && strcmp(type, ARM_TOKEN_RESTRICTION) == 0) {
        return token_restriction(restriction, i, err);
    }
    *err = arm_error(400, "InvalidResource", "options[%zu].restriction must be "
                     ARM_OPEN_RESTRICTION " or " ARM_TOKEN_RESTRICTION " (IP restrictions are not "
                     "served)", i);
    return NULL;
}

static void empty_member(json_t *obj, const char *key)
{
    if (json_is_string(json_object_get(obj, key))) {
        json_object_set_new(obj, key, json_string(""));
    }
}

static void redact_key(json_t *key)
{
    const char *type = json_string_value(json_object_get(key, "@odata.type"));

    if (type != NULL && strcmp(type, SYMMETRIC_KEY) == 0) {
        empty_member(key, "keyValue");
    }
}

json_t *arm_key_options_redacted(const json_t *options)
{
    json_t *copy = json_deep_copy(options), *o, *k;
    size_t i, j;

    json_array_foreach(copy, i, o) {
        json_t *r = json_object_get(o, "restriction"), *c = json_object_get(o, "configuration");
        const char *ctype = json_string_value(json_object_get(c, "@odata.type"));
        redact_key(json_object_get(r, "primaryVerificationKey"));
        json_array_foreach(json_object_get(r, "alternateVerificationKeys"), j, k) {
            redact_key(k);
        }
        if (ctype != NULL && strcmp(ctype, FAIRPLAY) == 0) {
            empty_member(c, "ask");
            empty_member(c, "fairPlayPfx");
            empty_member(c, "fairPlayPfxPassword");
        }
    }
    return copy;
}
