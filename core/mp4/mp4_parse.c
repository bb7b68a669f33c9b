/*
 * mp4_parse.c — moov → compact index.  Box parsing follows nginx's mp4 module
 * shape: one dispatch table per container level, one small reader per box,
 * unknown boxes skipped by size, every size checked against what is left
 * before a read (this code parses hostile input).  Table boxes (stts, ctts,
 * stsc, stsz, stco ...) are only located during the walk; mp4_build.c then
 * expands them into the flat per-sample arrays of the index blob.  A moov
 * with mvex (fragmented file) hands over to mp4_frag.c, whose moof walks
 * go through positional reads when the source has them.
 */
#include "mp4_parse.h"
#include "mp4_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*mp4_box_reader_t)(mp4_parse_ctx_t *ctx, const uint8_t *body, size_t len);

typedef struct {
    uint32_t type;
    mp4_box_reader_t read;
} mp4_box_handler_t;

static int mp4_read_children(mp4_parse_ctx_t *ctx, const uint8_t *p, size_t len,
                             const mp4_box_handler_t *table);
static int mp4_read_view(mp_source_t *m, uint64_t offset, size_t need, size_t want,
                         const uint8_t **p, size_t *got);

/* Bytes viewed at once while walking a fragmented file's top-level boxes:
 * a mapping covers many fragments (only the moof pages are touched); a
 * source read into a buffer reads a page per box header (a moof bigger
 * than that is read whole when it is reached). */
#define MP4_FRAG_MAP_WINDOW (64u * 1024 * 1024)
#define MP4_FRAG_READ_WINDOW (4u * 1024)


int mp4_fail(mp4_parse_ctx_t *ctx, const char *fmt, ...)
{
    if (ctx->err && ctx->err_len && ctx->err[0] == '\0') {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->err, ctx->err_len, fmt, ap);
        va_end(ap);
    }
    return MP_ERR_BAD_MEDIA;
}

static mp4_trak_t *mp4_cur_trak(mp4_parse_ctx_t *ctx)
{
    return &ctx->traks[ctx->trak_count - 1];
}

/* Full-box body: version byte, 24-bit flags, then the payload. */
static int mp4_fullbox(mp4_parse_ctx_t *ctx, size_t len, size_t need,
                       const char *name)
{
    if (len < 4 + need) {
        return mp4_fail(ctx, "%s box too short (%zu bytes)", name, len);
    }
    return MP_OK;
}

static int mp4_read_mvhd(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    if (mp4_fullbox(ctx, len, 20, "mvhd") != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    if (b[0] == 1) {
        if (len < 4 + 28) {
            return mp4_fail(ctx, "mvhd v1 too short");
        }
        ctx->movie_timescale = mp_rd32(b + 20);
        ctx->movie_duration = mp_rd64(b + 24);
    } else {
        ctx->movie_timescale = mp_rd32(b + 12);
        ctx->movie_duration = mp_rd32(b + 16);
    }
    return MP_OK;
}

static int mp4_read_tkhd(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    mp4_trak_t *t = mp4_cur_trak(ctx);
    if (len < 4) {
        return mp4_fail(ctx, "tkhd too short");
    }
    size_t id_at = b[0] == 1 ? 4 + 16 : 4 + 8;
    if (len < id_at + 4) {
        return mp4_fail(ctx, "tkhd too short");
    }
    t->track_id = mp_rd32(b + id_at);
    return MP_OK;
}

static int mp4_read_elst(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    mp4_trak_t *t = mp4_cur_trak(ctx);
    if (mp4_fullbox(ctx, len, 4, "elst") != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    uint32_t count = mp_rd32(b + 4);
    size_t entry = b[0] == 1 ? 20 : 12;
    if (count > (len - 8) / entry) {
        return mp4_fail(ctx, "elst entry count %u exceeds box", count);
    }
    const uint8_t *e = b + 8;
    for (uint32_t i = 0; i < count; i++, e += entry) {
        uint64_t seg_dur = b[0] == 1 ? mp_rd64(e) : mp_rd32(e);
        int64_t media_time = b[0] == 1 ? (int64_t) mp_rd64(e + 8) : (int32_t) mp_rd32(e + 4);
        if (media_time == -1) {
            t->empty_edit += seg_dur;       /* dwell before the media starts */
            continue;
        }
        t->media_time = media_time;         /* first non-empty edit decides */
        t->has_media_time = 1;
        break;
    }
    return MP_OK;
}

static int mp4_read_mdhd(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    mp4_trak_t *t = mp4_cur_trak(ctx);
    if (len < 4) {
        return mp4_fail(ctx, "mdhd too short");
    }
    size_t at = b[0] == 1 ? 4 + 16 : 4 + 8;
    size_t dur_len = b[0] == 1 ? 8 : 4;
    if (len < at + 4 + dur_len + 2) {
        return mp4_fail(ctx, "mdhd too short");
    }
    t->timescale = mp_rd32(b + at);
    uint16_t lang = mp_rd16(b + at + 4 + dur_len);
    t->language[0] = (char) (((lang >> 10) & 0x1f) + 0x60);
    t->language[1] = (char) (((lang >> 5) & 0x1f) + 0x60);
    t->language[2] = (char) ((lang & 0x1f) + 0x60);
    t->language[3] = '\0';
    if (lang == 0 || t->language[0] < 'a' || t->language[0] > 'z') {
        memcpy(t->language, "und", 4);
    }
    return MP_OK;
}

static int mp4_read_hdlr(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    if (len < 12) {
        return mp4_fail(ctx, "hdlr too short");
    }
    mp4_cur_trak(ctx)->handler = mp_rd32(b + 8);
    return MP_OK;
}

/* Table boxes are only remembered here; mp4_build.c validates and expands. */
#define MP4_TABLE_READER(name, field)                                              \
    static int mp4_read_##name(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len) \
    {                                                                              \
        mp4_trak_t *t = mp4_cur_trak(ctx);                                         \
        t->field.p = b;                                                            \
        t->field.len = len;                                                        \
        return MP_OK;                                                              \
    }

MP4_TABLE_READER(stsd, stsd)
MP4_TABLE_READER(stts, stts)
MP4_TABLE_READER(ctts, ctts)
MP4_TABLE_READER(stss, stss)
MP4_TABLE_READER(stsc, stsc)
MP4_TABLE_READER(stsz, stsz)
MP4_TABLE_READER(stz2, stz2)
MP4_TABLE_READER(stco, stco)
MP4_TABLE_READER(co64, co64)

static const mp4_box_handler_t mp4_stbl_boxes[] = {
    { MP_FOURCC('s', 't', 's', 'd'), mp4_read_stsd },
    { MP_FOURCC('s', 't', 't', 's'), mp4_read_stts },
    { MP_FOURCC('c', 't', 't', 's'), mp4_read_ctts },
    { MP_FOURCC('s', 't', 's', 's'), mp4_read_stss },
    { MP_FOURCC('s', 't', 's', 'c'), mp4_read_stsc },
    { MP_FOURCC('s', 't', 's', 'z'), mp4_read_stsz },
    { MP_FOURCC('s', 't', 'z', '2'), mp4_read_stz2 },
    { MP_FOURCC('s', 't', 'c', 'o'), mp4_read_stco },
    { MP_FOURCC('c', 'o', '6', '4'), mp4_read_co64 },
    { 0, NULL }
};

static int mp4_read_stbl(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    return mp4_read_children(ctx, b, len, mp4_stbl_boxes);
}

static const mp4_box_handler_t mp4_minf_boxes[] = {
    { MP_FOURCC('s', 't', 'b', 'l'), mp4_read_stbl },
    { 0, NULL }
};

static int mp4_read_minf(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    return mp4_read_children(ctx, b, len, mp4_minf_boxes);
}

static const mp4_box_handler_t mp4_mdia_boxes[] = {
    { MP_FOURCC('m', 'd', 'h', 'd'), mp4_read_mdhd },
    { MP_FOURCC('h', 'd', 'l', 'r'), mp4_read_hdlr },
    { MP_FOURCC('m', 'i', 'n', 'f'), mp4_read_minf },
    { 0, NULL }
};

static int mp4_read_mdia(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    return mp4_read_children(ctx, b, len, mp4_mdia_boxes);
}

static const mp4_box_handler_t mp4_edts_boxes[] = {
    { MP_FOURCC('e', 'l', 's', 't'), mp4_read_elst },
    { 0, NULL }
};

static int mp4_read_edts(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    return mp4_read_children(ctx, b, len, mp4_edts_boxes);
}

static const mp4_box_handler_t mp4_trak_boxes[] = {
    { MP_FOURCC('t', 'k', 'h', 'd'), mp4_read_tkhd },
    { MP_FOURCC('e', 'd', 't', 's'), mp4_read_edts },
    { MP_FOURCC('m', 'd', 'i', 'a'), mp4_read_mdia },
    { 0, NULL }
};

static int mp4_read_trak(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    if (ctx->trak_count == MP4_MAX_TRAKS) {
        return mp4_fail(ctx, "more than %d tracks", MP4_MAX_TRAKS);
    }
    memset(&ctx->traks[ctx->trak_count], 0, sizeof(mp4_trak_t));
    ctx->trak_count++;
    return mp4_read_children(ctx, b, len, mp4_trak_boxes);
}

/* mvex: remembered, read once every trak is known (mp4_read_mvex_boxes). */
static int mp4_read_mvex(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    ctx->fragmented = 1;
    ctx->mvex.p = b;
    ctx->mvex.len = len;
    return MP_OK;
}

static int mp4_read_mehd(mp4_parse_ctx_t *ctx, const uint8_t *b, size_t len)
{
    if (mp4_fullbox(ctx, len, b[0] == 1 ? 8 : 4, "mehd") != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    ctx->fragment_duration = b[0] == 1 ? mp_rd64(b + 4) : mp_rd32(b + 4);
    return MP_OK;
}

static const mp4_box_handler_t mp4_mvex_boxes[] = {
    { MP_FOURCC('m', 'e', 'h', 'd'), mp4_read_mehd },
    { MP_FOURCC('t', 'r', 'e', 'x'), mp4_read_trex },
    { 0, NULL }
};

static const mp4_box_handler_t mp4_moov_boxes[] = {
    { MP_FOURCC('m', 'v', 'h', 'd'), mp4_read_mvhd },
    { MP_FOURCC('t', 'r', 'a', 'k'), mp4_read_trak },
    { MP_FOURCC('m', 'v', 'e', 'x'), mp4_read_mvex },
    { 0, NULL }
};

/* Parse the header of the box at p (len bytes left).  Returns header size or 0. */
size_t mp4_box_header(const uint8_t *p, size_t len, uint64_t *size, uint32_t *type)
{
    if (len < 8) {
        return 0;
    }
    *size = mp_rd32(p);
    *type = mp_rd32(p + 4);
    if (*size == 1) {
        if (len < 16) {
            return 0;
        }
        *size = mp_rd64(p + 8);
        return *size < 16 ? 0 : 16;
    }
    if (*size == 0) {
        *size = len;                  /* extends to the end of its container */
    }
    return *size < 8 ? 0 : 8;
}

static int mp4_read_children(mp4_parse_ctx_t *ctx, const uint8_t *p, size_t len,
                             const mp4_box_handler_t *table)
{
    if (++ctx->depth > 16) {
        return mp4_fail(ctx, "boxes nested too deeply");
    }
    while (len >= 8) {
        uint64_t size;
        uint32_t type;
        size_t hdr = mp4_box_header(p, len, &size, &type);
        if (hdr == 0 || size > len) {
            return mp4_fail(ctx, "box '%.4s' size %llu exceeds its container",
                            (const char *) p + 4, (unsigned long long) size);
        }
        for (const mp4_box_handler_t *h = table; h->read; h++) {
            if (h->type == type) {
                int rc = h->read(ctx, p + hdr, (size_t) size - hdr);
                if (rc != MP_OK) {
                    return rc;
                }
                break;
            }
        }
        p += size;
        len -= (size_t) size;
    }
    ctx->depth--;
    return MP_OK;
}

int mp4_find_moov(const uint8_t *buf, size_t len, uint64_t buf_off, uint64_t file_size,
                  uint64_t *moov_off, uint64_t *moov_size, uint64_t *next_off,
                  char *err, size_t err_len)
{
    mp4_parse_ctx_t ctx = { .err = err, .err_len = err_len };
    uint64_t off = buf_off;
    if (err_len) {
        err[0] = '\0';           /* mp4_fail() only fills an empty message */
    }
    while (off < file_size) {
        uint64_t rel = off - buf_off;
        size_t avail = rel < len ? (size_t) (len - rel) : 0;
        uint64_t need = file_size - off < 16 ? file_size - off : 16;
        if (avail < need) {
            *next_off = off;
            return MP_ERR_NEED_MORE;
        }
        const uint8_t *p = buf + rel;
        uint64_t size;
        uint32_t type;
        size_t hdr = mp4_box_header(p, avail, &size, &type);
        if (hdr != 0 && mp_rd32(p) == 0) {
            size = file_size - off;   /* last box, to the end of the file */
        }
        if (hdr == 0 || size > file_size - off) {
            return mp4_fail(&ctx, "top-level box at offset %llu is truncated or malformed",
                            (unsigned long long) off);
        }
        if (type == MP_FOURCC('m', 'o', 'o', 'v')) {
            *moov_off = off;
            *moov_size = size;
            return MP_OK;
        }
        if (type == MP_FOURCC('m', 'o', 'o', 'f')) {
            return mp4_fail(&ctx, "fragmented MP4 input (moof before moov) is not supported");
        }
        off += size;
    }
    return mp4_fail(&ctx, "no moov box in file");
}

mp_index_t *mp4_parse_moov(const uint8_t *moov, size_t len, uint64_t file_size,
                           char *err, size_t err_len)
{
    return mp4_parse_moov_with(moov, len, file_size, NULL, NULL, err, err_len);
}

/* The parse context lives on the stack (about 12 KB): parsing allocates
 * nothing but the index, so a caller that jumps out of it (SIGBUS on a
 * mapping of a file truncated meanwhile) has only that to free. */
mp_index_t *mp4_parse_moov_with(const uint8_t *moov, size_t len, uint64_t file_size,
                                const mp4_limits_t *lim, mp_allocator_t *a, char *err,
                                size_t err_len)
{
    mp4_parse_ctx_t ctx;
    memset(&ctx, 0, sizeof(ctx));
    if (lim != NULL) {
        ctx.limits = *lim;
    }
    ctx.err = err;
    ctx.err_len = err_len;
    if (err_len) {
        err[0] = '\0';
    }
    ctx.file_size = file_size;
    ctx.alloc = a;
    uint64_t size;
    uint32_t type;
    size_t hdr = mp4_box_header(moov, len, &size, &type);
    if (hdr == 0 || type != MP_FOURCC('m', 'o', 'o', 'v') || size > len) {
        mp4_fail(&ctx, "not a moov box");
        return NULL;
    }
    if (mp4_walk_moov(&ctx, moov, len) != MP_OK) {
        return NULL;
    }
    return mp4_build_index(&ctx);
}

int mp4_walk_moov(mp4_parse_ctx_t *ctx, const uint8_t *moov, size_t len)
{
    uint64_t size;
    uint32_t type;
    size_t hdr = mp4_box_header(moov, len, &size, &type);
    if (hdr == 0 || type != MP_FOURCC('m', 'o', 'o', 'v') || size > len) {
        return mp4_fail(ctx, "not a moov box");
    }
    ctx->trak_count = 0;
    ctx->depth = 0;
    ctx->fragmented = 0;
    if (mp4_read_children(ctx, moov + hdr, (size_t) size - hdr, mp4_moov_boxes) != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    if (ctx->fragmented) {
        return mp4_read_children(ctx, ctx->mvex.p, ctx->mvex.len, mp4_mvex_boxes);
    }
    return MP_OK;
}

/* A view over a source without one: each view reads into one buffer (grown
 * as needed), unless the bytes asked for are in it already -- a moov that
 * lies inside the first probe window is parsed where it was read. */
typedef struct {
    mp_source_t *r;
    uint64_t file_size;
    uint8_t *buf;
    size_t cap;
    size_t len;                 /* bytes held, read at file offset off */
    uint64_t off;
} mp4_read_map_t;

/* A fragmented file: its moofs counted (sized and bounded), then the blob
 * built and filled by a second walk. */
static mp_index_t *mp4_index_fragmented(const uint8_t *moov, size_t len, mp_source_t *m,
                                        uint64_t moov_off, uint64_t file_size,
                                        const mp4_limits_t *lim, mp_allocator_t *a, char *err,
                                        size_t err_len)
{
    mp4_parse_ctx_t ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.limits = *lim;
    ctx.err = err;
    ctx.err_len = err_len;
    ctx.file_size = file_size;
    ctx.alloc = a;
    /* The moofs through positional reads when the source has them: a page
     * read per fragment costs less than a page fault on a mapping (3.4 us
     * against ~30 us per fragment on the VMs measured; README). */
    mp4_read_map_t rm = { m, file_size, NULL, 0, 0, 0 };
    mp_source_t reads = { .ctx = &rm, .view = mp4_read_view };
    mp_source_t *walk = m->read != NULL ? &reads : m;
    ctx.walk_window = walk->view == mp4_read_view ? MP4_FRAG_READ_WINDOW : MP4_FRAG_MAP_WINDOW;
    mp_index_t *ix = NULL;
    if (mp4_walk_moov(&ctx, moov, len) == MP_OK
        && mp4_frag_walk(&ctx, walk, moov_off + len, 0) == MP_OK) {
        ix = mp4_build_fragmented(&ctx, walk, moov_off, len);
    }
    free(rm.buf);
    return ix;
}


static int mp4_read_view(mp_source_t *m, uint64_t offset, size_t need, size_t want,
                         const uint8_t **p, size_t *got)
{
    mp4_read_map_t *rm = m->ctx;
    want = want > need ? want : need;
    if (rm->buf != NULL && offset >= rm->off && offset - rm->off <= rm->len
        && need <= rm->len - (offset - rm->off)) {
        size_t held = rm->len - (size_t) (offset - rm->off);
        *p = rm->buf + (offset - rm->off);
        *got = held < want ? held : want;
        return MP_OK;
    }
    if (offset > rm->file_size || need > rm->file_size - offset) {
        return MP_ERR_IO;
    }
    want = rm->file_size - offset < want ? (size_t) (rm->file_size - offset) : want;
    if (want > rm->cap) {
        uint8_t *bigger = realloc(rm->buf, want);
        if (bigger == NULL) {
            return MP_ERR_NO_MEMORY;
        }
        rm->buf = bigger;
        rm->cap = want;
    }
    rm->len = 0;
    if (rm->r->read(rm->r, rm->buf, want, offset) != MP_OK) {
        return MP_ERR_IO;
    }
    rm->off = offset;
    rm->len = want;
    *p = rm->buf;
    *got = want;
    return MP_OK;
}

static mp_index_t *mp4_index_viewed(mp_source_t *m, uint64_t file_size, const mp4_limits_t *lim,
                                    mp_allocator_t *a, char *err, size_t err_len);

mp_index_t *mp4_index_source_limited(mp_source_t *s, uint64_t file_size, const mp4_limits_t *lim,
                                     mp_allocator_t *a, char *err, size_t err_len)
{
    static const mp4_limits_t none;
    lim = lim != NULL ? lim : &none;
    if (s->view != NULL) {
        return mp4_index_viewed(s, file_size, lim, a, err, err_len);
    }
    mp4_read_map_t rm = { s, file_size, NULL, 0, 0, 0 };
    mp_source_t v = { .ctx = &rm, .view = mp4_read_view };
    mp_index_t *ix = mp4_index_viewed(&v, file_size, lim, a, err, err_len);
    free(rm.buf);
    return ix;
}

mp_index_t *mp4_index_source(mp_source_t *s, uint64_t file_size, uint64_t max_moov,
                             mp_allocator_t *a, char *err, size_t err_len)
{
    mp4_limits_t lim = { .max_moov = max_moov };
    return mp4_index_source_limited(s, file_size, &lim, a, err, err_len);
}

mp_index_t *mp4_index_file(mp_source_t *s, uint64_t file_size, uint64_t max_moov,
                           char *err, size_t err_len)
{
    mp_source_t reads_only = { .read = s->read, .ctx = s->ctx };
    return mp4_index_source(&reads_only, file_size, max_moov, NULL, err, err_len);
}

static void mp4_map_failed(int rc, const char *why, char *err, size_t err_len)
{
    snprintf(err, err_len, "%s", rc == MP_ERR_NO_MEMORY ? "out of memory" : why);
}

/* Does the moov (header included, checked by the caller's find) hold an
 * mvex box, i.e. describe a fragmented file? */
static int mp4_moov_has_mvex(const uint8_t *moov, size_t len)
{
    uint64_t size;
    uint32_t type;
    size_t hdr = mp4_box_header(moov, len, &size, &type);
    const uint8_t *p = moov + hdr;
    size_t left = hdr != 0 && size <= len ? (size_t) size - hdr : 0;
    while (left >= 8) {
        hdr = mp4_box_header(p, left, &size, &type);
        if (hdr == 0 || size > left) {
            return 0;               /* the moov walk reports it */
        }
        if (type == MP_FOURCC('m', 'v', 'e', 'x')) {
            return 1;
        }
        p += size;
        left -= (size_t) size;
    }
    return 0;
}

/* Largest window mapped at once while looking for the moov. */
#define MP4_PROBE_WINDOW (64 * 1024)

static mp_index_t *mp4_index_viewed(mp_source_t *m, uint64_t file_size, const mp4_limits_t *lim,
                                    mp_allocator_t *a, char *err, size_t err_len)
{
    enum { MAX_PROBES = 10000 };
    uint64_t max_moov = lim->max_moov ? lim->max_moov : MP4_MAX_MOOV_SIZE;
    if (err_len) {
        err[0] = '\0';
    }
    uint64_t moov_off = 0, moov_size = 0, next = 0;
    const uint8_t *p;
    size_t got;
    int rc = MP_ERR_NEED_MORE;
    for (int n = 0; rc == MP_ERR_NEED_MORE && n < MAX_PROBES; n++) {
        uint64_t left = file_size - next;
        size_t want = (size_t) (left < MP4_PROBE_WINDOW ? left : MP4_PROBE_WINDOW);
        int mrc = want ? m->view(m, next, want, want, &p, &got) : MP_ERR_IO;
        if (mrc != MP_OK) {
            mp4_map_failed(mrc, want ? "read error" : "empty file", err, err_len);
            return NULL;
        }
        rc = mp4_find_moov(p, got, next, file_size, &moov_off, &moov_size, &next, err, err_len);
    }
    if (rc == MP_ERR_NEED_MORE) {
        snprintf(err, err_len, "too many top-level boxes before moov");
        return NULL;
    }
    if (rc != MP_OK) {
        return NULL;
    }
    if (moov_size > max_moov) {
        snprintf(err, err_len, "moov of %llu bytes exceeds the limit of %llu "
                 "(mediaplane_max_moov_size)", (unsigned long long) moov_size,
                 (unsigned long long) max_moov);
        return NULL;
    }
    rc = m->view(m, moov_off, (size_t) moov_size, (size_t) moov_size, &p, &got);
    if (rc != MP_OK) {
        mp4_map_failed(rc, "read error", err, err_len);
        return NULL;
    }
    if (mp4_moov_has_mvex(p, (size_t) moov_size)) {
        return mp4_index_fragmented(p, (size_t) moov_size, m, moov_off, file_size, lim, a, err,
                                    err_len);
    }
    return mp4_parse_moov_with(p, (size_t) moov_size, file_size, lim, a, err, err_len);
}
