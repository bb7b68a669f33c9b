/*
 * protection_key_internal.h — layout of protection_key_t, shared by
 * protection_key.c (files, certificate, ids) and protection_oaep.c (RSA-OAEP);
 * not for other modules.
 */
#ifndef PROTECTION_KEY_INTERNAL_H
#define PROTECTION_KEY_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "protection_key.h"

struct protection_key {
    EVP_PKEY *pkey;
    X509 *cert;
    char id[PROTECTION_KEY_ID_LEN + 1];
    char *cert_b64;
};

#endif
