/*
 * test_api_path.c — the path quirks of AMS-era clients the router absorbs:
 * empty segments ("/api//CreateFileInfos", base URL ending in '/' joined with
 * a path starting with '/'), the "/API/" prefix of the azure-media SDK's
 * default base URL, and entity-set and function names in any case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "api/api_handlers.h"
#include "api/api_path.h"
#include "entities/entity_sets.h"

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

static void test_set_and_function_names_any_case(void **state)
{
    (void) state;
    assert_ptr_equal(entity_set_find("assets"), &entity_assets);
    assert_ptr_equal(entity_set_find("ASSETS"), &entity_assets);
    assert_ptr_equal(entity_set_find("accesspolicies"), &entity_access_policies);
    assert_ptr_equal(entity_set_find("Locators"), &entity_locators);
    assert_null(entity_set_find("Asset"));
    assert_null(entity_set_find(""));
    assert_non_null(api_function_find("createfileinfos"));
    assert_non_null(api_function_find("CreateFileInfos"));
    assert_null(api_function_find("CreateFileInfo"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_segments_collapse),
        cmocka_unit_test(test_api_prefix_any_case),
        cmocka_unit_test(test_set_and_function_names_any_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
