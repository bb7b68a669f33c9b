/*
 * test_api_path.c — the path quirks of AMS-era clients the router absorbs:
 * empty segments ("/api//CreateFileInfos", base URL ending in '/' joined with
 * a path starting with '/') and the "/API/" prefix of the azure-media SDK's
 * default base URL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "api/api_path.h"

static void expect_collapsed(const char *in, const char *want)
{
    char *out = api_path_collapse(in);
    assert_non_null(out);
    assert_string_equal(out, want);
    free(out);
}

static void test_empty_segments_collapse(void **state)
{
    (void) state;
    expect_collapsed("/api//CreateFileInfos", "/api/CreateFileInfos");
    expect_collapsed("//api/Assets", "/api/Assets");
    expect_collapsed("/api///Assets('nb:cid:UUID:1')//Files", "/api/Assets('nb:cid:UUID:1')/Files");
    expect_collapsed("/api//", "/api/");
    /* nothing to collapse: NULL, the path is used as it is */
    assert_null(api_path_collapse("/api/Assets"));
    assert_null(api_path_collapse("/"));
    assert_null(api_path_collapse(NULL));
}

static void test_api_prefix_any_case(void **state)
{
    (void) state;
    assert_true(api_path_is_api("/api"));
    assert_true(api_path_is_api("/api/"));
    assert_true(api_path_is_api("/API/Assets"));
    assert_true(api_path_is_api("/Api/Assets"));
    assert_false(api_path_is_api("/apis/Assets"));
    assert_false(api_path_is_api("/upload/x"));
    assert_false(api_path_is_api("/"));
    assert_string_equal(api_path_rest("/api"), "");
    assert_string_equal(api_path_rest("/API/Assets?$top=1"), "Assets?$top=1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_segments_collapse),
        cmocka_unit_test(test_api_prefix_any_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
