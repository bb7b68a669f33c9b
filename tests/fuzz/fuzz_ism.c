/*
 * fuzz_ism.c — ism_parse on arbitrary bytes (server manifests come from the
 * content directory, which may hold anything).  The input is copied into a
 * buffer of exactly its length (no NUL) so over-reads are ASan reports.
 * Checks the promises mp_package and the nginx glue rely on: on success
 * 1..ISM_MAX_ENTRIES entries, each src a plain file name (no '/', '\\' or
 * ".."), NUL-terminated strings, a language of at most three letters; then
 * the file list derived from it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "package/mp_package.h"
#include "fuzz_check.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = malloc(size ? size : 1);
    FUZZ_CHECK(xml != NULL);
    memcpy(xml, data, size);
    static ism_t ism;
    char err[MP_ERR_LEN];
    int rc = ism_parse(xml, size, &ism, err, sizeof(err));
    if (rc != MP_OK) {
        FUZZ_CHECK(rc == MP_ERR_BAD_MEDIA && err[0] != '\0');
    } else {
        FUZZ_CHECK(ism.count >= 1 && ism.count <= ISM_MAX_ENTRIES);
        for (uint32_t i = 0; i < ism.count; i++) {
            const ism_entry_t *e = &ism.entries[i];
            FUZZ_CHECK(memchr(e->src, '\0', sizeof(e->src)) != NULL);
            FUZZ_CHECK(e->src[0] != '\0' && strchr(e->src, '/') == NULL &&
                       strchr(e->src, '\\') == NULL && strstr(e->src, "..") == NULL);
            FUZZ_CHECK(memchr(e->language, '\0', sizeof(e->language)) != NULL);
            FUZZ_CHECK(memchr(e->track_name, '\0', sizeof(e->track_name)) != NULL);
        }
        mp_file_list_t files;
        mp_asset_files(&ism, &files);
        FUZZ_CHECK(files.count >= 1 && files.count <= ism.count);
        for (uint32_t i = 0; i < files.count; i++) {
            for (uint32_t j = 0; j < i; j++) {
                FUZZ_CHECK(strcmp(files.names[i], files.names[j]) != 0);
            }
        }
    }
    free(xml);
    return 0;
}
