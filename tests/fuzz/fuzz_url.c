/*
 * fuzz_url.c — mp_url_parse on arbitrary paths.  The input is copied into a
 * buffer of exactly its length (no terminating NUL) so any read past the
 * URI is an ASan report.  Checks what callers rely on: a successful parse
 * names an asset inside the URI ending in .ism/.mp4, a NUL-terminated
 * stream name for stream requests and a known format; a failure explains
 * itself in err.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "url/mp_url.h"
#include "fuzz_check.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *uri = malloc(size ? size : 1);
    FUZZ_CHECK(uri != NULL);
    memcpy(uri, data, size);
    mp_request_t req;
    char err[MP_ERR_LEN];
    int rc = mp_url_parse(uri, size, &req, err, sizeof(err));
    FUZZ_CHECK(rc == MP_OK || rc == MP_ERR_BAD_REQUEST || rc == MP_ERR_NOT_FOUND);
    if (rc != MP_OK) {
        FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
    } else {
        FUZZ_CHECK(req.asset == uri && req.asset_len >= 5 && req.asset_len <= size);
        FUZZ_CHECK(req.asset[0] == '/');
        FUZZ_CHECK(strncasecmp(req.asset + req.asset_len - 4, req.asset_is_ism ? ".ism" : ".mp4", 4) == 0);
        FUZZ_CHECK(req.kind >= MP_REQ_MANIFEST && req.kind <= MP_REQ_FILE);
        FUZZ_CHECK(req.format >= MP_FMT_SMOOTH && req.format <= MP_FMT_DASH_CMAF);
        FUZZ_CHECK(memchr(req.stream, '\0', sizeof(req.stream)) != NULL);
        FUZZ_CHECK(req.kind != MP_REQ_FILE || !req.asset_is_ism);
        if (req.kind == MP_REQ_PLAYLIST || req.kind == MP_REQ_INIT || req.kind == MP_REQ_FRAGMENT) {
            FUZZ_CHECK(req.stream[0] != '\0');
        }
        if (req.kind == MP_REQ_PLAYLIST) {
            FUZZ_CHECK(mp_format_is_hls(req.format));
        }
        if (req.kind == MP_REQ_INIT) {
            FUZZ_CHECK(req.format != MP_FMT_SMOOTH && req.format != MP_FMT_HLS_TS);
        }
        /* no dot segments may reach the file system */
        for (size_t i = 0; i + 1 < req.asset_len; i++) {
            if (req.asset[i] == '/' && req.asset[i + 1] == '.') {
                size_t j = i + 2;
                FUZZ_CHECK(!(j == req.asset_len || req.asset[j] == '/' ||
                             (req.asset[j] == '.' && (j + 1 == req.asset_len || req.asset[j + 1] == '/'))));
            }
        }
        /* filter=: 1..3 valid names inside the URI */
        if (req.filter != NULL) {
            FUZZ_CHECK(req.filter >= uri && req.filter + req.filter_len <= uri + size);
            FUZZ_CHECK(req.filter_count >= 1 && req.filter_count <= MP_URL_MAX_FILTERS);
        }
        (void) mp_format_name(req.format);
    }
    free(uri);
    return 0;
}
