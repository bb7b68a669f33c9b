/*
 * key_status.h — result codes shared by the content-key cryptography
 * (controlplane/keys/): one enum so the REST layer can map a failure to a
 * status and message without knowing which primitive produced it.
 */
#ifndef KEY_STATUS_H
#define KEY_STATUS_H

typedef enum {
    KEY_OK = 0,
    KEY_ERR_ARGUMENT = -1,   /* NULL pointer, unsupported size, bad GUID text */
    KEY_ERR_ENCODING = -2,   /* not strict base64, or an unknown format prefix */
    KEY_ERR_LENGTH = -3,     /* decoded input has the wrong size */
    KEY_ERR_DECRYPT = -4,    /* wrong key, tampered or foreign ciphertext */
    KEY_ERR_CAPACITY = -5,   /* the caller's output buffer is too small */
    KEY_ERR_CRYPTO = -6,     /* libcrypto failed unexpectedly */
    KEY_ERR_NOMEM = -7
} key_status_t;

/* A short English description of a status ("ok", "ciphertext rejected", ...). */
const char *key_status_str(int status);

#endif
