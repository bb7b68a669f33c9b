/*
 * swt.h — Simple Web Tokens, the token format of Azure ACS that AMS v2
 * clients received: "k=v&k=v&…&HMACSHA256=<url-encoded base64>" signed with
 * HMAC-SHA256 over everything before "&HMACSHA256=".  Used for API bearer
 * tokens (and later for key-delivery token restrictions).
 */
#ifndef SWT_H
#define SWT_H

#include <stddef.h>
#include <stdint.h>

#define SWT_MAX_LEN 2048

/* Appends the signature to claims (already form-encoded); returns a malloc'ed token. */
char *swt_sign(const uint8_t *key, size_t key_len, const char *claims);

typedef struct {
    char    issuer[512];
    char    audience[512];
    int64_t expires_on;     /* unix seconds */
    char    subject[256];   /* client_id claim, if any */
} swt_claims_t;

typedef enum { SWT_OK = 0, SWT_MALFORMED, SWT_BAD_SIGNATURE, SWT_EXPIRED } swt_result_t;

/* Verifies signature and expiry against now (unix seconds); fills claims. */
swt_result_t swt_verify(const uint8_t *key, size_t key_len, const char *token, int64_t now,
                        swt_claims_t *claims);

#endif
