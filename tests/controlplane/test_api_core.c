/*
 * test_api_core.c — unit tests of the daemon's small building blocks: text
 * codecs, API instants, SWT tokens, SAS signatures, OData resource paths,
 * the origin record codec and the catalog store/reader round trip.
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

#include "auth/swt.h"
#include "catalog/catalog_origin.h"
#include "catalog/catalog_reader.h"
#include "catalog/catalog_schema.h"
#include "catalog/catalog_store.h"
#include "odata/odata_resource.h"
#include "upload/sas_token.h"
#include "util/text_codec.h"
#include "util/time_text.h"

static void test_url_codec(void **state)
{
    char buf[64], out[64];
    (void) state;
    strcpy(buf, "a%20b+c%3A%2f");
    assert_int_equal(url_decode_inplace(buf, 1), 7);
    assert_string_equal(buf, "a b c:/");
    strcpy(buf, "bad%2");
    assert_true(url_decode_inplace(buf, 0) < 0);
    strcpy(buf, "bad%zz");
    assert_true(url_decode_inplace(buf, 0) < 0);
    assert_int_equal(url_encode("a b/c~", 6, out, sizeof(out)), 10);
    assert_string_equal(out, "a%20b%2Fc~");
    assert_true(url_encode("abc", 3, out, 3) < 0);
}

static void test_base64(void **state)
{
    uint8_t bin[16];
    char text[32];
    (void) state;
    assert_int_equal(base64_encode((const uint8_t *) "hello", 5, text, sizeof(text)), 8);
    assert_string_equal(text, "aGVsbG8=");
    assert_int_equal(base64_decode("aGVsbG8=", 8, bin, sizeof(bin)), 5);
    assert_memory_equal(bin, "hello", 5);
    assert_int_equal(base64_decode("aGVsbG8", 7, bin, sizeof(bin)), 5);    /* unpadded */
    assert_int_equal(base64_decode("-_-_", 4, bin, sizeof(bin)), 3);       /* url-safe */
    assert_true(base64_decode("a*==", 4, bin, sizeof(bin)) < 0);
    assert_true(base64_decode("aGVsbG8=", 8, bin, 4) < 0);
}

typedef struct {
    char keys[8][32], values[8][64];
    int n;
} form_t;

static int collect(const char *k, const char *v, void *arg)
{
    form_t *f = arg;
    snprintf(f->keys[f->n], 32, "%s", k);
    snprintf(f->values[f->n], 64, "%s", v);
    f->n++;
    return 0;
}

static void test_form_fields(void **state)
{
    form_t f = { 0 };
    const char *text = "grant_type=client_credentials&scope=urn%3aX&empty=&flag";
    (void) state;
    assert_int_equal(form_each(text, strlen(text), collect, &f), 0);
    assert_int_equal(f.n, 4);
    assert_string_equal(f.values[1], "urn:X");
    assert_string_equal(f.keys[2], "empty");
    assert_string_equal(f.values[2], "");
    assert_string_equal(f.keys[3], "flag");
}

static void test_time_text(void **state)
{
    char iso[TIME_ISO_LEN];
    int64_t ms;
    (void) state;
    time_format_iso(1420070400123, iso);
    assert_string_equal(iso, "2015-01-01T00:00:00.123Z");
    assert_int_equal(time_parse("2015-01-01T00:00:00.123Z", &ms), 0);
    assert_int_equal(ms, 1420070400123);
    assert_int_equal(time_parse("/Date(1420070400123)/", &ms), 0);
    assert_int_equal(ms, 1420070400123);
    assert_int_equal(time_parse("/Date(1420070400123+0100)/", &ms), 0);
    assert_int_equal(time_parse("2015-01-01T01:00:00+01:00", &ms), 0);
    assert_int_equal(ms, 1420070400000);
    assert_int_equal(time_parse("2015-01-01T00:00", &ms), 0);
    assert_int_equal(time_parse("2015-01-01T00:00:00.1234567Z", &ms), 0);
    assert_int_equal(ms, 1420070400123);
    assert_int_equal(time_parse("2015-13-01T00:00:00Z", &ms), -1);
    assert_int_equal(time_parse("2015-01-01", &ms), 0);    /* date only: midnight */
    assert_int_equal(ms, 1420070400000);
    assert_int_equal(time_parse("/Date(abc)/", &ms), -1);
    assert_int_equal(time_parse("2015-01-01T00:00:00Zjunk", &ms), -1);
    assert_int_equal(time_parse(NULL, &ms), -1);
}

static const uint8_t key_a[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t key_b[32] = "fedcba9876543210fedcba9876543210";

static void test_swt(void **state)
{
    swt_claims_t c;
    char *tok = swt_sign(key_a, 32, "client_id=me&Audience=urn%3aA&ExpiresOn=2000&Issuer=iss");
    char *tampered;
    (void) state;
    assert_non_null(tok);
    assert_int_equal(swt_verify(key_a, 32, tok, 1000, &c), SWT_OK);
    assert_string_equal(c.audience, "urn:A");
    assert_string_equal(c.issuer, "iss");
    assert_string_equal(c.subject, "me");
    assert_int_equal(c.expires_on, 2000);
    assert_int_equal(swt_verify(key_a, 32, tok, 2000, &c), SWT_EXPIRED);
    assert_int_equal(swt_verify(key_b, 32, tok, 1000, &c), SWT_BAD_SIGNATURE);
    tampered = strdup(tok);
    tampered[strlen("client_id=")] = 'X';
    assert_int_equal(swt_verify(key_a, 32, tampered, 1000, &c), SWT_BAD_SIGNATURE);
    assert_int_equal(swt_verify(key_a, 32, "no signature here", 1000, &c), SWT_MALFORMED);
    assert_int_equal(swt_verify(key_a, 32, "a=b&HMACSHA256=%%%", 1000, &c), SWT_MALFORMED);
    free(tampered);
    free(tok);
}

typedef struct {
    char names[8][8], values[8][128];
    int n;
} args_t;

static int add_arg(const char *k, const char *v, void *arg)
{
    args_t *a = arg;
    snprintf(a->names[a->n], 8, "%s", k);
    snprintf(a->values[a->n], 128, "%s", v);
    a->n++;
    return 0;
}

static const char *arg_lookup(void *ctx, const char *name)
{
    args_t *a = ctx;
    for (int i = 0; i < a->n; i++) {
        if (strcmp(a->names[i], name) == 0) {
            return a->values[i];
        }
    }
    return NULL;
}

static void test_sas(void **state)
{
    sas_grant_t g = { .start_ms = 1420070400000, .expiry_ms = 1420074000000,
                      .permissions = SAS_WRITE | SAS_LIST }, out;
    char query[SAS_QUERY_MAX], err[128];
    args_t a = { 0 };
    (void) state;
    strcpy(g.locator_guid, "11111111-2222-4333-8444-555555555555");
    strcpy(g.container, "asset-abc");
    assert_int_equal(sas_build(key_a, &g, query), 0);
    assert_non_null(strstr(query, "sp=wl"));
    assert_int_equal(form_each(query, strlen(query), add_arg, &a), 0);
    assert_int_equal(sas_verify(key_a, "asset-abc", "", arg_lookup, &a, &out, err, sizeof(err)), 0);
    assert_int_equal(out.permissions, SAS_WRITE | SAS_LIST);
    assert_int_equal(out.expiry_ms, g.expiry_ms);
    assert_string_equal(out.locator_guid, g.locator_guid);
    assert_int_equal(sas_verify(key_b, "asset-abc", "", arg_lookup, &a, &out, err, sizeof(err)), -1);
    assert_int_equal(sas_verify(key_a, "asset-abd", "", arg_lookup, &a, &out, err, sizeof(err)), -1);
    for (int i = 0; i < a.n; i++) {
        if (strcmp(a.names[i], "sp") == 0) strcpy(a.values[i], "rwdl");
    }
    assert_int_equal(sas_verify(key_a, "asset-abc", "", arg_lookup, &a, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "signature"));
}

/* A URL signed for one locator instance fails for any other instance (the
 * same locator Id re-created) and for none; the instance is not in the URL. */
static void test_sas_instance(void **state)
{
    sas_grant_t g = { .start_ms = 1420070400000, .expiry_ms = 1420074000000,
                      .permissions = SAS_READ }, out;
    char query[SAS_QUERY_MAX], err[128], other[SAS_INSTANCE_LEN + 1];
    args_t a = { 0 };
    (void) state;
    strcpy(g.locator_guid, "11111111-2222-4333-8444-555555555555");
    strcpy(g.container, "asset-abc");
    assert_int_equal(sas_new_instance(g.instance), 0);
    assert_int_equal(strlen(g.instance), SAS_INSTANCE_LEN);
    assert_int_equal(sas_new_instance(other), 0);
    assert_string_not_equal(other, g.instance);
    assert_int_equal(sas_build(key_a, &g, query), 0);
    assert_null(strstr(query, g.instance));
    assert_int_equal(form_each(query, strlen(query), add_arg, &a), 0);
    assert_int_equal(sas_verify(key_a, "asset-abc", g.instance, arg_lookup, &a, &out, err,
                                sizeof(err)), 0);
    assert_string_equal(out.instance, g.instance);
    assert_int_equal(sas_verify(key_a, "asset-abc", other, arg_lookup, &a, &out, err,
                                sizeof(err)), -1);
    assert_int_equal(sas_verify(key_a, "asset-abc", "", arg_lookup, &a, &out, err,
                                sizeof(err)), -1);
    assert_non_null(strstr(err, "signature"));
}

static void test_resource_paths(void **state)
{
    odata_resource_t p;
    char err[128];
    (void) state;
    assert_int_equal(odata_resource_parse("Assets", &p, err, sizeof(err)), 0);
    assert_string_equal(p.set, "Assets");
    assert_false(p.has_key);
    assert_int_equal(odata_resource_parse("Assets('nb:cid:UUID:1')/Files", &p, err, sizeof(err)), 0);
    assert_true(p.has_key);
    assert_string_equal(p.key, "nb:cid:UUID:1");
    assert_string_equal(p.member, "Files");
    assert_int_equal(odata_resource_parse("Assets('a''b')", &p, err, sizeof(err)), 0);
    assert_string_equal(p.key, "a'b");
    assert_int_equal(odata_resource_parse("Assets(Id='x')/$links/ParentAssets('y')", &p, err,
                                          sizeof(err)), 0);
    assert_true(p.links && p.has_member_key);
    assert_string_equal(p.key, "x");
    assert_string_equal(p.member_key, "y");
    assert_int_equal(odata_resource_parse("Assets('x')/Name/$value", &p, err, sizeof(err)), 0);
    assert_true(p.value);
    assert_int_equal(odata_resource_parse("Assets/$count", &p, err, sizeof(err)), 0);
    assert_true(p.count);
    assert_int_equal(odata_resource_parse("", &p, err, sizeof(err)), 0);
    assert_string_equal(p.set, "");
    assert_int_equal(odata_resource_parse("Assets('x'", &p, err, sizeof(err)), -1);
    assert_int_equal(odata_resource_parse("Assets('a'')", &p, err, sizeof(err)), -1);
    assert_int_equal(odata_resource_parse("Assets/Files", &p, err, sizeof(err)), -1);
    assert_int_equal(odata_resource_parse("Assets('x')/a/b/c", &p, err, sizeof(err)), -1);
    assert_int_equal(odata_resource_parse("As sets", &p, err, sizeof(err)), -1);
}

static void test_origin_record(void **state)
{
    catalog_origin_t o = { .start_ms = 1000, .expiry_ms = 5000,
                           .protocols_clear = CATALOG_PROTO_HLS | CATALOG_PROTO_DASH }, back;
    uint8_t buf[CATALOG_ORIGIN_MAX_SIZE];
    size_t n;
    (void) state;
    strcpy(o.asset_dir, "asset-0123");
    n = catalog_origin_encode(&o, buf, sizeof(buf));
    assert_true(n > 0);
    assert_int_equal(catalog_origin_decode(buf, n, &back), 0);
    assert_int_equal(back.start_ms, 1000);
    assert_int_equal(back.expiry_ms, 5000);
    assert_string_equal(back.asset_dir, "asset-0123");
    assert_int_equal(catalog_origin_check(&back, 999, CATALOG_PROTO_HLS), CATALOG_NOT_STARTED);
    assert_int_equal(catalog_origin_check(&back, 1000, CATALOG_PROTO_HLS), CATALOG_ALLOW);
    assert_int_equal(catalog_origin_check(&back, 5000, CATALOG_PROTO_HLS), CATALOG_EXPIRED);
    assert_int_equal(catalog_origin_check(&back, 2000, CATALOG_PROTO_SMOOTH), CATALOG_BLOCKED);
    assert_int_equal(catalog_origin_decode(buf, n - 1, &back), -1);
    buf[0] = 'X';
    assert_int_equal(catalog_origin_decode(buf, n, &back), -1);
    strcpy(o.asset_dir, "../etc");
    n = catalog_origin_encode(&o, buf, sizeof(buf));
    assert_int_equal(catalog_origin_decode(buf, n, &back), -1);       /* never a path */
    assert_int_equal(catalog_origin_encode(&o, buf, 10), 0);
}

static void test_guid_normalize(void **state)
{
    char out[37];
    (void) state;
    assert_int_equal(catalog_guid_normalize("0BADC0DE-1234-4ABC-8DEF-0123456789AB", 36, out), 0);
    assert_string_equal(out, "0badc0de-1234-4abc-8def-0123456789ab");
    assert_int_equal(catalog_guid_normalize("0badc0de-1234-4abc-8def-0123456789a", 35, out), -1);
    assert_int_equal(catalog_guid_normalize("0badc0de+1234-4abc-8def-0123456789ab", 36, out), -1);
    assert_int_equal(catalog_guid_normalize("0badc0dg-1234-4abc-8def-0123456789ab", 36, out), -1);
}

static int count_link(const char *to, void *arg)
{
    (void) to;
    (*(int *) arg)++;
    return 0;
}

/* The daemon writes, the origin's reader (another LMDB environment handle,
 * as in another process) sees the committed state on its next lookup. */
static void test_store_and_reader(void **state)
{
    static const char *const sets[] = { "Assets", NULL };
    char dir[] = "/tmp/mp-catalog-XXXXXX", err[256];
    catalog_store_t *s;
    catalog_reader_t *r;
    catalog_txn_t t;
    catalog_origin_t o = { .protocols_clear = CATALOG_PROTO_ALL }, got;
    uint8_t buf[CATALOG_ORIGIN_MAX_SIZE];
    const char *guid = "0badc0de-1234-4abc-8def-0123456789ab";
    json_t *rec;
    int n = 0;
    size_t len;
    (void) state;

    assert_non_null(mkdtemp(dir));
    s = catalog_store_open(dir, 1 << 24, sets, err, sizeof(err));
    assert_non_null(s);
    r = catalog_reader_open(dir, err, sizeof(err));
    assert_non_null(r);
    assert_int_equal(catalog_reader_locator(r, guid, 36, &got, NULL, err, sizeof(err)), CATALOG_NOT_FOUND);

    strcpy(o.asset_dir, "asset-1");
    len = catalog_origin_encode(&o, buf, sizeof(buf));
    assert_int_equal(catalog_begin(s, true, &t), 0);
    rec = json_pack("{s:s}", "Name", "x");
    assert_int_equal(catalog_put(&t, "Assets", "a1", rec), 0);
    json_decref(rec);
    assert_int_equal(catalog_link(&t, "a1", "Files", "f1"), 0);
    assert_int_equal(catalog_link(&t, "a1", "Files", "f2"), 0);
    assert_int_equal(catalog_link(&t, "a10", "Files", "f3"), 0);   /* prefix neighbour */
    assert_int_equal(catalog_raw_put(&t, CATALOG_DB_ORIGIN, guid, 36, buf, len), 0);
    /* not committed yet: the reader must not see it */
    assert_int_equal(catalog_reader_locator(r, guid, 36, &got, NULL, err, sizeof(err)), CATALOG_NOT_FOUND);
    assert_int_equal(catalog_commit(&t), 0);
    assert_int_equal(catalog_reader_locator(r, "0BADC0DE-1234-4ABC-8DEF-0123456789AB", 36, &got, NULL,
                                            err, sizeof(err)), CATALOG_FOUND);
    assert_string_equal(got.asset_dir, "asset-1");

    assert_int_equal(catalog_begin(s, true, &t), 0);
    catalog_each_link(&t, "a1", "Files", count_link, &n);
    assert_int_equal(n, 2);
    assert_int_equal(catalog_count_links(&t, "a10", "Files"), 1);
    assert_int_equal(catalog_unlink_all(&t, "a1"), 0);
    assert_int_equal(catalog_count_links(&t, "a1", "Files"), 0);
    assert_int_equal(catalog_count_links(&t, "a10", "Files"), 1);
    assert_int_equal(catalog_raw_del(&t, CATALOG_DB_ORIGIN, guid, 36), 0);
    assert_int_equal(catalog_commit(&t), 0);
    assert_int_equal(catalog_reader_locator(r, guid, 36, &got, NULL, err, sizeof(err)), CATALOG_NOT_FOUND);

    catalog_reader_close(r);
    catalog_store_close(s);
    assert_int_equal(system("rm -rf /tmp/mp-catalog-*"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_codec),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_form_fields),
        cmocka_unit_test(test_time_text),
        cmocka_unit_test(test_swt),
        cmocka_unit_test(test_sas),
        cmocka_unit_test(test_sas_instance),
        cmocka_unit_test(test_resource_paths),
        cmocka_unit_test(test_origin_record),
        cmocka_unit_test(test_guid_normalize),
        cmocka_unit_test(test_store_and_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
