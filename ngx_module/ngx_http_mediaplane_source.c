/*
 * ngx_http_mediaplane_source.c — the media files as the format core's
 * mp_source_t: positional reads (pread, preadv2) that, while the request
 * runs on the event loop (source.nowait), ask for RWF_NOWAIT so bytes that
 * are not in the page cache answer MP_ERR_AGAIN instead of blocking the
 * worker (the caller then continues in a thread task) — whoever owns the
 * file; a mapping view for the index builder (touched under the SIGBUS
 * guard of ngx_http_mediaplane_load.c); and page-cache residency of byte
 * ranges, which the sendfile fast path of fMP4 segments needs.  Files of
 * storage-encrypted assets are decrypted as they are read (AES-256-CTR at
 * their offsets: only the bytes read) and have no mapping view.
 */
#include "ngx_http_mediaplane.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008            /* Linux 4.14 */
#endif

/* The file system said RWF_NOWAIT is not for it: every nowait read answers
 * "would block" (the thread path) without asking again. */
static ngx_uint_t ngx_http_mediaplane_no_nowait;

/* preadv2 of iov[0..count) from offset, all of it.  Blocking mode goes on
 * after short reads (EOF: MP_ERR_IO); nowait mode answers MP_ERR_AGAIN for
 * anything less than everything at once. */
static int
ngx_http_mediaplane_preadv(ngx_http_mediaplane_source_t *s, struct iovec *iov, int count,
    uint64_t offset)
{
    ssize_t n;
    size_t left = 0;
    int i;

    for (i = 0; i < count; i++) {
        left += iov[i].iov_len;
    }

    while (left > 0) {
        if (s->src.nowait) {
            if (ngx_http_mediaplane_no_nowait) {
                return MP_ERR_AGAIN;
            }
            n = preadv2(s->fd, iov, count, (off_t) offset, RWF_NOWAIT);
            if (n == -1 && ngx_errno == EOPNOTSUPP) {
                ngx_http_mediaplane_no_nowait = 1;
            }
            if (n == -1 && (ngx_errno == NGX_EAGAIN || ngx_errno == EOPNOTSUPP)) {
                return MP_ERR_AGAIN;
            }
            if (n >= 0 && (size_t) n < left && n > 0) {
                return MP_ERR_AGAIN;         /* part of it is cached */
            }
        } else {
            n = preadv(s->fd, iov, count, (off_t) offset);
        }
        if (n <= 0) {
            return MP_ERR_IO;
        }
        left -= (size_t) n;
        offset += (uint64_t) n;
        while (n > 0 && count > 0) {          /* step over what was read */
            if ((size_t) n >= iov->iov_len) {
                n -= (ssize_t) iov->iov_len;
                iov++;
                count--;
            } else {
                iov->iov_base = (u_char *) iov->iov_base + n;
                iov->iov_len -= (size_t) n;
                n = 0;
            }
        }
    }

    return MP_OK;
}

/* Storage encryption: the bytes just read of iov[0..count), decrypted. */
static int
ngx_http_mediaplane_decrypt(ngx_http_mediaplane_source_t *s, const struct iovec *iov, int count,
    uint64_t offset, int rc)
{
    int i;

    for (i = 0; rc == MP_OK && s->storage != NULL && i < count; i++) {
        rc = mp_storage_xor(s->storage, offset, iov[i].iov_base, iov[i].iov_len);
        offset += iov[i].iov_len;
    }
    return rc;
}

static int
ngx_http_mediaplane_source_read(mp_source_t *src, void *buf, size_t len, uint64_t offset)
{
    ngx_http_mediaplane_source_t *s = (ngx_http_mediaplane_source_t *) src;
    struct iovec iov = { buf, len };
    int rc = ngx_http_mediaplane_preadv(s, &iov, 1, offset);

    iov.iov_base = buf;
    iov.iov_len = len;
    return ngx_http_mediaplane_decrypt(s, &iov, 1, offset, rc);
}

static int
ngx_http_mediaplane_source_readv(mp_source_t *src, const struct iovec *iov, int count,
    uint64_t offset)
{
    struct iovec copy[MP_SOURCE_IOV_MAX];

    if (count > MP_SOURCE_IOV_MAX) {
        return MP_ERR_IO;
    }
    ngx_memcpy(copy, iov, count * sizeof(struct iovec));   /* advanced on short reads */
    return ngx_http_mediaplane_decrypt((ngx_http_mediaplane_source_t *) src, iov, count, offset,
        ngx_http_mediaplane_preadv((ngx_http_mediaplane_source_t *) src, copy, count, offset));
}

/* ---- the view: one mapping at a time, for the index builder ---- */

void
ngx_http_mediaplane_source_unmap(ngx_http_mediaplane_source_t *s)
{
    if (s->map_addr != NULL) {
        munmap(s->map_addr, s->map_len);
        s->map_addr = NULL;
    }
}

static int
ngx_http_mediaplane_source_view(mp_source_t *src, uint64_t offset, size_t need, size_t want,
    const uint8_t **p, size_t *got)
{
    ngx_http_mediaplane_source_t *s = (ngx_http_mediaplane_source_t *) src;
    uint64_t base, end;
    void *addr;

    if (offset > s->size || need > s->size - offset) {
        return MP_ERR_IO;
    }
    want = ngx_max(want, need);
    end = offset + ngx_min((uint64_t) want, s->size - offset);

    if (s->map_addr == NULL || offset < s->map_off || offset + need > s->map_off + s->map_len) {
        ngx_http_mediaplane_source_unmap(s);
        base = offset & ~((uint64_t) ngx_pagesize - 1);
        addr = mmap(NULL, (size_t) (end - base), PROT_READ, MAP_SHARED, s->fd, (off_t) base);
        if (addr == MAP_FAILED) {
            return MP_ERR_IO;
        }
        s->map_addr = addr;
        s->map_len = (size_t) (end - base);
        s->map_off = base;
    }

    *p = s->map_addr + (offset - s->map_off);
    *got = (size_t) (ngx_min(end, s->map_off + s->map_len) - offset);
    return MP_OK;
}

void
ngx_http_mediaplane_source_init(ngx_http_mediaplane_source_t *s, ngx_fd_t fd, uint64_t size,
    const mp_storage_key_t *storage)
{
    ngx_memzero(s, sizeof(*s));
    s->src.read = ngx_http_mediaplane_source_read;
    s->src.readv = ngx_http_mediaplane_source_readv;
    s->src.view = storage == NULL ? ngx_http_mediaplane_source_view : NULL;
    s->storage = storage;
    s->src.ctx = s;
    s->fd = fd;
    s->size = size;
}

/* ---- page cache residency ---- */

/* cachestat(2), Linux 6.5; Debian 12's headers predate it (same number on
 * every architecture). */
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

typedef struct {
    uint64_t off;
    uint64_t len;
} ngx_http_mediaplane_cachestat_range_t;

typedef struct {
    uint64_t nr_cache;
    uint64_t nr_dirty;
    uint64_t nr_writeback;
    uint64_t nr_evicted;
    uint64_t nr_recently_evicted;
} ngx_http_mediaplane_cachestat_t;

static ngx_uint_t ngx_http_mediaplane_no_cachestat;   /* kernel without it: stop asking */

/* Bytes between two sampled pages when the kernel will not count them. */
#define NGX_HTTP_MEDIAPLANE_PROBE_STEP  (256 * 1024)

/* One byte at off, read only if it is in the page cache. */
static ngx_uint_t
ngx_http_mediaplane_probe(ngx_fd_t fd, uint64_t off)
{
    u_char byte;
    struct iovec iov = { &byte, 1 };

    return !ngx_http_mediaplane_no_nowait
           && preadv2(fd, &iov, 1, (off_t) off, RWF_NOWAIT) == 1;
}

/* The kernel counts cached pages only for files the worker's user owns or
 * may write (cachestat's rule since Linux 6.5, mincore's since 5.0); for
 * media it may only read — the secure, default deployment — a page every
 * NGX_HTTP_MEDIAPLANE_PROBE_STEP bytes and the last one are probed with
 * one-byte RWF_NOWAIT reads instead.  Pages are read, and evicted, in
 * read-ahead windows, so a segment whose samples are cached is all there;
 * a page missed between two probes costs one blocking sendfile, like a page
 * evicted right after the answer. */
static ngx_uint_t
ngx_http_mediaplane_sampled(ngx_fd_t fd, uint64_t off, uint64_t end)
{
    uint64_t p;

    for (p = off; p < end; p += NGX_HTTP_MEDIAPLANE_PROBE_STEP) {
        if (!ngx_http_mediaplane_probe(fd, p)) {
            return 0;
        }
    }

    return ngx_http_mediaplane_probe(fd, end - 1);
}

/* Are bytes [off, end) of fd in the page cache, so that sending them cannot
 * wait for the disk?  "No" whenever nobody can tell. */
ngx_uint_t
ngx_http_mediaplane_cached(ngx_fd_t fd, uint64_t off, uint64_t end)
{
    ngx_http_mediaplane_cachestat_range_t range;
    ngx_http_mediaplane_cachestat_t cs;
    uint64_t first, last;

    if (end <= off) {
        return 1;
    }
    if (fd == NGX_INVALID_FILE) {
        return 0;
    }
    if (ngx_http_mediaplane_no_cachestat) {
        return ngx_http_mediaplane_sampled(fd, off, end);
    }

    first = off / ngx_pagesize;
    last = (end - 1) / ngx_pagesize;
    range.off = first * ngx_pagesize;
    range.len = (last - first + 1) * ngx_pagesize;

    if (syscall(__NR_cachestat, fd, &range, &cs, 0) != 0) {
        if (ngx_errno == NGX_ENOSYS) {
            ngx_http_mediaplane_no_cachestat = 1;
        }
        return ngx_errno == NGX_EPERM || ngx_errno == NGX_ENOSYS
               ? ngx_http_mediaplane_sampled(fd, off, end) : 0;
    }

    return cs.nr_cache >= last - first + 1;
}
