/*
 * encoder_check.h — `mediaplane-encoder --check-config FILE`: whether a
 * task Configuration (preset name or MES JSON) is one the encoder accepts,
 * asked synchronously at job creation (no encoding; bounded by a timeout).
 */
#ifndef ENCODER_CHECK_H
#define ENCODER_CHECK_H

#include <stddef.h>

#define ENCODER_CHECK_TIMEOUT_MS 10000

typedef enum {
    ENCODER_CHECK_OK,          /* accepted */
    ENCODER_CHECK_REJECTED,    /* msg: the encoder's "<Code> <message>" */
    ENCODER_CHECK_UNAVAILABLE, /* the encoder could not be run (msg says why) */
} encoder_check_t;

/* encoder: the executable; tmp_dir: where the config file is written. */
encoder_check_t encoder_check_config(const char *encoder, const char *tmp_dir,
                                     const char *config, char *msg, size_t cap);

#endif
