/*
 * fuzz_arm_request.c — what a v3 (ARM) client controls before any handler
 * runs: the request path (arm_path_parse: segments, words, bounds), the
 * api-version (arm_api_version_check) and the bearer token
 * (arm_token_verify against a signing key made at start).  Nothing may
 * crash or read past the input; no token the fuzzer writes may verify (it
 * cannot forge an RS256 signature), and a parsed path keeps its bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arm/arm_path.h"
#include "arm/arm_signing_key.h"
#include "arm/arm_token.h"
#include "fuzz_check.h"

static app_t app;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char dir[] = "/tmp/fuzz-arm-XXXXXX", path[64], err[256];

    (void) argc;
    (void) argv;
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    app.arm_key = arm_signing_key_load_or_create(dir, err, sizeof(err));
    FUZZ_CHECK(app.arm_key != NULL);
    snprintf(path, sizeof(path), "%s/arm-token.pem", dir);
    unlink(path);
    rmdir(dir);
    snprintf(app.cfg.arm_url, sizeof(app.cfg.arm_url), "https://127.0.0.1:8443");
    return 0;
}

static void check_path(const char *text)
{
    arm_path_t p;
    char why[256], id[ARM_ID_MAX];

    if (arm_path_parse(text, &p, why, sizeof(why)) != ARM_PATH_OK) {
        return;
    }
    FUZZ_CHECK(p.nseg <= ARM_PATH_SEGMENTS);
    for (size_t i = 0; i < p.nseg; i++) {
        FUZZ_CHECK(p.seg[i][0] != '\0' && strlen(p.seg[i]) <= ARM_NAME_MAX);
        FUZZ_CHECK(strchr(p.seg[i], '/') == NULL);
    }
    arm_account_id(&p, id, sizeof(id));
    arm_api_version_check(p.nseg > 0 ? p.seg[0] : "", p.nseg > 1 ? p.seg[1] : NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);

    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    check_path(text);
    arm_api_version_check("assets", text);
    FUZZ_CHECK(arm_token_verify(&app, text, 1800000000LL) != ARM_TOKEN_OK);
    free(text);
    return 0;
}
