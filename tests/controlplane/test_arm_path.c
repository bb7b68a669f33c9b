/*
 * test_arm_path.c — the v3 (ARM) path matcher and api-version check
 * (controlplane/arm/arm_path.c) with the exact paths and versions
 * @azure/arm-mediaservices 13.1.0 sends (both spellings of the account
 * segment, camelCase collections), fixed words in any case, names kept as
 * given, and each bound: segment length, segment count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "arm/arm_path.h"

#define SUB "/subscriptions/55555555-6666-7777-8888-999999999999/resourceGroups/media-rg"
#define ACCT_A SUB "/providers/Microsoft.Media/mediaServices/mediaplane"     /* assets, jobs, … */
#define ACCT_B SUB "/providers/Microsoft.Media/mediaservices/mediaplane"     /* account, endpoints */

static arm_path_status_t parse(const char *path, arm_path_t *p)
{
    char why[256];
    return arm_path_parse(path, p, why, sizeof(why));
}

static void test_sdk_asset_action(void **state)
{
    arm_path_t p;
    (void) state;
    assert_int_equal(parse(ACCT_A "/assets/input-1/listContainerSas", &p), ARM_PATH_OK);
    assert_string_equal(p.subscription, "55555555-6666-7777-8888-999999999999");
    assert_string_equal(p.group, "media-rg");
    assert_string_equal(p.account, "mediaplane");
    assert_int_equal(p.nseg, 3);
    assert_true(arm_path_seg_is(&p, 0, "assets"));
    assert_string_equal(p.seg[1], "input-1");
    assert_true(arm_path_seg_is(&p, 2, "listcontainersas"));
    assert_false(arm_path_seg_is(&p, 3, "anything"));
}

static void test_sdk_account_and_endpoint_spelling(void **state)
{
    arm_path_t p;
    (void) state;
    assert_int_equal(parse(ACCT_B, &p), ARM_PATH_OK);
    assert_int_equal(p.nseg, 0);
    assert_int_equal(parse(ACCT_B "/streamingEndpoints/default", &p), ARM_PATH_OK);
    assert_int_equal(p.nseg, 2);
    assert_string_equal(p.seg[1], "default");
    assert_int_equal(parse(ACCT_A "/transforms/t1/jobs/job-1/cancelJob", &p), ARM_PATH_OK);
    assert_int_equal(p.nseg, 5);
    assert_true(arm_path_seg_is(&p, 4, "cancelJob"));
}

static void test_words_in_any_case_names_kept(void **state)
{
    arm_path_t p;
    (void) state;
    assert_true(arm_path_is_arm("/SUBSCRIPTIONS/x"));
    assert_int_equal(parse("/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/microsoft.media/"
                           "MEDIASERVICES/Acct/Assets/MyAsset", &p), ARM_PATH_OK);
    assert_string_equal(p.account, "Acct");
    assert_string_equal(p.seg[1], "MyAsset");
    assert_true(arm_path_seg_is(&p, 0, "assets"));
}

static void test_not_arm_and_bad_paths(void **state)
{
    arm_path_t p;
    (void) state;
    assert_int_equal(parse("/api/Assets", &p), ARM_PATH_NOT_ARM);
    assert_int_equal(parse("/subscription/x", &p), ARM_PATH_NOT_ARM);
    assert_int_equal(parse(SUB "/providers/Microsoft.Storage/storageAccounts/x", &p), ARM_PATH_BAD);
    assert_int_equal(parse(SUB "/providers/Microsoft.Media", &p), ARM_PATH_BAD);
    assert_int_equal(parse("/subscriptions//resourceGroups/g/providers/Microsoft.Media/"
                           "mediaServices/a", &p), ARM_PATH_BAD);
    assert_int_equal(parse(ACCT_A "/assets//x", &p), ARM_PATH_BAD);
}

static void test_bounds(void **state)
{
    static char path[2048], name[ARM_NAME_MAX + 2];
    arm_path_t p;
    (void) state;
    memset(name, 'a', ARM_NAME_MAX);
    name[ARM_NAME_MAX] = '\0';
    snprintf(path, sizeof(path), ACCT_A "/assets/%s", name);
    assert_int_equal(parse(path, &p), ARM_PATH_OK);                 /* at the bound */
    assert_int_equal(strlen(p.seg[1]), ARM_NAME_MAX);
    name[ARM_NAME_MAX] = 'a';
    name[ARM_NAME_MAX + 1] = '\0';
    snprintf(path, sizeof(path), ACCT_A "/assets/%s", name);
    assert_int_equal(parse(path, &p), ARM_PATH_BAD);                /* one past it */
    assert_int_equal(parse(ACCT_A "/a/b/c/d/e/f", &p), ARM_PATH_OK);   /* 6 segments */
    assert_int_equal(parse(ACCT_A "/a/b/c/d/e/f/g", &p), ARM_PATH_BAD);
}

static void test_api_versions_the_sdk_sends(void **state)
{
    (void) state;
    assert_null(arm_api_version_check("", "2021-11-01"));
    assert_null(arm_api_version_check("assets", "2022-08-01"));
    assert_null(arm_api_version_check("ASSETS", "2022-08-01"));
    assert_null(arm_api_version_check("transforms", "2022-07-01"));
    assert_null(arm_api_version_check("streamingLocators", "2022-08-01"));
    assert_null(arm_api_version_check("streamingPolicies", "2022-08-01"));
    assert_null(arm_api_version_check("streamingEndpoints", "2022-08-01"));
    assert_null(arm_api_version_check("contentKeyPolicies", "2022-08-01"));
}

static void test_api_version_refusals(void **state)
{
    const char *msg;
    (void) state;
    msg = arm_api_version_check("assets", NULL);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "required"));
    assert_non_null(arm_api_version_check("assets", ""));
    msg = arm_api_version_check("transforms", "2022-08-01");   /* not a transforms version */
    assert_non_null(msg);
    assert_non_null(strstr(msg, "2022-07-01"));
    assert_non_null(arm_api_version_check("assets", "2022-08-0"));    /* a prefix */
    assert_non_null(arm_api_version_check("assets", "022-08-01"));    /* a suffix */
    assert_non_null(arm_api_version_check("assets", "2022-08-01, 2023-01-01"));
    assert_non_null(arm_api_version_check("", "2022-07-01"));
}

static void test_account_id(void **state)
{
    arm_path_t p;
    char id[ARM_ID_MAX];
    (void) state;
    assert_int_equal(parse(ACCT_A "/assets", &p), ARM_PATH_OK);
    assert_int_equal(arm_account_id(&p, id, sizeof(id)), 0);
    assert_string_equal(id, ACCT_B);
    assert_int_equal(arm_account_id(&p, id, 20), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sdk_asset_action),
        cmocka_unit_test(test_sdk_account_and_endpoint_spelling),
        cmocka_unit_test(test_words_in_any_case_names_kept),
        cmocka_unit_test(test_not_arm_and_bad_paths),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_api_versions_the_sdk_sends),
        cmocka_unit_test(test_api_version_refusals),
        cmocka_unit_test(test_account_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
