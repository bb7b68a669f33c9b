/*
 * test_filter_rules.c — a filter's rules (entities/filter_rules.c): AMS
 * spellings normalized, Int64s kept as text, each malformed member refused
 * with a 400 naming it, the bounds at their limit, and the origin's copy —
 * the text core/filter/mp_filter.h reads — written to and removed from the
 * catalog's ofilters, where the origin's reader finds it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_ofilter.h"
#include "catalog/catalog_reader.h"
#include "catalog/catalog_store.h"
#include "entities/filter_rules.h"

static api_ctx_t ctx;

static json_t *loads(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    return j;
}

/* Checks rec; on failure returns the message (static), else NULL. */
static const char *check(json_t *rec)
{
    memset(&ctx.err, 0, sizeof(ctx.err));
    if (filter_rules_check(&ctx, rec) == 0) {
        return NULL;
    }
    assert_int_equal(ctx.err.status, 400);
    return ctx.err.message;
}

static void test_normalized(void **state)
{
    (void) state;
    json_t *rec = loads("{\"PresentationTimeRange\":{\"StartTimestamp\":40,\"EndTimestamp\":\"80\","
                        "\"Timescale\":10},\"Tracks\":[{\"PropertyConditions\":[{\"Property\":"
                        "\"bitrate\",\"Value\":\"0-100\",\"Operator\":\"notequal\"}]}],"
                        "\"FirstQuality\":{\"Bitrate\":\"700\"}}");
    assert_null(check(rec));
    json_t *r = json_object_get(rec, "PresentationTimeRange");
    assert_string_equal(json_string_value(json_object_get(r, "StartTimestamp")), "40");
    assert_string_equal(json_string_value(json_object_get(r, "EndTimestamp")), "80");
    assert_true(json_is_null(json_object_get(r, "LiveBackoffDuration")));
    json_t *c = json_array_get(json_object_get(json_array_get(json_object_get(rec, "Tracks"), 0),
                                               "PropertyConditions"), 0);
    assert_string_equal(json_string_value(json_object_get(c, "Property")), "Bitrate");
    assert_string_equal(json_string_value(json_object_get(c, "Operator")), "NotEqual");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(rec, "FirstQuality"),
                                                        "Bitrate")), 700);
    json_decref(rec);
    rec = loads("{\"Tracks\":{\"results\":[{\"PropertyConditions\":{\"results\":[{\"Property\":"
                "\"Type\",\"Value\":\"video\",\"Operator\":\"Equal\"}]}}]}}");   /* verbose */
    assert_null(check(rec));
    assert_true(json_is_array(json_object_get(rec, "Tracks")));
    json_decref(rec);
}

static void test_refused(void **state)
{
    static const struct { const char *json, *field; } bad[] = {
        { "{\"Tracks\":[{\"PropertyConditions\":[{\"Property\":\"Codec\",\"Value\":\"a\","
          "\"Operator\":\"Equal\"}]}]}", "Tracks[0].PropertyConditions[0].Property" },
        { "{\"Tracks\":[{},{\"PropertyConditions\":[]}]}", "Tracks[0].PropertyConditions" },
        { "{\"Tracks\":[{\"PropertyConditions\":[{\"Property\":\"Type\",\"Value\":\"video\","
          "\"Operator\":\"Equal\"},{\"Property\":\"Type\",\"Value\":\"video\",\"Operator\":"
          "\"Like\"}]}]}", "Tracks[0].PropertyConditions[1].Operator" },
        { "{\"Tracks\":[{\"PropertyConditions\":[{\"Property\":\"Bitrate\",\"Value\":\"1-x\","
          "\"Operator\":\"Equal\"}]}]}", "Value" },
        { "{\"Tracks\":[{\"PropertyConditions\":[{\"Property\":\"Bitrate\",\"Value\":"
          "\"4294967296\",\"Operator\":\"Equal\"}]}]}", "Value" },
        { "{\"Tracks\":[{\"PropertyConditions\":[{\"Property\":\"Language\",\"Value\":\"e;n\","
          "\"Operator\":\"Equal\"}]}]}", "Value" },
        { "{\"PresentationTimeRange\":{\"EndTimestamp\":\"x\"}}", "EndTimestamp" },
        { "{\"PresentationTimeRange\":{\"StartTimestamp\":9,\"EndTimestamp\":9}}", "EndTimestamp" },
        { "{\"PresentationTimeRange\":{\"Timescale\":0}}", "Timescale" },
        { "{\"PresentationTimeRange\":{\"PresentationWindowDuration\":1199999999}}",
          "PresentationWindowDuration" },
        { "{\"PresentationTimeRange\":{\"LiveBackoffDuration\":3000000001}}",
          "LiveBackoffDuration" },
        { "{\"FirstQuality\":{}}", "FirstQuality.Bitrate" },
        { "{\"Tracks\":\"video\"}", "Tracks" },
        { NULL, NULL }
    };
    (void) state;
    for (int i = 0; bad[i].json; i++) {
        json_t *rec = loads(bad[i].json);
        const char *msg = check(rec);
        if (msg == NULL || strstr(msg, bad[i].field) == NULL) {
            fail_msg("%s: %s", bad[i].json, msg ? msg : "accepted");
        }
        json_decref(rec);
    }
    /* at their limits: 120 s of window and 300 s of back-off pass */
    json_t *rec = loads("{\"PresentationTimeRange\":{\"PresentationWindowDuration\":1200000000,"
                        "\"LiveBackoffDuration\":3000000000}}");
    assert_null(check(rec));
    json_decref(rec);
}

static json_t *selections(int count, int conditions)
{
    json_t *tracks = json_array();
    for (int s = 0; s < count; s++) {
        json_t *conds = json_array();
        for (int c = 0; c < conditions; c++) {
            json_array_append_new(conds, json_pack("{s:s,s:s,s:s}", "Property", "Name", "Value",
                                                   "audio_eng", "Operator", "NotEqual"));
        }
        json_array_append_new(tracks, json_pack("{s:o}", "PropertyConditions", conds));
    }
    return json_pack("{s:o}", "Tracks", tracks);
}

static void test_bounds(void **state)
{
    (void) state;
    json_t *rec = selections(FILTER_SELECTIONS_MAX, FILTER_CONDITIONS_MAX);
    assert_null(check(rec));
    json_decref(rec);
    rec = selections(FILTER_SELECTIONS_MAX + 1, 1);
    assert_non_null(strstr(check(rec), "Tracks"));
    json_decref(rec);
    rec = selections(1, FILTER_CONDITIONS_MAX + 1);
    assert_non_null(strstr(check(rec), "PropertyConditions"));
    json_decref(rec);
    char name[FILTER_NAME_MAX + 2];
    memset(name, 'n', sizeof(name));
    name[FILTER_NAME_MAX] = '\0';
    assert_true(filter_name_ok(name));
    assert_true(filter_name_ok("a.b_c~d-e"));
    name[FILTER_NAME_MAX] = 'n';
    name[FILTER_NAME_MAX + 1] = '\0';
    assert_false(filter_name_ok(name));
    assert_false(filter_name_ok(""));
    assert_false(filter_name_ok("a;b"));
    assert_false(filter_name_ok("a b"));
}

static void test_published_text(void **state)
{
    static const char *const sets[] = { "Filters", NULL };
    char dir[] = "/tmp/mp-filters-XXXXXX", err[256], text[CATALOG_OFILTER_MAX_SIZE];
    const char *key = "asset-1/clip";
    catalog_store_t *s;
    catalog_reader_t *r;
    app_t app;
    size_t got = 0;
    (void) state;

    assert_non_null(mkdtemp(dir));
    s = catalog_store_open(dir, 1 << 24, sets, err, sizeof(err));
    assert_non_null(s);
    r = catalog_reader_open(dir, err, sizeof(err));
    assert_non_null(r);
    memset(&app, 0, sizeof(app));
    app.store = s;
    ctx.app = &app;
    json_t *rec = loads("{\"PresentationTimeRange\":{\"StartTimestamp\":\"4\",\"Timescale\":\"1\"},"
                        "\"Tracks\":[{\"PropertyConditions\":[{\"Property\":\"type\",\"Value\":"
                        "\"video\",\"Operator\":\"Equal\"},{\"Property\":\"Bitrate\",\"Value\":"
                        "\"0-900000\",\"Operator\":\"NotEqual\"}]},{\"PropertyConditions\":[{"
                        "\"Property\":\"Language\",\"Value\":\"en\",\"Operator\":\"Equal\"}]}],"
                        "\"FirstQuality\":{\"Bitrate\":800000}}");
    assert_null(check(rec));
    assert_int_equal(catalog_begin(s, true, &ctx.txn), 0);
    assert_int_equal(filter_publish(&ctx, "asset-1", "clip", rec), 0);
    assert_int_equal(catalog_commit(&ctx.txn), 0);
    assert_int_equal(catalog_reader_ofilter(r, key, strlen(key), text, sizeof(text), &got, err,
                                            sizeof(err)), CATALOG_FOUND);
    assert_int_equal(got, strlen("start=4;ts=1;fq=800000;track=type:eq:video,bitrate:ne:0-900000;"
                                 "track=language:eq:en;"));
    assert_memory_equal(text, "start=4;ts=1;fq=800000;track=type:eq:video,bitrate:ne:0-900000;"
                              "track=language:eq:en;", got);
    assert_int_equal(catalog_reader_ofilter(r, "*/clip", 6, text, sizeof(text), &got, err,
                                            sizeof(err)), CATALOG_NOT_FOUND);
    assert_int_equal(catalog_begin(s, true, &ctx.txn), 0);
    assert_int_equal(filter_publish(&ctx, "asset-1", "clip", NULL), 0);
    assert_int_equal(filter_publish(&ctx, "asset-1", "clip", NULL), 0);   /* already gone */
    assert_int_equal(catalog_commit(&ctx.txn), 0);
    assert_int_equal(catalog_reader_ofilter(r, key, strlen(key), text, sizeof(text), &got, err,
                                            sizeof(err)), CATALOG_NOT_FOUND);
    json_decref(rec);
    catalog_reader_close(r);
    catalog_store_close(s);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalized),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_published_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
