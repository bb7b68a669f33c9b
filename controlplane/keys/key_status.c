/*
 * key_status.c — English descriptions of key_status_t values, safe to show
 * to API clients (they never contain key material).
 */
#include "key_status.h"

const char *key_status_str(int status)
{
    switch (status) {
    case KEY_OK:           return "ok";
    case KEY_ERR_ARGUMENT: return "invalid argument";
    case KEY_ERR_ENCODING: return "invalid encoding";
    case KEY_ERR_LENGTH:   return "invalid length";
    case KEY_ERR_DECRYPT:  return "ciphertext rejected";
    case KEY_ERR_CAPACITY: return "output buffer too small";
    case KEY_ERR_CRYPTO:   return "cryptographic library failure";
    case KEY_ERR_NOMEM:    return "out of memory";
    default:               return "unknown error";
    }
}
