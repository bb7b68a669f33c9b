/*
 * enc_storage.h — storage-encrypted inputs (AMS StorageEncryption): the
 * daemon lists the clear key and IV of each encrypted input in a 0600 file
 * of the task's work dir (controlplane/sched/task_storage_keys.h); each
 * such input is decrypted (AES-256-CTR, core/crypto/mp_storage_cipher.h)
 * into <work dir>/clear-<n>/<same file name> before ffmpeg reads it, and the
 * task's inputs point there.  The keys file is removed once read; the clear
 * copies go with the work dir when the task ends.  An "out <hex key>" line
 * asks for storage-encrypted outputs: once the task succeeded every file of
 * the output dir is encrypted in place with that key and a random IV, the
 * IVs listed in storage-ivs next to the keys file ("<name> <decimal IV>").
 */
#ifndef ENC_STORAGE_H
#define ENC_STORAGE_H

#include <stddef.h>

#include "crypto/mp_storage_cipher.h"

#define ENC_STORAGE_PATH_MAX 4096

/* inputs[0..count) as given; clear[n] receives the path of a decrypted
 * copy, and inputs[n] is pointed at it.  0, or -1 with err (bad keys file,
 * an input index out of range, I/O). */
int enc_storage_inputs(const char *keys_file, char **inputs, int count,
                       char (*clear)[ENC_STORAGE_PATH_MAX], mp_storage_key_t *out_key,
                       int *has_out_key, char *err, size_t cap);

/* Every file of output_dir encrypted in place with k and its own random IV;
 * the IVs into <dir of keys_file>/storage-ivs.  0, or -1 with err. */
int enc_storage_outputs(const char *keys_file, const char *output_dir,
                        const mp_storage_key_t *k, char *err, size_t cap);

#endif
