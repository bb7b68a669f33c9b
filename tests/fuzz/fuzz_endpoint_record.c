/*
 * fuzz_endpoint_record.c — catalog_endpoint_decode, the decoder the origin
 * runs on every catalog-mode request, on arbitrary bytes (copied into a
 * buffer of exactly their length: any read past the record is an ASan
 * report).  A record that decodes must be one the encoder would write:
 * state and lists in range, policy documents inside the buffer, and it
 * re-encodes to the same bytes.  The IP matcher runs on the decoded list.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_endpoint.h"
#include "fuzz_check.h"

static void check_decoded(const uint8_t *buf, size_t size, const catalog_endpoint_t *e)
{
    static uint8_t again[CATALOG_EP_MAX_SIZE];
    static const uint8_t v4[4] = { 127, 0, 0, 1 };
    static const uint8_t v6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 0, 0, 1 };
    size_t n;

    FUZZ_CHECK(e->state < CATALOG_EP_STATE_COUNT && e->ip_count <= CATALOG_EP_MAX_IP);
    FUZZ_CHECK(e->max_age >= -1 && strlen(e->name) <= CATALOG_EP_NAME_MAX);
    if (e->cross_domain_policy != NULL) {
        FUZZ_CHECK((const uint8_t *) e->cross_domain_policy >= buf
                   && (const uint8_t *) e->cross_domain_policy + e->cross_domain_policy_len
                      <= buf + size);
    }
    if (e->client_access_policy != NULL) {
        FUZZ_CHECK((const uint8_t *) e->client_access_policy >= buf
                   && (const uint8_t *) e->client_access_policy + e->client_access_policy_len
                      <= buf + size);
    }
    (void) catalog_endpoint_ip_allowed(e, 4, v4);
    (void) catalog_endpoint_ip_allowed(e, 6, v6);
    /* a name with a NUL inside is the one thing the encoder writes shorter */
    if (strlen(e->name) == buf[5]) {
        n = catalog_endpoint_encode(e, again, sizeof(again));
        FUZZ_CHECK(n == size && memcmp(again, buf, size) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    catalog_endpoint_t e;
    char key[300];

    FUZZ_CHECK(buf != NULL);
    memcpy(buf, data, size);
    if (catalog_endpoint_decode(buf, size, &e) == 0) {
        check_decoded(buf, size, &e);
    }
    /* the same bytes as a Host header */
    size_t k = catalog_host_key((const char *) buf, size, key, sizeof(key));
    FUZZ_CHECK(k == 0 || (k < sizeof(key) && key[k] == '\0' && key[0] == 'h'));
    free(buf);
    return 0;
}
