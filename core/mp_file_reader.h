/*
 * mp_file_reader.h — an mp_source_t over a plain file descriptor (pread,
 * preadv), for the programs that drive the core outside nginx (the encoder,
 * tools, tests); nginx reads through its own sources (ngx_http_mediaplane_load.c).
 */
#ifndef MP_FILE_READER_H
#define MP_FILE_READER_H

#include "mp_common.h"

#include <sys/uio.h>
#include <unistd.h>

static int mp_file_read(mp_source_t *r, void *buf, size_t len, uint64_t offset)
{
    int fd = (int) (intptr_t) r->ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (uint8_t *) buf + done, len - done, (off_t) (offset + done));
        if (n <= 0) {
            return MP_ERR_IO;
        }
        done += (size_t) n;
    }
    return MP_OK;
}

/* All of iov[0..count) from offset; a short read continues where it ended. */
static int mp_file_readv(mp_source_t *r, const struct iovec *iov, int count, uint64_t offset)
{
    for (int i = 0; i < count; i++) {
        if (mp_file_read(r, iov[i].iov_base, iov[i].iov_len, offset) != MP_OK) {
            return MP_ERR_IO;
        }
        offset += iov[i].iov_len;
    }
    return MP_OK;
}

static inline mp_source_t mp_file_reader(int fd)
{
    mp_source_t r = { .read = mp_file_read, .ctx = (void *) (intptr_t) fd, .readv = mp_file_readv };
    return r;
}

#endif
