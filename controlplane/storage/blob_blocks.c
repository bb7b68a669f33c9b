/*
 * blob_blocks.c — Put Block (stage one block through a blob writer) and Put
 * Block List (check the list, then stream the staged blocks in order into a
 * new blob through a blob writer).
 */
#include "blob_blocks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob_fs.h"
#include "blob_names.h"

#define COPY_CHUNK (256u << 10)

/* BLOB_BAD_BLOCK_ID when the blob already has staged blocks whose ids have a
 * different length than `file` (a staging file name). */
static blob_status_t check_id_length(int staging_fd, const char *file)
{
    size_t staged_len = 0;
    blob_status_t st = blob_staging_id_length(staging_fd, &staged_len);
    if (st == BLOB_OK && staged_len != 0 && staged_len != strlen(file))
        st = BLOB_BAD_BLOCK_ID;
    return st;
}

/* Size of the block `file` already staged for blob `name` (0 if none). */
static uint64_t staged_block_size(int container_fd, const char *name, const char *file)
{
    int staging_fd = -1;
    struct stat sb;
    uint64_t size = 0;
    if (blob_staging_open(container_fd, name, false, &staging_fd) != BLOB_OK)
        return 0;
    if (fstatat(staging_fd, file, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode))
        size = (uint64_t) sb.st_size;
    close(staging_fd);
    return size;
}

blob_status_t blob_block_begin(const char *root, const char *container, const char *name,
                               const char *block_id_b64, const blob_limits_t *lim, uint64_t size,
                               blob_writer_t **w)
{
    *w = NULL;
    char file[BLOB_BLOCK_FILE_SIZE];
    bool exact = size != BLOB_SIZE_UNKNOWN;
    if (!blob_name_ok(name) || !blob_container_name_ok(container))
        return BLOB_BAD_NAME;
    if (block_id_b64 == NULL || blob_block_file_name(block_id_b64, strlen(block_id_b64), file) != BLOB_OK)
        return BLOB_BAD_BLOCK_ID;
    if (exact && size > BLOB_MAX_BLOCK_SIZE)
        return BLOB_TOO_LARGE;
    int container_fd = -1, staging_fd = -1;
    blob_reservation_t *reservation = NULL;
    blob_status_t st = blob_fs_open_container(root, container, &container_fd);
    blob_claim_t claim = { BLOB_BUDGET_STAGED, exact ? size : BLOB_MAX_BLOCK_SIZE, exact, NULL, 0 };
    if (st == BLOB_OK)
        claim.replaced_bytes = staged_block_size(container_fd, name, file);
    if (st == BLOB_OK)        /* first: its scan may drop expired staging directories */
        st = blob_quota_reserve(lim, container_fd, &claim, &reservation);
    if (st == BLOB_OK)
        st = blob_staging_open(container_fd, name, true, &staging_fd);
    if (st == BLOB_OK)
        st = check_id_length(staging_fd, file);
    if (st == BLOB_OK) {
        blob_writer_target_t target = { container_fd, staging_fd, file, BLOB_MAX_BLOCK_SIZE, NULL,
                                        reservation };
        st = blob_writer_open(&target, w);
    } else {
        blob_quota_release(reservation);
    }
    blob_fs_close(staging_fd);
    blob_fs_close(container_fd);
    return st;
}

/* BLOB_OK when every block of the list is staged as a regular file; *total
 * is the size of the blob they make. */
static blob_status_t check_blocks_staged(int staging_fd, const blob_block_list_t *list, uint64_t *total)
{
    *total = 0;
    for (size_t i = 0; i < list->count; i++) {
        struct stat sb;
        if (fstatat(staging_fd, list->files[i], &sb, AT_SYMLINK_NOFOLLOW) != 0)
            return errno == ENOENT ? BLOB_BLOCK_NOT_FOUND : BLOB_IO;
        if (!S_ISREG(sb.st_mode))
            return BLOB_BLOCK_NOT_FOUND;
        *total += (uint64_t) sb.st_size;
    }
    return BLOB_OK;
}

/* Appends the staged block `file` to w through buf. */
static blob_status_t append_block(blob_writer_t *w, int staging_fd, const char *file, uint8_t *buf)
{
    int fd = openat(staging_fd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? BLOB_BLOCK_NOT_FOUND : BLOB_IO;
    blob_status_t st;
    size_t got;
    do {
        st = blob_fs_read_full(fd, buf, COPY_CHUNK, &got);
        if (st == BLOB_OK && got > 0)
            st = blob_put_write(w, buf, got);
    } while (st == BLOB_OK && got == COPY_CHUNK);
    close(fd);
    return st;
}

/* Streams the listed blocks, in order, into a new blob `name` of `total`
 * bytes (admitted by `reservation`, taken) and commits it. */
static blob_status_t concatenate(int container_fd, int staging_fd, const char *name,
                                 const blob_block_list_t *list, uint64_t total,
                                 blob_reservation_t *reservation, const char *blob_md5_b64,
                                 char md5_b64_out[BLOB_MD5_B64_SIZE])
{
    uint8_t *buf = malloc(COPY_CHUNK);
    if (buf == NULL) {
        blob_quota_release(reservation);
        return BLOB_IO;
    }
    blob_writer_t *w = NULL;
    blob_writer_target_t target = { container_fd, container_fd, name, total, name, reservation };
    blob_status_t st = blob_writer_open(&target, &w);
    for (size_t i = 0; st == BLOB_OK && i < list->count; i++)
        st = append_block(w, staging_fd, list->files[i], buf);
    free(buf);
    if (st != BLOB_OK) {
        blob_put_abort(w);
        return st;
    }
    return blob_put_finish(w, blob_md5_b64, md5_b64_out);
}

/* Opens the container and the blob's staging directory (-1 when the list is
 * empty and nothing is staged), and checks the listed blocks are there. */
static blob_status_t open_for_commit(const char *root, const char *container, const char *name,
                                     const blob_block_list_t *list, int *container_fd, int *staging_fd,
                                     uint64_t *total)
{
    *total = 0;
    blob_status_t st = blob_fs_open_container(root, container, container_fd);
    if (st == BLOB_OK)
        st = blob_staging_open(*container_fd, name, false, staging_fd);
    if (st == BLOB_NOT_FOUND)
        st = list->count == 0 ? BLOB_OK : BLOB_BLOCK_NOT_FOUND;
    if (st == BLOB_OK && *staging_fd >= 0)
        st = check_blocks_staged(*staging_fd, list, total);
    return st;
}

static blob_status_t check_request(const char *container, const char *name, const char *xml, size_t xml_len,
                                   const char *xml_md5_b64, const char *blob_md5_b64)
{
    uint8_t md5[BLOB_MD5_LEN];
    if (!blob_name_ok(name) || !blob_container_name_ok(container))
        return BLOB_BAD_NAME;
    if (xml_len > BLOB_MAX_BLOCK_LIST_XML)
        return BLOB_TOO_LARGE;
    if (blob_md5_b64 != NULL && blob_md5_parse(blob_md5_b64, md5) != BLOB_OK)
        return BLOB_BAD_MD5;
    return blob_md5_check(xml, xml_len, xml_md5_b64);
}

blob_status_t blob_block_list_commit(const char *root, const char *container, const char *name,
                                     const char *xml, size_t xml_len,
                                     const char *xml_md5_b64, const char *blob_md5_b64,
                                     const blob_limits_t *lim, char md5_b64_out[BLOB_MD5_B64_SIZE])
{
    blob_block_list_t list;
    blob_status_t st = check_request(container, name, xml, xml_len, xml_md5_b64, blob_md5_b64);
    if (st != BLOB_OK)
        return st;
    st = blob_block_list_parse(xml, xml_len, &list);
    if (st != BLOB_OK)
        return st;
    int container_fd = -1, staging_fd = -1;
    uint64_t total = 0;
    blob_reservation_t *reservation = NULL;
    st = open_for_commit(root, container, name, &list, &container_fd, &staging_fd, &total);
    if (st == BLOB_OK)
        st = blob_quota_reserve(lim, container_fd, &(blob_claim_t) { BLOB_BUDGET_COMMITTED, total, true, name, 0 },
                                &reservation);
    if (st == BLOB_OK)
        st = concatenate(container_fd, staging_fd, name, &list, total, reservation, blob_md5_b64,
                         md5_b64_out);
    blob_fs_close(staging_fd);
    blob_fs_close(container_fd);
    blob_block_list_free(&list);
    return st;
}
