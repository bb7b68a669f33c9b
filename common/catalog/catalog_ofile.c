/*
 * catalog_ofile.c — the ofiles record (catalog_ofile.h): encoding,
 * decoding, its database key, and the InitializationVector's decimal text.
 */
#include "catalog_ofile.h"
#include "catalog_bytes.h"

#include <stdio.h>
#include <string.h>

#define OFILE_MAGIC "MPF1"

size_t catalog_ofile_encode(const catalog_ofile_t *f, uint8_t buf[CATALOG_OFILE_SIZE])
{
    memcpy(buf, OFILE_MAGIC, 4);
    memcpy(buf + 4, f->kid, 16);
    catalog_put_u64(buf + 20, f->iv);
    return CATALOG_OFILE_SIZE;
}

int catalog_ofile_decode(const uint8_t *buf, size_t len, catalog_ofile_t *out)
{
    if (buf == NULL || len != CATALOG_OFILE_SIZE || memcmp(buf, OFILE_MAGIC, 4) != 0) {
        return -1;
    }
    memcpy(out->kid, buf + 4, 16);
    out->iv = catalog_get_u64(buf + 20);
    return 0;
}

size_t catalog_ofile_key(const char *dir, const char *name, size_t name_len, char *key,
                         size_t cap)
{
    int n = snprintf(key, cap, "%s/%.*s", dir, (int) name_len, name);
    return n > 0 && (size_t) n < cap && name_len > 0 ? (size_t) n : 0;
}

int catalog_storage_iv_parse(const char *text, size_t len, uint64_t *iv)
{
    uint64_t v = 0;

    if (text == NULL || len == 0 || len > CATALOG_STORAGE_IV_TEXT - 1) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned) (text[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10) {
            return -1;
        }
        v = v * 10 + d;
    }
    *iv = v;
    return 0;
}

void catalog_storage_iv_format(uint64_t iv, char out[CATALOG_STORAGE_IV_TEXT])
{
    snprintf(out, CATALOG_STORAGE_IV_TEXT, "%llu", (unsigned long long) iv);
}
