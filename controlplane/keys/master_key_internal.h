/*
 * master_key_internal.h — layout of master_key_t, shared by master_key.c
 * (file handling) and master_seal.c (AES-256-GCM); not for other modules.
 */
#ifndef MASTER_KEY_INTERNAL_H
#define MASTER_KEY_INTERNAL_H

#include <stdint.h>

#define MASTER_KEY_BYTES 32

struct master_key {
    uint8_t key[MASTER_KEY_BYTES];
};

#endif
