/*
 * test_key_master.c — the master key file (create 0600, reload the same key,
 * corrupt or loose files refused and left untouched) and AES-256-GCM
 * seal/open (round trips, format, tampering anywhere, wrong key, wrong
 * context, malformed input, capacity), with one decryption done here
 * directly with EVP as an independent reading of the format.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "keys_test_util.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "keys/key_file.h"
#include "keys/key_status.h"
#include "keys/master_key.h"
#include "util/text_codec.h"

#define MASTER_FILE_SIZE 48               /* magic 8 + key 32 + check 8 */

typedef struct {
    char dir[KT_PATH];
    char file[KT_PATH];
    master_key_t *mk;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    char err[256] = "";
    kt_make_temp_dir(f->dir);
    kt_join(f->file, f->dir, MASTER_KEY_FILE);
    f->mk = master_key_load_or_create(f->dir, err, sizeof(err));
    if (f->mk == NULL)
        fail_msg("master_key_load_or_create: %s", err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    master_key_free(f->mk);
    kt_remove_tree(f->dir);
    free(f);
    return 0;
}

static void expect_open(const master_key_t *mk, const char *sealed, const uint8_t *plain, size_t len)
{
    uint8_t out[MASTER_SEAL_MAX_PLAIN];
    size_t out_len = 0;
    assert_int_equal(master_key_open(mk, sealed, out, sizeof(out), &out_len), KEY_OK);
    assert_int_equal(out_len, len);
    if (len > 0)
        assert_memory_equal(out, plain, len);
}

static void test_creates_private_file_and_reloads_same_key(void **state)
{
    fixture_t *f = *state;
    char err[256] = "";
    uint8_t before[64], after[64];
    assert_int_equal(kt_mode(f->file), 0600);
    assert_int_equal(kt_mode(f->dir), 0700);
    assert_int_equal(kt_read_file(f->file, before, sizeof(before)), MASTER_FILE_SIZE);
    assert_memory_equal(before, "MPMKEY01", 8);

    static const uint8_t secret[16] = "0123456789abcdef";
    char *sealed = NULL;
    assert_int_equal(master_key_seal(f->mk, secret, sizeof(secret), &sealed), KEY_OK);
    master_key_t *again = master_key_load_or_create(f->dir, err, sizeof(err));
    assert_non_null(again);
    expect_open(again, sealed, secret, sizeof(secret));
    kt_read_file(f->file, after, sizeof(after));
    assert_memory_equal(before, after, MASTER_FILE_SIZE);
    master_key_free(again);
    free(sealed);
}

static void test_creates_missing_directory(void **state)
{
    fixture_t *f = *state;
    char nested[KT_PATH], err[256] = "";
    kt_join(nested, f->dir, "fresh");
    master_key_t *mk = master_key_load_or_create(nested, err, sizeof(err));
    assert_non_null(mk);
    assert_int_equal(kt_mode(nested), 0700);
    master_key_free(mk);
}

static void test_seal_open_round_trips(void **state)
{
    fixture_t *f = *state;
    size_t sizes[] = { 0, 1, 16, 32, 100, MASTER_SEAL_MAX_PLAIN };
    static uint8_t plain[MASTER_SEAL_MAX_PLAIN];
    assert_int_equal(RAND_bytes(plain, sizeof(plain)), 1);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char *sealed = NULL;
        assert_int_equal(master_key_seal(f->mk, plain, sizes[i], &sealed), KEY_OK);
        assert_memory_equal(sealed, MASTER_SEAL_PREFIX, 3);
        assert_int_equal(strlen(sealed), 3 + BASE64_ENCODED_SIZE(12 + sizes[i] + 16) - 1);
        expect_open(f->mk, sealed, plain, sizes[i]);
        free(sealed);
    }
    char *sealed = NULL;
    assert_int_equal(master_key_seal(f->mk, plain, MASTER_SEAL_MAX_PLAIN + 1, &sealed), KEY_ERR_ARGUMENT);
    assert_null(sealed);
}

static void test_each_seal_uses_a_fresh_nonce(void **state)
{
    fixture_t *f = *state;
    static const uint8_t secret[16] = { 1 };
    char *a = NULL, *b = NULL;
    assert_int_equal(master_key_seal(f->mk, secret, sizeof(secret), &a), KEY_OK);
    assert_int_equal(master_key_seal(f->mk, secret, sizeof(secret), &b), KEY_OK);
    assert_string_not_equal(a, b);
    assert_memory_not_equal(a + 3, b + 3, 16);  /* the nonce is the first 12 bytes */
    free(a);
    free(b);
}

/* Every single-character change of a sealed string must fail to open. */
static void test_any_modification_is_detected(void **state)
{
    fixture_t *f = *state;
    static const uint8_t secret[32] = "a content key of thirty-two byte";
    char *sealed = NULL;
    uint8_t out[64];
    size_t len = 0;
    assert_int_equal(master_key_seal(f->mk, secret, sizeof(secret), &sealed), KEY_OK);
    size_t n = strlen(sealed);
    for (size_t i = 0; i < n; i++) {
        char saved = sealed[i];
        sealed[i] = (char)(saved == 'A' ? 'B' : 'A');
        int rc = master_key_open(f->mk, sealed, out, sizeof(out), &len);
        if (rc == KEY_OK)
            fail_msg("changing character %zu still opened", i);
        sealed[i] = saved;
    }
    expect_open(f->mk, sealed, secret, sizeof(secret));
    free(sealed);
}

/* Flips one bit in the nonce, the ciphertext and the tag in turn. */
static void test_tampered_blob_is_rejected_as_decrypt_failure(void **state)
{
    fixture_t *f = *state;
    static const uint8_t secret[16] = "sixteen byte key";
    char *sealed = NULL;
    uint8_t blob[64], out[64];
    size_t blob_len = 0, len = 0;
    assert_int_equal(master_key_seal(f->mk, secret, sizeof(secret), &sealed), KEY_OK);
    assert_int_equal(base64_decode_strict(sealed + 3, strlen(sealed + 3), blob, sizeof(blob), &blob_len),
                     BASE64_OK);
    assert_int_equal(blob_len, 12 + 16 + 16);
    size_t positions[] = { 0, 11, 12, 27, 28, 43 };
    for (size_t i = 0; i < sizeof(positions) / sizeof(positions[0]); i++) {
        char tampered[128];
        blob[positions[i]] ^= 0x01;
        memcpy(tampered, "v1:", 3);
        base64_encode(blob, blob_len, tampered + 3, sizeof(tampered) - 3);
        memset(out, 0x5A, sizeof(out));
        assert_int_equal(master_key_open(f->mk, tampered, out, sizeof(out), &len), KEY_ERR_DECRYPT);
        for (size_t j = 0; j < sizeof(out); j++)
            assert_int_equal(out[j], 0);        /* wiped, no partial plaintext */
        blob[positions[i]] ^= 0x01;
    }
    free(sealed);
}

static void test_other_master_key_cannot_open(void **state)
{
    fixture_t *f = *state;
    char other_dir[KT_PATH], err[256] = "";
    kt_make_temp_dir(other_dir);
    master_key_t *other = master_key_load_or_create(other_dir, err, sizeof(err));
    assert_non_null(other);
    static const uint8_t secret[16] = "sixteen byte key";
    char *sealed = NULL;
    uint8_t out[32];
    size_t len = 0;
    assert_int_equal(master_key_seal(f->mk, secret, sizeof(secret), &sealed), KEY_OK);
    assert_int_equal(master_key_open(other, sealed, out, sizeof(out), &len), KEY_ERR_DECRYPT);
    master_key_free(other);
    kt_remove_tree(other_dir);
    free(sealed);
}

static void test_context_binding(void **state)
{
    fixture_t *f = *state;
    static const uint8_t secret[16] = "sixteen byte key";
    const char *kid = "nb:kid:UUID:33221100-5544-7766-8899-aabbccddeeff";
    char *sealed = NULL;
    uint8_t out[32];
    size_t len = 0;
    assert_int_equal(master_key_seal_bound(f->mk, kid, secret, sizeof(secret), &sealed), KEY_OK);
    assert_int_equal(master_key_open_bound(f->mk, kid, sealed, out, sizeof(out), &len), KEY_OK);
    assert_int_equal(len, sizeof(secret));
    assert_memory_equal(out, secret, len);
    assert_int_equal(master_key_open_bound(f->mk, "nb:kid:UUID:33221100-5544-7766-8899-aabbccddeef0",
                                           sealed, out, sizeof(out), &len), KEY_ERR_DECRYPT);
    assert_int_equal(master_key_open(f->mk, sealed, out, sizeof(out), &len), KEY_ERR_DECRYPT);
    free(sealed);
    /* an empty context is the same as none */
    assert_int_equal(master_key_seal(f->mk, secret, sizeof(secret), &sealed), KEY_OK);
    assert_int_equal(master_key_open_bound(f->mk, "", sealed, out, sizeof(out), &len), KEY_OK);
    free(sealed);
}

static void test_malformed_sealed_strings(void **state)
{
    fixture_t *f = *state;
    uint8_t out[64], blob[27] = { 0 };
    size_t len = 0;
    char short_blob[64] = "v1:";
    base64_encode(blob, sizeof(blob), short_blob + 3, sizeof(short_blob) - 3);
    assert_int_equal(master_key_open(f->mk, "", out, sizeof(out), &len), KEY_ERR_ENCODING);
    assert_int_equal(master_key_open(f->mk, "v2:AAAA", out, sizeof(out), &len), KEY_ERR_ENCODING);
    assert_int_equal(master_key_open(f->mk, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", out, sizeof(out), &len),
                     KEY_ERR_ENCODING);
    assert_int_equal(master_key_open(f->mk, "v1:not base64!", out, sizeof(out), &len), KEY_ERR_ENCODING);
    assert_int_equal(master_key_open(f->mk, "v1:", out, sizeof(out), &len), KEY_ERR_LENGTH);
    assert_int_equal(master_key_open(f->mk, short_blob, out, sizeof(out), &len), KEY_ERR_LENGTH);
    assert_int_equal(master_key_open(f->mk, NULL, out, sizeof(out), &len), KEY_ERR_ARGUMENT);
}

static void test_output_capacity(void **state)
{
    fixture_t *f = *state;
    static const uint8_t secret[32] = { 7 };
    char *sealed = NULL;
    uint8_t out[32];
    size_t len = 0;
    assert_int_equal(master_key_seal(f->mk, secret, sizeof(secret), &sealed), KEY_OK);
    assert_int_equal(master_key_open(f->mk, sealed, out, 31, &len), KEY_ERR_CAPACITY);
    assert_int_equal(master_key_open(f->mk, sealed, out, 32, &len), KEY_OK);
    assert_int_equal(len, 32);
    free(sealed);
}

/* Decrypts a sealed string with EVP directly, using the key bytes from the
 * file: checks the documented format (nonce | ct | tag, AAD "v1:"). */
static void test_format_is_plain_aes_256_gcm(void **state)
{
    fixture_t *f = *state;
    uint8_t file[64], blob[64], out[32];
    size_t blob_len = 0;
    int n = 0, tail = 0;
    static const uint8_t secret[16] = "independent test";
    char *sealed = NULL;
    assert_int_equal(kt_read_file(f->file, file, sizeof(file)), MASTER_FILE_SIZE);
    assert_int_equal(master_key_seal(f->mk, secret, sizeof(secret), &sealed), KEY_OK);
    assert_int_equal(base64_decode_strict(sealed + 3, strlen(sealed + 3), blob, sizeof(blob), &blob_len),
                     BASE64_OK);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    assert_int_equal(EVP_DecryptInit_ex2(ctx, EVP_aes_256_gcm(), file + 8, blob, NULL), 1);
    assert_int_equal(EVP_DecryptUpdate(ctx, NULL, &n, (const uint8_t *)"v1:", 3), 1);
    assert_int_equal(EVP_DecryptUpdate(ctx, out, &n, blob + 12, 16), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, blob + 28), 1);
    assert_int_equal(EVP_DecryptFinal_ex(ctx, out + n, &tail), 1);
    assert_memory_equal(out, secret, 16);
    EVP_CIPHER_CTX_free(ctx);
    free(sealed);
}

/* Writes content to the key file, expects loading to fail with a message
 * naming the file, and the file to be left exactly as written. */
static void expect_refused(fixture_t *f, const void *content, size_t len, mode_t mode, const char *why)
{
    char err[512] = "";
    uint8_t after[128];
    kt_write_file(f->file, content, len, mode);
    master_key_t *mk = master_key_load_or_create(f->dir, err, sizeof(err));
    if (mk != NULL)
        fail_msg("a master key file with %s was accepted", why);
    assert_non_null(strstr(err, f->file));
    assert_int_equal(kt_read_file(f->file, after, sizeof(after)), len);
    assert_memory_equal(after, content, len);
    assert_int_equal(kt_mode(f->file), mode);
}

static void test_corrupt_or_loose_files_are_refused(void **state)
{
    fixture_t *f = *state;
    uint8_t good[64], bad[64];
    assert_int_equal(kt_read_file(f->file, good, sizeof(good)), MASTER_FILE_SIZE);

    expect_refused(f, good, MASTER_FILE_SIZE - 1, 0600, "a missing byte");
    expect_refused(f, "", 0, 0600, "no content");
    memcpy(bad, good, MASTER_FILE_SIZE);
    bad[MASTER_FILE_SIZE] = '\n';
    expect_refused(f, bad, MASTER_FILE_SIZE + 1, 0600, "an extra byte");
    bad[0] = 'X';
    expect_refused(f, bad, MASTER_FILE_SIZE, 0600, "a wrong magic");
    memcpy(bad, good, MASTER_FILE_SIZE);
    bad[20] ^= 0x04;
    expect_refused(f, bad, MASTER_FILE_SIZE, 0600, "a flipped key bit");
    memcpy(bad, good, MASTER_FILE_SIZE);
    bad[45] ^= 0x80;
    expect_refused(f, bad, MASTER_FILE_SIZE, 0600, "a flipped check bit");
    expect_refused(f, good, MASTER_FILE_SIZE, 0644, "mode 0644");
    expect_refused(f, good, MASTER_FILE_SIZE, 0640, "mode 0640");

    char err[256] = "";
    kt_write_file(f->file, good, MASTER_FILE_SIZE, 0600);
    master_key_t *mk = master_key_load_or_create(f->dir, err, sizeof(err));
    assert_non_null(mk);
    master_key_free(mk);
}

static void test_unusable_directory(void **state)
{
    fixture_t *f = *state;
    char not_dir[KT_PATH], err[256] = "";
    kt_join(not_dir, f->dir, "plain-file");
    kt_write_file(not_dir, "x", 1, 0600);
    assert_null(master_key_load_or_create(not_dir, err, sizeof(err)));
    assert_non_null(strstr(err, "not a directory"));
    assert_null(master_key_load_or_create(NULL, err, sizeof(err)));
    assert_null(master_key_load_or_create(NULL, NULL, 0));   /* no error buffer is fine */
}

/* Several processes starting at once on an empty directory must end up with
 * one master key: each seals a value into <dir>/sealed-<i>, and every one of
 * them opens with the key loaded afterwards. */
static int race_child(const char *dir, int index)
{
    char err[256] = "", path[KT_PATH], name[32];
    master_key_t *mk = master_key_load_or_create(dir, err, sizeof(err));
    if (mk == NULL)
        return 1;
    char *sealed = NULL;
    int rc = master_key_seal(mk, (const uint8_t *)"raced", 5, &sealed);
    snprintf(name, sizeof(name), "sealed-%d", index);
    kt_join(path, dir, name);
    if (rc == KEY_OK)
        kt_write_file(path, sealed, strlen(sealed), 0600);
    free(sealed);
    master_key_free(mk);
    return rc;
}

static void test_concurrent_first_start_agrees_on_one_key(void **state)
{
    fixture_t *f = *state;
    char dir[KT_PATH], err[256] = "";
    enum { CHILDREN = 8 };
    kt_join(dir, f->dir, "race");
    assert_int_equal(kt_race(CHILDREN, dir, race_child), 0);
    master_key_t *mk = master_key_load_or_create(dir, err, sizeof(err));
    assert_non_null(mk);
    for (int i = 0; i < CHILDREN; i++) {
        char path[KT_PATH], name[32], sealed[256];
        snprintf(name, sizeof(name), "sealed-%d", i);
        kt_join(path, dir, name);
        kt_read_file(path, sealed, sizeof(sealed));
        expect_open(mk, sealed, (const uint8_t *)"raced", 5);
    }
    master_key_free(mk);
}

static void test_key_file_create_never_overwrites(void **state)
{
    fixture_t *f = *state;
    char path[KT_PATH], err[256] = "", content[16];
    kt_join(path, f->dir, "once");
    assert_int_equal(key_file_create_private(path, (const uint8_t *)"first", 5, err, sizeof(err)), KEY_FILE_OK);
    assert_int_equal(kt_mode(path), 0600);
    assert_int_equal(key_file_create_private(path, (const uint8_t *)"second", 6, err, sizeof(err)),
                     KEY_FILE_EXISTS);
    kt_read_file(path, content, sizeof(content));
    assert_string_equal(content, "first");
    /* no temporary files are left behind */
    char listing[KT_PATH], names[1024];
    kt_join(listing, f->dir, "listing.txt");
    assert_int_equal(kt_run("ls -A %s | grep -c tmp > %s", f->dir, listing), 1);
    kt_read_file(listing, names, sizeof(names));
    assert_string_equal(names, "0\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_creates_private_file_and_reloads_same_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_creates_missing_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seal_open_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_seal_uses_a_fresh_nonce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_any_modification_is_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered_blob_is_rejected_as_decrypt_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_master_key_cannot_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context_binding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_sealed_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format_is_plain_aes_256_gcm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_or_loose_files_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unusable_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_first_start_agrees_on_one_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_create_never_overwrites, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
