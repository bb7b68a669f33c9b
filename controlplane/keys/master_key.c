/*
 * master_key.c — the master key file: 8-byte magic "MPMKEY01", the 32 key
 * bytes, and 8 check bytes (SHA-256 over a label and the key) so truncation,
 * bit flips or a foreign file are reported instead of silently yielding a
 * key that opens nothing.
 */
#include "master_key.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "key_file.h"
#include "key_status.h"
#include "master_key_internal.h"

#define MASTER_FILE_MAGIC "MPMKEY01"
#define MASTER_MAGIC_LEN 8
#define MASTER_CHECK_LEN 8
#define MASTER_FILE_LEN (MASTER_MAGIC_LEN + MASTER_KEY_BYTES + MASTER_CHECK_LEN)

static const char master_check_label[] = "mediaplane master key check v1";

static int master_check_bytes(const uint8_t key[MASTER_KEY_BYTES], uint8_t out[MASTER_CHECK_LEN])
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL
             && EVP_DigestInit_ex2(md, EVP_sha256(), NULL)
             && EVP_DigestUpdate(md, master_check_label, sizeof(master_check_label) - 1)
             && EVP_DigestUpdate(md, key, MASTER_KEY_BYTES)
             && EVP_DigestFinal_ex(md, digest, &digest_len);
    EVP_MD_CTX_free(md);
    if (ok)
        memcpy(out, digest, MASTER_CHECK_LEN);
    OPENSSL_cleanse(digest, sizeof(digest));
    ERR_clear_error();
    return ok ? KEY_OK : KEY_ERR_CRYPTO;
}

static int master_file_encode(const master_key_t *mk, uint8_t file[MASTER_FILE_LEN])
{
    memcpy(file, MASTER_FILE_MAGIC, MASTER_MAGIC_LEN);
    memcpy(file + MASTER_MAGIC_LEN, mk->key, MASTER_KEY_BYTES);
    return master_check_bytes(mk->key, file + MASTER_MAGIC_LEN + MASTER_KEY_BYTES);
}

static int master_file_decode(const uint8_t *file, size_t len, master_key_t *mk,
                              const char *path, char *err, size_t errlen)
{
    uint8_t check[MASTER_CHECK_LEN];
    if (len != MASTER_FILE_LEN || memcmp(file, MASTER_FILE_MAGIC, MASTER_MAGIC_LEN) != 0) {
        key_set_error(err, errlen, "%s is not a mediaplane master key file "
                      "(wrong size or header); refusing to replace it", path);
        return KEY_ERR_ENCODING;
    }
    memcpy(mk->key, file + MASTER_MAGIC_LEN, MASTER_KEY_BYTES);
    if (master_check_bytes(mk->key, check) != KEY_OK
        || CRYPTO_memcmp(check, file + MASTER_MAGIC_LEN + MASTER_KEY_BYTES, MASTER_CHECK_LEN) != 0) {
        key_set_error(err, errlen, "%s is corrupt (check bytes do not match); "
                      "restore it from a backup, it is never regenerated", path);
        return KEY_ERR_ENCODING;
    }
    return KEY_OK;
}

/* Reads path into mk.  KEY_FILE_ABSENT when it does not exist. */
static key_file_result_t master_key_read(const char *path, master_key_t *mk, char *err, size_t errlen)
{
    uint8_t file[MASTER_FILE_LEN + 1];
    size_t len = 0;
    key_file_result_t rc = key_file_read_private(path, file, sizeof(file), &len, err, errlen);
    if (rc == KEY_FILE_OK && master_file_decode(file, len, mk, path, err, errlen) != KEY_OK)
        rc = KEY_FILE_FAILED;
    OPENSSL_cleanse(file, sizeof(file));
    return rc;
}

/* Generates a key and writes it to path; KEY_FILE_EXISTS if path appeared. */
static key_file_result_t master_key_create(const char *path, master_key_t *mk, char *err, size_t errlen)
{
    uint8_t file[MASTER_FILE_LEN];
    if (RAND_priv_bytes(mk->key, MASTER_KEY_BYTES) != 1 || master_file_encode(mk, file) != KEY_OK) {
        ERR_clear_error();
        key_set_error(err, errlen, "cannot generate a master key");
        return KEY_FILE_FAILED;
    }
    key_file_result_t rc = key_file_create_private(path, file, sizeof(file), err, errlen);
    OPENSSL_cleanse(file, sizeof(file));
    return rc;
}

static key_file_result_t master_key_load_or_create_at(const char *path, master_key_t *mk,
                                                      char *err, size_t errlen)
{
    key_file_result_t rc = master_key_read(path, mk, err, errlen);
    if (rc != KEY_FILE_ABSENT)
        return rc;
    rc = master_key_create(path, mk, err, errlen);
    if (rc == KEY_FILE_EXISTS)           /* another process won the race */
        rc = master_key_read(path, mk, err, errlen);
    if (rc == KEY_FILE_ABSENT)
        key_set_error(err, errlen, "%s vanished while it was being created", path);
    return rc;
}

master_key_t *master_key_load_or_create(const char *dir, char *err, size_t errlen)
{
    char path[PATH_MAX];
    if (dir == NULL) {
        key_set_error(err, errlen, "no key directory given");
        return NULL;
    }
    if (key_dir_ensure(dir, err, errlen) != KEY_FILE_OK
        || key_path_join(dir, MASTER_KEY_FILE, path, sizeof(path), err, errlen) != KEY_FILE_OK)
        return NULL;
    master_key_t *mk = OPENSSL_zalloc(sizeof(*mk));
    if (mk == NULL) {
        key_set_error(err, errlen, "out of memory");
        return NULL;
    }
    if (master_key_load_or_create_at(path, mk, err, errlen) != KEY_FILE_OK) {
        master_key_free(mk);
        return NULL;
    }
    return mk;
}

void master_key_free(master_key_t *mk)
{
    OPENSSL_clear_free(mk, sizeof(*mk));
}
