/*
 * test_job_graph.c — the job-body library: TaskBody parsing (single and
 * multiple inputs/outputs, whitespace, attributes, the .NET SDK's utf-16
 * declaration, malformed XML, DTD/entity attacks, size limits), job graphs
 * (chaining, run order, cycles, gaps, duplicates, out-of-range indexes,
 * limits), rendering and round trips, JobTemplateBody and default output
 * names.  Inputs sit in exact-size buffers (no NUL) so ASan sees over-reads.
 */
#include "../unit/unit_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jobs/job_error.h"
#include "jobs/job_graph.h"
#include "jobs/job_template_body.h"
#include "jobs/task_body.h"

static task_body_t bodies[JOB_MAX_TASKS + 1];
static task_body_t reparsed;
static job_template_body_t tmpl;
static job_graph_t graph;
static char err[JOB_ERR_LEN];
static char rendered[TASK_BODY_RENDER_MAX];

/* ---- helpers ------------------------------------------------------------ */

static int parse_into(const char *xml, size_t len, task_body_t *body)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, xml, len);
    err[0] = '\0';
    int rc = task_body_parse(copy, len, body, err, sizeof(err));
    free(copy);
    return rc;
}

static void parse_ok(const char *xml, task_body_t *body)
{
    if (parse_into(xml, strlen(xml), body) != 0) {
        fail_msg("rejected (%s): %s", err, xml);
    }
}

static void expect_error(const char *reason, const char *what)
{
    if (strstr(err, reason) == NULL) {
        fail_msg("reason \"%s\", expected \"%s\" for %s", err, reason, what);
    }
}

static void rejected_len(const char *xml, size_t len, const char *reason)
{
    if (parse_into(xml, len, &bodies[0]) == 0) {
        fail_msg("accepted: %.*s", (int)(len > 200 ? 200 : len), xml);
    }
    expect_error(reason, xml);
}

static void rejected(const char *xml, const char *reason)
{
    rejected_len(xml, strlen(xml), reason);
}

/* Parses xmls[0..count-1] into bodies and builds the graph. */
static int build(uint32_t inputs, const char *const *xmls, uint32_t count)
{
    const task_body_t *tasks[JOB_MAX_TASKS + 1];
    for (uint32_t t = 0; t < count; t++) {
        parse_ok(xmls[t], &bodies[t]);
        tasks[t] = &bodies[t];
    }
    err[0] = '\0';
    return job_graph_build(inputs, tasks, count, &graph, err, sizeof(err));
}

static void build_ok(uint32_t inputs, const char *const *xmls, uint32_t count)
{
    if (build(inputs, xmls, count) != 0) {
        fail_msg("graph rejected: %s", err);
    }
}

static void build_rejected(uint32_t inputs, const char *const *xmls, uint32_t count,
                           const char *reason)
{
    if (build(inputs, xmls, count) == 0) {
        fail_msg("graph accepted, expected \"%s\"", reason);
    }
    if (strcmp(err, reason) != 0) {
        fail_msg("reason \"%s\", expected \"%s\"", err, reason);
    }
}

static void assert_order(const uint32_t *expected, uint32_t count)
{
    assert_int_equal(graph.task_count, count);
    for (uint32_t i = 0; i < count; i++) {
        if (graph.order[i] != expected[i]) {
            fail_msg("order[%u] = %u, expected %u", i, graph.order[i], expected[i]);
        }
    }
}

static void assert_ref(const task_asset_t *a, task_asset_role_t role, job_asset_kind_t kind,
                       uint32_t index)
{
    assert_int_equal(a->role, role);
    assert_int_equal(a->ref.kind, kind);
    assert_int_equal(a->ref.index, index);
}

/* a task body reading `in` and writing `out` (asset reference texts) */
static const char *body_of(char *buf, size_t cap, const char *in, const char *out)
{
    snprintf(buf, cap, "<taskBody><inputAsset>%s</inputAsset><outputAsset>%s</outputAsset>"
             "</taskBody>", in, out);
    return buf;
}

static const char spec_body[] =
    "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetName=\"x\" "
    "assetCreationOptions=\"0\" assetFormatOption=\"0\" storageAccountName=\"acct\">"
    "JobOutputAsset(0)</outputAsset></taskBody>";

/* ---- TaskBody ----------------------------------------------------------- */

static void test_single_task(void **state)
{
    (void)state;
    const char *xmls[] = { spec_body };
    build_ok(1, xmls, 1);
    task_body_t *b = &bodies[0];
    assert_int_equal(b->count, 2);
    assert_ref(&b->assets[0], TASK_ASSET_INPUT, JOB_INPUT_ASSET, 0);
    assert_ref(&b->assets[1], TASK_ASSET_OUTPUT, JOB_OUTPUT_ASSET, 0);
    assert_string_equal(b->assets[1].name, "x");
    assert_string_equal(b->assets[1].storage_account, "acct");
    assert_true(b->assets[1].has_creation_options);
    assert_int_equal(b->assets[1].creation_options, ASSET_CREATION_NONE);
    assert_true(b->assets[1].has_format_option);
    assert_int_equal(b->assets[1].format_option, ASSET_FORMAT_NONE);
    assert_int_equal(graph.input_count, 1);
    assert_int_equal(graph.output_count, 1);
    assert_int_equal(graph.producer[0], 0);
    assert_int_equal(graph.producer_slot[0], 1);
    assert_int_equal(graph.depends_on[0], 0);
    assert_int_equal(graph.stage[0], 0);
    const uint32_t order[] = { 0 };
    assert_order(order, 1);
}

static void test_multiple_inputs_and_outputs(void **state)
{
    (void)state;
    const char *xmls[] = {
        "<taskBody><inputAsset>JobInputAsset(2)</inputAsset>"
        "<outputAsset>JobOutputAsset(1)</outputAsset>"
        "<inputAsset>JobInputAsset(0)</inputAsset><inputAsset>JobInputAsset(1)</inputAsset>"
        "<outputAsset assetName='second'>JobOutputAsset(0)</outputAsset></taskBody>",
    };
    build_ok(3, xmls, 1);
    const task_body_t *b = &bodies[0];
    assert_int_equal(b->count, 5);
    assert_ref(&b->assets[0], TASK_ASSET_INPUT, JOB_INPUT_ASSET, 2);
    assert_ref(&b->assets[1], TASK_ASSET_OUTPUT, JOB_OUTPUT_ASSET, 1);
    assert_ref(&b->assets[2], TASK_ASSET_INPUT, JOB_INPUT_ASSET, 0);
    assert_ref(&b->assets[3], TASK_ASSET_INPUT, JOB_INPUT_ASSET, 1);
    assert_ref(&b->assets[4], TASK_ASSET_OUTPUT, JOB_OUTPUT_ASSET, 0);
    assert_int_equal(task_body_count(b, TASK_ASSET_INPUT), 3);
    assert_int_equal(task_body_count(b, TASK_ASSET_OUTPUT), 2);
    assert_int_equal(graph.output_count, 2);
    assert_int_equal(graph.producer_slot[0], 4);
    assert_int_equal(graph.producer_slot[1], 1);
    const task_body_t *tasks[] = { &bodies[0] };
    const task_asset_t *out0 = job_graph_output(&graph, tasks, 0);
    assert_non_null(out0);
    assert_string_equal(out0->name, "second");
    assert_null(job_graph_output(&graph, tasks, 2));
    /* the same job input twice is allowed */
    const char *twice[] = {
        "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><inputAsset>JobInputAsset(0)"
        "</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>",
    };
    build_ok(1, twice, 1);
}

static void test_whitespace(void **state)
{
    (void)state;
    parse_ok("\n  <taskBody>\n\t<inputAsset>\n   JobInputAsset(3)\t\r\n</inputAsset>\n"
             "  <!-- a comment -->\n  <outputAsset assetCreationOptions=\" 1 \" "
             "assetFormatOption=\"\t1\n\">  JobOutputAsset(0)  </outputAsset>\n</taskBody>\n\n",
             &bodies[0]);
    assert_int_equal(bodies[0].count, 2);
    assert_ref(&bodies[0].assets[0], TASK_ASSET_INPUT, JOB_INPUT_ASSET, 3);
    assert_int_equal(bodies[0].assets[1].creation_options, 1);
    assert_int_equal(bodies[0].assets[1].format_option, 1);
    /* CDATA and character references are text like any other */
    parse_ok("<taskBody><inputAsset><![CDATA[JobInputAsset(]]>4)</inputAsset>"
             "<outputAsset>Job&#79;utputAsset(0)</outputAsset></taskBody>", &bodies[0]);
    assert_int_equal(bodies[0].assets[0].ref.index, 4);
    /* leading zeros are a number like another */
    parse_ok("<taskBody><inputAsset>JobInputAsset(007)</inputAsset>"
             "<outputAsset>JobOutputAsset(0)</outputAsset></taskBody>", &bodies[0]);
    assert_int_equal(bodies[0].assets[0].ref.index, 7);
    /* but not inside the reference */
    char buf[256];
    rejected(body_of(buf, sizeof(buf), "JobInputAsset( 0)", "JobOutputAsset(0)"),
             "<inputAsset> \"JobInputAsset( 0)\" is not JobInputAsset(i) or JobOutputAsset(j)");
    rejected(body_of(buf, sizeof(buf), "JobInputAsset (0)", "JobOutputAsset(0)"),
             "is not JobInputAsset(i)");
    rejected(body_of(buf, sizeof(buf), "JobInputAsset(0) x", "JobOutputAsset(0)"),
             "is not JobInputAsset(i)");
    rejected(body_of(buf, sizeof(buf), "jobinputasset(0)", "JobOutputAsset(0)"),
             "is not JobInputAsset(i)");
    rejected(body_of(buf, sizeof(buf), "JobInputAsset(-1)", "JobOutputAsset(0)"),
             "is not JobInputAsset(i)");
    rejected(body_of(buf, sizeof(buf), "JobInputAsset()", "JobOutputAsset(0)"),
             "is not JobInputAsset(i)");
    rejected(body_of(buf, sizeof(buf), " \n ", "JobOutputAsset(0)"),
             "TaskBody: <inputAsset> is empty; expected JobInputAsset(i) or JobOutputAsset(j)");
}

static void test_attributes(void **state)
{
    (void)state;
    static const uint32_t creation[] = { 0, 1, 2, 4 };
    char buf[512];
    for (size_t i = 0; i < sizeof(creation) / sizeof(creation[0]); i++) {
        snprintf(buf, sizeof(buf), "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
                 "<outputAsset assetCreationOptions='%u'>JobOutputAsset(0)</outputAsset>"
                 "</taskBody>", creation[i]);
        parse_ok(buf, &bodies[0]);
        assert_true(bodies[0].assets[1].has_creation_options);
        assert_int_equal(bodies[0].assets[1].creation_options, creation[i]);
    }
    static const char *const bad_creation[] = { "3", "8", "-1", "abc", "", "1 2", "0x1" };
    for (size_t i = 0; i < sizeof(bad_creation) / sizeof(bad_creation[0]); i++) {
        snprintf(buf, sizeof(buf), "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
                 "<outputAsset assetCreationOptions='%s'>JobOutputAsset(0)</outputAsset>"
                 "</taskBody>", bad_creation[i]);
        char reason[200];
        snprintf(reason, sizeof(reason), "TaskBody: assetCreationOptions of JobOutputAsset(0) "
                 "is \"%s\"; expected 0 (None), 1 (StorageEncrypted), 2 "
                 "(CommonEncryptionProtected) or 4 (EnvelopeEncryptionProtected)", bad_creation[i]);
        rejected(buf, reason);
    }
    rejected("<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset "
             "assetFormatOption='2'>JobOutputAsset(0)</outputAsset></taskBody>",
             "assetFormatOption of JobOutputAsset(0) is \"2\"; expected 0 (None) or 1 "
             "(AdaptiveStreaming)");
    /* absent attributes; unknown ones and those of <inputAsset> ignored */
    parse_ok("<taskBody><inputAsset assetName='ignored'>JobInputAsset(0)</inputAsset>"
             "<outputAsset future='1'>JobOutputAsset(0)</outputAsset></taskBody>", &bodies[0]);
    assert_string_equal(bodies[0].assets[0].name, "");
    const task_asset_t *out = &bodies[0].assets[1];
    assert_string_equal(out->name, "");
    assert_string_equal(out->storage_account, "");
    assert_false(out->has_creation_options);
    assert_false(out->has_format_option);
    /* escapes in names survive, as does non-ASCII text */
    parse_ok("<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetName="
             "\"a &amp; b &lt;c&gt; &quot;d&quot; 'e'&#10;f vid\xC3\xA9o\">JobOutputAsset(0)"
             "</outputAsset></taskBody>", &bodies[0]);
    assert_string_equal(bodies[0].assets[1].name, "a & b <c> \"d\" 'e'\nf vid\xC3\xA9o");
    /* length limits */
    char name[TASK_ASSET_NAME_MAX + 2];
    memset(name, 'n', sizeof(name));
    name[TASK_ASSET_NAME_MAX] = '\0';
    char big[1024];
    snprintf(big, sizeof(big), "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
             "<outputAsset assetName='%s'>JobOutputAsset(0)</outputAsset></taskBody>", name);
    parse_ok(big, &bodies[0]);
    assert_int_equal(strlen(bodies[0].assets[1].name), TASK_ASSET_NAME_MAX);
    name[TASK_ASSET_NAME_MAX] = 'n';
    name[TASK_ASSET_NAME_MAX + 1] = '\0';
    snprintf(big, sizeof(big), "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
             "<outputAsset assetName='%s'>JobOutputAsset(0)</outputAsset></taskBody>", name);
    rejected(big, "TaskBody: assetName of JobOutputAsset(0) is longer than 512 bytes");
    name[TASK_STORAGE_ACCOUNT_MAX + 1] = '\0';
    snprintf(big, sizeof(big), "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
             "<outputAsset storageAccountName='%s'>JobOutputAsset(0)</outputAsset></taskBody>",
             name);
    rejected(big, "TaskBody: storageAccountName of JobOutputAsset(0) is longer than 64 bytes");
}

static void test_structure(void **state)
{
    (void)state;
    rejected("<taskBody><inputAsset>JobInputAsset(0)</inputAsset></taskBody>",
             "TaskBody: no <outputAsset>; a task needs at least one output asset");
    rejected("<taskBody><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>",
             "TaskBody: no <inputAsset>; a task needs at least one input asset");
    rejected("<taskBody/>", "TaskBody: no <inputAsset>");
    rejected("<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>"
             "JobInputAsset(1)</outputAsset></taskBody>",
             "TaskBody: <outputAsset> JobInputAsset(1): an output must be JobOutputAsset(j)");
    rejected("<TaskBody><inputAsset>JobInputAsset(0)</inputAsset></TaskBody>",
             "TaskBody: the document element is <TaskBody>, expected <taskBody>");
    rejected("<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>"
             "JobOutputAsset(0)</outputAsset><configuration/></taskBody>",
             "TaskBody: unexpected element <configuration> in <taskBody>; a task body holds "
             "only <inputAsset> and <outputAsset>");
    rejected("<taskBody>stray<inputAsset>JobInputAsset(0)</inputAsset></taskBody>",
             "TaskBody: unexpected text \"stray\" in <taskBody>");
    rejected("<taskBody><inputAsset><b>JobInputAsset(0)</b></inputAsset></taskBody>",
             "TaskBody: unexpected element <b> in <inputAsset>");
    /* long element names are quoted cut short, at a character boundary */
    char buf[512];
    char name[200];
    memset(name, 'x', sizeof(name));
    name[JOB_ERR_QUOTE_MAX - 1] = '\xC3';
    name[JOB_ERR_QUOTE_MAX] = '\xA9';
    name[sizeof(name) - 1] = '\0';
    snprintf(buf, sizeof(buf), "<taskBody><%s/></taskBody>", name);
    name[JOB_ERR_QUOTE_MAX - 1] = '\0';
    char reason[300];
    snprintf(reason, sizeof(reason), "unexpected element <%s\xE2\x80\xA6>", name);
    rejected(buf, reason);
}

static void test_index_limits(void **state)
{
    (void)state;
    char buf[256];
    parse_ok(body_of(buf, sizeof(buf), "JobInputAsset(99)", "JobOutputAsset(99)"), &bodies[0]);
    assert_int_equal(bodies[0].assets[1].ref.index, 99);
    rejected(body_of(buf, sizeof(buf), "JobInputAsset(100)", "JobOutputAsset(0)"),
             "TaskBody: <inputAsset> JobInputAsset(100): the index must be below 100");
    rejected(body_of(buf, sizeof(buf), "JobInputAsset(0)", "JobOutputAsset(99999999999999999999)"),
             "TaskBody: <outputAsset> JobOutputAsset(99999999999999999999): the index must be "
             "below 100");
}

static void test_asset_limit_per_task(void **state)
{
    (void)state;
    static char buf[8192];
    for (int assets = JOB_MAX_ASSETS_PER_TASK; assets <= JOB_MAX_ASSETS_PER_TASK + 1; assets++) {
        size_t n = (size_t)snprintf(buf, sizeof(buf), "<taskBody><inputAsset>JobInputAsset(0)"
                                    "</inputAsset>");
        for (int j = 0; j < assets - 1; j++) {
            n += (size_t)snprintf(buf + n, sizeof(buf) - n,
                                  "<outputAsset>JobOutputAsset(%d)</outputAsset>", j);
        }
        snprintf(buf + n, sizeof(buf) - n, "</taskBody>");
        if (assets == JOB_MAX_ASSETS_PER_TASK) {
            parse_ok(buf, &bodies[0]);
            assert_int_equal(bodies[0].count, JOB_MAX_ASSETS_PER_TASK);
        } else {
            rejected(buf, "TaskBody: more than 50 <inputAsset>/<outputAsset> elements; the limit "
                     "is 50 assets per task");
        }
    }
}

/* A valid body padded with a comment to exactly `chars` characters, the
 * padding made of `pad` (1 or 2 bytes per character). */
static char *padded_body(size_t chars, const char *pad, size_t *len)
{
    static const char head[] = "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>"
                               "JobOutputAsset(0)</outputAsset><!--";
    static const char tail[] = "--></taskBody>";
    size_t fixed = sizeof(head) - 1 + sizeof(tail) - 1;
    size_t pad_chars = chars - fixed, pad_bytes = strlen(pad);
    *len = fixed + pad_chars * pad_bytes;
    char *xml = malloc(*len);
    assert_non_null(xml);
    memcpy(xml, head, sizeof(head) - 1);
    for (size_t i = 0; i < pad_chars; i++) {
        memcpy(xml + sizeof(head) - 1 + i * pad_bytes, pad, pad_bytes);
    }
    memcpy(xml + *len - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
    return xml;
}

static void test_size_limit(void **state)
{
    (void)state;
    size_t len;
    char *xml = padded_body(TASK_BODY_MAX_CHARS, "x", &len);
    assert_int_equal(parse_into(xml, len, &bodies[0]), 0);
    free(xml);
    xml = padded_body(TASK_BODY_MAX_CHARS, "\xC3\xA9", &len);   /* more bytes, same characters */
    assert_true(len > TASK_BODY_MAX_CHARS);
    if (parse_into(xml, len, &bodies[0]) != 0) {
        fail_msg("rejected: %s", err);
    }
    free(xml);
    xml = padded_body(TASK_BODY_MAX_CHARS + 1, "x", &len);
    rejected_len(xml, len, "TaskBody is longer than 100000 characters");
    free(xml);
}

static void test_utf16_declaration(void **state)
{
    (void)state;
    parse_ok("<?xml version=\"1.0\" encoding=\"utf-16\"?><taskBody><inputAsset>JobInputAsset(0)"
             "</inputAsset><outputAsset assetName=\"vid\xC3\xA9o\">JobOutputAsset(0)</outputAsset>"
             "</taskBody>", &bodies[0]);
    assert_string_equal(bodies[0].assets[1].name, "vid\xC3\xA9o");
    /* with a UTF-8 byte order mark, and with other labels: always read as UTF-8 */
    parse_ok("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-16\"?><taskBody><inputAsset>"
             "JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset>"
             "</taskBody>", &bodies[0]);
    parse_ok("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><taskBody><inputAsset>"
             "JobInputAsset(0)</inputAsset><outputAsset assetName=\"\xC3\xA9\">JobOutputAsset(0)"
             "</outputAsset></taskBody>", &bodies[0]);
    assert_string_equal(bodies[0].assets[1].name, "\xC3\xA9");
}

static void test_malformed_xml(void **state)
{
    (void)state;
    rejected("", "TaskBody is empty");
    rejected(" \r\n\t", "TaskBody is empty");
    rejected("hello", "TaskBody is not well-formed XML: line 1: Start tag expected");
    rejected("<taskBody><inputAsset>JobInputAsset(0)</taskBody>",
             "TaskBody is not well-formed XML: line 1: Opening and ending tag mismatch: "
             "inputAsset line 1 and taskBody");
    rejected("<taskBody>\n<inputAsset>JobInputAsset(0)</inputAsset>\n<outputAsset>",
             "TaskBody is not well-formed XML: line 3:");
    rejected("<taskBody><inputAsset>JobInputAsset(0)</inputAsset></taskBody><taskBody/>",
             "TaskBody is not well-formed XML: line 1: Extra content at the end of the document");
    rejected("<taskBody a='1' a='2'/>", "Attribute a redefined");
    rejected("<taskBody><x:inputAsset>JobInputAsset(0)</x:inputAsset></taskBody>",
             "TaskBody is not well-formed XML: line 1: Namespace prefix x on inputAsset is not "
             "defined");
    rejected("<taskBody><inputAsset>JobInputAsset(0)\xC3\x28</inputAsset></taskBody>",
             "TaskBody is not valid UTF-8: line 1: bytes 0xC3 0x28 0x3C 0x2F");
    rejected_len("<taskBody>\0</taskBody>", 22, "TaskBody contains a NUL character");
    /* the messages are presentable: one line, valid UTF-8 */
    rejected("<taskBody><inputAsset>JobInputAsset(0)\xFF</inputAsset></taskBody>",
             "TaskBody is not valid UTF-8: line 1: bytes 0xFF 0x3C");
    assert_null(strchr(err, '\n'));
    assert_null(strchr(err, '\xFF'));
}

/* Runs fn with stderr sent to a temporary file; returns the bytes written there. */
static long stderr_bytes_during(void (*fn)(void))
{
    fflush(stderr);
    FILE *capture = tmpfile();
    assert_non_null(capture);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(capture), STDERR_FILENO) >= 0);
    fn();
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    assert_int_equal(fseek(capture, 0, SEEK_END), 0);
    long size = ftell(capture);
    fclose(capture);
    return size;
}

static void parse_bad_documents(void)
{
    static const char *const bad[] = {
        "<taskBody><inputAsset></taskBody>", "<a>&nope;</a>", "<a>\xC3\x28</a>",
        "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "<a><x:b/></a>", "\x4C\x6F\xA7\x94<a/>",
        "\xFF\xFE<\x01",
        "\xFF\xFE<a>\xD8\x41</a>",     /* UTF-16 by its BOM, a lone surrogate: an encoder error */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse_into(bad[i], strlen(bad[i]), &bodies[0]) == 0) {
            fail_msg("accepted %s", bad[i]);
        }
    }
}

static void test_nothing_printed(void **state)
{
    (void)state;
    assert_int_equal(stderr_bytes_during(parse_bad_documents), 0);
}

static const char billion_laughs[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE taskBody [\n"
    " <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
    "]>\n"
    "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
    "<outputAsset assetName=\"&lol9;\">JobOutputAsset(0)</outputAsset></taskBody>";

static void test_entity_expansion(void **state)
{
    (void)state;
    clock_t start = clock();
    rejected(billion_laughs, "TaskBody must not contain a DTD (<!DOCTYPE>)");
    assert_true(clock() - start < CLOCKS_PER_SEC);
    /* an entity that would make a valid body: still refused */
    rejected("<!DOCTYPE taskBody [<!ENTITY in \"JobInputAsset(0)\">]><taskBody><inputAsset>&in;"
             "</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>",
             "TaskBody must not contain a DTD");
    /* external entities and DTDs: never loaded */
    rejected("<!DOCTYPE taskBody SYSTEM \"file:///etc/passwd\"><taskBody/>",
             "TaskBody must not contain a DTD");
    rejected("<!DOCTYPE taskBody [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><taskBody>"
             "<inputAsset>&x;</inputAsset></taskBody>", "TaskBody must not contain a DTD");
    /* entities that were never declared are an XML error */
    rejected("<taskBody><inputAsset>&lol9;</inputAsset></taskBody>",
             "TaskBody is not well-formed XML: line 1: Entity 'lol9' not defined");
    /* the five predefined ones are plain text */
    parse_ok("<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetName="
             "\"&lt;&gt;&amp;&apos;&quot;\">JobOutputAsset(0)</outputAsset></taskBody>",
             &bodies[0]);
    assert_string_equal(bodies[0].assets[1].name, "<>&'\"");
}

/* ---- job graph ---------------------------------------------------------- */

static void test_chaining_and_order(void **state)
{
    (void)state;
    char b0[256], b1[256], b2[256], b3[256];
    /* task 1 reads task 0's output; task 2 reads only job inputs: runs before task 1 */
    const char *xmls[] = {
        body_of(b0, sizeof(b0), "JobInputAsset(0)", "JobOutputAsset(0)"),
        body_of(b1, sizeof(b1), "JobOutputAsset(0)", "JobOutputAsset(1)"),
        body_of(b2, sizeof(b2), "JobInputAsset(1)", "JobOutputAsset(2)"),
    };
    build_ok(2, xmls, 3);
    assert_int_equal(graph.output_count, 3);
    assert_int_equal(graph.depends_on[0], 0);
    assert_int_equal(graph.depends_on[1], 1u << 0);
    assert_int_equal(graph.depends_on[2], 0);
    assert_int_equal(graph.stage[1], 1);
    const uint32_t order[] = { 0, 2, 1 };
    assert_order(order, 3);
    /* a task may read the output of a later task; stages before positions */
    const char *backwards[] = {
        body_of(b0, sizeof(b0), "JobOutputAsset(2)", "JobOutputAsset(0)"),
        body_of(b1, sizeof(b1), "JobOutputAsset(3)", "JobOutputAsset(1)"),
        body_of(b2, sizeof(b2), "JobInputAsset(0)", "JobOutputAsset(2)"),
        body_of(b3, sizeof(b3), "JobOutputAsset(0)", "JobOutputAsset(3)"),
    };
    build_ok(1, backwards, 4);
    const uint32_t order2[] = { 2, 0, 3, 1 };
    assert_order(order2, 4);
    assert_int_equal(graph.stage[1], 3);
    assert_int_equal(graph.producer[3], 3);
}

static void test_diamond(void **state)
{
    (void)state;
    const char *xmls[] = {
        "<taskBody><inputAsset>JobOutputAsset(1)</inputAsset><inputAsset>JobOutputAsset(2)"
        "</inputAsset><outputAsset>JobOutputAsset(3)</outputAsset></taskBody>",
        "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)"
        "</outputAsset></taskBody>",
        "<taskBody><inputAsset>JobOutputAsset(0)</inputAsset><outputAsset>JobOutputAsset(1)"
        "</outputAsset></taskBody>",
        "<taskBody><inputAsset>JobOutputAsset(0)</inputAsset><inputAsset>JobInputAsset(0)"
        "</inputAsset><outputAsset>JobOutputAsset(2)</outputAsset></taskBody>",
    };
    build_ok(1, xmls, 4);
    assert_int_equal(graph.depends_on[0], (1u << 2) | (1u << 3));
    const uint32_t order[] = { 1, 2, 3, 0 };
    assert_order(order, 4);
}

static void test_cycles(void **state)
{
    (void)state;
    char b0[256], b1[256], b2[256], b3[256];
    const char *two[] = {
        body_of(b0, sizeof(b0), "JobInputAsset(0)", "JobOutputAsset(0)"),
        body_of(b1, sizeof(b1), "JobOutputAsset(2)", "JobOutputAsset(1)"),
        body_of(b2, sizeof(b2), "JobOutputAsset(1)", "JobOutputAsset(2)"),
    };
    build_rejected(1, two, 3, "task graph has a cycle: tasks 1 \xE2\x86\x92 2 \xE2\x86\x92 1");
    /* 0 feeds 2, 2 feeds 3, 3 feeds 0; task 1 is fine */
    const char *three[] = {
        body_of(b0, sizeof(b0), "JobOutputAsset(3)", "JobOutputAsset(0)"),
        body_of(b1, sizeof(b1), "JobInputAsset(0)", "JobOutputAsset(1)"),
        body_of(b2, sizeof(b2), "JobOutputAsset(0)", "JobOutputAsset(2)"),
        body_of(b3, sizeof(b3), "JobOutputAsset(2)", "JobOutputAsset(3)"),
    };
    build_rejected(1, three, 4, "task graph has a cycle: tasks 0 \xE2\x86\x92 2 \xE2\x86\x92 3 "
                   "\xE2\x86\x92 0");
    /* a task reading its own output; a cycle behind a task that waits for it */
    const char *self[] = { body_of(b0, sizeof(b0), "JobOutputAsset(0)", "JobOutputAsset(0)") };
    build_rejected(1, self, 1, "task graph has a cycle: tasks 0 \xE2\x86\x92 0");
    const char *behind[] = {
        body_of(b0, sizeof(b0), "JobOutputAsset(1)", "JobOutputAsset(0)"),
        body_of(b1, sizeof(b1), "JobOutputAsset(2)", "JobOutputAsset(1)"),
        body_of(b2, sizeof(b2), "JobOutputAsset(1)", "JobOutputAsset(2)"),
    };
    build_rejected(1, behind, 3, "task graph has a cycle: tasks 1 \xE2\x86\x92 2 \xE2\x86\x92 1");
}

static void test_gaps(void **state)
{
    (void)state;
    char b0[256], b1[256];
    const char *gap[] = {
        body_of(b0, sizeof(b0), "JobInputAsset(0)", "JobOutputAsset(0)"),
        body_of(b1, sizeof(b1), "JobInputAsset(0)", "JobOutputAsset(2)"),
    };
    build_rejected(1, gap, 2, "JobOutputAsset(1) is missing: the output indexes must run 0..2 "
                   "without gaps");
    const char *no_zero[] = { body_of(b0, sizeof(b0), "JobInputAsset(0)", "JobOutputAsset(1)") };
    build_rejected(1, no_zero, 1, "JobOutputAsset(0) is missing: the output indexes must run 0..1 "
                   "without gaps");
}

static void test_duplicates(void **state)
{
    (void)state;
    char b0[256], b1[256], b2[256];
    const char *xmls[] = {
        body_of(b0, sizeof(b0), "JobInputAsset(0)", "JobOutputAsset(1)"),
        body_of(b1, sizeof(b1), "JobInputAsset(0)", "JobOutputAsset(0)"),
        body_of(b2, sizeof(b2), "JobInputAsset(0)", "JobOutputAsset(1)"),
    };
    build_rejected(1, xmls, 3, "JobOutputAsset(1) is produced by tasks 0 and 2");
    const char *twice[] = {
        "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)"
        "</outputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>",
    };
    build_rejected(1, twice, 1, "task 0 lists JobOutputAsset(0) twice as output");
}

static void test_out_of_range(void **state)
{
    (void)state;
    char b0[256], b1[256], b2[256];
    const char *xmls[] = {
        body_of(b0, sizeof(b0), "JobInputAsset(0)", "JobOutputAsset(0)"),
        body_of(b1, sizeof(b1), "JobInputAsset(0)", "JobOutputAsset(1)"),
        body_of(b2, sizeof(b2), "JobInputAsset(3)", "JobOutputAsset(2)"),
    };
    build_rejected(1, xmls, 3, "task 2: JobInputAsset(3) but the job has 1 input asset");
    build_rejected(3, xmls, 3, "task 2: JobInputAsset(3) but the job has 3 input assets");
    build_ok(4, xmls, 3);
    const char *unproduced[] = {
        body_of(b0, sizeof(b0), "JobInputAsset(0)", "JobOutputAsset(0)"),
        body_of(b1, sizeof(b1), "JobOutputAsset(5)", "JobOutputAsset(1)"),
    };
    build_rejected(1, unproduced, 2, "task 1: JobOutputAsset(5) is used as input but no task "
                   "produces it");
}

static void test_job_limits(void **state)
{
    (void)state;
    static char texts[JOB_MAX_TASKS + 1][256];
    const char *xmls[JOB_MAX_TASKS + 1];
    for (int t = 0; t <= JOB_MAX_TASKS; t++) {
        char out[32];
        snprintf(out, sizeof(out), "JobOutputAsset(%d)", t);
        xmls[t] = body_of(texts[t], sizeof(texts[t]), "JobInputAsset(0)", out);
    }
    build_ok(1, xmls, JOB_MAX_TASKS);
    assert_int_equal(graph.output_count, JOB_MAX_TASKS);
    build_rejected(1, xmls, JOB_MAX_TASKS + 1, "the job has 31 tasks; the limit is 30 tasks per "
                   "job");
    build_rejected(1, xmls, 0, "a job needs at least one task");
    build_rejected(0, xmls, 1, "a job needs at least one input asset");
    build_rejected(JOB_MAX_ASSETS + 1, xmls, 1, "the job has 101 input assets; the limit is 100 "
                   "assets per job");
    /* inputs + outputs: 70 + 30 fits, 71 + 30 does not */
    build_ok(70, xmls, JOB_MAX_TASKS);
    build_rejected(71, xmls, JOB_MAX_TASKS, "the job has 71 input and 30 output assets; the limit "
                   "is 100 assets per job");
}

static void test_built_bodies_checked(void **state)
{
    (void)state;
    /* job_graph_build also guards against bodies built in code */
    const task_body_t *tasks[] = { &bodies[0] };
    memset(&bodies[0], 0, sizeof(bodies[0]));
    bodies[0].count = JOB_MAX_ASSETS_PER_TASK + 1;
    assert_int_equal(job_graph_build(1, tasks, 1, &graph, err, sizeof(err)), -1);
    assert_string_equal(err, "task 0: TaskBody: 51 assets; the limit is 50 assets per task");
    bodies[0].count = 2;
    bodies[0].assets[0] = (task_asset_t){ .role = TASK_ASSET_INPUT, .ref = { JOB_INPUT_ASSET, 0 } };
    bodies[0].assets[1] = (task_asset_t){ .role = TASK_ASSET_OUTPUT,
                                          .ref = { JOB_OUTPUT_ASSET, JOB_MAX_ASSETS } };
    assert_int_equal(job_graph_build(1, tasks, 1, &graph, err, sizeof(err)), -1);
    assert_string_equal(err, "task 0: TaskBody: JobOutputAsset(100): the index must be below 100 "
                        "(a job has at most 100 assets)");
    bodies[0].assets[1].ref.index = 0;
    memset(bodies[0].assets[1].name, 'n', sizeof(bodies[0].assets[1].name));
    assert_int_equal(job_graph_build(1, tasks, 1, &graph, err, sizeof(err)), -1);
    expect_error("assetName of JobOutputAsset(0) is not UTF-8 text", "unterminated name");
    bodies[0].assets[1].name[0] = '\0';
    assert_int_equal(job_graph_build(1, tasks, 1, &graph, err, sizeof(err)), 0);
}

/* ---- rendering ---------------------------------------------------------- */

static void test_render_roundtrip(void **state)
{
    (void)state;
    size_t len = 0;
    parse_ok(spec_body, &bodies[0]);
    assert_int_equal(task_body_render(&bodies[0], rendered, sizeof(rendered), &len, err,
                                      sizeof(err)), 0);
    assert_string_equal(rendered, spec_body);
    assert_int_equal(len, strlen(spec_body));
    /* a body with everything: order, escapes, whitespace in names, absent attributes */
    parse_ok("<?xml version=\"1.0\" encoding=\"utf-16\"?>\n<taskBody>\n"
             "  <outputAsset assetName=\"a&amp;b &lt;c&gt; &quot;q&quot; tab&#9;lf&#10;cr&#13;"
             " vid\xC3\xA9o\" assetFormatOption=\"1\">JobOutputAsset(1)</outputAsset>\n"
             "  <inputAsset>JobOutputAsset(0)</inputAsset>\n"
             "  <inputAsset>JobInputAsset(4)</inputAsset>\n"
             "  <outputAsset storageAccountName='acct' assetCreationOptions='4'>JobOutputAsset(2)"
             "</outputAsset>\n</taskBody>", &bodies[0]);
    assert_int_equal(task_body_render(&bodies[0], rendered, sizeof(rendered), &len, err,
                                      sizeof(err)), 0);
    assert_string_equal(rendered,
                        "<taskBody><outputAsset assetName=\"a&amp;b &lt;c> &quot;q&quot; "
                        "tab&#9;lf&#10;cr&#13; vid\xC3\xA9o\" assetFormatOption=\"1\">"
                        "JobOutputAsset(1)</outputAsset><inputAsset>JobOutputAsset(0)"
                        "</inputAsset><inputAsset>JobInputAsset(4)</inputAsset><outputAsset "
                        "assetCreationOptions=\"4\" storageAccountName=\"acct\">"
                        "JobOutputAsset(2)</outputAsset></taskBody>");
    parse_ok(rendered, &reparsed);
    assert_true(task_body_equal(&bodies[0], &reparsed));
    assert_string_equal(reparsed.assets[0].name, "a&b <c> \"q\" tab\tlf\ncr\r vid\xC3\xA9o");
    /* equality notices a difference */
    reparsed.assets[3].creation_options = 2;
    assert_false(task_body_equal(&bodies[0], &reparsed));
}

static void test_render_rejects(void **state)
{
    (void)state;
    parse_ok(spec_body, &bodies[0]);
    size_t need = strlen(spec_body) + 1;
    assert_int_equal(task_body_render(&bodies[0], rendered, need - 1, NULL, err, sizeof(err)), -1);
    char reason[64];
    snprintf(reason, sizeof(reason), "TaskBody: %zu bytes do not fit in %zu", need, need - 1);
    assert_string_equal(err, reason);
    assert_int_equal(task_body_render(&bodies[0], rendered, need, NULL, err, sizeof(err)), 0);
    /* what would not parse is not rendered */
    bodies[0].assets[1].ref.kind = JOB_INPUT_ASSET;
    assert_int_equal(task_body_render(&bodies[0], rendered, sizeof(rendered), NULL, err,
                                      sizeof(err)), -1);
    assert_string_equal(err, "TaskBody: <outputAsset> JobInputAsset(0): an output must be "
                        "JobOutputAsset(j)");
    bodies[0].assets[1].ref.kind = JOB_OUTPUT_ASSET;
    strcpy(bodies[0].assets[1].name, "bell\a");
    assert_int_equal(task_body_render(&bodies[0], rendered, sizeof(rendered), NULL, err,
                                      sizeof(err)), -1);
    expect_error("assetName of JobOutputAsset(0) is not UTF-8 text", "control character");
    /* 50 outputs whose names are all escapes: more than a TaskBody may hold */
    memset(&bodies[0], 0, sizeof(bodies[0]));
    bodies[0].count = JOB_MAX_ASSETS_PER_TASK;
    bodies[0].assets[0] = (task_asset_t){ .role = TASK_ASSET_INPUT, .ref = { JOB_INPUT_ASSET, 0 } };
    for (uint32_t j = 1; j < JOB_MAX_ASSETS_PER_TASK; j++) {
        task_asset_t *a = &bodies[0].assets[j];
        a->role = TASK_ASSET_OUTPUT;
        a->ref = (job_asset_ref_t){ JOB_OUTPUT_ASSET, j - 1 };
        memset(a->name, '"', TASK_ASSET_NAME_MAX);
    }
    assert_int_equal(task_body_render(&bodies[0], rendered, sizeof(rendered), NULL, err,
                                      sizeof(err)), -1);
    assert_string_equal(err, "TaskBody: the rendered body would be longer than 100000 characters");
}

/* ---- JobTemplateBody ---------------------------------------------------- */

#define TTID_A "nb:ttid:UUID:1b4a1c5e-92a6-4a6c-a5a5-0d2c1c3e1f01"
#define TTID_B "nb:ttid:UUID:2C5B2D6F-A3B7-4B7D-B6B6-1E3D2D4F2A02"

static const char template_body[] =
    "<?xml version=\"1.0\" encoding=\"utf-16\"?><jobTemplate>"
    "<taskBody taskTemplateId=\"" TTID_A "\"><inputAsset>JobInputAsset(0)</inputAsset>"
    "<outputAsset>JobOutputAsset(0)</outputAsset></taskBody>"
    "<taskBody taskTemplateId=\" " TTID_B " \"><inputAsset>JobOutputAsset(0)</inputAsset>"
    "<inputAsset>JobInputAsset(1)</inputAsset>"
    "<outputAsset assetName=\"thumbs\">JobOutputAsset(1)</outputAsset></taskBody>"
    "</jobTemplate>";

typedef struct {
    const char *id;
    task_template_counts_t counts;
} template_entry_t;

static template_entry_t templates[2];
static int lookups;

static bool lookup_template(void *context, const char *id, task_template_counts_t *counts)
{
    (void)context;
    lookups++;
    for (size_t i = 0; i < 2; i++) {
        if (templates[i].id != NULL && strcmp(templates[i].id, id) == 0) {
            *counts = templates[i].counts;
            return true;
        }
    }
    return false;
}

static void set_templates(uint32_t a_inputs, uint32_t b_inputs, uint32_t b_outputs)
{
    templates[0] = (template_entry_t){ TTID_A, { a_inputs, 1 } };
    templates[1] = (template_entry_t){ TTID_B, { b_inputs, b_outputs } };
}

static int parse_template(const char *xml)
{
    size_t len = strlen(xml);
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, xml, len);
    err[0] = '\0';
    int rc = job_template_body_parse(copy, len, &tmpl, err, sizeof(err));
    free(copy);
    return rc;
}

static void template_rejected(const char *xml, const char *reason)
{
    if (parse_template(xml) == 0) {
        fail_msg("accepted: %s", xml);
    }
    expect_error(reason, xml);
}

static void test_template_parse(void **state)
{
    (void)state;
    if (parse_template(template_body) != 0) {
        fail_msg("rejected: %s", err);
    }
    assert_int_equal(tmpl.task_count, 2);
    assert_string_equal(tmpl.tasks[0].task_template_id, TTID_A);
    assert_string_equal(tmpl.tasks[1].task_template_id, TTID_B);
    assert_int_equal(tmpl.tasks[1].body.count, 3);
    assert_ref(&tmpl.tasks[1].body.assets[0], TASK_ASSET_INPUT, JOB_OUTPUT_ASSET, 0);
    assert_string_equal(tmpl.tasks[1].body.assets[2].name, "thumbs");
    set_templates(1, 2, 1);
    lookups = 0;
    assert_int_equal(job_template_body_check(&tmpl, lookup_template, NULL, 2, &graph, err,
                                             sizeof(err)), 0);
    assert_int_equal(lookups, 2);
    assert_int_equal(graph.output_count, 2);
    const uint32_t order[] = { 0, 1 };
    assert_order(order, 2);
    /* a template task renders as the TaskBody of the job's task */
    const task_body_t *tasks[JOB_MAX_TASKS];
    assert_int_equal(job_template_body_tasks(&tmpl, tasks), 2);
    assert_int_equal(task_body_render(tasks[1], rendered, sizeof(rendered), NULL, err,
                                      sizeof(err)), 0);
    assert_string_equal(rendered, "<taskBody><inputAsset>JobOutputAsset(0)</inputAsset>"
                        "<inputAsset>JobInputAsset(1)</inputAsset><outputAsset assetName="
                        "\"thumbs\">JobOutputAsset(1)</outputAsset></taskBody>");
}

static void test_template_check(void **state)
{
    (void)state;
    assert_int_equal(parse_template(template_body), 0);
    set_templates(1, 1, 1);
    assert_int_equal(job_template_body_check(&tmpl, lookup_template, NULL, 2, &graph, err,
                                             sizeof(err)), -1);
    assert_string_equal(err, "task 1: TaskTemplate " TTID_B " has NumberofInputAssets 1 but its "
                        "taskBody has 2 <inputAsset>");
    set_templates(1, 2, 2);
    assert_int_equal(job_template_body_check(&tmpl, lookup_template, NULL, 2, &graph, err,
                                             sizeof(err)), -1);
    assert_string_equal(err, "task 1: TaskTemplate " TTID_B " has NumberofOutputAssets 2 but its "
                        "taskBody has 1 <outputAsset>");
    set_templates(1, 2, 1);
    templates[0].id = NULL;
    assert_int_equal(job_template_body_check(&tmpl, lookup_template, NULL, 2, &graph, err,
                                             sizeof(err)), -1);
    assert_string_equal(err, "task 0: taskTemplateId " TTID_A " is not one of the job template's "
                        "TaskTemplates");
    set_templates(1, 2, 1);
    assert_int_equal(job_template_body_check(&tmpl, lookup_template, NULL, 1, &graph, err,
                                             sizeof(err)), -1);
    assert_string_equal(err, "task 1: JobInputAsset(1) but the job has 1 input asset");
}

static void test_template_rejects(void **state)
{
    (void)state;
    template_rejected("<jobTemplate><taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
                      "<outputAsset>JobOutputAsset(0)</outputAsset></taskBody></jobTemplate>",
                      "JobTemplateBody: task 0: <taskBody> has no taskTemplateId");
    template_rejected("<jobTemplate><taskBody taskTemplateId='nb:ttid:UUID:1234'><inputAsset>"
                      "JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset>"
                      "</taskBody></jobTemplate>",
                      "JobTemplateBody: task 0: taskTemplateId \"nb:ttid:UUID:1234\" is not "
                      "nb:ttid:UUID:<uuid>");
    template_rejected("<jobTemplate><taskBody taskTemplateId='" TTID_A "'><inputAsset>"
                      "JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset>"
                      "</taskBody><taskBody taskTemplateId='" TTID_A "'><inputAsset>"
                      "JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(1)</outputAsset>"
                      "</taskBody></jobTemplate>",
                      "JobTemplateBody: task 1: tasks 0 and 1 both use taskTemplateId " TTID_A);
    template_rejected("<jobTemplate><taskBody taskTemplateId='" TTID_A "'><inputAsset>"
                      "JobInputAsset(0)</inputAsset></taskBody></jobTemplate>",
                      "JobTemplateBody: task 0: no <outputAsset>");
    template_rejected("<?xml version=\"1.0\" encoding=\"utf-16\"?><jobTemplate/>",
                      "JobTemplateBody: no <taskBody>; a job template needs at least one task");
    template_rejected("<taskBody/>", "JobTemplateBody: the document element is <taskBody>, "
                      "expected <jobTemplate>");
    template_rejected("<jobTemplate><task/></jobTemplate>",
                      "JobTemplateBody: unexpected element <task> in <jobTemplate>");
    template_rejected("<jobTemplate><taskBody></jobTemplate>",
                      "JobTemplateBody is not well-formed XML: line 1: Opening and ending tag "
                      "mismatch");
    template_rejected("<!DOCTYPE jobTemplate [<!ENTITY a 'b'>]><jobTemplate>&a;</jobTemplate>",
                      "JobTemplateBody must not contain a DTD");
    static char many[16384];
    size_t n = (size_t)snprintf(many, sizeof(many), "<jobTemplate>");
    for (int t = 0; t <= JOB_MAX_TASKS; t++) {
        n += (size_t)snprintf(many + n, sizeof(many) - n, "<taskBody taskTemplateId='nb:ttid:UUID:"
                              "00000000-0000-0000-0000-0000000000%02d'><inputAsset>JobInputAsset(0)"
                              "</inputAsset><outputAsset>JobOutputAsset(%d)</outputAsset>"
                              "</taskBody>", t, t);
        if (t == JOB_MAX_TASKS - 1) {
            snprintf(many + n, sizeof(many) - n, "</jobTemplate>");
            assert_int_equal(parse_template(many), 0);
            assert_int_equal(tmpl.task_count, JOB_MAX_TASKS);
        }
    }
    snprintf(many + n, sizeof(many) - n, "</jobTemplate>");
    template_rejected(many, "JobTemplateBody: more than 30 <taskBody> elements; the limit is 30 "
                      "tasks per job");
}

/* ---- names -------------------------------------------------------------- */

static void test_default_names(void **state)
{
    (void)state;
    char name[64];
    assert_int_equal(job_output_default_name(3, "Encode", "nb:jid:UUID:1", name, sizeof(name)), 0);
    assert_string_equal(name, "JobOutputAsset(3)_Encode");
    assert_int_equal(job_output_default_name(0, "", "nb:jid:UUID:1", name, sizeof(name)), 0);
    assert_string_equal(name, "JobOutputAsset(0)_nb:jid:UUID:1");
    assert_int_equal(job_output_default_name(0, NULL, "nb:jid:UUID:1", name, sizeof(name)), 0);
    assert_string_equal(name, "JobOutputAsset(0)_nb:jid:UUID:1");
    assert_int_equal(job_output_default_name(12, "Encode", "id", name, 25), -1);
    assert_string_equal(name, "");
    assert_int_equal(job_output_default_name(12, "Encode", "id", name, 26), 0);
    assert_string_equal(name, "JobOutputAsset(12)_Encode");
    /* assetName wins over the default */
    const char *xmls[] = {
        "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(1)"
        "</outputAsset><outputAsset assetName='mine'>JobOutputAsset(0)</outputAsset></taskBody>",
    };
    build_ok(1, xmls, 1);
    const task_body_t *tasks[] = { &bodies[0] };
    assert_int_equal(job_output_name(&graph, tasks, 0, "Job", "id", name, sizeof(name)), 0);
    assert_string_equal(name, "mine");
    assert_int_equal(job_output_name(&graph, tasks, 1, "Job", "id", name, sizeof(name)), 0);
    assert_string_equal(name, "JobOutputAsset(1)_Job");
    assert_int_equal(job_output_name(&graph, tasks, 2, "Job", "id", name, sizeof(name)), -1);
    assert_int_equal(job_output_name(&graph, tasks, 0, "Job", "id", name, 4), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_task),
        cmocka_unit_test(test_multiple_inputs_and_outputs),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_index_limits),
        cmocka_unit_test(test_asset_limit_per_task),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_utf16_declaration),
        cmocka_unit_test(test_malformed_xml),
        cmocka_unit_test(test_nothing_printed),
        cmocka_unit_test(test_entity_expansion),
        cmocka_unit_test(test_chaining_and_order),
        cmocka_unit_test(test_diamond),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_gaps),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_job_limits),
        cmocka_unit_test(test_built_bodies_checked),
        cmocka_unit_test(test_render_roundtrip),
        cmocka_unit_test(test_render_rejects),
        cmocka_unit_test(test_template_parse),
        cmocka_unit_test(test_template_check),
        cmocka_unit_test(test_template_rejects),
        cmocka_unit_test(test_default_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
