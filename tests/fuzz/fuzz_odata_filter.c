/*
 * fuzz_odata_filter.c — the OData query-option parsers on arbitrary text.
 * The input's first line is the query text (NUL-terminated copy); if the
 * rest is a JSON object it becomes one more entity to test against.  The
 * text is parsed as $filter (evaluated against every entity, twice, and its
 * property paths walked), as $orderby (the comparator must be reflexive,
 * antisymmetric and transitive over the entities) and as $select (the
 * projection must be a subset of the entity).  Failures must explain
 * themselves in a NUL-terminated message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odata/odata_filter.h"
#include "odata/odata_orderby.h"
#include "odata/odata_select.h"
#include "fuzz_check.h"


#define MAX_ENTITIES 4

static const char *const FIXED_ENTITIES[] = {
    "{\"Id\":\"nb:cid:UUID:6f2d1e3a-1b2c-4d5e-8f90-0123456789ab\",\"Name\":\"Big Buck Bunny\",\"State\":1,"
    "\"Options\":0,\"Created\":\"2015-01-01T00:00:00.000Z\",\"LastModified\":\"2015-06-01T12:30:00Z\","
    "\"ContentFileSize\":\"1048576\",\"IsEncrypted\":false,\"AlternateId\":null,\"Score\":2.5,"
    "\"Key\":\"6F2D1E3A-1B2C-4D5E-8F90-0123456789AB\",\"Storage\":{\"Account\":\"acct1\",\"Tier\":2},"
    "\"Tags\":[\"a\",1]}",
    "{\"Id\":\"nb:cid:UUID:00000000-0000-4000-8000-000000000002\",\"Name\":\"it's \\u00e9t\\u00e9\","
    "\"State\":-9223372036854775808,\"Options\":1e300,\"Created\":\"1999-12-31T23:59:59.9999999+05:30\","
    "\"LastModified\":\"not a date\",\"ContentFileSize\":\"-9223372036854775809\",\"IsEncrypted\":true,"
    "\"AlternateId\":\"x\",\"Score\":-0.0,\"Key\":\"\",\"Storage\":\"flat\",\"Tags\":{}}",
};

static int check_name(const char *name, void *arg)
{
    (void) arg;
    FUZZ_CHECK(name != NULL && name[0] != '\0' && name[0] != '/');
    FUZZ_CHECK(name[strlen(name) - 1] != '/');
    return 0;
}

static void check_error(const char *err, size_t errlen)
{
    FUZZ_CHECK(memchr(err, '\0', errlen) != NULL && err[0] != '\0');
}

static void fuzz_filter(const char *text, json_t *const *entities, size_t count)
{
    char err[160];
    odata_filter_t *f = odata_filter_parse(text, err, sizeof(err));
    if (f == NULL) {
        check_error(err, sizeof(err));
        return;
    }
    for (size_t i = 0; i < count; i++) {
        bool first = odata_filter_match(f, entities[i]);
        FUZZ_CHECK(odata_filter_match(f, entities[i]) == first);
    }
    FUZZ_CHECK(odata_filter_foreach_property(f, check_name, NULL) == 0);
    odata_filter_free(f);
}

static int sign(int c)
{
    return (c > 0) - (c < 0);
}

static void fuzz_orderby(const char *text, json_t *const *entities, size_t count)
{
    char err[160];
    odata_orderby_t *o = odata_orderby_parse(text, err, sizeof(err));
    if (o == NULL) {
        check_error(err, sizeof(err));
        return;
    }
    FUZZ_CHECK(odata_orderby_foreach_property(o, check_name, NULL) == 0);
    for (size_t i = 0; i < count; i++) {
        FUZZ_CHECK(odata_orderby_compare(o, entities[i], entities[i]) == 0);
        for (size_t j = 0; j < count; j++) {
            int ij = sign(odata_orderby_compare(o, entities[i], entities[j]));
            FUZZ_CHECK(ij == -sign(odata_orderby_compare(o, entities[j], entities[i])));
            for (size_t k = 0; k < count; k++) {
                int jk = sign(odata_orderby_compare(o, entities[j], entities[k]));
                int ik = sign(odata_orderby_compare(o, entities[i], entities[k]));
                FUZZ_CHECK(!(ij <= 0 && jk <= 0) || ik <= 0);
            }
        }
    }
    odata_orderby_free(o);
}

static void fuzz_select(const char *text, json_t *const *entities, size_t count)
{
    char err[160];
    odata_select_t *s = odata_select_parse(text, err, sizeof(err));
    if (s == NULL) {
        check_error(err, sizeof(err));
        return;
    }
    FUZZ_CHECK(odata_select_foreach_property(s, check_name, NULL) == 0);
    for (size_t i = 0; i < count; i++) {
        json_t *out = odata_select_apply(s, entities[i]);
        const char *key;
        json_t *value;
        FUZZ_CHECK(out != NULL && json_is_object(out) && out != entities[i]);
        json_object_foreach(out, key, value) {
            FUZZ_CHECK(json_object_get(entities[i], key) == value);
        }
        FUZZ_CHECK(!odata_select_is_all(s) || json_object_size(out) == json_object_size(entities[i]));
        json_decref(out);
    }
    odata_select_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *newline = memchr(data, '\n', size);
    size_t text_len = newline ? (size_t) (newline - data) : size;
    char *text = malloc(text_len + 1);
    json_t *entities[MAX_ENTITIES];
    size_t count = 0;
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, text_len);
    text[text_len] = '\0';
    for (size_t i = 0; i < sizeof(FIXED_ENTITIES) / sizeof(FIXED_ENTITIES[0]); i++) {
        entities[count] = json_loads(FIXED_ENTITIES[i], 0, NULL);
        FUZZ_CHECK(entities[count] != NULL);
        count++;
    }
    if (newline != NULL) {
        json_t *extra = json_loadb((const char *) newline + 1, size - text_len - 1, 0, NULL);
        if (json_is_object(extra)) {
            entities[count++] = extra;
        } else {
            json_decref(extra);
        }
    }
    fuzz_filter(text, entities, count);
    fuzz_orderby(text, entities, count);
    fuzz_select(text, entities, count);
    for (size_t i = 0; i < count; i++) {
        json_decref(entities[i]);
    }
    free(text);
    return 0;
}
