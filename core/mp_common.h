/*
 * mp_common.h — shared vocabulary of mediaplane's format core: status codes,
 * the byte writer every muxer and manifest writer uses, big-endian helpers and
 * time conversion to the 10 MHz timeline that Smooth, DASH and the URLs use.
 * Nothing here depends on nginx; the core is plain C11 so it can be unit-tested,
 * fuzzed and benchmarked on its own.
 */
#ifndef MP_COMMON_H
#define MP_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum {
    MP_OK = 0,
    MP_ERR_BAD_REQUEST = -1,   /* malformed URL / unknown format -> 400 */
    MP_ERR_NOT_FOUND = -2,     /* no such track / fragment time -> 404 */
    MP_ERR_BAD_MEDIA = -3,     /* unparseable or unsupported media -> 415 */
    MP_ERR_NO_MEMORY = -4,     /* allocation failed -> 500 */
    MP_ERR_IO = -5,            /* read failed -> 500 */
    MP_ERR_NEED_MORE = -6,     /* caller must supply more input bytes */
    MP_ERR_AGAIN = -7          /* a nowait source would block: retry where blocking is allowed */
} mp_status_t;

#define MP_FOURCC(a, b, c, d) \
    (((uint32_t) (a) << 24) | ((uint32_t) (b) << 16) | ((uint32_t) (c) << 8) | (uint32_t) (d))

#define MP_TIMESCALE_10M 10000000ULL

/* Longest error message the core writes for the log (415 reasons etc.). */
#define MP_ERR_LEN 160

/* A bounded or growable output buffer.  Three modes:
 *  - counting: p == NULL, !dynamic -> only pos advances (size simulation);
 *  - fixed:    p != NULL, cap set  -> writes, sets overflow on excess;
 *  - dynamic:  dynamic != 0        -> realloc()s as needed (free with mp_wr_free). */
typedef struct {
    uint8_t *p;
    size_t pos;
    size_t cap;
    int dynamic;
    int failed;     /* overflow (fixed) or allocation failure (dynamic) */
} mp_wr_t;

void mp_wr_init_count(mp_wr_t *w);
void mp_wr_init_fixed(mp_wr_t *w, uint8_t *buf, size_t cap);
void mp_wr_init_dynamic(mp_wr_t *w);
void mp_wr_free(mp_wr_t *w);

void mp_wr_bytes(mp_wr_t *w, const void *data, size_t len);
void mp_wr_zero(mp_wr_t *w, size_t len);
void mp_wr_u8(mp_wr_t *w, uint32_t v);
void mp_wr_u16(mp_wr_t *w, uint32_t v);
void mp_wr_u24(mp_wr_t *w, uint32_t v);
void mp_wr_u32(mp_wr_t *w, uint32_t v);
void mp_wr_u64(mp_wr_t *w, uint64_t v);
void mp_wr_str(mp_wr_t *w, const char *s);
void mp_wr_uint(mp_wr_t *w, uint64_t v);          /* decimal, no allocation */
void mp_wr_printf(mp_wr_t *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Write str with XML special characters escaped (&, <, >, ", '). */
void mp_wr_xml_escaped(mp_wr_t *w, const char *s);

/* ISO BMFF boxes: begin writes a placeholder size + type and returns the box
 * start; end patches the size.  Full boxes add version and flags. */
size_t mp_box_begin(mp_wr_t *w, uint32_t type);
size_t mp_fullbox_begin(mp_wr_t *w, uint32_t type, uint32_t version, uint32_t flags);
void mp_box_end(mp_wr_t *w, size_t start);

static inline uint16_t mp_rd16(const uint8_t *p) { return (uint16_t) ((p[0] << 8) | p[1]); }
static inline uint32_t mp_rd24(const uint8_t *p)
{
    return ((uint32_t) p[0] << 16) | ((uint32_t) p[1] << 8) | p[2];
}
static inline uint32_t mp_rd32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}
static inline uint64_t mp_rd64(const uint8_t *p)
{
    return ((uint64_t) mp_rd32(p) << 32) | mp_rd32(p + 4);
}

/* value * to / from, rounded to nearest, without 64-bit overflow. */
uint64_t mp_rescale(uint64_t value, uint64_t from, uint64_t to);

static inline uint64_t mp_to_10m(uint64_t ticks, uint32_t timescale)
{
    return mp_rescale(ticks, timescale, MP_TIMESCALE_10M);
}

/* Where large results (indexes) are allocated: malloc() when NULL is passed,
 * or e.g. nginx shared memory so a parsed index never needs copying. */
typedef struct mp_allocator_s {
    void *(*alloc)(struct mp_allocator_s *a, size_t size);   /* NULL on failure */
    void (*free)(struct mp_allocator_s *a, void *p);
    void *ctx;
} mp_allocator_t;

void *mp_alloc(mp_allocator_t *a, size_t size);
void mp_free(mp_allocator_t *a, void *p);

/* A source of media bytes: the one interface the core reads media through
 * (a local file today; a prefetched byte span of remote storage later).
 *
 * read:   exactly len bytes at offset into buf: MP_OK, MP_ERR_IO, or, when
 *         the owner set nowait, MP_ERR_AGAIN if the bytes are not at hand
 *         without waiting (nothing was consumed; the caller retries the same
 *         read where blocking is allowed, e.g. in a thread-pool task).
 * readv:  optional (NULL: the core reads piece by piece): the bytes at
 *         offset, in file order, scattered over iov[0..count) (struct iovec
 *         of <sys/uio.h>, count <= MP_SOURCE_IOV_MAX); all or MP_ERR_AGAIN
 *         / MP_ERR_IO as read.
 * view:   optional (NULL when the source cannot): zero-copy access to at
 *         least need and up to want bytes at offset; *p gets their address
 *         and *got their number (need <= *got <= want), valid until the next
 *         view call or until the owner releases the source.  MP_OK, MP_ERR_IO
 *         or MP_ERR_NO_MEMORY.  Only the index builder uses it (a moov parsed
 *         where it lies); media payload is always read.
 * nowait: set by the owner while reads must not block (an event loop); a
 *         source that never blocks ignores it.
 * The first two members are the reader: { read_fn, ctx } initialises one. */
struct iovec;

#define MP_SOURCE_IOV_MAX 256

typedef struct mp_source_s {
    int (*read)(struct mp_source_s *s, void *buf, size_t len, uint64_t offset);
    void *ctx;
    int (*readv)(struct mp_source_s *s, const struct iovec *iov, int count, uint64_t offset);
    int (*view)(struct mp_source_s *s, uint64_t offset, size_t need, size_t want,
                const uint8_t **p, size_t *got);
    int nowait;
} mp_source_t;

#endif
