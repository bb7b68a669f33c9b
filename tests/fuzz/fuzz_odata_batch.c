/*
 * fuzz_odata_batch.c — libFuzzer target for the $batch multipart parser
 * (odata/odata_batch_*.c).  The first line is the request's Content-Type
 * (boundary), the rest the body.  Every operation found must lie inside the
 * parser's copy of the body, with a valid placement (GET outside changesets
 * only) and within the limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "odata/odata_batch.h"
#include "fuzz_check.h"

static int inside(const odata_batch_t *b, size_t len, const char *p, size_t n)
{
    return p >= b->buf && p + n <= b->buf + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t ct_len = nl != NULL ? (size_t) (nl - data) : size;
    char *ct = malloc(ct_len + 1), err[256], boundary[ODATA_BATCH_BOUNDARY_MAX + 1];
    const char *body = nl != NULL ? (const char *) nl + 1 : "";
    size_t body_len = nl != NULL ? size - ct_len - 1 : 0;
    odata_batch_t b;

    if (ct == NULL) {
        return 0;
    }
    memcpy(ct, data, ct_len);
    ct[ct_len] = '\0';
    if (odata_batch_boundary(ct, boundary, sizeof(boundary)) == 0) {
        FUZZ_CHECK(strlen(boundary) > 0 && strlen(boundary) <= ODATA_BATCH_BOUNDARY_MAX);
    }
    if (odata_batch_parse(ct, body, body_len, &b, err, sizeof(err)) == 0) {
        FUZZ_CHECK(b.nops > 0 && b.nops <= ODATA_BATCH_MAX_OPS);
        FUZZ_CHECK(b.nchangesets <= ODATA_BATCH_MAX_CHANGESETS);
        for (size_t i = 0; i < b.nops; i++) {
            const odata_batch_op_t *op = &b.ops[i];
            FUZZ_CHECK(inside(&b, body_len, op->method, strlen(op->method)));
            FUZZ_CHECK(inside(&b, body_len + 1, op->url, strlen(op->url) + 1));
            FUZZ_CHECK(op->body_len == 0 || inside(&b, body_len, op->body, op->body_len));
            FUZZ_CHECK((op->changeset < 0) == (strcmp(op->method, "GET") == 0));
            FUZZ_CHECK(op->nheaders <= ODATA_BATCH_MAX_HEADERS);
        }
    } else {
        FUZZ_CHECK(b.nops == 0 && err[0] != '\0');
    }
    odata_batch_free(&b);
    free(ct);
    return 0;
}
