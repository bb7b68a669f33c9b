/*
 * fuzz_token_template.c — the TokenRestrictionTemplate parser on arbitrary
 * bytes (copied into a buffer of exactly their length, so over-reads are ASan
 * reports).  Checks: a refusal carries a non-empty message without control
 * characters; an accepted template has issuer, audience, SWT/JWT, 1..17
 * base64 keys that decode strictly to 16..512 bytes, and claims with a type.
 */
#include <stdlib.h>
#include <string.h>

#include "keypolicy/token_template.h"
#include "util/text_codec.h"
#include "fuzz_check.h"

static void check_accepted(const json_t *t)
{
    const char *type = json_string_value(json_object_get(t, "type"));
    json_t *keys = json_object_get(t, "keys"), *k, *claim;
    uint8_t buf[TOKEN_KEY_MAX];
    size_t i, len;

    FUZZ_CHECK(json_is_string(json_object_get(t, "issuer")));
    FUZZ_CHECK(json_string_length(json_object_get(t, "issuer")) > 0);
    FUZZ_CHECK(json_is_string(json_object_get(t, "audience")));
    FUZZ_CHECK(type != NULL && (strcmp(type, "SWT") == 0 || strcmp(type, "JWT") == 0));
    FUZZ_CHECK(json_array_size(keys) >= 1 && json_array_size(keys) <= TOKEN_MAX_ALTERNATE_KEYS + 1);
    json_array_foreach(keys, i, k) {
        const char *b64 = json_string_value(k);
        FUZZ_CHECK(b64 != NULL);
        FUZZ_CHECK(base64_decode_strict(b64, strlen(b64), buf, sizeof(buf), &len) == BASE64_OK);
        FUZZ_CHECK(len >= TOKEN_KEY_MIN);
    }
    json_array_foreach(json_object_get(t, "claims"), i, claim) {
        FUZZ_CHECK(json_is_string(json_object_get(claim, "type")));
        FUZZ_CHECK(json_object_get(claim, "value") != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1), err[512];
    json_t *t;

    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data, size);
    t = token_template_parse(copy, size, err, sizeof(err));
    if (t == NULL) {
        size_t n = strnlen(err, sizeof(err));
        FUZZ_CHECK(n > 0 && n < sizeof(err));
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK((unsigned char) err[i] >= 0x20 || (err[i] & 0x80));
        }
    } else {
        check_accepted(t);
        json_decref(t);
    }
    free(copy);
    return 0;
}
