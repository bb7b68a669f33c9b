/*
 * test_ism.c — ism_parse, the AMS server manifest (SMIL) reader: the usual
 * AMS/encoder output with <video>/<audio> entries, systemBitrate,
 * systemLanguage and <param name="trackID"|"trackName">; single quotes,
 * self-closing tags, odd whitespace and case; and rejections: file names
 * that could leave the asset folder, non-SMIL input, unterminated tags, no
 * entries, too many entries.  Inputs sit in exact-size buffers (no NUL) so
 * ASan sees reads past the document.
 */
#include "unit_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ism/ism_parse.h"
#include "package/mp_package.h"

static ism_t ism;
static char err[MP_ERR_LEN];

static int parse_len(const char *xml, size_t len)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, xml, len);
    err[0] = '\0';
    int rc = ism_parse(copy, len, &ism, err, sizeof(err));
    free(copy);
    return rc;
}

static int parse(const char *xml)
{
    return parse_len(xml, strlen(xml));
}

static void rejected(const char *xml, const char *reason)
{
    int rc = parse(xml);
    if (rc != MP_ERR_BAD_MEDIA) {
        fail_msg("accepted: %s", xml);
    }
    if (strstr(err, reason) == NULL) {
        fail_msg("reason \"%s\", expected \"%s\" for %s", err, reason, xml);
    }
}

static const char ams[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<smil xmlns=\"http://www.w3.org/2001/SMIL20/Language\">\n"
    "  <head>\n"
    "    <meta name=\"formats\" content=\"mp4\" />\n"
    "    <meta name=\"fragmentsPerHLSSegment\" content=\"1\" />\n"
    "  </head>\n"
    "  <body>\n"
    "    <switch>\n"
    "      <video src=\"big_1280x720_2500.mp4\" systemBitrate=\"2500000\">\n"
    "        <param name=\"trackID\" value=\"1\" valuetype=\"data\" />\n"
    "      </video>\n"
    "      <video src=\"big_640x360_800.mp4\" systemBitrate=\"800000\">\n"
    "        <param name=\"trackID\" value=\"2\" valuetype=\"data\" />\n"
    "      </video>\n"
    "      <audio src=\"big_aac.mp4\" systemBitrate=\"128000\" systemLanguage=\"eng\">\n"
    "        <param name=\"trackName\" value=\"english_stereo\" valuetype=\"data\" />\n"
    "        <param name=\"trackID\" value=\"3\" valuetype=\"data\" />\n"
    "      </audio>\n"
    "      <audio src=\"big_aac.mp4\" systemBitrate=\"64000\" systemLanguage=\"fra\">\n"
    "        <param name=\"trackID\" value=\"4\" valuetype=\"data\" />\n"
    "      </audio>\n"
    "    </switch>\n"
    "  </body>\n"
    "</smil>\n";

static void test_ams_manifest(void **state)
{
    (void) state;
    assert_int_equal(parse(ams), MP_OK);
    assert_int_equal(ism.count, 4);
    static const struct { int video; const char *src; uint32_t bitrate, id; const char *lang, *name; } want[] = {
        { 1, "big_1280x720_2500.mp4", 2500000, 1, "", "" },
        { 1, "big_640x360_800.mp4", 800000, 2, "", "" },
        { 0, "big_aac.mp4", 128000, 3, "eng", "english_stereo" },
        { 0, "big_aac.mp4", 64000, 4, "fra", "" },
    };
    for (uint32_t i = 0; i < 4; i++) {
        const ism_entry_t *e = &ism.entries[i];
        assert_int_equal(e->is_video, want[i].video);
        assert_string_equal(e->src, want[i].src);
        assert_int_equal(e->bitrate, want[i].bitrate);
        assert_int_equal(e->track_id, want[i].id);
        assert_string_equal(e->language, want[i].lang);
        assert_string_equal(e->track_name, want[i].name);
    }
    /* the files the asset needs: each once, in order */
    mp_file_list_t files;
    mp_asset_files(&ism, &files);
    assert_int_equal(files.count, 3);
    assert_string_equal(files.names[0], "big_1280x720_2500.mp4");
    assert_string_equal(files.names[2], "big_aac.mp4");
    mp_asset_files(NULL, &files);
    assert_int_equal(files.count, 1);
    assert_null(files.names[0]);
}

static void test_variants(void **state)
{
    (void) state;
    /* single quotes, self-closing entries, tabs/newlines, upper case, no params */
    assert_int_equal(parse("<SMIL><body><switch>"
                           "<VIDEO\tsrc='v1.mp4'\nsystemBitrate='1000'/>"
                           "<audio src='a.mp4' systemLanguage='de'/>"
                           "<audio\r\nSRC=\"b.mp4\"></audio>"
                           "</switch></body></SMIL>"),
                     MP_OK);
    assert_int_equal(ism.count, 3);
    assert_int_equal(ism.entries[0].is_video, 1);
    assert_string_equal(ism.entries[0].src, "v1.mp4");
    assert_int_equal(ism.entries[0].bitrate, 1000);
    assert_int_equal(ism.entries[0].track_id, 0);
    assert_string_equal(ism.entries[1].language, "de");
    assert_int_equal(ism.entries[1].bitrate, 0);
    assert_string_equal(ism.entries[2].src, "b.mp4");

    /* a '>' inside a quoted attribute does not end the tag */
    assert_int_equal(parse("<smil><video title=\"a>b\" src=\"v.mp4\"/></smil>"), MP_OK);
    assert_string_equal(ism.entries[0].src, "v.mp4");
    assert_int_equal(parse("<smil><video title='a>b' src='w.mp4'/></smil>"), MP_OK);
    assert_string_equal(ism.entries[0].src, "w.mp4");

    /* the params of one entry do not leak into the next; out-of-range values */
    assert_int_equal(parse("<smil><video src=\"v.mp4\" systemBitrate=\"99999999999\">"
                           "<param name=\"trackID\" value=\"99999999999\"/></video>"
                           "<audio src=\"a.mp4\" systemLanguage=\"english\"/>"
                           "<audio src=\"c.mp4\"><param name=\"trackID\" value=\"7\"/></audio>"
                           "</smil>"),
                     MP_OK);
    assert_int_equal(ism.count, 3);
    assert_int_equal(ism.entries[0].bitrate, 0);
    assert_int_equal(ism.entries[0].track_id, 0);
    assert_string_equal(ism.entries[1].language, "");   /* longer than 3 letters: ignored */
    assert_int_equal(ism.entries[1].track_id, 0);
    assert_int_equal(ism.entries[2].track_id, 7);

    /* <videoX> or <audiostream> are other elements; mentions in comments-free text are not tags */
    assert_int_equal(parse("<smil><videos src=\"x.mp4\"/><audio src=\"a.mp4\"/> video audio </smil>"),
                     MP_OK);
    assert_int_equal(ism.count, 1);
    assert_int_equal(ism.entries[0].is_video, 0);

    /* exactly ISM_MAX_ENTRIES entries are fine */
    char *big = malloc(ISM_MAX_ENTRIES * 32 + 32);
    size_t n = (size_t) sprintf(big, "<smil>");
    for (int i = 0; i < ISM_MAX_ENTRIES; i++) {
        n += (size_t) sprintf(big + n, "<audio src=\"a%d.mp4\"/>", i);
    }
    assert_int_equal(parse_len(big, n), MP_OK);
    assert_int_equal(ism.count, ISM_MAX_ENTRIES);
    assert_string_equal(ism.entries[ISM_MAX_ENTRIES - 1].src, "a63.mp4");
    /* one more is too many */
    n += (size_t) sprintf(big + n, "<video src=\"v.mp4\"/>");
    assert_int_equal(parse_len(big, n), MP_ERR_BAD_MEDIA);
    assert_non_null(strstr(err, "too many entries"));
    free(big);
}

static void test_rejections(void **state)
{
    (void) state;
    rejected("", "no <smil> root element");
    rejected("<html><video src=\"v.mp4\"/></html>", "no <smil> root element");
    rejected("\x89PNG\r\n\x1a\n", "no <smil>");
    rejected("<smil></smil>", "no <video> or <audio> entries");
    rejected("<smil><video src=\"v.mp4\"", "unterminated tag");
    rejected("<smil><video src=\"v.mp4>\n</smil>", "unterminated tag");

    /* src must be a plain file name in the asset folder */
    rejected("<smil><video src=\"../secret.mp4\"/></smil>", "invalid src");
    rejected("<smil><video src=\"dir/v.mp4\"/></smil>", "invalid src");
    rejected("<smil><video src=\"/etc/passwd\"/></smil>", "invalid src");
    rejected("<smil><video src=\"..\"/></smil>", "invalid src");
    rejected("<smil><video src=\".\"/></smil>", "invalid src");
    rejected("<smil><video src=\"a..b.mp4\"/></smil>", "invalid src");
    rejected("<smil><video src=\"a\\b.mp4\"/></smil>", "invalid src");
    rejected("<smil><video src=\"a\tb.mp4\"/></smil>", "invalid src");
    rejected("<smil><video src=\"\"/></smil>", "invalid src");
    rejected("<smil><video/></smil>", "missing or invalid src");
    rejected("<smil><video src=v.mp4/></smil>", "invalid src");
    /* a later bad entry spoils the manifest */
    rejected("<smil><video src=\"v.mp4\"/><audio src=\"../a.mp4\"/></smil>", "invalid src");

    /* src longer than the limit */
    char big[ISM_MAX_SRC + 64];
    size_t n = (size_t) sprintf(big, "<smil><video src=\"");
    memset(big + n, 'x', ISM_MAX_SRC);
    n += ISM_MAX_SRC;
    n += (size_t) sprintf(big + n, "\"/></smil>");
    assert_int_equal(parse_len(big, n), MP_ERR_BAD_MEDIA);
    /* one shorter fits (ISM_MAX_SRC - 1 characters + NUL) */
    n = (size_t) sprintf(big, "<smil><video src=\"");
    memset(big + n, 'x', ISM_MAX_SRC - 1);
    n += ISM_MAX_SRC - 1;
    n += (size_t) sprintf(big + n, "\"/></smil>");
    assert_int_equal(parse_len(big, n), MP_OK);
    assert_int_equal(strlen(ism.entries[0].src), ISM_MAX_SRC - 1);

    /* documents cut short at every length never read past their end */
    size_t len = strlen(ams);
    for (size_t cut = 0; cut < len; cut++) {
        int rc = parse_len(ams, cut);
        assert_true(rc == MP_OK || rc == MP_ERR_BAD_MEDIA);
        assert_true(rc == MP_OK || err[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ams_manifest),
        cmocka_unit_test(test_variants),
        cmocka_unit_test(test_rejections),
    };
    return cmocka_run_group_tests_name("ism", tests, NULL, NULL);
}
