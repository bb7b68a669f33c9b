/*
 * sas_token.c — building and verifying SAS query strings (see sas_token.h).
 * String to sign: "<sp>\n<st>\n<se>\n/<container>\n<si>\n<sv>".
 */
#include "upload/sas_token.h"
#include "util/text_codec.h"
#include "util/time_text.h"

#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define SAS_VERSION "2012-02-12"

static void perms_text(unsigned p, char out[5])
{
    size_t n = 0;
    if (p & SAS_READ) out[n++] = 'r';
    if (p & SAS_WRITE) out[n++] = 'w';
    if (p & SAS_DELETE) out[n++] = 'd';
    if (p & SAS_LIST) out[n++] = 'l';
    out[n] = '\0';
}

static int parse_perms(const char *s, unsigned *p)
{
    *p = 0;
    for (; *s; s++) {
        switch (*s) {
        case 'r': *p |= SAS_READ; break;
        case 'w': *p |= SAS_WRITE; break;
        case 'd': *p |= SAS_DELETE; break;
        case 'l': *p |= SAS_LIST; break;
        default: return -1;
        }
    }
    return 0;
}

static void sas_time(int64_t ms, char out[TIME_ISO_LEN])
{
    /* Azure form: seconds precision, "Z" */
    time_format_iso(ms - ms % 1000, out);
    memcpy(out + 19, "Z", 2);
}

/* The string to sign is Azure's container-SAS layout; a locator instance,
 * when there is one, is appended (it never appears in the URL). */
static int sign(const uint8_t key[32], const char *sp, const char *st, const char *se,
                const char *container, const char *si, const char *instance, char out_b64[64])
{
    char text[512];
    uint8_t mac[32];
    unsigned int n = 0;
    int len = snprintf(text, sizeof(text), "%s\n%s\n%s\n/%s\n%s\n%s%s%s", sp, st, se, container,
                       si, SAS_VERSION, instance[0] ? "\n" : "", instance);

    if (len < 0 || (size_t) len >= sizeof(text)
        || HMAC(EVP_sha256(), key, 32, (uint8_t *) text, (size_t) len, mac, &n) == NULL) {
        return -1;
    }
    return base64_encode(mac, 32, out_b64, 64) < 0 ? -1 : 0;
}

int sas_build(const uint8_t key[32], const sas_grant_t *g, char out[SAS_QUERY_MAX])
{
    char sp[5], st[TIME_ISO_LEN], se[TIME_ISO_LEN], sig[64], sig_enc[128], st_enc[64], se_enc[64];
    int n;

    perms_text(g->permissions, sp);
    sas_time(g->start_ms, st);
    sas_time(g->expiry_ms, se);
    if (sign(key, sp, st, se, g->container, g->locator_guid, g->instance, sig) != 0
        || url_encode(sig, strlen(sig), sig_enc, sizeof(sig_enc)) < 0
        || url_encode(st, strlen(st), st_enc, sizeof(st_enc)) < 0
        || url_encode(se, strlen(se), se_enc, sizeof(se_enc)) < 0) {
        return -1;
    }
    n = snprintf(out, SAS_QUERY_MAX, "sv=%s&sr=c&si=%s&st=%s&se=%s&sp=%s&sig=%s", SAS_VERSION,
                 g->locator_guid, st_enc, se_enc, sp, sig_enc);
    return (n > 0 && n < SAS_QUERY_MAX) ? 0 : -1;
}

int sas_new_instance(char out[SAS_INSTANCE_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t raw[SAS_INSTANCE_LEN / 2];

    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        return -1;
    }
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[SAS_INSTANCE_LEN] = '\0';
    return 0;
}

int sas_verify(const uint8_t key[32], const char *container, const char *instance,
               sas_arg_fn arg, void *ctx, sas_grant_t *g, char *err, size_t errlen)
{
    const char *sv = arg(ctx, "sv"), *si = arg(ctx, "si"), *st = arg(ctx, "st");
    const char *se = arg(ctx, "se"), *sp = arg(ctx, "sp"), *sig = arg(ctx, "sig");
    const char *sr = arg(ctx, "sr");
    char want[64], given[64];

    if (sv == NULL || sr == NULL || si == NULL || st == NULL || se == NULL || sp == NULL
        || sig == NULL) {
        snprintf(err, errlen, "the URL carries no complete shared access signature");
        return -1;
    }
    if (strcmp(sv, SAS_VERSION) != 0 || strcmp(sr, "c") != 0 || strlen(si) != 36 || strlen(sig) >= sizeof(given)
        || parse_perms(sp, &g->permissions) != 0 || time_parse(st, &g->start_ms) != 0
        || time_parse(se, &g->expiry_ms) != 0) {
        snprintf(err, errlen, "malformed shared access signature");
        return -1;
    }
    /* a '+' that was not percent-encoded arrives as a space */
    snprintf(given, sizeof(given), "%s", sig);
    for (char *p = given; *p; p++) {
        if (*p == ' ') *p = '+';
    }
    if (strlen(instance) > SAS_INSTANCE_LEN
        || sign(key, sp, st, se, container, si, instance, want) != 0 || strlen(want) != strlen(given)
        || CRYPTO_memcmp(want, given, strlen(want)) != 0) {
        snprintf(err, errlen, "signature did not match");
        return -1;
    }
    snprintf(g->locator_guid, sizeof(g->locator_guid), "%s", si);
    snprintf(g->container, sizeof(g->container), "%s", container);
    snprintf(g->instance, sizeof(g->instance), "%s", instance);
    return 0;
}
