/*
 * protection_key.c — the protection key's life cycle: generate the RSA pair
 * and certificate on first start and write them to protection.pem; on later
 * starts parse and validate that file; derive the thumbprint id and the
 * base64 DER certificate once.
 */
#include "protection_key.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "key_file.h"
#include "protection_cert.h"
#include "protection_key_internal.h"
#include "util/text_codec.h"

#define PROTECTION_FILE_MAX (32 * 1024)
#define PROTECTION_KEY_MAX_BITS 8192             /* protection_oaep.c buffers */

/* Never prompt for a passphrase: an encrypted private key is an error. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf; (void)size; (void)rwflag; (void)u;
    return 0;
}

static int protection_key_derive_ids(protection_key_t *pk)
{
    unsigned char sha1[EVP_MAX_MD_SIZE];
    unsigned int sha1_len = 0;
    if (!X509_digest(pk->cert, EVP_sha1(), sha1, &sha1_len) || sha1_len * 2 != PROTECTION_KEY_ID_LEN)
        return 0;
    hex_encode(sha1, sha1_len, pk->id, sizeof(pk->id), 1);
    int der_len = i2d_X509(pk->cert, NULL);
    unsigned char *der = der_len > 0 ? malloc((size_t)der_len) : NULL;
    unsigned char *p = der;
    if (der != NULL && i2d_X509(pk->cert, &p) == der_len)
        pk->cert_b64 = base64_encode_alloc(der, (size_t)der_len);
    free(der);
    return pk->cert_b64 != NULL;
}

static const char *protection_key_problem(EVP_PKEY *pkey, X509 *cert)
{
    if (pkey == NULL)
        return "no readable unencrypted private key";
    if (cert == NULL)
        return "no certificate after the private key";
    if (!EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_get_bits(pkey) < PROTECTION_KEY_BITS
        || EVP_PKEY_get_bits(pkey) > PROTECTION_KEY_MAX_BITS)
        return "the private key is not RSA of 2048 to 8192 bits";
    if (X509_check_private_key(cert, pkey) != 1)
        return "the certificate does not belong to the private key";
    return NULL;
}

/* Parses the PEM file content into pk->pkey and pk->cert. */
static int protection_key_parse(protection_key_t *pk, const uint8_t *buf, size_t len,
                                const char *path, char *err, size_t errlen)
{
    BIO *bio = BIO_new_mem_buf(buf, (int)len);
    if (bio != NULL) {
        pk->pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase, NULL, NULL, NULL);
        pk->cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
    }
    BIO_free(bio);
    const char *problem = bio == NULL ? "out of memory" : protection_key_problem(pk->pkey, pk->cert);
    ERR_clear_error();
    if (problem != NULL) {
        key_set_error(err, errlen, "%s is not a valid protection key file (%s); "
                      "refusing to replace it", path, problem);
        return 0;
    }
    return 1;
}

static key_file_result_t protection_key_read(protection_key_t *pk, const char *path,
                                             char *err, size_t errlen)
{
    uint8_t *buf = malloc(PROTECTION_FILE_MAX);
    size_t len = 0;
    if (buf == NULL) {
        key_set_error(err, errlen, "out of memory");
        return KEY_FILE_FAILED;
    }
    key_file_result_t rc = key_file_read_private(path, buf, PROTECTION_FILE_MAX, &len, err, errlen);
    if (rc == KEY_FILE_OK && !protection_key_parse(pk, buf, len, path, err, errlen))
        rc = KEY_FILE_FAILED;
    OPENSSL_clear_free(buf, PROTECTION_FILE_MAX);
    return rc;
}

/* PEM of pk's private key and certificate, written to path. */
static key_file_result_t protection_key_write(const protection_key_t *pk, const char *path,
                                              char *err, size_t errlen)
{
    BIO *bio = BIO_new(BIO_s_secmem());      /* growth and free wipe the buffer */
    char *data = NULL;
    long len = 0;
    int ok = bio != NULL
             && PEM_write_bio_PrivateKey(bio, pk->pkey, NULL, NULL, 0, NULL, NULL)
             && PEM_write_bio_X509(bio, pk->cert)
             && (len = BIO_get_mem_data(bio, &data)) > 0;
    ERR_clear_error();
    key_file_result_t rc = KEY_FILE_FAILED;
    if (ok)
        rc = key_file_create_private(path, (const uint8_t *)data, (size_t)len, err, errlen);
    else
        key_set_error(err, errlen, "cannot serialize the protection key");
    if (data != NULL)
        OPENSSL_cleanse(data, (size_t)len);
    BIO_free(bio);
    return rc;
}

static key_file_result_t protection_key_generate(protection_key_t *pk, const char *path,
                                                 char *err, size_t errlen)
{
    pk->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)PROTECTION_KEY_BITS);
    ERR_clear_error();
    if (pk->pkey == NULL) {
        key_set_error(err, errlen, "cannot generate an RSA-%d key", PROTECTION_KEY_BITS);
        return KEY_FILE_FAILED;
    }
    pk->cert = protection_cert_self_signed(pk->pkey, err, errlen);
    if (pk->cert == NULL)
        return KEY_FILE_FAILED;
    return protection_key_write(pk, path, err, errlen);
}

static void protection_key_clear(protection_key_t *pk)
{
    EVP_PKEY_free(pk->pkey);
    X509_free(pk->cert);
    free(pk->cert_b64);
    memset(pk, 0, sizeof(*pk));
}

static key_file_result_t protection_key_load_or_create_at(protection_key_t *pk, const char *path,
                                                          char *err, size_t errlen)
{
    key_file_result_t rc = protection_key_read(pk, path, err, errlen);
    if (rc != KEY_FILE_ABSENT)
        return rc;
    rc = protection_key_generate(pk, path, err, errlen);
    if (rc == KEY_FILE_EXISTS) {              /* another process won the race */
        protection_key_clear(pk);
        rc = protection_key_read(pk, path, err, errlen);
    }
    if (rc == KEY_FILE_ABSENT)
        key_set_error(err, errlen, "%s vanished while it was being created", path);
    return rc;
}

protection_key_t *protection_key_load_or_create(const char *dir, char *err, size_t errlen)
{
    char path[PATH_MAX];
    if (dir == NULL) {
        key_set_error(err, errlen, "no key directory given");
        return NULL;
    }
    if (key_dir_ensure(dir, err, errlen) != KEY_FILE_OK
        || key_path_join(dir, PROTECTION_KEY_FILE, path, sizeof(path), err, errlen) != KEY_FILE_OK)
        return NULL;
    protection_key_t *pk = calloc(1, sizeof(*pk));
    if (pk == NULL) {
        key_set_error(err, errlen, "out of memory");
        return NULL;
    }
    if (protection_key_load_or_create_at(pk, path, err, errlen) != KEY_FILE_OK) {
        protection_key_free(pk);
        return NULL;
    }
    if (!protection_key_derive_ids(pk)) {
        ERR_clear_error();
        key_set_error(err, errlen, "cannot encode the protection key certificate");
        protection_key_free(pk);
        return NULL;
    }
    return pk;
}

void protection_key_free(protection_key_t *pk)
{
    if (pk == NULL)
        return;
    protection_key_clear(pk);
    free(pk);
}

const char *protection_key_id(const protection_key_t *pk)
{
    return pk->id;
}

int protection_key_id_matches(const protection_key_t *pk, const char *id)
{
    return pk != NULL && id != NULL && strlen(id) == PROTECTION_KEY_ID_LEN
           && strncasecmp(pk->id, id, PROTECTION_KEY_ID_LEN) == 0;
}

const char *protection_key_cert_base64(const protection_key_t *pk)
{
    return pk->cert_b64;
}
