/*
 * fuzz_key_token.c — key_token_verify, which the key service runs on every
 * token a client sends, on arbitrary tokens against a JWT and an SWT
 * template.  It must never crash or read past the token, and must never
 * accept: the fuzzer cannot forge an HMAC-SHA256 under the templates' key.
 */
#include <stdlib.h>
#include <string.h>

#include "token/key_token.h"
#include "fuzz_check.h"

static const char templates[] =
    "[{\"issuer\":\"http://issuer/\",\"audience\":\"urn:test\",\"type\":\"JWT\","
    "\"keys\":[\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"],"
    "\"claims\":[{\"type\":\"urn:microsoft:azure:mediaservices:contentkeyidentifier\","
    "\"value\":null}]},"
    "{\"issuer\":\"http://issuer/\",\"audience\":\"urn:test\",\"type\":\"SWT\","
    "\"keys\":[\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"],\"claims\":[]}]";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char reason[160];
    char *token = malloc(size ? size : 1);
    memcpy(token, data, size);
    FUZZ_CHECK(key_token_verify(templates, token, size, "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                                1700000000, reason, sizeof(reason)) != 0);
    FUZZ_CHECK(strlen(reason) < sizeof(reason));
    free(token);
    return 0;
}
