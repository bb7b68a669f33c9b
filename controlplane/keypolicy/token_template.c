/*
 * token_template.c — TokenRestrictionTemplate parsing with libxml2 (no
 * network, no DTD, no entity substitution) into the compact JSON form;
 * X.509 and RSA verification keys are checked by token_rsa_key.c.
 */
#include "keypolicy/token_template.h"
#include "keypolicy/token_rsa_key.h"
#include "util/text_codec.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char  *err;
    size_t errlen;
} parse_t;

typedef struct {
    json_t *sym;    /* base64 symmetric keys (SymmetricVerificationKey) */
    json_t *rsa;    /* base64 DER PKCS#1 RSAPublicKey (X.509 / RSA keys) */
} key_lists_t;

static int fail(parse_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parse_t *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static bool named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *) n->name, name) == 0;
}

/* An attribute by local name, whatever its namespace (i:type, i:nil: the
 * XMLSchema-instance prefix was spelled with http and https in AMS samples). */
static char *attr(const xmlNode *n, const char *name)
{
    for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
        if (strcmp((const char *) a->name, name) == 0) {
            return (char *) xmlNodeGetContent((const xmlNode *) a);
        }
    }
    return NULL;
}

static bool is_nil(const xmlNode *n)
{
    char *v = attr(n, "nil");
    bool nil = v != NULL && strcmp(v, "true") == 0;
    xmlFree(v);
    return nil;
}

/* The element's text with surrounding white space removed (malloc'ed), or
 * NULL when it has child elements or is longer than max. */
static char *text_upto(const xmlNode *n, size_t max)
{
    char *raw, *s, *e, *out;

    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            return NULL;
        }
    }
    raw = (char *) xmlNodeGetContent(n);
    if (raw == NULL) {
        return strdup("");
    }
    for (s = raw; *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'; s++) {}
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) {
        e--;
    }
    out = (size_t) (e - s) <= max ? strndup(s, (size_t) (e - s)) : NULL;
    xmlFree(raw);
    return out;
}

static char *text_of(const xmlNode *n)
{
    return text_upto(n, TOKEN_TEXT_MAX);
}

/* Required non-empty text member, e.g. Issuer. */
static int take_text(parse_t *p, const xmlNode *n, json_t *out, const char *key)
{
    char *t;

    if (json_object_get(out, key) != NULL) {
        return fail(p, "TokenRestrictionTemplate: %s is given twice", n->name);
    }
    t = text_of(n);
    if (t == NULL || t[0] == '\0') {
        free(t);
        return fail(p, "TokenRestrictionTemplate: %s must be non-empty text of at most %d characters",
                    n->name, TOKEN_TEXT_MAX);
    }
    json_object_set_new(out, key, json_string(t));
    free(t);
    return json_is_string(json_object_get(out, key)) ? 0
           : fail(p, "TokenRestrictionTemplate: %s is not UTF-8", n->name);
}

/* The one child element of a verification key, which must be called name. */
static const xmlNode *key_member(parse_t *p, const xmlNode *n, const char *name, const char *what)
{
    const xmlNode *found = NULL;
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (named(c, name) && found == NULL) {
            found = c;
        } else if (c->type == XML_ELEMENT_NODE) {
            fail(p, "TokenRestrictionTemplate: unexpected <%s> in %s", c->name, what);
            return NULL;
        }
    }
    if (found == NULL) {
        fail(p, "TokenRestrictionTemplate: %s needs one <%s> (base64)", what, name);
    }
    return found;
}

/* A SymmetricVerificationKey's KeyValue, appended to keys->sym. */
static int take_symmetric(parse_t *p, const xmlNode *n, key_lists_t *keys, const char *what)
{
    const xmlNode *kv = key_member(p, n, "KeyValue", what);
    char *text = kv ? text_of(kv) : NULL;
    uint8_t key[TOKEN_KEY_MAX];
    size_t len = 0;
    int rc;

    if (text == NULL) {
        return kv ? fail(p, "TokenRestrictionTemplate: the KeyValue of %s is too long", what) : -1;
    }
    if (base64_decode_strict(text, strlen(text), key, sizeof(key), &len) != BASE64_OK
        || len < TOKEN_KEY_MIN) {
        rc = fail(p, "TokenRestrictionTemplate: the KeyValue of %s must be base64 of %d to %d bytes "
                  "(the SDKs make 64)", what, TOKEN_KEY_MIN, TOKEN_KEY_MAX);
    } else {
        rc = json_array_append_new(keys->sym, json_string(text)) == 0 ? 0
             : fail(p, "out of memory");
    }
    memset(key, 0, sizeof(key));
    free(text);
    return rc;
}

/* An X509CertTokenVerificationKey or RsaTokenVerificationKey: its RawBody,
 * reduced to the RSA public key, appended to keys->rsa. */
static int take_asymmetric(parse_t *p, const xmlNode *n, token_rsa_form_t form, key_lists_t *keys,
                           const char *what, const char *type)
{
    const xmlNode *rb = key_member(p, n, "RawBody", what);
    char *text = rb ? text_upto(rb, BASE64_ENCODED_SIZE(TOKEN_RSA_RAW_MAX)) : NULL, *pub = NULL;
    uint8_t *raw = malloc(TOKEN_RSA_RAW_MAX);
    size_t len = 0;
    char why[256];
    int rc = -1;

    if (rb == NULL) {
        rc = -1;
    } else if (raw == NULL || text == NULL
               || base64_decode_strict(text, strlen(text), raw, TOKEN_RSA_RAW_MAX, &len)
                  != BASE64_OK) {
        rc = fail(p, "TokenRestrictionTemplate: the RawBody of %s (%s) must be base64 of at most %d "
                  "bytes", what, type, TOKEN_RSA_RAW_MAX);
    } else if ((pub = token_rsa_key_der(form, raw, len, why, sizeof(why))) == NULL) {
        rc = fail(p, "TokenRestrictionTemplate: %s (%s) %s", what, type, why);
    } else {
        rc = json_array_append_new(keys->rsa, json_string(pub)) == 0 ? 0
             : fail(p, "out of memory");
    }
    free(pub);
    free(raw);
    free(text);
    return rc;
}

/* A verification key by its i:type; appended to keys (primary first). */
static int take_key(parse_t *p, const xmlNode *n, key_lists_t *keys, const char *what)
{
    char *type = attr(n, "type");
    int rc;

    if (type != NULL && strcmp(type, "SymmetricVerificationKey") == 0) {
        rc = take_symmetric(p, n, keys, what);
    } else if (type != NULL && strcmp(type, "X509CertTokenVerificationKey") == 0) {
        rc = take_asymmetric(p, n, TOKEN_RSA_X509_CERT, keys, what, type);
    } else if (type != NULL && strcasecmp(type, "RsaTokenVerificationKey") == 0) {
        rc = take_asymmetric(p, n, TOKEN_RSA_JSON, keys, what, type);
    } else {
        rc = fail(p, "TokenRestrictionTemplate: %s has i:type '%s'; SymmetricVerificationKey, "
                  "X509CertTokenVerificationKey and RsaTokenVerificationKey are supported",
                  what, type ? type : "(none)");
    }
    xmlFree(type);
    return rc;
}

static int take_alternates(parse_t *p, const xmlNode *n, key_lists_t *alternates)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (!named(c, "TokenVerificationKey")) {
            return fail(p, "TokenRestrictionTemplate: unexpected <%s> in AlternateVerificationKeys",
                        c->name);
        }
        if (json_array_size(alternates->sym) + json_array_size(alternates->rsa)
            >= TOKEN_MAX_ALTERNATE_KEYS) {
            return fail(p, "TokenRestrictionTemplate: at most %d AlternateVerificationKeys",
                        TOKEN_MAX_ALTERNATE_KEYS);
        }
        if (take_key(p, c, alternates, "an alternate verification key") != 0) {
            return -1;
        }
    }
    return 0;
}

static int take_claim(parse_t *p, const xmlNode *n, json_t *claims)
{
    json_t *claim = json_object();
    bool has_value = false;

    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (named(c, "ClaimType")) {
            if (take_text(p, c, claim, "type") != 0) {
                break;
            }
        } else if (named(c, "ClaimValue") && !has_value) {
            char *t = is_nil(c) ? NULL : text_of(c);
            json_object_set_new(claim, "value", t ? json_string(t) : json_null());
            has_value = true;
            free(t);
        } else if (c->type == XML_ELEMENT_NODE) {
            fail(p, "TokenRestrictionTemplate: unexpected <%s> in TokenClaim", c->name);
            break;
        }
    }
    if (p->err[0] == '\0' && json_object_get(claim, "type") == NULL) {
        fail(p, "TokenRestrictionTemplate: a TokenClaim needs a ClaimType");
    }
    if (p->err[0] != '\0') {
        json_decref(claim);
        return -1;
    }
    if (!has_value) {
        json_object_set_new(claim, "value", json_null());
    }
    return json_array_append_new(claims, claim) == 0 ? 0 : fail(p, "out of memory");
}

static int take_claims(parse_t *p, const xmlNode *n, json_t *claims)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (!named(c, "TokenClaim")) {
            return fail(p, "TokenRestrictionTemplate: unexpected <%s> in RequiredClaims", c->name);
        }
        if (json_array_size(claims) >= TOKEN_MAX_CLAIMS) {
            return fail(p, "TokenRestrictionTemplate: at most %d RequiredClaims", TOKEN_MAX_CLAIMS);
        }
        if (take_claim(p, c, claims) != 0) {
            return -1;
        }
    }
    return 0;
}

static int take_type(parse_t *p, const xmlNode *n, json_t *out)
{
    char *t = text_of(n);
    int rc = 0;

    if (json_object_get(out, "type") != NULL) {
        rc = fail(p, "TokenRestrictionTemplate: TokenType is given twice");
    } else if (t != NULL && (strcmp(t, "SWT") == 0 || strcmp(t, "JWT") == 0)) {
        json_object_set_new(out, "type", json_string(t));
    } else {
        rc = fail(p, "TokenRestrictionTemplate: TokenType must be SWT or JWT");
    }
    free(t);
    return rc;
}

typedef struct {
    json_t     *out;
    key_lists_t primary, alternates;
    int         seen_primary, seen_alternates, seen_claims;
} members_t;

static int take_member(parse_t *p, const xmlNode *c, members_t *m)
{
    if (named(c, "Issuer")) {
        return take_text(p, c, m->out, "issuer");
    }
    if (named(c, "Audience")) {
        return take_text(p, c, m->out, "audience");
    }
    if (named(c, "TokenType")) {
        return take_type(p, c, m->out);
    }
    if (named(c, "PrimaryVerificationKey")) {
        if (m->seen_primary++ || is_nil(c)) {
            return fail(p, "TokenRestrictionTemplate: one PrimaryVerificationKey is required");
        }
        return take_key(p, c, &m->primary, "PrimaryVerificationKey");
    }
    if (named(c, "AlternateVerificationKeys")) {
        return m->seen_alternates++ ? fail(p, "TokenRestrictionTemplate: AlternateVerificationKeys "
                                           "is given twice")
                                    : take_alternates(p, c, &m->alternates);
    }
    if (named(c, "RequiredClaims")) {
        return m->seen_claims++ ? fail(p, "TokenRestrictionTemplate: RequiredClaims is given twice")
                                : take_claims(p, c, json_object_get(m->out, "claims"));
    }
    if (named(c, "OpenIdConnectDiscoveryDocument")) {
        return is_nil(c) ? 0 : fail(p, "TokenRestrictionTemplate: OpenIdConnectDiscoveryDocument "
                                    "is not supported by mediaplane");
    }
    return fail(p, "TokenRestrictionTemplate: unknown element <%s>", c->name);
}

/* "keys" (symmetric) and, when there are any, "rsa_keys": primary first. */
static int join_keys(parse_t *p, members_t *m)
{
    const char *type = json_string_value(json_object_get(m->out, "type"));

    if (json_array_size(m->primary.sym) + json_array_size(m->primary.rsa) == 0) {
        return fail(p, "TokenRestrictionTemplate: PrimaryVerificationKey is required");
    }
    if (type == NULL) {
        json_object_set_new(m->out, "type", json_string("SWT"));
        type = "SWT";
    }
    json_array_extend(m->primary.sym, m->alternates.sym);
    json_array_extend(m->primary.rsa, m->alternates.rsa);
    if (json_array_size(m->primary.rsa) > 0 && strcmp(type, "JWT") != 0) {
        return fail(p, "TokenRestrictionTemplate: X.509 and RSA verification keys need "
                    "TokenType JWT (SWT tokens are signed with HMACSHA256 by symmetric keys)");
    }
    json_object_set(m->out, "keys", m->primary.sym);
    if (json_array_size(m->primary.rsa) > 0) {
        json_object_set(m->out, "rsa_keys", m->primary.rsa);
    }
    return 0;
}

static json_t *parse_root(parse_t *p, const xmlNode *root)
{
    members_t m = { json_pack("{s:[]}", "claims"), { json_array(), json_array() },
                    { json_array(), json_array() }, 0, 0, 0 };
    int rc = 0;

    for (const xmlNode *c = root->children; c != NULL && rc == 0; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            rc = c->ns != NULL && strcmp((const char *) c->ns->href, TOKEN_TEMPLATE_NS) == 0
                 ? take_member(p, c, &m)
                 : fail(p, "TokenRestrictionTemplate: <%s> is not in the template's namespace",
                        c->name);
        }
    }
    if (rc == 0 && json_object_get(m.out, "issuer") == NULL) {
        rc = fail(p, "TokenRestrictionTemplate: Issuer is required");
    }
    if (rc == 0 && json_object_get(m.out, "audience") == NULL) {
        rc = fail(p, "TokenRestrictionTemplate: Audience is required");
    }
    if (rc == 0) {
        rc = join_keys(p, &m);
    }
    json_decref(m.primary.sym);
    json_decref(m.primary.rsa);
    json_decref(m.alternates.sym);
    json_decref(m.alternates.rsa);
    if (rc != 0) {
        json_decref(m.out);
        return NULL;
    }
    return m.out;
}

json_t *token_template_parse(const char *xml, size_t len, char *err, size_t errlen)
{
    parse_t p = { err, errlen };
    xmlDoc *doc;
    const xmlNode *root;
    json_t *out = NULL;

    err[0] = '\0';
    if (xml == NULL || len == 0 || len > TOKEN_TEMPLATE_MAX_BYTES) {
        fail(&p, "TokenRestrictionTemplate: Requirements must be an XML document of at most %d bytes",
             TOKEN_TEMPLATE_MAX_BYTES);
        return NULL;
    }
    doc = xmlReadMemory(xml, (int) len, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        fail(&p, "TokenRestrictionTemplate: Requirements is not well-formed XML");
        return NULL;
    }
    root = xmlDocGetRootElement(doc);
    if (doc->intSubset != NULL) {
        fail(&p, "TokenRestrictionTemplate: a DOCTYPE is not allowed");
    } else if (root == NULL || !named(root, "TokenRestrictionTemplate") || root->ns == NULL
               || strcmp((const char *) root->ns->href, TOKEN_TEMPLATE_NS) != 0) {
        fail(&p, "TokenRestrictionTemplate: the root must be <TokenRestrictionTemplate xmlns=\"%s\">",
             TOKEN_TEMPLATE_NS);
    } else {
        out = parse_root(&p, root);
    }
    xmlFreeDoc(doc);
    return out;
}
