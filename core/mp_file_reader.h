/*
 * mp_file_reader.h — an mp_reader_t over a plain file descriptor (pread),
 * for the programs that drive the core outside nginx (the encoder, tools,
 * tests); nginx reads through its own thread-pool readers instead.
 */
#ifndef MP_FILE_READER_H
#define MP_FILE_READER_H

#include "mp_common.h"

#include <unistd.h>

static int mp_file_read(mp_reader_t *r, void *buf, size_t len, uint64_t offset)
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

static inline mp_reader_t mp_file_reader(int fd)
{
    mp_reader_t r = { mp_file_read, (void *) (intptr_t) fd };
    return r;
}

#endif
