/*
 * test_content_keys.c — the protection key (RSA-2048 + self-signed X.509):
 * creation and reload, the certificate and its thumbprint checked with
 * libcrypto's X509 parser and the openssl command-line tool, RSA-OAEP-SHA1
 * unwrap of ciphertexts made by independent implementations (EVP in this
 * file, the openssl CLI) and the reverse, rejection of malformed, tampered
 * or differently padded ciphertexts, refusal of corrupt key files, and the
 * whole content-key creation flow of an AMS client against the server side.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "keys_test_util.h"

#include <ctype.h>
#include <pthread.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "keys/key_checksum.h"
#include "keys/key_guid.h"
#include "keys/key_status.h"
#include "keys/master_key.h"
#include "keys/protection_key.h"
#include "util/text_codec.h"

#define CERT_DER_MAX 4096
#define OAEP_SHA1_OPTS "-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1 -pkeyopt rsa_mgf1_md:sha1"

typedef struct {
    char dir[KT_PATH];
    char pem[KT_PATH];        /* <dir>/protection.pem */
    char cert_pem[KT_PATH];   /* the certificate as PEM, written by the openssl CLI */
    protection_key_t *pk;
} group_t;

static group_t *g;

/* Decodes the published base64 certificate into DER. */
static size_t cert_der(const protection_key_t *pk, uint8_t der[CERT_DER_MAX])
{
    size_t len = 0;
    const char *b64 = protection_key_cert_base64(pk);
    assert_int_equal(base64_decode_strict(b64, strlen(b64), der, CERT_DER_MAX, &len), BASE64_OK);
    return len;
}

static X509 *parse_cert(const protection_key_t *pk)
{
    uint8_t der[CERT_DER_MAX];
    size_t len = cert_der(pk, der);
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    assert_non_null(cert);
    assert_ptr_equal(p, der + len);              /* nothing after the certificate */
    return cert;
}

/* Writes the certificate as DER and lets the openssl CLI turn it into PEM. */
static void write_cert_pem_with_cli(const protection_key_t *pk, const char *dir, char out[KT_PATH])
{
    char der_path[KT_PATH];
    uint8_t der[CERT_DER_MAX];
    size_t len = cert_der(pk, der);
    kt_join(der_path, dir, "cert.der");
    kt_join(out, dir, "cert.pem");
    kt_write_file(der_path, der, len, 0600);
    assert_int_equal(kt_run("openssl x509 -inform DER -in %s -out %s", der_path, out), 0);
}

static int group_setup(void **state)
{
    (void)state;
    char err[512] = "";
    g = calloc(1, sizeof(*g));
    kt_make_temp_dir(g->dir);
    kt_join(g->pem, g->dir, PROTECTION_KEY_FILE);
    g->pk = protection_key_load_or_create(g->dir, err, sizeof(err));
    if (g->pk == NULL)
        fail_msg("protection_key_load_or_create: %s", err);
    write_cert_pem_with_cli(g->pk, g->dir, g->cert_pem);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    protection_key_free(g->pk);
    kt_remove_tree(g->dir);
    free(g);
    return 0;
}

/* ---- identity and certificate ------------------------------------------- */

static void test_reload_gives_same_identity(void **state)
{
    (void)state;
    char err[512] = "";
    char before[8192], after[8192];
    kt_read_file(g->pem, before, sizeof(before));
    protection_key_t *again = protection_key_load_or_create(g->dir, err, sizeof(err));
    assert_non_null(again);
    assert_string_equal(protection_key_id(again), protection_key_id(g->pk));
    assert_string_equal(protection_key_cert_base64(again), protection_key_cert_base64(g->pk));
    protection_key_free(again);
    kt_read_file(g->pem, after, sizeof(after));
    assert_string_equal(before, after);
    assert_int_equal(kt_mode(g->pem), 0600);
    assert_int_equal(kt_mode(g->dir), 0700);
    assert_int_equal(strncmp(before, "-----BEGIN PRIVATE KEY-----\n", 28), 0);
    assert_non_null(strstr(before, "-----BEGIN CERTIFICATE-----\n"));
}

static void test_id_is_uppercase_sha1_of_der(void **state)
{
    (void)state;
    uint8_t der[CERT_DER_MAX], sha1[20];
    unsigned int sha1_len = 0;
    char hex[41];
    size_t len = cert_der(g->pk, der);
    assert_int_equal(EVP_Digest(der, len, sha1, &sha1_len, EVP_sha1(), NULL), 1);
    for (size_t i = 0; i < 20; i++)
        snprintf(hex + 2 * i, 3, "%02X", sha1[i]);
    const char *id = protection_key_id(g->pk);
    assert_int_equal(strlen(id), PROTECTION_KEY_ID_LEN);
    assert_string_equal(id, hex);
}

static void test_thumbprint_matches_openssl_cli(void **state)
{
    (void)state;
    char out_path[KT_PATH], line[256], colonless[64];
    size_t n = 0;
    kt_join(out_path, g->dir, "fingerprint.txt");
    assert_int_equal(kt_run("openssl x509 -in %s -noout -fingerprint -sha1 > %s", g->cert_pem, out_path), 0);
    kt_read_file(out_path, line, sizeof(line));
    const char *p = strchr(line, '=');
    assert_non_null(p);
    for (p++; *p && *p != '\n'; p++)
        if (*p != ':')
            colonless[n++] = (char)toupper((unsigned char)*p);
    colonless[n] = '\0';
    assert_string_equal(colonless, protection_key_id(g->pk));
}

static void test_certificate_is_valid_x509_with_the_rsa_key(void **state)
{
    (void)state;
    X509 *cert = parse_cert(g->pk);
    EVP_PKEY *pub = X509_get0_pubkey(cert);
    assert_non_null(pub);
    assert_true(EVP_PKEY_is_a(pub, "RSA"));
    assert_int_equal(EVP_PKEY_get_bits(pub), 2048);
    assert_int_equal(X509_get_version(cert), X509_VERSION_3);
    assert_int_equal(X509_verify(cert, pub), 1);                /* self-signed */
    assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(cert)), 0);
    assert_true(X509_cmp_current_time(X509_get0_notBefore(cert)) < 0);
    assert_true(X509_cmp_current_time(X509_get0_notAfter(cert)) > 0);
    uint32_t flags = X509_get_extension_flags(cert);
    assert_true(flags & EXFLAG_BCONS);                           /* basicConstraints present */
    assert_false(flags & EXFLAG_CA);                             /* ... and CA:FALSE */
    assert_int_equal(X509_check_ca(cert), 0);
    assert_true(X509_get_key_usage(cert) & KU_KEY_ENCIPHERMENT);
    char cn[128];
    assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn)) > 0);
    assert_string_equal(cn, "mediaplane content key protection");
    const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
    assert_int_equal(serial->type, V_ASN1_INTEGER);              /* positive */
    X509_free(cert);
}

static void test_id_matches_in_any_case(void **state)
{
    (void)state;
    char lower[PROTECTION_KEY_ID_LEN + 1], other[PROTECTION_KEY_ID_LEN + 1];
    const char *id = protection_key_id(g->pk);
    for (size_t i = 0; i <= PROTECTION_KEY_ID_LEN; i++)
        lower[i] = (char)tolower((unsigned char)id[i]);
    assert_true(protection_key_id_matches(g->pk, id));
    assert_true(protection_key_id_matches(g->pk, lower));
    for (size_t i = 0; i < PROTECTION_KEY_ID_LEN; i++) {     /* any digit counts */
        memcpy(other, id, sizeof(other));
        other[i] = other[i] == '0' ? '1' : '0';
        assert_false(protection_key_id_matches(g->pk, other));
    }
    assert_false(protection_key_id_matches(g->pk, ""));
    assert_false(protection_key_id_matches(g->pk, NULL));
    char longer[64];
    snprintf(longer, sizeof(longer), "%s0", id);
    assert_false(protection_key_id_matches(g->pk, longer));
}

/* ---- wrap / unwrap -------------------------------------------------------- */

static void expect_unwraps_to(const char *b64, const uint8_t *key, size_t len)
{
    uint8_t out[256];
    size_t out_len = 0;
    assert_int_equal(protection_key_unwrap(g->pk, b64, out, sizeof(out), &out_len), KEY_OK);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, key, len);
}

static void test_wrap_unwrap_round_trip(void **state)
{
    (void)state;
    size_t sizes[] = { 1, 16, 32, 214 };
    uint8_t key[214];
    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char *a = NULL, *b = NULL;
        assert_int_equal(protection_key_wrap(g->pk, key, sizes[i], &a), KEY_OK);
        assert_int_equal(protection_key_wrap(g->pk, key, sizes[i], &b), KEY_OK);
        assert_int_equal(strlen(a), BASE64_ENCODED_SIZE(256) - 1);
        assert_string_not_equal(a, b);                        /* OAEP is randomized */
        expect_unwraps_to(a, key, sizes[i]);
        expect_unwraps_to(b, key, sizes[i]);
        free(a);
        free(b);
    }
    char *none = NULL;
    assert_int_equal(protection_key_wrap(g->pk, key, 215, &none), KEY_ERR_LENGTH);
    assert_int_equal(protection_key_wrap(g->pk, key, 0, &none), KEY_ERR_LENGTH);
    assert_null(none);
}

/* Encrypts like a client: public key from the published certificate, EVP
 * OAEP with SHA-1 (what RSAOAEPKeyExchangeFormatter does). */
static char *client_encrypt(const uint8_t *key, size_t len, const EVP_MD *md)
{
    X509 *cert = parse_cert(g->pk);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, X509_get0_pubkey(cert), NULL);
    uint8_t ct[512];
    size_t ct_len = sizeof(ct);
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
    assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0);
    assert_true(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) > 0);
    assert_true(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0);
    assert_int_equal(EVP_PKEY_encrypt(ctx, ct, &ct_len, key, len), 1);
    EVP_PKEY_CTX_free(ctx);
    X509_free(cert);
    char *b64 = base64_encode_alloc(ct, ct_len);
    assert_non_null(b64);
    return b64;
}

static void test_unwrap_of_evp_client_ciphertext(void **state)
{
    (void)state;
    uint8_t key[32];
    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    char *b64 = client_encrypt(key, sizeof(key), EVP_sha1());
    expect_unwraps_to(b64, key, sizeof(key));
    free(b64);
}

/* Encrypts a file with `openssl pkeyutl` and the certificate; returns the
 * base64 ciphertext (free()). */
static char *cli_encrypt(const uint8_t *key, size_t len, const char *padding_opts)
{
    char key_path[KT_PATH], ct_b64_path[KT_PATH], b64[1024];
    kt_join(key_path, g->dir, "clear.bin");
    kt_join(ct_b64_path, g->dir, "ct.b64");
    kt_write_file(key_path, key, len, 0600);
    assert_int_equal(kt_run("openssl pkeyutl -encrypt -certin -inkey %s %s -in %s | openssl base64 -A > %s",
                            g->cert_pem, padding_opts, key_path, ct_b64_path), 0);
    kt_read_file(ct_b64_path, b64, sizeof(b64));
    assert_int_equal(strlen(b64), BASE64_ENCODED_SIZE(256) - 1);
    return strdup(b64);
}

static void test_unwrap_of_openssl_cli_ciphertext(void **state)
{
    (void)state;
    for (size_t len = 16; len <= 32; len += 16) {
        uint8_t key[32];
        assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
        char *b64 = cli_encrypt(key, len, OAEP_SHA1_OPTS);
        expect_unwraps_to(b64, key, len);
        free(b64);
    }
}

static void test_wrapped_key_decrypts_with_openssl_cli(void **state)
{
    (void)state;
    uint8_t key[16], back[64];
    char *b64 = NULL, b64_path[KT_PATH], out_path[KT_PATH];
    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    assert_int_equal(protection_key_wrap(g->pk, key, sizeof(key), &b64), KEY_OK);
    kt_join(b64_path, g->dir, "wrapped.b64");
    kt_join(out_path, g->dir, "unwrapped.bin");
    kt_write_file(b64_path, b64, strlen(b64), 0600);
    assert_int_equal(kt_run("openssl base64 -d -A -in %s | openssl pkeyutl -decrypt -inkey %s %s -out %s",
                            b64_path, g->pem, OAEP_SHA1_OPTS, out_path), 0);
    assert_int_equal(kt_read_file(out_path, back, sizeof(back)), sizeof(key));
    assert_memory_equal(back, key, sizeof(key));
    free(b64);
}

static void expect_unwrap_status(const char *b64, int status)
{
    uint8_t out[64];
    size_t len = 0;
    memset(out, 0x5A, sizeof(out));
    int rc = protection_key_unwrap(g->pk, b64, out, sizeof(out), &len);
    if (rc != status)
        fail_msg("unwrap gave %s, expected %s", key_status_str(rc), key_status_str(status));
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0);                       /* wiped */
}

static void test_unwrap_rejects_malformed_input(void **state)
{
    (void)state;
    static uint8_t zeros[512];
    size_t lengths[] = { 16, 255, 257, 512 };
    expect_unwrap_status("not base64!", KEY_ERR_ENCODING);
    expect_unwrap_status("AAA", KEY_ERR_ENCODING);
    expect_unwrap_status("", KEY_ERR_LENGTH);
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        char *b64 = base64_encode_alloc(zeros, lengths[i]);
        expect_unwrap_status(b64, KEY_ERR_LENGTH);
        free(b64);
    }
    uint8_t out[16];
    size_t len = 0;
    assert_int_equal(protection_key_unwrap(NULL, "AAAA", out, sizeof(out), &len), KEY_ERR_ARGUMENT);
    assert_int_equal(protection_key_unwrap(g->pk, NULL, out, sizeof(out), &len), KEY_ERR_ARGUMENT);
    assert_int_equal(protection_key_unwrap(g->pk, "AAAA", NULL, sizeof(out), &len), KEY_ERR_ARGUMENT);
}

static void test_unwrap_rejects_tampered_ciphertext(void **state)
{
    (void)state;
    uint8_t key[16], ct[256];
    size_t ct_len = 0;
    char *b64 = NULL;
    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    assert_int_equal(protection_key_wrap(g->pk, key, sizeof(key), &b64), KEY_OK);
    assert_int_equal(base64_decode_strict(b64, strlen(b64), ct, sizeof(ct), &ct_len), BASE64_OK);
    size_t positions[] = { 0, 1, 100, 200, 255 };
    for (size_t i = 0; i < sizeof(positions) / sizeof(positions[0]); i++) {
        char tampered[400];
        ct[positions[i]] ^= 0x10;
        base64_encode(ct, ct_len, tampered, sizeof(tampered));
        expect_unwrap_status(tampered, KEY_ERR_DECRYPT);
        ct[positions[i]] ^= 0x10;
    }
    /* the ciphertext as an integer >= the modulus */
    memset(ct, 0xFF, sizeof(ct));
    char all_ones[400];
    base64_encode(ct, sizeof(ct), all_ones, sizeof(all_ones));
    expect_unwrap_status(all_ones, KEY_ERR_DECRYPT);
    free(b64);
}

static void test_unwrap_rejects_other_paddings(void **state)
{
    (void)state;
    uint8_t key[16];
    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    char *pkcs1 = cli_encrypt(key, sizeof(key), "-pkeyopt rsa_padding_mode:pkcs1");
    char *oaep256 = cli_encrypt(key, sizeof(key),
                                "-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 "
                                "-pkeyopt rsa_mgf1_md:sha256");
    char *evp256 = client_encrypt(key, sizeof(key), EVP_sha256());
    expect_unwrap_status(pkcs1, KEY_ERR_DECRYPT);
    expect_unwrap_status(oaep256, KEY_ERR_DECRYPT);
    expect_unwrap_status(evp256, KEY_ERR_DECRYPT);
    free(pkcs1);
    free(oaep256);
    free(evp256);
}

static void test_unwrap_capacity(void **state)
{
    (void)state;
    uint8_t key[32], out[32];
    size_t len = 0;
    char *b64 = NULL;
    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    assert_int_equal(protection_key_wrap(g->pk, key, sizeof(key), &b64), KEY_OK);
    memset(out, 0x5A, sizeof(out));
    assert_int_equal(protection_key_unwrap(g->pk, b64, out, 16, &len), KEY_ERR_CAPACITY);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(out[i], 0);
    assert_int_equal(protection_key_unwrap(g->pk, b64, out, 32, &len), KEY_OK);
    assert_int_equal(len, 32);
    free(b64);
}

/* Several threads unwrap with one shared protection key at once. */
enum { UNWRAP_THREADS = 4, UNWRAPS_PER_THREAD = 16 };

typedef struct {
    const char *b64[UNWRAPS_PER_THREAD];
    uint8_t key[UNWRAPS_PER_THREAD][16];
    int failures;
} unwrap_job_t;

static void *unwrap_worker(void *arg)
{
    unwrap_job_t *job = arg;
    for (int i = 0; i < UNWRAPS_PER_THREAD; i++) {
        uint8_t out[16];
        size_t len = 0;
        if (protection_key_unwrap(g->pk, job->b64[i], out, sizeof(out), &len) != KEY_OK
            || len != 16 || memcmp(out, job->key[i], 16) != 0)
            job->failures++;
    }
    return NULL;
}

static void test_unwrap_from_several_threads(void **state)
{
    (void)state;
    static unwrap_job_t jobs[UNWRAP_THREADS];
    pthread_t threads[UNWRAP_THREADS];
    for (int t = 0; t < UNWRAP_THREADS; t++) {
        for (int i = 0; i < UNWRAPS_PER_THREAD; i++) {
            char *b64 = NULL;
            assert_int_equal(RAND_bytes(jobs[t].key[i], 16), 1);
            assert_int_equal(protection_key_wrap(g->pk, jobs[t].key[i], 16, &b64), KEY_OK);
            jobs[t].b64[i] = b64;
        }
        jobs[t].failures = 0;
    }
    for (int t = 0; t < UNWRAP_THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, unwrap_worker, &jobs[t]), 0);
    for (int t = 0; t < UNWRAP_THREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        assert_int_equal(jobs[t].failures, 0);
        for (int i = 0; i < UNWRAPS_PER_THREAD; i++)
            free((char *)jobs[t].b64[i]);
    }
}

/* ---- key files ------------------------------------------------------------ */

typedef struct {
    char dir[KT_PATH];
    char pem[KT_PATH];
} scratch_t;

static void scratch_make(scratch_t *s)
{
    kt_make_temp_dir(s->dir);
    kt_join(s->pem, s->dir, PROTECTION_KEY_FILE);
}

/* Writes content as the key file and expects it refused, unchanged. */
static void expect_refused(const scratch_t *s, const char *content, mode_t mode, const char *why)
{
    char err[512] = "", after[16384];
    kt_write_file(s->pem, content, strlen(content), mode);
    protection_key_t *pk = protection_key_load_or_create(s->dir, err, sizeof(err));
    if (pk != NULL)
        fail_msg("a protection key file with %s was accepted", why);
    assert_non_null(strstr(err, s->pem));
    kt_read_file(s->pem, after, sizeof(after));
    assert_string_equal(after, content);
    assert_int_equal(kt_mode(s->pem), mode);
}

/* A key/certificate pair made by the openssl CLI: key and cert PEM text. */
static void cli_key_and_cert(const char *dir, const char *keygen, char *key_pem, char *cert_pem, size_t cap)
{
    char key_path[KT_PATH], cert_path[KT_PATH];
    kt_join(key_path, dir, "cli.key");
    kt_join(cert_path, dir, "cli.crt");
    assert_int_equal(kt_run("openssl req -x509 -newkey %s -nodes -keyout %s -out %s -days 30 "
                            "-subj /CN=cli 2>/dev/null", keygen, key_path, cert_path), 0);
    kt_read_file(key_path, key_pem, cap);
    kt_read_file(cert_path, cert_pem, cap);
}

static void test_corrupt_files_are_refused_and_kept(void **state)
{
    (void)state;
    static char good[16384], key_part[16384], cert_part[8192], buf[32768];
    static char cli_key[8192], cli_cert[8192], small_key[8192], small_cert[8192], enc_key[8192];
    scratch_t s;
    scratch_make(&s);
    kt_read_file(g->pem, good, sizeof(good));
    char *cert_start = strstr(good, "-----BEGIN CERTIFICATE-----");
    assert_non_null(cert_start);
    snprintf(key_part, sizeof(key_part), "%.*s", (int)(cert_start - good), good);
    snprintf(cert_part, sizeof(cert_part), "%s", cert_start);

    expect_refused(&s, "garbage\n", 0600, "garbage");
    expect_refused(&s, "", 0600, "no content");
    snprintf(buf, sizeof(buf), "%.*s", (int)(strlen(good) / 2), good);
    expect_refused(&s, buf, 0600, "half of its content");
    expect_refused(&s, key_part, 0600, "no certificate");
    expect_refused(&s, cert_part, 0600, "no private key");
    snprintf(buf, sizeof(buf), "%s", good);
    buf[100] = buf[100] == 'A' ? 'B' : 'A';                  /* inside the key */
    expect_refused(&s, buf, 0600, "a changed key character");
    expect_refused(&s, good, 0644, "mode 0644");
    expect_refused(&s, good, 0604, "mode 0604");

    cli_key_and_cert(s.dir, "rsa:2048", cli_key, cli_cert, sizeof(cli_key));
    snprintf(buf, sizeof(buf), "%s%s", key_part, cli_cert);
    expect_refused(&s, buf, 0600, "a certificate of another key");
    cli_key_and_cert(s.dir, "rsa:1024", small_key, small_cert, sizeof(small_key));
    snprintf(buf, sizeof(buf), "%s%s", small_key, small_cert);
    expect_refused(&s, buf, 0600, "a 1024-bit key");
    cli_key_and_cert(s.dir, "ec -pkeyopt ec_paramgen_curve:P-256", small_key, small_cert, sizeof(small_key));
    snprintf(buf, sizeof(buf), "%s%s", small_key, small_cert);
    expect_refused(&s, buf, 0600, "an EC key");

    char enc_path[KT_PATH], plain_path[KT_PATH];
    kt_join(plain_path, s.dir, "plain.key");
    kt_join(enc_path, s.dir, "enc.key");
    kt_write_file(plain_path, key_part, strlen(key_part), 0600);
    assert_int_equal(kt_run("openssl pkey -in %s -aes256 -passout pass:secret -out %s </dev/null",
                            plain_path, enc_path), 0);
    kt_read_file(enc_path, enc_key, sizeof(enc_key));
    snprintf(buf, sizeof(buf), "%s%s", enc_key, cert_part);
    expect_refused(&s, buf, 0600, "an encrypted private key");

    /* the original content loads again */
    char err[512] = "";
    kt_write_file(s.pem, good, strlen(good), 0600);
    protection_key_t *pk = protection_key_load_or_create(s.dir, err, sizeof(err));
    assert_non_null(pk);
    assert_string_equal(protection_key_id(pk), protection_key_id(g->pk));
    protection_key_free(pk);
    kt_remove_tree(s.dir);
}

static void test_openssl_made_key_file_is_accepted(void **state)
{
    (void)state;
    static char key_pem[8192], cert_pem[8192], both[16400];
    char err[512] = "", fp_path[KT_PATH], cert_path[KT_PATH], fp[256], hex[64];
    scratch_t s;
    scratch_make(&s);
    cli_key_and_cert(s.dir, "rsa:3072", key_pem, cert_pem, sizeof(key_pem));
    snprintf(both, sizeof(both), "%s%s", key_pem, cert_pem);
    kt_write_file(s.pem, both, strlen(both), 0600);
    protection_key_t *pk = protection_key_load_or_create(s.dir, err, sizeof(err));
    if (pk == NULL)
        fail_msg("%s", err);
    kt_join(cert_path, s.dir, "cli.crt");
    kt_join(fp_path, s.dir, "fp.txt");
    assert_int_equal(kt_run("openssl x509 -in %s -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' > %s",
                            cert_path, fp_path), 0);
    kt_read_file(fp_path, fp, sizeof(fp));
    snprintf(hex, sizeof(hex), "%.40s", fp);
    assert_string_equal(protection_key_id(pk), hex);

    uint8_t key[16], out[16];
    size_t len = 0;
    char *b64 = NULL;
    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    assert_int_equal(protection_key_wrap(pk, key, sizeof(key), &b64), KEY_OK);
    assert_int_equal(strlen(b64), BASE64_ENCODED_SIZE(384) - 1);
    assert_int_equal(protection_key_unwrap(pk, b64, out, sizeof(out), &len), KEY_OK);
    assert_memory_equal(out, key, sizeof(key));
    free(b64);
    protection_key_free(pk);
    kt_remove_tree(s.dir);
}

static void test_unusable_directory(void **state)
{
    (void)state;
    char not_dir[KT_PATH], err[256] = "";
    kt_join(not_dir, g->dir, "not-a-dir");
    kt_write_file(not_dir, "x", 1, 0600);
    assert_null(protection_key_load_or_create(not_dir, err, sizeof(err)));
    assert_non_null(strstr(err, "not a directory"));
    assert_null(protection_key_load_or_create(NULL, err, sizeof(err)));
}

/* Processes starting at once on an empty directory agree on one key pair:
 * each writes the id it loaded to <dir>/id-<i>. */
static int race_child(const char *dir, int index)
{
    char err[512] = "", path[KT_PATH], name[32];
    protection_key_t *pk = protection_key_load_or_create(dir, err, sizeof(err));
    if (pk == NULL)
        return 1;
    snprintf(name, sizeof(name), "id-%d", index);
    kt_join(path, dir, name);
    kt_write_file(path, protection_key_id(pk), PROTECTION_KEY_ID_LEN, 0600);
    protection_key_free(pk);
    return 0;
}

static void test_concurrent_first_start_agrees_on_one_key(void **state)
{
    (void)state;
    enum { CHILDREN = 4 };
    char dir[KT_PATH], err[512] = "";
    kt_join(dir, g->dir, "race");
    assert_int_equal(kt_race(CHILDREN, dir, race_child), 0);
    protection_key_t *pk = protection_key_load_or_create(dir, err, sizeof(err));
    assert_non_null(pk);
    for (int i = 0; i < CHILDREN; i++) {
        char path[KT_PATH], name[32], id[64];
        snprintf(name, sizeof(name), "id-%d", i);
        kt_join(path, dir, name);
        kt_read_file(path, id, sizeof(id));
        assert_string_equal(id, protection_key_id(pk));
    }
    protection_key_free(pk);
}

/* ---- the AMS flow ---------------------------------------------------------- */

/* Client: GetProtectionKeyId/GetProtectionKey, random key and kid, OAEP, and
 * Checksum; server: match the id, unwrap, check the checksum, seal at rest;
 * after a "restart" (fresh master key instance) the key opens again. */
static void create_content_key_like_a_client(size_t key_len)
{
    char err[256] = "", kid_text[GUID_TEXT_LEN + 1], id[CONTENT_KEY_ID_LEN + 1];
    char checksum[CONTENT_KEY_CHECKSUM_LEN + 1];
    uint8_t key[32], kid[16], unwrapped[32], reopened[32];
    size_t unwrapped_len = 0, reopened_len = 0;
    char *sealed = NULL;
    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    assert_int_equal(RAND_bytes(kid, sizeof(kid)), 1);
    guid_format(kid, kid_text);
    content_key_id_format(kid, id);
    char *encrypted = client_encrypt(key, key_len, EVP_sha1());
    assert_int_equal(content_key_checksum(key, key_len, kid_text, checksum), KEY_OK);

    const char *protection_key_id_sent = protection_key_id(g->pk);
    assert_true(protection_key_id_matches(g->pk, protection_key_id_sent));
    assert_int_equal(protection_key_unwrap(g->pk, encrypted, unwrapped, sizeof(unwrapped), &unwrapped_len), KEY_OK);
    assert_int_equal(unwrapped_len, key_len);
    assert_int_equal(content_key_checksum_check(unwrapped, unwrapped_len, id, checksum), CHECKSUM_MATCHES_DOTNET);

    master_key_t *mk = master_key_load_or_create(g->dir, err, sizeof(err));
    assert_non_null(mk);
    assert_int_equal(master_key_seal_bound(mk, id, unwrapped, unwrapped_len, &sealed), KEY_OK);
    master_key_free(mk);
    mk = master_key_load_or_create(g->dir, err, sizeof(err));
    assert_non_null(mk);
    assert_int_equal(master_key_open_bound(mk, id, sealed, reopened, sizeof(reopened), &reopened_len), KEY_OK);
    assert_int_equal(reopened_len, key_len);
    assert_memory_equal(reopened, key, key_len);
    master_key_free(mk);
    free(sealed);
    free(encrypted);
}

static void test_content_key_flow_envelope_and_cenc_key(void **state)
{
    (void)state;
    create_content_key_like_a_client(16);
}

static void test_content_key_flow_storage_key(void **state)
{
    (void)state;
    create_content_key_like_a_client(32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_gives_same_identity),
        cmocka_unit_test(test_id_is_uppercase_sha1_of_der),
        cmocka_unit_test(test_thumbprint_matches_openssl_cli),
        cmocka_unit_test(test_certificate_is_valid_x509_with_the_rsa_key),
        cmocka_unit_test(test_id_matches_in_any_case),
        cmocka_unit_test(test_wrap_unwrap_round_trip),
        cmocka_unit_test(test_unwrap_of_evp_client_ciphertext),
        cmocka_unit_test(test_unwrap_of_openssl_cli_ciphertext),
        cmocka_unit_test(test_wrapped_key_decrypts_with_openssl_cli),
        cmocka_unit_test(test_unwrap_rejects_malformed_input),
        cmocka_unit_test(test_unwrap_rejects_tampered_ciphertext),
        cmocka_unit_test(test_unwrap_rejects_other_paddings),
        cmocka_unit_test(test_unwrap_capacity),
        cmocka_unit_test(test_unwrap_from_several_threads),
        cmocka_unit_test(test_corrupt_files_are_refused_and_kept),
        cmocka_unit_test(test_openssl_made_key_file_is_accepted),
        cmocka_unit_test(test_unusable_directory),
        cmocka_unit_test(test_concurrent_first_start_agrees_on_one_key),
        cmocka_unit_test(test_content_key_flow_envelope_and_cenc_key),
        cmocka_unit_test(test_content_key_flow_storage_key),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
