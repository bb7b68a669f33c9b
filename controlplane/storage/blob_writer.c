/*
 * blob_writer.c — streams a body into a temp file with a running MD5 and
 * commits it atomically and durably (fsync, rename, fsync directory), or
 * leaves nothing behind.
 */
#include "blob_writer.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "blob_fs.h"
#include "blob_names.h"
#include "blob_staging.h"

struct blob_writer {
    int container_fd;
    int incoming_fd;
    int final_dir_fd;
    int fd;                                  /* the temp file */
    char temp_name[BLOB_RANDOM_NAME_SIZE];   /* in incoming_fd */
    char final_name[BLOB_NAME_MAX + 1];
    char blob_name[BLOB_NAME_MAX + 1];       /* "" for a staged block */
    EVP_MD_CTX *md5;
    uint64_t size;
    uint64_t limit;
    blob_reservation_t *reservation;         /* settled on commit, else released */
    blob_status_t failed;                    /* sticky first error */
};

static void writer_free(blob_writer_t *w)
{
    blob_quota_release(w->reservation);
    blob_fs_close(w->fd);
    blob_fs_close(w->incoming_fd);
    blob_fs_close(w->final_dir_fd);
    blob_fs_close(w->container_fd);
    EVP_MD_CTX_free(w->md5);
    free(w);
}

static blob_status_t writer_init(blob_writer_t *w, const blob_writer_target_t *t)
{
    w->container_fd = fcntl(t->container_fd, F_DUPFD_CLOEXEC, 0);
    w->final_dir_fd = fcntl(t->final_dir_fd, F_DUPFD_CLOEXEC, 0);
    if (w->container_fd < 0 || w->final_dir_fd < 0)
        return BLOB_IO;
    w->md5 = EVP_MD_CTX_new();
    if (w->md5 == NULL || EVP_DigestInit_ex(w->md5, EVP_md5(), NULL) != 1)
        return BLOB_IO;
    blob_status_t st = blob_fs_open_subdir(w->container_fd, BLOB_INCOMING_DIR, true, &w->incoming_fd);
    if (st == BLOB_OK)
        st = blob_fs_create_temp(w->incoming_fd, w->temp_name, &w->fd);
    return st;
}

blob_status_t blob_writer_open(const blob_writer_target_t *t, blob_writer_t **out)
{
    *out = NULL;
    if (strlen(t->final_name) > BLOB_NAME_MAX || (t->blob_name && strlen(t->blob_name) > BLOB_NAME_MAX)) {
        blob_quota_release(t->reservation);
        return BLOB_BAD_NAME;
    }
    blob_writer_t *w = calloc(1, sizeof *w);
    if (w == NULL) {
        blob_quota_release(t->reservation);
        return BLOB_IO;
    }
    w->container_fd = w->incoming_fd = w->final_dir_fd = w->fd = -1;
    strcpy(w->final_name, t->final_name);
    strcpy(w->blob_name, t->blob_name ? t->blob_name : "");
    w->reservation = t->reservation;
    w->limit = t->limit;
    if (w->reservation != NULL && blob_reservation_bytes(w->reservation) < w->limit)
        w->limit = blob_reservation_bytes(w->reservation);
    blob_status_t st = writer_init(w, t);
    if (st != BLOB_OK) {
        blob_put_abort(w);
        return st;
    }
    *out = w;
    return BLOB_OK;
}

blob_status_t blob_put_write(blob_writer_t *w, const void *data, size_t len)
{
    if (w->failed != BLOB_OK)
        return w->failed;
    if (len > w->limit - w->size)
        return w->failed = BLOB_TOO_LARGE;
    if (EVP_DigestUpdate(w->md5, data, len) != 1)
        return w->failed = BLOB_IO;
    blob_status_t st = blob_fs_write_all(w->fd, data, len);
    if (st != BLOB_OK)
        return w->failed = st;
    w->size += len;
    return BLOB_OK;
}

/* MD5 of what was written, checked against content_md5_b64 when given. */
static blob_status_t check_md5(blob_writer_t *w, const char *content_md5_b64, uint8_t md5[BLOB_MD5_LEN])
{
    uint8_t expected[BLOB_MD5_LEN];
    if (content_md5_b64 != NULL && blob_md5_parse(content_md5_b64, expected) != BLOB_OK)
        return BLOB_BAD_MD5;
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(w->md5, md5, &len) != 1 || len != BLOB_MD5_LEN)
        return BLOB_IO;
    if (content_md5_b64 != NULL && memcmp(expected, md5, BLOB_MD5_LEN) != 0)
        return BLOB_MD5_MISMATCH;
    return BLOB_OK;
}

/* Makes the temp file durable and moves it onto the final name. */
static blob_status_t commit(blob_writer_t *w)
{
    blob_status_t st = blob_fs_sync(w->fd);
    if (st == BLOB_OK)
        st = blob_fs_close(w->fd);
    w->fd = -1;
    if (st != BLOB_OK)
        return st;
    if (renameat(w->incoming_fd, w->temp_name, w->final_dir_fd, w->final_name) != 0)
        return BLOB_IO;
    w->temp_name[0] = '\0';
    return blob_fs_sync(w->final_dir_fd);
}

blob_status_t blob_put_finish(blob_writer_t *w, const char *content_md5_b64,
                              char md5_b64_out[BLOB_MD5_B64_SIZE])
{
    uint8_t md5[BLOB_MD5_LEN];
    blob_status_t st = w->failed;
    if (st == BLOB_OK)
        st = check_md5(w, content_md5_b64, md5);
    if (st == BLOB_OK)
        st = commit(w);
    if (st == BLOB_OK && w->blob_name[0] != '\0')
        (void) blob_staging_discard(w->container_fd, w->blob_name);  /* best effort: the blob is committed */
    if (st == BLOB_OK) {
        blob_quota_settle(w->reservation, w->size);
        w->reservation = NULL;
    }
    if (st == BLOB_OK && md5_b64_out != NULL)
        blob_md5_format(md5, md5_b64_out);
    blob_put_abort(w);
    return st;
}

void blob_put_abort(blob_writer_t *w)
{
    if (w == NULL)
        return;
    if (w->fd >= 0)
        blob_fs_close(w->fd);
    w->fd = -1;
    if (w->incoming_fd >= 0 && w->temp_name[0] != '\0')
        (void) unlinkat(w->incoming_fd, w->temp_name, 0);
    writer_free(w);
}
