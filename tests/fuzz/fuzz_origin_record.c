/*
 * fuzz_origin_record.c — the two catalog records the origin decodes for an
 * encrypted asset, on arbitrary bytes: catalog_origin_decode (locator record,
 * MPO1 and MPO2 with the envelope tail) must not read past the record and,
 * when it accepts one, give strings that are NUL-terminated within their
 * fields and a record that re-encodes to a decodable one with the same
 * fields; catalog_okey_open (sealed content key) must refuse anything that
 * was not sealed under its origin key for its key id.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_okey.h"
#include "catalog/catalog_origin.h"
#include "fuzz_check.h"

static void fuzz_origin(const uint8_t *buf, size_t size)
{
    static uint8_t again[CATALOG_ORIGIN_MAX_SIZE];
    catalog_origin_t o, o2;

    if (catalog_origin_decode(buf, size, &o) != 0) {
        return;
    }
    FUZZ_CHECK(strlen(o.asset_dir) < CATALOG_ORIGIN_DIR_MAX);
    FUZZ_CHECK(strlen(o.envelope_key_uri) < CATALOG_ORIGIN_URI_MAX);
    FUZZ_CHECK(strchr(o.asset_dir, '/') == NULL);
    size_t n = catalog_origin_encode(&o, again, sizeof(again));
    FUZZ_CHECK(n > 0 && catalog_origin_decode(again, n, &o2) == 0);
    FUZZ_CHECK(o2.protocols_clear == o.protocols_clear
               && o2.protocols_envelope == o.protocols_envelope
               && memcmp(o2.envelope_kid, o.envelope_kid, 16) == 0
               && strcmp(o2.envelope_key_uri, o.envelope_key_uri) == 0
               && strcmp(o2.asset_dir, o.asset_dir) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t origin_key[CATALOG_ORIGIN_KEY_LEN] = { 7 };
    catalog_okey_t k;
    uint8_t *buf = malloc(size ? size : 1);

    memcpy(buf, data, size);
    fuzz_origin(buf, size);
    /* nobody sealed these bytes: they must never open */
    FUZZ_CHECK(catalog_okey_open(origin_key, "00000000-0000-0000-0000-000000000000", buf, size,
                                 &k) != 0);
    free(buf);
    return 0;
}
