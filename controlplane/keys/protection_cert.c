/*
 * protection_cert.c — the protection key's self-signed certificate, built with
 * the X509 API (serial, validity, names, v3 extensions, SHA-256 signature).
 */
#include "protection_cert.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "key_file.h"

#define SERIAL_BYTES 16
#define CLOCK_SKEW_SECONDS (24L * 60 * 60)

static int set_random_serial(X509 *cert)
{
    unsigned char bytes[SERIAL_BYTES];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1)
        return 0;
    bytes[0] = (unsigned char)((bytes[0] & 0x7F) | 0x40);  /* positive, full length */
    BIGNUM *bn = BN_bin2bn(bytes, sizeof(bytes), NULL);
    int ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    return ok;
}

static int set_validity(X509 *cert)
{
    return X509_gmtime_adj(X509_getm_notBefore(cert), -CLOCK_SKEW_SECONDS) != NULL
           && X509_time_adj_ex(X509_getm_notAfter(cert), PROTECTION_CERT_VALID_DAYS, 0, NULL) != NULL;
}

static int set_names(X509 *cert)
{
    X509_NAME *name = X509_get_subject_name(cert);
    return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                      (const unsigned char *)"mediaplane", -1, -1, 0)
           && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                         (const unsigned char *)PROTECTION_CERT_SUBJECT_CN, -1, -1, 0)
           && X509_set_issuer_name(cert, name);
}

static int add_extension(X509 *cert, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    int ok = ext != NULL && X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static int add_extensions(X509 *cert)
{
    return add_extension(cert, NID_basic_constraints, "critical,CA:FALSE")
           && add_extension(cert, NID_key_usage, "critical,keyEncipherment,dataEncipherment")
           && add_extension(cert, NID_subject_key_identifier, "hash");
}

X509 *protection_cert_self_signed(EVP_PKEY *pkey, char *err, size_t errlen)
{
    X509 *cert = X509_new();
    int ok = cert != NULL
             && X509_set_version(cert, X509_VERSION_3)
             && set_random_serial(cert)
             && set_validity(cert)
             && set_names(cert)
             && X509_set_pubkey(cert, pkey)
             && add_extensions(cert)
             && X509_sign(cert, pkey, EVP_sha256()) > 0;
    ERR_clear_error();
    if (!ok) {
        X509_free(cert);
        key_set_error(err, errlen, "cannot build the protection key certificate");
        return NULL;
    }
    return cert;
}
