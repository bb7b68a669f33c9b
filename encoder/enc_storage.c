/*
 * enc_storage.c — decrypting a task's storage-encrypted inputs into its
 * work dir (see the header): the keys file parsed line by line, each file
 * streamed through AES-256-CTR in 1 MB pieces (memory bounded whatever the
 * file size), written 0600.
 */
#include "enc_storage.h"

#include "crypto/mp_storage_cipher.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <libgen.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1024 * 1024)

static int parse_key(const char *hex, mp_storage_key_t *k)
{
    for (int i = 0; i < MP_STORAGE_KEY_LEN; i++) {
        unsigned b;
        if (sscanf(hex + 2 * i, "%2x", &b) != 1) {
            return -1;
        }
        k->key[i] = (uint8_t) b;
    }
    return hex[2 * MP_STORAGE_KEY_LEN] == '\0' ? 0 : -1;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            return -1;
        }
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

static int decrypt_file(const char *in, const char *out, const mp_storage_key_t *k, char *err,
                        size_t cap)
{
    int fi = open(in, O_RDONLY | O_CLOEXEC), fo = -1, rc = 0;
    uint8_t *buf = malloc(CHUNK);
    uint64_t off = 0;
    ssize_t n;

    if (fi >= 0) {
        fo = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    }
    if (fi < 0 || fo < 0 || buf == NULL) {
        snprintf(err, cap, "cannot decrypt '%s': %s", in, strerror(errno));
        rc = -1;
    }
    while (rc == 0 && (n = read(fi, buf, CHUNK)) > 0) {
        if (mp_storage_xor(k, off, buf, (size_t) n) != MP_OK || write_all(fo, buf, (size_t) n) != 0) {
            snprintf(err, cap, "cannot decrypt '%s' into the work dir: %s", in, strerror(errno));
            rc = -1;
        }
        off += (uint64_t) n;
    }
    if (rc == 0 && n < 0) {
        snprintf(err, cap, "cannot read '%s': %s", in, strerror(errno));
        rc = -1;
    }
    if (fo >= 0 && close(fo) != 0 && rc == 0) {
        snprintf(err, cap, "cannot write the clear copy of '%s': %s", in, strerror(errno));
        rc = -1;
    }
    if (fi >= 0) {
        close(fi);
    }
    free(buf);
    return rc;
}

static int fits(int n, size_t cap)
{
    return n >= 0 && (size_t) n < cap;
}

/* "out <hex key>": the key of storage-encrypted outputs. */
static int output_line(const char *line, mp_storage_key_t *k, int *has, char *err, size_t cap)
{
    char hex[2 * MP_STORAGE_KEY_LEN + 2];
    int rc = sscanf(line, "out %65s", hex) == 1 && parse_key(hex, k) == 0 ? 0 : -1;

    OPENSSL_cleanse(hex, sizeof(hex));
    if (rc != 0) {
        snprintf(err, cap, "malformed storage keys file");
    }
    *has = rc == 0;
    return rc;
}

/* One "<index> <hex key> <iv>" line: the input decrypted. */
static int decrypt_line(const char *line, const char *dir, char **inputs, int count,
                        char (*clear)[ENC_STORAGE_PATH_MAX], char *err, size_t cap)
{
    char hex[2 * MP_STORAGE_KEY_LEN + 2], sub[ENC_STORAGE_PATH_MAX], name[ENC_STORAGE_PATH_MAX];
    unsigned long long iv;
    mp_storage_key_t k;
    int index, rc;

    if (sscanf(line, "%d %65s %llu", &index, hex, &iv) != 3 || index < 0 || index >= count
        || parse_key(hex, &k) != 0) {
        snprintf(err, cap, "malformed storage keys file");
        OPENSSL_cleanse(hex, sizeof(hex));
        return -1;
    }
    OPENSSL_cleanse(hex, sizeof(hex));
    k.iv = iv;
    snprintf(name, sizeof(name), "%s", inputs[index]);
    if (!fits(snprintf(sub, sizeof(sub), "%s/clear-%d", dir, index), sizeof(sub))
        || !fits(snprintf(clear[index], ENC_STORAGE_PATH_MAX, "%s/%s", sub, basename(name)),
                 ENC_STORAGE_PATH_MAX)) {
        snprintf(err, cap, "the work dir path is too long");
        return -1;
    }
    if (mkdir(sub, 0700) != 0 && errno != EEXIST) {
        snprintf(err, cap, "%s: %s", sub, strerror(errno));
        return -1;
    }
    rc = decrypt_file(inputs[index], clear[index], &k, err, cap);
    OPENSSL_cleanse(&k, sizeof(k));
    if (rc == 0) {
        inputs[index] = clear[index];
    }
    return rc;
}

int enc_storage_inputs(const char *keys_file, char **inputs, int count,
                       char (*clear)[ENC_STORAGE_PATH_MAX], mp_storage_key_t *out_key,
                       int *has_out_key, char *err, size_t cap)
{
    char dir[ENC_STORAGE_PATH_MAX], line[256];
    FILE *f = fopen(keys_file, "r");
    int rc = 0;

    if (f == NULL) {
        snprintf(err, cap, "storage keys file '%s': %s", keys_file, strerror(errno));
        return -1;
    }
    char copy[ENC_STORAGE_PATH_MAX];
    snprintf(copy, sizeof(copy), "%s", keys_file);
    snprintf(dir, sizeof(dir), "%s", dirname(copy));     /* not in place: overlapping copy */
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "out ", 4) == 0) {
            rc = output_line(line, out_key, has_out_key, err, cap);
        } else {
            rc = line[0] ? decrypt_line(line, dir, inputs, count, clear, err, cap) : 0;
        }
    }
    OPENSSL_cleanse(line, sizeof(line));
    fclose(f);
    unlink(keys_file);
    return rc;
}

/* path encrypted in place (same size), 1 MB at a time. */
static int encrypt_in_place(const char *path, const mp_storage_key_t *k, char *err, size_t cap)
{
    int fd = open(path, O_RDWR | O_CLOEXEC), rc = 0;
    uint8_t *buf = malloc(CHUNK);
    uint64_t off = 0;
    ssize_t n = 0;

    if (fd < 0 || buf == NULL) {
        rc = -1;
    }
    while (rc == 0 && (n = pread(fd, buf, CHUNK, (off_t) off)) > 0) {
        if (mp_storage_xor(k, off, buf, (size_t) n) != MP_OK
            || pwrite(fd, buf, (size_t) n, (off_t) off) != n) {
            rc = -1;
        }
        off += (uint64_t) n;
    }
    if (n < 0 || (fd >= 0 && close(fd) != 0)) {
        rc = -1;
    }
    if (rc != 0) {
        snprintf(err, cap, "cannot encrypt output '%s': %s", path, strerror(errno));
    }
    free(buf);
    return rc;
}

int enc_storage_outputs(const char *keys_file, const char *output_dir,
                        const mp_storage_key_t *k, char *err, size_t cap)
{
    char dir[ENC_STORAGE_PATH_MAX], path[ENC_STORAGE_PATH_MAX];
    DIR *d = opendir(output_dir);
    FILE *ivs = NULL;
    struct dirent *e;
    mp_storage_key_t fk = *k;
    int rc = 0;

    snprintf(dir, sizeof(dir), "%s", keys_file);
    if (d == NULL || !fits(snprintf(path, sizeof(path), "%s/storage-ivs", dirname(dir)),
                           sizeof(path))
        || (ivs = fopen(path, "w")) == NULL) {
        snprintf(err, cap, "cannot list the IVs of the encrypted outputs: %s", strerror(errno));
        rc = -1;
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !fits(snprintf(path, sizeof(path), "%s/%s", output_dir,
                                                  e->d_name), sizeof(path))) {
            continue;
        }
        if (RAND_bytes((uint8_t *) &fk.iv, sizeof(fk.iv)) != 1) {
            snprintf(err, cap, "no randomness for an IV");
            rc = -1;
        } else if ((rc = encrypt_in_place(path, &fk, err, cap)) == 0) {
            fprintf(ivs, "%s %llu\n", e->d_name, (unsigned long long) fk.iv);
        }
    }
    OPENSSL_cleanse(&fk, sizeof(fk));
    if (ivs != NULL && fclose(ivs) != 0 && rc == 0) {
        snprintf(err, cap, "cannot write the IVs of the encrypted outputs");
        rc = -1;
    }
    if (d != NULL) {
        closedir(d);
    }
    return rc;
}
