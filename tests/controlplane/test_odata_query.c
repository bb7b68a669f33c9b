/*
 * test_odata_query.c — the OData v3 query-option engine (controlplane/odata):
 * $filter operators, precedence, literals, functions, the Int64-as-string
 * and date-as-instant rules, nulls and type mismatches, error messages with
 * positions, length/depth limits; $orderby parsing and multi-key ordering;
 * $select parsing and projection.  Runs under ASan/UBSan and LeakSanitizer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odata/odata_datetime.h"
#include "odata/odata_filter.h"
#include "odata/odata_orderby.h"
#include "odata/odata_select.h"

static const char *ASSET =
    "{\"Id\":\"nb:cid:UUID:6f2d1e3a-1b2c-4d5e-8f90-0123456789ab\","
    "\"Name\":\"Big Buck Bunny\",\"State\":1,\"Options\":0,"
    "\"Created\":\"2015-01-01T00:00:00.000Z\",\"LastModified\":\"2015-06-01T12:30:00Z\","
    "\"ContentFileSize\":\"1048576\",\"IsEncrypted\":false,\"AlternateId\":null,"
    "\"Score\":2.5,\"Title\":\"it's\",\"Padded\":\"  x \\t\",\"Accent\":\"Caf\\u00e9\","
    "\"Key\":\"6F2D1E3A-1B2C-4D5E-8F90-0123456789AB\",\"Big\":\"9223372036854775807\","
    "\"Huge\":9007199254740993,"
    "\"Storage\":{\"Account\":\"acct1\",\"Container\":\"asset-1\"},\"Tags\":[\"a\"]}";

static json_t *load(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (j == NULL) {
        fail_msg("bad test JSON: %s", jerr.text);
    }
    return j;
}

static bool matches_json(const char *filter, const char *json)
{
    char err[256] = "";
    odata_filter_t *f = odata_filter_parse(filter, err, sizeof(err));
    if (f == NULL) {
        fail_msg("%s: unexpected parse error: %s", filter, err);
    }
    json_t *entity = load(json);
    bool result = odata_filter_match(f, entity);
    json_decref(entity);
    odata_filter_free(f);
    return result;
}

#define MATCH(filter)                                                   \
    do {                                                                \
        if (!matches_json(filter, ASSET)) {                             \
            fail_msg("expected a match: %s", filter);                   \
        }                                                               \
    } while (0)

#define NO_MATCH(filter)                                                \
    do {                                                                \
        if (matches_json(filter, ASSET)) {                              \
            fail_msg("expected no match: %s", filter);                  \
        }                                                               \
    } while (0)

/* The filter must be rejected with exactly this message. */
static void rejected(const char *filter, const char *message)
{
    char err[256];
    memset(err, 'X', sizeof(err));
    odata_filter_t *f = odata_filter_parse(filter, err, sizeof(err));
    if (f != NULL) {
        odata_filter_free(f);
        fail_msg("%s: parsed, expected \"%s\"", filter, message);
    }
    if (strcmp(err, message) != 0) {
        fail_msg("%s:\n  got      \"%s\"\n  expected \"%s\"", filter, err, message);
    }
}

/* ---- $filter: operators and precedence ---- */

static void test_comparison_operators(void **state)
{
    (void) state;
    MATCH("Name eq 'Big Buck Bunny'");
    NO_MATCH("Name eq 'big buck bunny'");   /* ordinal, case-sensitive */
    MATCH("Name ne 'Elephants Dream'");
    NO_MATCH("Name ne 'Big Buck Bunny'");
    MATCH("State gt 0");
    NO_MATCH("State gt 1");
    MATCH("State ge 1");
    NO_MATCH("State ge 2");
    MATCH("State lt 2");
    NO_MATCH("State lt 1");
    MATCH("State le 1");
    NO_MATCH("State le 0");
    MATCH("Name gt 'Big'");                 /* byte-wise: a prefix sorts first */
    NO_MATCH("Name lt 'Big'");
    MATCH("Name lt 'b'");                   /* 'B' (0x42) < 'b' (0x62) */
    MATCH("  Name\teq\r\n'Big Buck Bunny'  ");
}

static void test_logical_operators(void **state)
{
    (void) state;
    MATCH("State eq 1 and Options eq 0");
    NO_MATCH("State eq 1 and Options eq 1");
    NO_MATCH("State eq 2 and Options eq 0");
    MATCH("State eq 2 or Options eq 0");
    MATCH("State eq 1 or Options eq 1");
    NO_MATCH("State eq 2 or Options eq 1");
    MATCH("not (State eq 2)");
    NO_MATCH("not (State eq 1)");
    MATCH("not not (State eq 1)");
    MATCH("not(State eq 2)");
    MATCH("true");
    NO_MATCH("false");
    MATCH("not IsEncrypted");
    NO_MATCH("IsEncrypted");
    MATCH("State eq 2 or State eq 3 or State eq 1 or State eq 4");
    NO_MATCH("State eq 1 and Options eq 0 and Name eq 'x' and true");
}

static void test_precedence(void **state)
{
    (void) state;
    /* and binds tighter than or */
    MATCH("State eq 1 or State eq 0 and Name eq 'nope'");
    NO_MATCH("(State eq 1 or State eq 0) and Name eq 'nope'");
    /* not binds tighter than a comparison: (not State) is null, null eq 2 is false */
    NO_MATCH("not State eq 2");
    MATCH("not (State eq 2)");
    /* relational binds tighter than equality: IsEncrypted eq (State gt 5) */
    MATCH("IsEncrypted eq State gt 5");
    /* mul before add, left-associative sub */
    MATCH("State add 2 mul 3 eq 7");
    MATCH("(State add 2) mul 3 eq 9");
    MATCH("10 sub 3 sub 2 eq 5");
    MATCH("-State add 3 eq 2");
}

/* ---- literals ---- */

static void test_string_literals(void **state)
{
    (void) state;
    MATCH("Title eq 'it''s'");
    NO_MATCH("Title eq 'it'");
    MATCH("'' eq ''");
    MATCH("Name ne ''");
    MATCH("'''' eq concat('''', '')");
    MATCH("Accent eq 'Caf\xc3\xa9'");
    MATCH("Id eq 'nb:cid:UUID:6f2d1e3a-1b2c-4d5e-8f90-0123456789ab'");
    NO_MATCH("Id eq 'nb:cid:UUID:6f2d1e3a-1b2c-4d5e-8f90-0123456789ac'");
}

static void test_number_literals(void **state)
{
    (void) state;
    MATCH("State eq 1L");
    MATCH("State eq 1l");
    NO_MATCH("State eq 2L");
    MATCH("-State eq -1");
    MATCH("Score eq 2.5");
    MATCH("Score eq 2.5M");
    MATCH("Score eq 2.5m");
    MATCH("Score eq 2.5D");
    MATCH("Score eq 2.5F");
    MATCH("Score eq 25e-1D");
    MATCH("Score eq 0.025E2");
    MATCH("2e3D eq 2000");
    NO_MATCH("Score eq 2.4");
    MATCH("Big eq 9223372036854775807L");
    MATCH("-9223372036854775808L lt 0");
    MATCH("12345678901234567890 gt 9223372036854775807L");   /* too big for int64: a real */
}

static void test_keyword_literals(void **state)
{
    (void) state;
    MATCH("IsEncrypted eq false");
    NO_MATCH("IsEncrypted eq true");
    MATCH("AlternateId eq null");
    MATCH("null eq AlternateId");
    NO_MATCH("AlternateId ne null");
    MATCH("Name ne null");
    NO_MATCH("Name eq null");
    MATCH("true eq true");
    MATCH("false lt true");
}

static void test_datetime_literals(void **state)
{
    (void) state;
    /* stored "2015-01-01T00:00:00.000Z" compares as an instant */
    MATCH("Created eq datetime'2015-01-01T00:00:00'");
    MATCH("Created eq datetime'2015-01-01T00:00:00Z'");
    MATCH("Created eq datetime'2015-01-01T00:00:00.0000000Z'");
    MATCH("Created eq datetime'2015-01-01T00:00'");
    MATCH("Created eq datetime'2015-01-01'");
    MATCH("Created eq DateTime'2015-01-01T00:00:00'");
    NO_MATCH("Created eq datetime'2015-01-01T00:00:00.001'");
    MATCH("Created lt datetime'2015-01-01T00:00:00.001'");
    MATCH("Created gt datetime'2014-12-31T23:59:59.999Z'");
    NO_MATCH("Created gt datetime'2015-01-01T00:00:00'");
    MATCH("Created ge datetime'2015-01-01T00:00:00'");
    /* stored without a fraction */
    MATCH("LastModified eq datetime'2015-06-01T12:30:00.000Z'");
    MATCH("LastModified gt Created");     /* two strings: byte-wise, same format here */
    MATCH("datetimeoffset'2015-01-01T01:00:00+01:00' eq Created");
    MATCH("datetimeoffset'2014-12-31T19:00:00-05:00' eq Created");
    NO_MATCH("datetimeoffset'2015-01-01T00:00:00+01:00' eq Created");
    MATCH("datetime'2015-01-01T00:00:00' lt datetime'2015-01-01T00:00:00.0000001'");
    /* not a date: cannot be compared with an instant */
    NO_MATCH("Name eq datetime'2015-01-01T00:00:00'");
    NO_MATCH("Name ne datetime'2015-01-01T00:00:00'");
    NO_MATCH("State lt datetime'2015-01-01T00:00:00'");
}

static void test_guid_literals(void **state)
{
    (void) state;
    MATCH("Key eq guid'6f2d1e3a-1b2c-4d5e-8f90-0123456789ab'");   /* guids ignore case */
    NO_MATCH("Key eq guid'6f2d1e3a-1b2c-4d5e-8f90-0123456789ac'");
    MATCH("guid'6f2d1e3a-1b2c-4d5e-8f90-0123456789ab' eq guid'6F2D1E3A-1B2C-4D5E-8F90-0123456789AB'");
    NO_MATCH("State eq guid'6f2d1e3a-1b2c-4d5e-8f90-0123456789ab'");
}

/* ---- value rules ---- */

static void test_int64_strings(void **state)
{
    (void) state;
    MATCH("ContentFileSize eq 1048576");
    MATCH("ContentFileSize eq 1048576L");
    MATCH("1048576 eq ContentFileSize");
    NO_MATCH("ContentFileSize eq 1048577");
    MATCH("ContentFileSize gt 999999");          /* numeric, not "1048576" < "999999" */
    NO_MATCH("ContentFileSize lt 999999");
    MATCH("ContentFileSize lt 2000000.5");
    MATCH("ContentFileSize eq '1048576'");       /* string against string */
    NO_MATCH("ContentFileSize gt '999999'");      /* ... byte-wise */
    MATCH("ContentFileSize add 1 eq 1048577");
    MATCH("Big eq 9223372036854775807");
    NO_MATCH("Big lt 9223372036854775807");
    /* a string that is not a number does not compare with a number */
    NO_MATCH("Name gt 5");
    NO_MATCH("Name lt 5");
    NO_MATCH("Name eq 5");
    NO_MATCH("Name ne 5");
}

static void test_integer_real_comparison(void **state)
{
    (void) state;
    MATCH("Score gt 2");
    MATCH("Score lt 3");
    NO_MATCH("Score eq 2");
    MATCH("State eq 1.0");
    NO_MATCH("State eq 1.5");
    MATCH("State lt 1.5");
    /* exact: 9007199254740993 is not the double 9007199254740992.0 */
    MATCH("Huge gt 9007199254740992.0");
    NO_MATCH("Huge eq 9007199254740992.0");
    MATCH("Huge eq 9007199254740993");
}

static void test_nulls_and_missing(void **state)
{
    (void) state;
    MATCH("Missing eq null");
    NO_MATCH("Missing ne null");
    NO_MATCH("Missing eq 'x'");
    MATCH("Missing ne 'x'");
    NO_MATCH("AlternateId gt 'a'");
    NO_MATCH("AlternateId lt 'a'");
    NO_MATCH("AlternateId ge 'a'");
    NO_MATCH("AlternateId le null");     /* ordering with null is false, even null vs null */
    NO_MATCH("null ge null");
    MATCH("null eq null");
    MATCH("not (AlternateId gt 'a')");
    /* null propagates through functions and logic (three-valued) */
    NO_MATCH("startswith(AlternateId, 'x')");
    NO_MATCH("not startswith(AlternateId, 'x')");
    MATCH("startswith(AlternateId, 'x') or true");
    NO_MATCH("startswith(AlternateId, 'x') or false");
    NO_MATCH("startswith(AlternateId, 'x') and true");
    NO_MATCH("not (startswith(AlternateId, 'x') and true)");   /* not unknown is unknown */
    NO_MATCH("not (startswith(AlternateId, 'x') or false)");
    MATCH("not (startswith(AlternateId, 'x') and false)");     /* false decides an and */
    MATCH("length(AlternateId) eq null");
    NO_MATCH("Missing");
    NO_MATCH("not Missing");
}

static void test_complex_properties(void **state)
{
    (void) state;
    MATCH("Storage/Account eq 'acct1'");
    MATCH("Storage / Container eq 'asset-1'");
    NO_MATCH("Storage/Account eq 'acct2'");
    MATCH("Storage/Missing eq null");
    MATCH("Name/Length eq null");       /* not an object: null */
    MATCH("Storage ne null");
    NO_MATCH("Storage eq 'acct1'");     /* objects compare with nothing but null */
    NO_MATCH("Tags eq 'a'");
}

static void test_type_mismatches(void **state)
{
    (void) state;
    NO_MATCH("Name eq true");
    NO_MATCH("IsEncrypted eq 0");
    NO_MATCH("IsEncrypted gt 1");
    NO_MATCH("Name eq guid'6f2d1e3a-1b2c-4d5e-8f90-0123456789ab' and Name ne 'x'");
    NO_MATCH("Name add 1 eq 1");
    NO_MATCH("Name");                    /* a string in a boolean context is unknown */
    MATCH("not (Name eq true)");
}

/* ---- functions ---- */

static void test_string_functions(void **state)
{
    (void) state;
    MATCH("startswith(Name, 'Big')");
    NO_MATCH("startswith(Name, 'big')");
    MATCH("startswith(Name, '')");
    MATCH("endswith(Name, 'Bunny')");
    NO_MATCH("endswith(Name, 'Big')");
    MATCH("substringof('Buck', Name)");         /* v3 order: needle first */
    NO_MATCH("substringof(Name, 'Buck')");
    NO_MATCH("substringof('buck', Name)");
    MATCH("tolower(Name) eq 'big buck bunny'");
    MATCH("toupper(Name) eq 'BIG BUCK BUNNY'");
    NO_MATCH("toupper(Name) eq 'Big Buck Bunny'");
    MATCH("length(Name) eq 14");
    NO_MATCH("length(Name) eq 13");
    MATCH("length(Accent) eq 4");               /* characters, not bytes */
    MATCH("indexof(Name, 'Buck') eq 4");
    MATCH("indexof(Name, 'Dream') eq -1");
    MATCH("indexof(Accent, '\xc3\xa9') eq 3");
    MATCH("trim(Padded) eq 'x'");
    NO_MATCH("Padded eq 'x'");
    MATCH("concat(Name, '!') eq 'Big Buck Bunny!'");
    MATCH("concat(concat(Storage/Account, '/'), Storage/Container) eq 'acct1/asset-1'");
    MATCH("substring(Name, 4) eq 'Buck Bunny'");
    MATCH("substring(Name, 4, 4) eq 'Buck'");
    MATCH("substring(Name, 40) eq ''");
    MATCH("substring(Accent, 3, 1) eq '\xc3\xa9'");
    NO_MATCH("substring(Name, -1) eq 'Big Buck Bunny'");
    NO_MATCH("length(State) eq 1");             /* not a string: null */
    MATCH("startswith(Key, '6F2D')");
}

static void test_date_functions(void **state)
{
    (void) state;
    MATCH("year(Created) eq 2015");
    NO_MATCH("year(Created) eq 2014");
    MATCH("month(LastModified) eq 6");
    MATCH("day(LastModified) eq 1");
    MATCH("hour(LastModified) eq 12");
    MATCH("minute(LastModified) eq 30");
    MATCH("second(LastModified) eq 0");
    MATCH("year(datetime'1999-12-31T23:59:59') eq 1999");
    MATCH("day(datetimeoffset'2000-03-01T01:00:00+02:00') eq 29");  /* leap day in UTC */
    MATCH("year(Name) eq null");
}

static void test_arithmetic(void **state)
{
    (void) state;
    MATCH("State add 1 eq 2");
    MATCH("State sub 3 eq -2");
    MATCH("Score mul 2 eq 5");
    MATCH("7 div 2 eq 3");                  /* integer division */
    MATCH("7.0 div 2 eq 3.5");
    MATCH("7 mod 3 eq 1");
    MATCH("-7 mod 3 eq -1");
    MATCH("7.5 mod 2 eq 1.5");
    NO_MATCH("State div 0 eq 0");           /* division by zero: null */
    MATCH("State div 0 eq null");
    MATCH("State mod 0 eq null");
    MATCH("9223372036854775807 add 1 eq null");   /* overflow: null */
    MATCH("-9223372036854775808 div -1 eq null");
    MATCH("-9223372036854775808 mod -1 eq 0");
    MATCH("-(-9223372036854775808) eq null");
    MATCH("Missing add 1 eq null");
}

/* ---- errors and limits ---- */

static void test_syntax_errors(void **state)
{
    (void) state;
    rejected("", "syntax error at position 0: expected an expression but found end of input");
    rejected("   ", "syntax error at position 3: expected an expression but found end of input");
    rejected("Name eq", "syntax error at position 7: expected an expression but found end of input");
    rejected("(Name eq 'x'", "syntax error at position 12: expected ')' but found end of input");
    rejected("Name eq 'x')", "syntax error at position 11: expected an operator but found ')'");
    rejected("Name eq 'x' foo", "syntax error at position 12: expected an operator but found 'foo'");
    rejected("Name eq 'x' and", "syntax error at position 15: expected an expression but found end of input");
    rejected("Name eq 'x", "syntax error at position 8: unterminated string literal");
    rejected("Name # 'x'", "syntax error at position 5: unexpected character '#'");
    rejected("Name eq \"x\"", "syntax error at position 8: unexpected character '\"'");
    rejected("Name eq 1.5L", "syntax error at position 8: malformed number");
    rejected("Name eq 1.", "syntax error at position 8: malformed number");
    rejected("Name eq 12abc", "syntax error at position 8: malformed number");
    rejected("Name eq 1e", "syntax error at position 8: malformed number");
    rejected("Name eq 99999999999999999999L", "syntax error at position 8: integer literal out of range");
    rejected("Created eq datetime'2015-13-01T00:00:00'", "syntax error at position 11: invalid datetime literal");
    rejected("Created eq datetime'2015-02-29'", "syntax error at position 11: invalid datetime literal");
    rejected("Created eq datetime'yesterday'", "syntax error at position 11: invalid datetime literal");
    rejected("Key eq guid'6f2d1e3a'", "syntax error at position 7: invalid guid literal");
    rejected("Duration eq time'PT1H'", "syntax error at position 12: unsupported literal type 'time'");
    rejected("Storage/'x' eq 1", "syntax error at position 8: expected a property name after '/' but found ''x''");
    rejected("Storage/1 eq 1", "syntax error at position 8: expected a property name after '/' but found '1'");
    rejected("Name eq ,", "syntax error at position 8: expected an expression but found ','");
    rejected("Name eq )", "syntax error at position 8: expected an expression but found ')'");
    rejected("Name eq 'x' and (State eq 1 or", "syntax error at position 30: expected an expression but found end of input");
}

static void test_function_errors(void **state)
{
    (void) state;
    rejected("StartsWith(Name, 'B')", "syntax error at position 0: unknown function 'StartsWith'");
    rejected("foo('x')", "syntax error at position 0: unknown function 'foo'");
    rejected("startswith(Name)", "syntax error at position 0: function 'startswith' takes 2 arguments");
    rejected("length(Name, 'x') eq 1", "syntax error at position 0: function 'length' takes 1 argument");
    rejected("substring(Name, 1, 2, 3) eq 'x'", "syntax error at position 0: function 'substring' takes 2 or 3 arguments");
    rejected("startswith(Name, 5)", "type error at position 17: argument 2 of 'startswith' must be a string");
    rejected("year(5) eq 1", "type error at position 5: argument 1 of 'year' must be a datetime");
    rejected("substring(Name, 'a') eq 'x'", "type error at position 16: argument 2 of 'substring' must be a number");
    rejected("startswith(Name 'B')", "syntax error at position 16: expected ',' or ')' but found ''B''");
    rejected("startswith(Name,)", "syntax error at position 16: expected an expression but found ')'");
    rejected("startswith(Name, 'B'", "syntax error at position 20: expected ',' or ')' but found end of input");
}

static void test_type_errors(void **state)
{
    (void) state;
    rejected("1", "type error at position 0: $filter must be a boolean expression");
    rejected("Name add 1", "type error at position 0: $filter must be a boolean expression");
    rejected("'x' and true", "type error at position 0: operand of 'and' must be a boolean");
    rejected("true or 5", "type error at position 8: operand of 'or' must be a boolean");
    rejected("not 'x'", "type error at position 4: operand of 'not' must be a boolean");
    rejected("-'x' eq 1", "type error at position 1: operand of '-' must be a number");
    rejected("'a' add 1 eq 2", "type error at position 0: operand of 'add' must be a number");
    rejected("1 mul true eq 2", "type error at position 6: operand of 'mul' must be a number");
}

static void test_error_buffer_handling(void **state)
{
    (void) state;
    char small[12];
    memset(small, 'X', sizeof(small));
    assert_null(odata_filter_parse("Name eq", small, sizeof(small)));
    assert_string_equal(small, "syntax erro");
    assert_null(odata_filter_parse("Name eq", NULL, 0));
    char err[64];
    assert_null(odata_filter_parse(NULL, err, sizeof(err)));
    assert_string_equal(err, "$filter is missing");
    /* non-printable bytes are not echoed back */
    rejected("Name eq 'x' \x01", "syntax error at position 12: unexpected character");
    rejected("Name eq 'x' \xc3\xa9t\xc3\xa9", "syntax error at position 12: unexpected character");
}

static char *repeat(const char *unit, size_t times, const char *middle, const char *unit_after)
{
    size_t ulen = strlen(unit), alen = strlen(unit_after), mlen = strlen(middle);
    char *s = malloc(times * (ulen + alen) + mlen + 1), *p = s;
    assert_non_null(s);
    for (size_t i = 0; i < times; i++, p += ulen) {
        memcpy(p, unit, ulen);
    }
    memcpy(p, middle, mlen);
    p += mlen;
    for (size_t i = 0; i < times; i++, p += alen) {
        memcpy(p, unit_after, alen);
    }
    *p = '\0';
    return s;
}

/* open x times, middle, close x times, then suffix: parses (and matches ASSET) or hits the depth limit */
static void check_depth(const char *open, size_t times, const char *middle, const char *close, const char *suffix,
                        bool ok)
{
    char err[256] = "";
    char *nested = repeat(open, times, middle, close);
    char *text = malloc(strlen(nested) + strlen(suffix) + 1);
    assert_non_null(text);
    strcpy(text, nested);
    strcat(text, suffix);
    free(nested);
    odata_filter_t *f = odata_filter_parse(text, err, sizeof(err));
    if (ok) {
        if (f == NULL) {
            fail_msg("%zu x '%s': %s", times, open, err);
        }
        json_t *e = load(ASSET);
        assert_true(odata_filter_match(f, e));
        json_decref(e);
    } else {
        assert_null(f);
        if (strstr(err, "expression nested too deeply (limit 100)") == NULL) {
            fail_msg("%zu x '%s': %s", times, open, err);
        }
    }
    odata_filter_free(f);
    free(text);
}

static void test_depth_limits(void **state)
{
    (void) state;
    check_depth("(", 100, "State eq 1", ")", "", true);
    check_depth("(", 101, "State eq 1", ")", "", false);
    check_depth("(", 4000, "x", ")", "", false);     /* refused on the way down: no deep recursion */
    check_depth("not ", 97, "not true", "", "", true);   /* tree height 99 */
    check_depth("not ", 150, "true", "", "", false);
    check_depth("-", 98, " 1", "", " eq 1", true);       /* height 100 ("-1" would be one literal) */
    check_depth("-", 99, " 1", "", " eq -1", false);     /* height 101 */
    check_depth("tolower(", 98, "'B'", ")", " eq 'b'", true);
    check_depth("tolower(", 99, "'B'", ")", " eq 'b'", false);
    check_depth("0 add ", 98, "State", "", " eq 1", true);
    check_depth("0 add ", 99, "State", "", " eq 1", false);
    /* long flat conjunctions and disjunctions are not deep */
    check_depth("State eq 9 or ", 500, "State eq 1", "", "", true);
    check_depth("true and ", 900, "State eq 1", "", "", true);
    char *ands = repeat("true and ", 900, "State eq 2", "");
    assert_false(matches_json(ands, ASSET));
    free(ands);
}

static void test_length_limit(void **state)
{
    (void) state;
    char err[256];
    char *text = malloc(ODATA_QUERY_MAX_LENGTH + 2);
    assert_non_null(text);
    /* Name eq 'aaaa…' of exactly the limit parses */
    memset(text, 'a', ODATA_QUERY_MAX_LENGTH + 1);
    memcpy(text, "Name eq '", 9);
    text[ODATA_QUERY_MAX_LENGTH - 1] = '\'';
    text[ODATA_QUERY_MAX_LENGTH] = '\0';
    odata_filter_t *f = odata_filter_parse(text, err, sizeof(err));
    assert_non_null(f);
    odata_filter_free(f);
    /* one byte more does not */
    text[ODATA_QUERY_MAX_LENGTH - 1] = 'a';
    text[ODATA_QUERY_MAX_LENGTH] = '\'';
    text[ODATA_QUERY_MAX_LENGTH + 1] = '\0';
    assert_null(odata_filter_parse(text, err, sizeof(err)));
    assert_string_equal(err, "$filter too long (more than 8192 bytes)");
    assert_null(odata_orderby_parse(text, err, sizeof(err)));
    assert_string_equal(err, "$orderby too long (more than 8192 bytes)");
    assert_null(odata_select_parse(text, err, sizeof(err)));
    assert_string_equal(err, "$select too long (more than 8192 bytes)");
    free(text);
}

/* ---- property walks ---- */

typedef struct {
    char names[256];
    int stop_after;
    int seen;
} walk_t;

static int collect(const char *name, void *arg)
{
    walk_t *w = arg;
    strcat(w->names, name);
    strcat(w->names, ";");
    return ++w->seen == w->stop_after ? 42 : 0;
}

static void test_filter_properties(void **state)
{
    (void) state;
    char err[256];
    odata_filter_t *f = odata_filter_parse(
        "Name eq 'x' or (startswith(Storage/Account, 'a') and not State gt length(Name))", err, sizeof(err));
    assert_non_null(f);
    walk_t all = { "", 0, 0 };
    assert_int_equal(odata_filter_foreach_property(f, collect, &all), 0);
    assert_string_equal(all.names, "Name;Storage/Account;State;Name;");
    walk_t two = { "", 2, 0 };
    assert_int_equal(odata_filter_foreach_property(f, collect, &two), 42);
    assert_string_equal(two.names, "Name;Storage/Account;");
    odata_filter_free(f);
    f = odata_filter_parse("true", err, sizeof(err));
    walk_t none = { "", 0, 0 };
    assert_int_equal(odata_filter_foreach_property(f, collect, &none), 0);
    assert_int_equal(none.seen, 0);
    odata_filter_free(f);
}

/* ---- datetime text ---- */

static void test_datetime_parse(void **state)
{
    (void) state;
    int64_t t = -1;
    assert_true(odata_datetime_parse("1970-01-01T00:00:00Z", 20, &t));
    assert_int_equal(t, 0);
    assert_true(odata_datetime_parse("2015-01-01T00:00:00.000Z", 24, &t));
    assert_int_equal(t, 1420070400LL * ODATA_TICKS_PER_SECOND);
    assert_true(odata_datetime_parse("2015-01-01T00:00:00.123456789", 29, &t));
    assert_int_equal(t, 1420070400LL * ODATA_TICKS_PER_SECOND + 1234567);
    assert_true(odata_datetime_parse("1969-12-31T23:59:59Z", 20, &t));
    assert_int_equal(t, -ODATA_TICKS_PER_SECOND);
    assert_true(odata_datetime_parse("2016-02-29", 10, &t));
    assert_false(odata_datetime_parse("2015-02-29", 10, &t));
    assert_false(odata_datetime_parse("1900-02-29", 10, &t));
    assert_true(odata_datetime_parse("2000-02-29", 10, &t));
    assert_false(odata_datetime_parse("2015-01-01T24:00:00", 19, &t));
    assert_false(odata_datetime_parse("2015-01-01T00:60", 16, &t));
    assert_false(odata_datetime_parse("2015-01-01T00:00:00.", 20, &t));
    assert_false(odata_datetime_parse("2015-01-01T00:00:00ZZ", 21, &t));
    assert_false(odata_datetime_parse("2015-01-01T", 11, &t));
    assert_false(odata_datetime_parse("2015-1-01", 9, &t));
    assert_false(odata_datetime_parse("0000-01-01", 10, &t));
    assert_false(odata_datetime_parse("2015-01-01T00:00:00+1:00", 24, &t));
    assert_true(odata_datetime_parse("9999-12-31T23:59:59.9999999Z", 28, &t));
    odata_datetime_fields_t f;
    odata_datetime_split(t, &f);
    assert_int_equal(f.year, 9999);
    assert_int_equal(f.month, 12);
    assert_int_equal(f.day, 31);
    assert_int_equal(f.second, 59);
    assert_true(odata_datetime_parse("0001-01-01", 10, &t));
    odata_datetime_split(t, &f);
    assert_int_equal(f.year, 1);
    assert_int_equal(f.month, 1);
    assert_int_equal(f.day, 1);
    assert_true(odata_datetime_parse("1969-12-31T23:59:59.5Z", 22, &t));
    odata_datetime_split(t, &f);
    assert_int_equal(f.year, 1969);
    assert_int_equal(f.hour, 23);
    assert_int_equal(f.second, 59);
}

/* ---- $orderby ---- */

static void orderby_rejected(const char *text, const char *message)
{
    char err[256] = "";
    odata_orderby_t *o = odata_orderby_parse(text, err, sizeof(err));
    if (o != NULL) {
        odata_orderby_free(o);
        fail_msg("%s: parsed", text);
    }
    if (strcmp(err, message) != 0) {
        fail_msg("%s:\n  got      \"%s\"\n  expected \"%s\"", text, err, message);
    }
}

static void test_orderby_parse(void **state)
{
    (void) state;
    char err[256];
    odata_orderby_t *o = odata_orderby_parse(" Name desc , Storage/Account,Created asc ", err, sizeof(err));
    assert_non_null(o);
    walk_t w = { "", 0, 0 };
    assert_int_equal(odata_orderby_foreach_property(o, collect, &w), 0);
    assert_string_equal(w.names, "Name;Storage/Account;Created;");
    odata_orderby_free(o);
    orderby_rejected("", "syntax error at position 0: expected a property name but found end of input");
    orderby_rejected("Name,", "syntax error at position 5: expected a property name but found end of input");
    orderby_rejected(",Name", "syntax error at position 0: expected a property name but found ','");
    orderby_rejected("Name sideways",
                     "syntax error at position 5: expected 'asc', 'desc', ',' or the end but found 'sideways'");
    orderby_rejected("Name desc desc",
                     "syntax error at position 10: expected 'asc', 'desc', ',' or the end but found 'desc'");
    orderby_rejected("length(Name)",
                     "syntax error at position 6: expected 'asc', 'desc', ',' or the end but found '('");
    orderby_rejected("Name/", "syntax error at position 5: expected a property name after '/' but found end of input");
    orderby_rejected("'Name'", "syntax error at position 0: expected a property name but found ''Name''");
    char *many = repeat("A,", 32, "B", "");
    orderby_rejected(many, "syntax error at position 64: too many $orderby keys (limit 32)");
    free(many);
    many = repeat("A,", 31, "B", "");
    o = odata_orderby_parse(many, err, sizeof(err));
    assert_non_null(o);
    odata_orderby_free(o);
    free(many);
}

static const odata_orderby_t *sort_order;

static int qsort_compare(const void *a, const void *b)
{
    return odata_orderby_compare(sort_order, *(json_t *const *) a, *(json_t *const *) b);
}

/* Sorts the entities of a JSON array by orderby and returns their "Id"s joined by ','. */
static void sorted_ids(const char *orderby, const char *array, char *out, size_t outlen)
{
    char err[256];
    json_t *list = load(array);
    size_t n = json_array_size(list);
    json_t **items = calloc(n ? n : 1, sizeof(*items));
    odata_orderby_t *o = odata_orderby_parse(orderby, err, sizeof(err));
    if (o == NULL) {
        fail_msg("%s: %s", orderby, err);
    }
    for (size_t i = 0; i < n; i++) {
        items[i] = json_array_get(list, i);
    }
    sort_order = o;
    qsort(items, n, sizeof(*items), qsort_compare);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        snprintf(out + strlen(out), outlen - strlen(out), "%s%s", i ? "," : "",
                 json_string_value(json_object_get(items[i], "Id")));
    }
    /* a consistent comparator: antisymmetric, reflexive */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(odata_orderby_compare(o, items[i], items[i]), 0);
        for (size_t j = 0; j < n; j++) {
            int ab = odata_orderby_compare(o, items[i], items[j]), ba = odata_orderby_compare(o, items[j], items[i]);
            assert_int_equal((ab > 0) - (ab < 0), -((ba > 0) - (ba < 0)));
        }
    }
    odata_orderby_free(o);
    free(items);
    json_decref(list);
}

#define ASSERT_SORTED(orderby, array, expected)                                           \
    do {                                                                                  \
        char ids_[256];                                                                   \
        sorted_ids(orderby, array, ids_, sizeof(ids_));                                   \
        if (strcmp(ids_, expected) != 0) {                                                \
            fail_msg("$orderby=%s: got %s, expected %s", orderby, ids_, expected);         \
        }                                                                                 \
    } while (0)

static void test_orderby_multi_key(void **state)
{
    (void) state;
    const char *list =
        "[{\"Id\":\"a\",\"Name\":\"x\",\"State\":2},"
        " {\"Id\":\"b\",\"Name\":\"y\",\"State\":1},"
        " {\"Id\":\"c\",\"Name\":\"x\",\"State\":1},"
        " {\"Id\":\"d\",\"Name\":\"y\",\"State\":3}]";
    ASSERT_SORTED("Name", list, "a,c,b,d");      /* ties keep no particular order: check with a 2nd key */
    ASSERT_SORTED("Name, State", list, "c,a,b,d");
    ASSERT_SORTED("Name desc, State", list, "b,d,c,a");
    ASSERT_SORTED("Name asc, State desc", list, "a,c,d,b");
    ASSERT_SORTED("State desc", list, "d,a,b,c");
    ASSERT_SORTED("State,Name desc", list, "b,c,a,d");
}

static void test_orderby_values(void **state)
{
    (void) state;
    /* Int64 strings numerically; nulls and missing first ascending */
    const char *sizes =
        "[{\"Id\":\"ten\",\"Size\":\"10\"},{\"Id\":\"nine\",\"Size\":\"9\"},"
        " {\"Id\":\"null\",\"Size\":null},{\"Id\":\"big\",\"Size\":\"9223372036854775807\"},"
        " {\"Id\":\"real\",\"Size\":9.5},{\"Id\":\"neg\",\"Size\":-1}]";
    ASSERT_SORTED("Size", sizes, "null,neg,nine,real,ten,big");
    ASSERT_SORTED("Size desc", sizes, "big,ten,real,nine,neg,null");
    /* dates by instant whatever their format */
    const char *dates =
        "[{\"Id\":\"d1\",\"At\":\"2015-01-01T00:00:00.500Z\"},"
        " {\"Id\":\"d2\",\"At\":\"2015-01-01T00:00:00Z\"},"
        " {\"Id\":\"d3\",\"At\":\"2014-12-31T23:00:00-02:00\"},"
        " {\"Id\":\"d4\",\"At\":\"2014-12-31T23:59:59.9Z\"}]";
    ASSERT_SORTED("At", dates, "d4,d2,d1,d3");
    /* strings byte-wise; mixed kinds by kind: null, bool, number, date, string, object */
    const char *mixed =
        "[{\"Id\":\"s\",\"V\":\"b\"},{\"Id\":\"S\",\"V\":\"B\"},{\"Id\":\"o\",\"V\":{}},"
        " {\"Id\":\"t\",\"V\":true},{\"Id\":\"f\",\"V\":false},{\"Id\":\"n\",\"V\":3},"
        " {\"Id\":\"d\",\"V\":\"2015-01-01\"},{\"Id\":\"m\"}]";
    ASSERT_SORTED("V", mixed, "m,f,t,n,d,S,s,o");
    ASSERT_SORTED("V desc", mixed, "o,s,S,d,n,t,f,m");
    /* complex paths */
    const char *nested =
        "[{\"Id\":\"1\",\"St\":{\"A\":\"z\"}},{\"Id\":\"2\",\"St\":{\"A\":\"a\"}},{\"Id\":\"3\",\"St\":5}]";
    ASSERT_SORTED("St/A", nested, "3,2,1");
    /* exact integer/real order */
    const char *close =
        "[{\"Id\":\"i\",\"V\":9007199254740993},{\"Id\":\"r\",\"V\":9007199254740992.0}]";
    ASSERT_SORTED("V", close, "r,i");
}

/* ---- $select ---- */

static void select_rejected(const char *text, const char *message)
{
    char err[256] = "";
    odata_select_t *s = odata_select_parse(text, err, sizeof(err));
    if (s != NULL) {
        odata_select_free(s);
        fail_msg("%s: parsed", text);
    }
    if (strcmp(err, message) != 0) {
        fail_msg("%s:\n  got      \"%s\"\n  expected \"%s\"", text, err, message);
    }
}

static char *selected(const char *text)
{
    char err[256];
    odata_select_t *s = odata_select_parse(text, err, sizeof(err));
    if (s == NULL) {
        fail_msg("%s: %s", text, err);
    }
    json_t *entity = load("{\"Id\":\"a\",\"Name\":\"n\",\"State\":1,\"Storage\":{\"A\":1}}");
    json_t *out = odata_select_apply(s, entity);
    assert_non_null(out);
    assert_true(out != entity);
    char *dump = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(out);
    json_decref(entity);
    odata_select_free(s);
    return dump;
}

#define ASSERT_SELECTED(text, expected)                                            \
    do {                                                                           \
        char *got_ = selected(text);                                               \
        if (strcmp(got_, expected) != 0) {                                         \
            char msg_[512];                                                        \
            snprintf(msg_, sizeof(msg_), "$select=%s: got %s", text, got_);        \
            free(got_);                                                            \
            fail_msg("%s, expected %s", msg_, expected);                           \
        }                                                                          \
        free(got_);                                                                \
    } while (0)

static void test_select(void **state)
{
    (void) state;
    ASSERT_SELECTED("Id,Name", "{\"Id\":\"a\",\"Name\":\"n\"}");
    ASSERT_SELECTED(" Id , State ", "{\"Id\":\"a\",\"State\":1}");
    ASSERT_SELECTED("Storage", "{\"Storage\":{\"A\":1}}");
    ASSERT_SELECTED("Missing,Id", "{\"Id\":\"a\"}");
    ASSERT_SELECTED("Missing", "{}");
    ASSERT_SELECTED("*", "{\"Id\":\"a\",\"Name\":\"n\",\"State\":1,\"Storage\":{\"A\":1}}");
    ASSERT_SELECTED("Id,*", "{\"Id\":\"a\",\"Name\":\"n\",\"State\":1,\"Storage\":{\"A\":1}}");
    select_rejected("", "syntax error at position 0: expected a property name or '*' but found end of input");
    select_rejected(" ", "syntax error at position 1: expected a property name or '*' but found end of input");
    select_rejected("Id,", "syntax error at position 3: expected a property name or '*' but found end of input");
    select_rejected("Id,,Name", "syntax error at position 3: expected a property name or '*' but found ','");
    select_rejected("Id Name", "syntax error at position 3: expected ',' or the end but found 'Name'");
    select_rejected("Storage/A", "syntax error at position 7: expected ',' or the end but found '/'");
    select_rejected("Id;Name", "syntax error at position 2: unexpected character ';'");
    select_rejected(NULL, "$select is missing");
}

static void test_select_details(void **state)
{
    (void) state;
    char err[256];
    odata_select_t *s = odata_select_parse("Name,Id", err, sizeof(err));
    assert_non_null(s);
    assert_false(odata_select_is_all(s));
    walk_t w = { "", 0, 0 };
    assert_int_equal(odata_select_foreach_property(s, collect, &w), 0);
    assert_string_equal(w.names, "Name;Id;");
    walk_t one = { "", 1, 0 };
    assert_int_equal(odata_select_foreach_property(s, collect, &one), 42);
    json_t *arr = json_array();
    assert_null(odata_select_apply(s, arr));
    json_decref(arr);
    /* the result is a new object: changing it leaves the entity alone */
    json_t *entity = load("{\"Id\":\"a\",\"Name\":\"n\"}");
    json_t *out = odata_select_apply(s, entity);
    json_object_set_new(out, "__metadata", json_object());
    assert_null(json_object_get(entity, "__metadata"));
    json_decref(out);
    odata_select_free(s);
    s = odata_select_parse("*", err, sizeof(err));
    assert_true(odata_select_is_all(s));
    out = odata_select_apply(s, entity);
    assert_true(out != entity);
    json_object_del(out, "Id");
    assert_non_null(json_object_get(entity, "Id"));
    json_decref(out);
    json_decref(entity);
    odata_select_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comparison_operators),
        cmocka_unit_test(test_logical_operators),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_string_literals),
        cmocka_unit_test(test_number_literals),
        cmocka_unit_test(test_keyword_literals),
        cmocka_unit_test(test_datetime_literals),
        cmocka_unit_test(test_guid_literals),
        cmocka_unit_test(test_int64_strings),
        cmocka_unit_test(test_integer_real_comparison),
        cmocka_unit_test(test_nulls_and_missing),
        cmocka_unit_test(test_complex_properties),
        cmocka_unit_test(test_type_mismatches),
        cmocka_unit_test(test_string_functions),
        cmocka_unit_test(test_date_functions),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_function_errors),
        cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_error_buffer_handling),
        cmocka_unit_test(test_depth_limits),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_filter_properties),
        cmocka_unit_test(test_datetime_parse),
        cmocka_unit_test(test_orderby_parse),
        cmocka_unit_test(test_orderby_multi_key),
        cmocka_unit_test(test_orderby_values),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_select_details),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
