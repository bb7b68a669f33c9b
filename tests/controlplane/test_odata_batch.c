/*
 * test_odata_batch.c — unit tests of the $batch multipart parser
 * (odata/odata_batch_*.c): boundaries (quoted, case, bad), CRLF and LF
 * bodies, query operations and changesets, Content-ID in either place,
 * Content-Length, and the malformed bodies that must be rejected (missing
 * delimiters or parts, nested changesets, GET in a changeset, too many
 * operations or changesets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odata/odata_batch.h"

#define CT "multipart/mixed; boundary=batch_1"

static char err[256];

/* "\n" → "\r\n" so each body is tested with both line ends. */
static char *crlf(const char *lf)
{
    char *out = malloc(strlen(lf) * 2 + 1), *o = out;
    for (const char *p = lf; *p; p++) {
        if (*p == '\n') {
            *o++ = '\r';
        }
        *o++ = *p;
    }
    *o = '\0';
    return out;
}

static int parse(const char *ct, const char *body, odata_batch_t *b)
{
    return odata_batch_parse(ct, body, strlen(body), b, err, sizeof(err));
}

static void test_boundary(void **state)
{
    char b[80];
    (void) state;
    assert_int_equal(odata_batch_boundary("multipart/mixed; boundary=batch_36522ad7", b, sizeof(b)), 0);
    assert_string_equal(b, "batch_36522ad7");
    assert_int_equal(odata_batch_boundary("Multipart/Mixed;charset=x; BOUNDARY = \"a b:c\"", b, sizeof(b)), 0);
    assert_string_equal(b, "a b:c");
    assert_int_equal(odata_batch_boundary("multipart/mixed; boundary=x;foo=bar", b, sizeof(b)), 0);
    assert_string_equal(b, "x");
    assert_int_equal(odata_batch_boundary("application/json", b, sizeof(b)), -1);
    assert_int_equal(odata_batch_boundary("multipart/mixed", b, sizeof(b)), -1);
    assert_int_equal(odata_batch_boundary("multipart/mixed; boundary=", b, sizeof(b)), -1);
    assert_int_equal(odata_batch_boundary("multipart/mixed; boundary=\"unterminated", b, sizeof(b)), -1);
    assert_int_equal(odata_batch_boundary("multipart/mixed; boundary=a\"b", b, sizeof(b)), -1);
    assert_int_equal(odata_batch_boundary(NULL, b, sizeof(b)), -1);
    char longer[128] = "multipart/mixed; boundary=";
    memset(longer + strlen(longer), 'x', 71);
    assert_int_equal(odata_batch_boundary(longer, b, sizeof(b)), -1);
}

static const char *mixed_body =
    "preamble is ignored\n"
    "--batch_1\n"
    "Content-Type: application/http\n"
    "Content-Transfer-Encoding: binary\n"
    "\n"
    "GET https://host/api/Assets?$top=2&$filter=Name%20eq%20'a' HTTP/1.1\n"
    "Accept: application/json;odata=verbose\n"
    "\n"
    "--batch_1\n"
    "Content-Type: multipart/mixed; boundary=changeset_9\n"
    "\n"
    "--changeset_9\n"
    "Content-Type: application/http\n"
    "Content-Transfer-Encoding: binary\n"
    "\n"
    "POST Assets HTTP/1.1\n"
    "Content-ID: 1\n"
    "Content-Type: application/json\n"
    "\n"
    "{\"Name\":\"a\"}\n"
    "--changeset_9\n"
    "Content-Type: application/http\n"
    "Content-ID: 2\n"
    "\n"
    "POST $1/$links/ParentAssets HTTP/1.1\n"
    "Content-Type: application/json\n"
    "Content-Length: 9\n"
    "\n"
    "{\"uri\":1}trailing\n"
    "--changeset_9--\n"
    "--batch_1--\n"
    "epilogue";

static void check_mixed(const odata_batch_t *b)
{
    assert_int_equal(b->nops, 3);
    assert_int_equal(b->nchangesets, 1);
    assert_string_equal(b->ops[0].method, "GET");
    assert_string_equal(b->ops[0].url, "https://host/api/Assets?$top=2&$filter=Name%20eq%20'a'");
    assert_int_equal(b->ops[0].changeset, -1);
    assert_string_equal(odata_batch_header(&b->ops[0], "accept"), "application/json;odata=verbose");
    assert_int_equal(b->ops[0].body_len, 0);
    assert_null(b->ops[0].content_id);
    assert_string_equal(b->ops[1].method, "POST");
    assert_string_equal(b->ops[1].url, "Assets");
    assert_int_equal(b->ops[1].changeset, 0);
    assert_string_equal(b->ops[1].content_id, "1");
    assert_int_equal(b->ops[1].body_len, 12);
    assert_memory_equal(b->ops[1].body, "{\"Name\":\"a\"}", 12);
    assert_string_equal(b->ops[2].url, "$1/$links/ParentAssets");
    assert_string_equal(b->ops[2].content_id, "2");       /* from the MIME part */
    assert_int_equal(b->ops[2].body_len, 9);              /* Content-Length */
    assert_memory_equal(b->ops[2].body, "{\"uri\":1}", 9);
}

static void test_mixed_lf_and_crlf(void **state)
{
    odata_batch_t b;
    char *body = crlf(mixed_body);
    (void) state;
    assert_int_equal(parse(CT, mixed_body, &b), 0);
    check_mixed(&b);
    odata_batch_free(&b);
    assert_int_equal(parse(CT, body, &b), 0);
    check_mixed(&b);
    odata_batch_free(&b);
    free(body);
}

static void test_quoted_boundary_and_padding(void **state)
{
    odata_batch_t b;
    const char *body =
        "--a b\t \r\n"
        "Content-Type: application/http\r\n\r\n"
        "GET Assets HTTP/1.1\r\n\r\n"
        "--a bc is not a delimiter\r\n"
        "--a b--";
    (void) state;
    assert_int_equal(parse("multipart/mixed; boundary=\"a b\"", body, &b), 0);
    assert_int_equal(b.nops, 1);
    assert_string_equal(b.ops[0].url, "Assets");
    /* the look-alike line is the body */
    assert_int_equal(b.ops[0].body_len, strlen("--a bc is not a delimiter"));
    odata_batch_free(&b);
}

static void expect_error(const char *ct, const char *body, const char *needle)
{
    odata_batch_t b;
    char *with_crlf = crlf(body);
    assert_int_equal(parse(ct, body, &b), -1);
    if (strstr(err, needle) == NULL) {
        fail_msg("error '%s' does not mention '%s'", err, needle);
    }
    assert_int_equal(b.nops, 0);
    odata_batch_free(&b);
    assert_int_equal(parse(ct, with_crlf, &b), -1);
    odata_batch_free(&b);
    free(with_crlf);
}

#define PART "--batch_1\nContent-Type: application/http\n\n"

static void test_malformed(void **state)
{
    (void) state;
    expect_error("application/json", PART "GET Assets HTTP/1.1\n--batch_1--", "multipart/mixed");
    expect_error(CT, "no delimiter at all", "no delimiter");
    expect_error(CT, PART "GET Assets HTTP/1.1\n", "does not end");
    expect_error(CT, "--batch_1--\n", "without parts");
    expect_error(CT, "--batch_1\n\nGET Assets HTTP/1.1\n--batch_1--", "Content-Type");
    expect_error(CT, "--batch_1\nContent-Type: text/plain\n\nhi\n--batch_1--", "text/plain");
    expect_error(CT, "--batch_1\nContent-Type application/http\n\nGET A\n--batch_1--", "malformed header");
    expect_error(CT, "--batch_1\nContent-Type: application/http\n folded\n\nGET A\n--batch_1--", "folded");
    expect_error(CT, PART "GETAssets\n--batch_1--", "METHOD URL");
    expect_error(CT, PART "get Assets HTTP/1.1\n--batch_1--", "malformed batch request line");
    expect_error(CT, PART "GET Assets SPDY/3\n--batch_1--", "protocol");
    expect_error(CT, PART "POST Assets HTTP/1.1\n\n{}\n--batch_1--", "outside a changeset");
    expect_error(CT, PART "GET Assets HTTP/1.1\nContent-Length: 99\n\nab\n--batch_1--", "Content-Length");
    expect_error(CT, PART "GET Assets HTTP/1.1\nContent-Length: -1\n\n\n--batch_1--", "Content-Length");
    expect_error(CT,
                 "--batch_1\nContent-Type: multipart/mixed; boundary=cs\n\n"
                 "--cs\nContent-Type: application/http\n\nGET Assets HTTP/1.1\n--cs--\n--batch_1--",
                 "GET inside a changeset");
    expect_error(CT,
                 "--batch_1\nContent-Type: multipart/mixed; boundary=cs\n\n"
                 "--cs\nContent-Type: multipart/mixed; boundary=cs2\n\n"
                 "--cs2\nContent-Type: application/http\n\nPOST Assets HTTP/1.1\n--cs2--\n"
                 "--cs--\n--batch_1--",
                 "nested");
    expect_error(CT, "--batch_1\nContent-Type: multipart/mixed\n\n--cs--\n--batch_1--", "boundary");
    expect_error(CT,
                 "--batch_1\nContent-Type: multipart/mixed; boundary=cs\n\n--cs--\n--batch_1--",
                 "without parts");
    expect_error(CT,
                 "--batch_1\nContent-Type: multipart/mixed; boundary=cs\n\n"
                 "--cs\nContent-Type: application/http\n\nPOST Assets HTTP/1.1\n\n{}\n"
                 "--batch_1--",
                 "does not end");
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
    size_t len = strlen(head) + strlen(unit) * n + strlen(tail) + 1;
    char *s = malloc(len), *p = s;
    p += sprintf(p, "%s", head);
    for (size_t i = 0; i < n; i++) {
        p += sprintf(p, "%s", unit);
    }
    sprintf(p, "%s", tail);
    return s;
}

static void test_counts(void **state)
{
    odata_batch_t b;
    char *ok = repeat("", PART "GET Assets HTTP/1.1\n", ODATA_BATCH_MAX_OPS, "--batch_1--");
    char *over = repeat("", PART "GET Assets HTTP/1.1\n", ODATA_BATCH_MAX_OPS + 1, "--batch_1--");
    char *sets = repeat("", "--batch_1\nContent-Type: multipart/mixed; boundary=c\n\n"
                        "--c\nContent-Type: application/http\n\nDELETE Assets('x') HTTP/1.1\n--c--\n",
                        ODATA_BATCH_MAX_CHANGESETS + 1, "--batch_1--");
    char *headers = repeat(PART "GET Assets HTTP/1.1\n", "X-H: v\n", ODATA_BATCH_MAX_HEADERS + 1,
                           "\n--batch_1--");
    (void) state;
    assert_int_equal(parse(CT, ok, &b), 0);
    assert_int_equal(b.nops, ODATA_BATCH_MAX_OPS);
    odata_batch_free(&b);
    assert_int_equal(parse(CT, over, &b), -1);
    assert_non_null(strstr(err, "operations"));
    odata_batch_free(&b);
    assert_int_equal(parse(CT, sets, &b), -1);
    assert_non_null(strstr(err, "changesets"));
    odata_batch_free(&b);
    assert_int_equal(parse(CT, headers, &b), -1);
    assert_non_null(strstr(err, "header lines"));
    odata_batch_free(&b);
    free(ok);
    free(over);
    free(sets);
    free(headers);
}

static void test_binary_body_and_empty_input(void **state)
{
    odata_batch_t b;
    const char body[] = PART "GET A HTTP/1.1\n\nx\0y\n--batch_1--";
    (void) state;
    assert_int_equal(odata_batch_parse(CT, body, sizeof(body) - 1, &b, err, sizeof(err)), 0);
    assert_int_equal(b.ops[0].body_len, 3);
    assert_memory_equal(b.ops[0].body, "x\0y", 3);
    odata_batch_free(&b);
    assert_int_equal(odata_batch_parse(CT, "", 0, &b, err, sizeof(err)), -1);
    odata_batch_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_mixed_lf_and_crlf),
        cmocka_unit_test(test_quoted_boundary_and_padding),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_binary_body_and_empty_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
