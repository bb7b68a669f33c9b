/*
 * fmp4_mux.c — fragmented MP4 writer: init segment (ftyp + moov/mvex) and the
 * moof + mdat header of a media segment; the samples themselves are sent
 * as file ranges by the caller.  Smooth fragments differ only in their
 * traf: no tfdt, a tfxd uuid box, and times at 10 MHz.
 */
#include "fmp4_mux.h"
#include "fmp4_protect.h"
#include "../crypto/mp_drm.h"

#define FMP4_TRACK_ID 1u

#define TRUN_DATA_OFFSET 0x000001u
#define TRUN_DURATION    0x000100u
#define TRUN_SIZE        0x000200u
#define TRUN_FLAGS       0x000400u
#define TRUN_CTO         0x000800u
#define TFHD_DEFAULT_BASE_IS_MOOF 0x020000u

#define SAMPLE_FLAGS_SYNC     0x02000000u
#define SAMPLE_FLAGS_NON_SYNC 0x01010000u

static const uint8_t fmp4_tfxd_uuid[16] = {
    0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6,
    0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2
};

static const uint32_t fmp4_unity_matrix[9] = {
    0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000
};

static void fmp4_write_matrix(mp_wr_t *w)
{
    for (int i = 0; i < 9; i++) {
        mp_wr_u32(w, fmp4_unity_matrix[i]);
    }
}

static void fmp4_write_ftyp(mp_wr_t *w)
{
    size_t b = mp_box_begin(w, MP_FOURCC('f', 't', 'y', 'p'));
    mp_wr_str(w, "iso6");
    mp_wr_u32(w, 0);
    mp_wr_str(w, "iso6cmfcisomdashmp41");
    mp_box_end(w, b);
}

static void fmp4_write_mvhd(mp_wr_t *w, uint32_t timescale)
{
    size_t b = mp_fullbox_begin(w, MP_FOURCC('m', 'v', 'h', 'd'), 0, 0);
    mp_wr_zero(w, 8);                 /* creation, modification */
    mp_wr_u32(w, timescale);
    mp_wr_u32(w, 0);                  /* duration: fragmented */
    mp_wr_u32(w, 0x00010000);         /* rate */
    mp_wr_u16(w, 0x0100);             /* volume */
    mp_wr_zero(w, 10);
    fmp4_write_matrix(w);
    mp_wr_zero(w, 24);                /* pre_defined */
    mp_wr_u32(w, FMP4_TRACK_ID + 1);  /* next_track_ID */
    mp_box_end(w, b);
}

static void fmp4_write_tkhd(mp_wr_t *w, const mp_track_t *t)
{
    size_t b = mp_fullbox_begin(w, MP_FOURCC('t', 'k', 'h', 'd'), 0, 7);
    mp_wr_zero(w, 8);
    mp_wr_u32(w, FMP4_TRACK_ID);
    mp_wr_zero(w, 4);
    mp_wr_u32(w, 0);                  /* duration */
    mp_wr_zero(w, 8);
    mp_wr_u16(w, 0);                  /* layer */
    mp_wr_u16(w, 0);                  /* alternate_group */
    mp_wr_u16(w, t->type == MP_TRACK_AUDIO ? 0x0100 : 0);
    mp_wr_u16(w, 0);
    fmp4_write_matrix(w);
    mp_wr_u32(w, (uint32_t) t->width << 16);
    mp_wr_u32(w, (uint32_t) t->height << 16);
    mp_box_end(w, b);
}

/* edts/elst, in the track's own timescale (mvhd has the same).  The media
 * timeline (tfdt) is the presentation's timeline, where presentation starts
 * at pt->start (DASH presentationTimeOffset); audio frames before it are the
 * source's priming.  The edit list says exactly that and nothing more: an
 * empty edit up to start, then the media from start on at rate 1.  Times
 * stay what tfdt says (an identity mapping: players that ignore edit lists
 * or apply presentationTimeOffset themselves see the same times as without
 * it; Chromium's MSE buffers exactly the same ranges, where a one-entry list
 * media_time = start would move every sample by start and be applied twice
 * with presentationTimeOffset), while readers that apply edit lists
 * (ISO/IEC 14496-12 8.6.6) leave the priming frame unheard.  No edit list
 * when start is 0. */
static void fmp4_write_edts(mp_wr_t *w, const mp_pres_track_t *pt)
{
    if (pt->start == 0) {
        return;
    }
    uint64_t media = pt->end > pt->start ? pt->end - pt->start : 0;
    int v1 = pt->start > INT32_MAX || media > UINT32_MAX;
    size_t edts = mp_box_begin(w, MP_FOURCC('e', 'd', 't', 's'));
    size_t elst = mp_fullbox_begin(w, MP_FOURCC('e', 'l', 's', 't'), v1 ? 1 : 0, 0);
    mp_wr_u32(w, 2);
    const uint64_t entries[2][2] = { { pt->start, (uint64_t) -1 }, { media, pt->start } };
    for (int i = 0; i < 2; i++) {
        if (v1) {
            mp_wr_u64(w, entries[i][0]);
            mp_wr_u64(w, entries[i][1]);
        } else {
            mp_wr_u32(w, (uint32_t) entries[i][0]);
            mp_wr_u32(w, (uint32_t) entries[i][1]);
        }
        mp_wr_u16(w, 1);              /* media_rate_integer */
        mp_wr_u16(w, 0);
    }
    mp_box_end(w, elst);
    mp_box_end(w, edts);
}

static void fmp4_write_mdhd(mp_wr_t *w, const mp_track_t *t, const char *lang)
{
    size_t b = mp_fullbox_begin(w, MP_FOURCC('m', 'd', 'h', 'd'), 0, 0);
    mp_wr_zero(w, 8);
    mp_wr_u32(w, t->timescale);
    mp_wr_u32(w, 0);
    const char *l = (lang && strlen(lang) == 3) ? lang : "und";
    mp_wr_u16(w, (uint32_t) (((l[0] - 0x60) & 0x1f) << 10 | ((l[1] - 0x60) & 0x1f) << 5 |
                             ((l[2] - 0x60) & 0x1f)));
    mp_wr_u16(w, 0);
    mp_box_end(w, b);
}

static void fmp4_write_hdlr(mp_wr_t *w, const mp_track_t *t)
{
    int video = t->type == MP_TRACK_VIDEO;
    size_t b = mp_fullbox_begin(w, MP_FOURCC('h', 'd', 'l', 'r'), 0, 0);
    mp_wr_u32(w, 0);
    mp_wr_str(w, video ? "vide" : "soun");
    mp_wr_zero(w, 12);
    mp_wr_str(w, video ? "mediaplane video" : "mediaplane audio");
    mp_wr_u8(w, 0);
    mp_box_end(w, b);
}

static void fmp4_write_empty_table(mp_wr_t *w, uint32_t type, int extra_u32)
{
    size_t b = mp_fullbox_begin(w, type, 0, 0);
    if (extra_u32) {
        mp_wr_u32(w, 0);              /* stsz sample_size */
    }
    mp_wr_u32(w, 0);                  /* entry/sample count */
    mp_box_end(w, b);
}

static void fmp4_write_stbl(mp_wr_t *w, const mp_pres_track_t *pt, const mp_protection_t *pr)
{
    size_t stbl = mp_box_begin(w, MP_FOURCC('s', 't', 'b', 'l'));
    size_t stsd = mp_fullbox_begin(w, MP_FOURCC('s', 't', 's', 'd'), 0, 0);
    mp_wr_u32(w, 1);
    if (pr != NULL) {
        fmp4_write_protected_entry(w, pt, pr);
    } else {
        mp_wr_bytes(w, mp_track_entry(pt->index, pt->track), pt->track->entry_len);
    }
    mp_box_end(w, stsd);
    fmp4_write_empty_table(w, MP_FOURCC('s', 't', 't', 's'), 0);
    fmp4_write_empty_table(w, MP_FOURCC('s', 't', 's', 'c'), 0);
    fmp4_write_empty_table(w, MP_FOURCC('s', 't', 's', 'z'), 1);
    fmp4_write_empty_table(w, MP_FOURCC('s', 't', 'c', 'o'), 0);
    mp_box_end(w, stbl);
}

static void fmp4_write_minf(mp_wr_t *w, const mp_pres_track_t *pt, const mp_protection_t *pr)
{
    size_t minf = mp_box_begin(w, MP_FOURCC('m', 'i', 'n', 'f'));
    if (pt->track->type == MP_TRACK_VIDEO) {
        size_t b = mp_fullbox_begin(w, MP_FOURCC('v', 'm', 'h', 'd'), 0, 1);
        mp_wr_zero(w, 8);
        mp_box_end(w, b);
    } else {
        size_t b = mp_fullbox_begin(w, MP_FOURCC('s', 'm', 'h', 'd'), 0, 0);
        mp_wr_zero(w, 4);
        mp_box_end(w, b);
    }
    size_t dinf = mp_box_begin(w, MP_FOURCC('d', 'i', 'n', 'f'));
    size_t dref = mp_fullbox_begin(w, MP_FOURCC('d', 'r', 'e', 'f'), 0, 0);
    mp_wr_u32(w, 1);
    mp_box_end(w, mp_fullbox_begin(w, MP_FOURCC('u', 'r', 'l', ' '), 0, 1));
    mp_box_end(w, dref);
    mp_box_end(w, dinf);
    fmp4_write_stbl(w, pt, pr);
    mp_box_end(w, minf);
}

int fmp4_write_init(mp_wr_t *w, const mp_pres_track_t *pt)
{
    return fmp4_write_init_protected(w, pt, NULL);
}

int fmp4_write_init_protected(mp_wr_t *w, const mp_pres_track_t *pt, const mp_protection_t *pr)
{
    const mp_track_t *t = pt->track;
    fmp4_write_ftyp(w);
    size_t moov = mp_box_begin(w, MP_FOURCC('m', 'o', 'o', 'v'));
    fmp4_write_mvhd(w, t->timescale);
    size_t trak = mp_box_begin(w, MP_FOURCC('t', 'r', 'a', 'k'));
    fmp4_write_tkhd(w, t);
    fmp4_write_edts(w, pt);
    size_t mdia = mp_box_begin(w, MP_FOURCC('m', 'd', 'i', 'a'));
    fmp4_write_mdhd(w, t, pt->language);
    fmp4_write_hdlr(w, t);
    fmp4_write_minf(w, pt, pr);
    mp_box_end(w, mdia);
    mp_box_end(w, trak);
    size_t mvex = mp_box_begin(w, MP_FOURCC('m', 'v', 'e', 'x'));
    size_t trex = mp_fullbox_begin(w, MP_FOURCC('t', 'r', 'e', 'x'), 0, 0);
    mp_wr_u32(w, FMP4_TRACK_ID);
    mp_wr_u32(w, 1);                  /* default_sample_description_index */
    mp_wr_zero(w, 12);
    mp_box_end(w, trex);
    mp_box_end(w, mvex);
    if (pr != NULL) {
        mp_drm_write_pssh_all(w, pr);
    }
    mp_box_end(w, moov);
    return w->failed ? MP_ERR_NO_MEMORY : MP_OK;
}

/* Sample timing in the output timescale: native, or 10 MHz for Smooth. */
typedef struct {
    const mp_pres_track_t *pt;
    int smooth;
} fmp4_clock_t;

static uint64_t fmp4_time(const fmp4_clock_t *c, uint64_t timeline)
{
    return c->smooth ? mp_to_10m(timeline, c->pt->track->timescale) : timeline;
}

static int32_t fmp4_cto(const fmp4_clock_t *c, uint32_t i)
{
    int32_t cto = mp_sample_cto(c->pt->index, c->pt->track, i);
    if (!c->smooth || cto == 0) {
        return cto;
    }
    /* unsigned magnitudes: -INT32_MIN and a difference of two large 10 MHz
     * times would overflow signed arithmetic */
    uint64_t dts = mp_pt_time(c->pt, i), mag = cto > 0 ? (uint64_t) cto : (uint64_t) -(int64_t) cto;
    uint64_t pts = cto > 0 ? dts + mag : dts - mag;
    uint64_t p10 = fmp4_time(c, pts), d10 = fmp4_time(c, dts);
    return cto > 0 ? (int32_t) (uint32_t) (p10 - d10) : (int32_t) (0u - (uint32_t) (d10 - p10));
}

static int fmp4_has_negative_cto(const mp_pres_track_t *pt, const mp_seg_t *seg)
{
    if (!pt->track->cto_off) {
        return 0;
    }
    for (uint32_t i = seg->first; i < seg->end; i++) {
        if (mp_sample_cto(pt->index, pt->track, i) < 0) {
            return 1;
        }
    }
    return 0;
}

/* trun with per-sample duration, size, flags (and cto); returns the position
 * of its data_offset field for patching. */
static size_t fmp4_write_trun(mp_wr_t *w, const fmp4_clock_t *c, const mp_seg_t *seg)
{
    const mp_pres_track_t *pt = c->pt;
    int has_cto = pt->track->cto_off != 0;
    uint32_t flags = TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS |
                     (has_cto ? TRUN_CTO : 0);
    size_t b = mp_fullbox_begin(w, MP_FOURCC('t', 'r', 'u', 'n'),
                                fmp4_has_negative_cto(pt, seg) ? 1 : 0, flags);
    mp_wr_u32(w, seg->end - seg->first);
    size_t data_offset_at = w->pos;
    mp_wr_u32(w, 0);
    /* each sample's time is looked up once: its end is the next one's start */
    uint64_t t0 = fmp4_time(c, mp_pt_time(pt, seg->first));
    for (uint32_t i = seg->first; i < seg->end; i++) {
        uint64_t t1 = fmp4_time(c, mp_pt_time(pt, i + 1));
        mp_wr_u32(w, (uint32_t) (t1 - t0));
        t0 = t1;
        mp_wr_u32(w, mp_sample_size(pt->index, pt->track, i));
        mp_wr_u32(w, mp_sample_is_key(pt->index, pt->track, i) ? SAMPLE_FLAGS_SYNC
                                                               : SAMPLE_FLAGS_NON_SYNC);
        if (has_cto) {
            mp_wr_u32(w, (uint32_t) fmp4_cto(c, i));
        }
    }
    mp_box_end(w, b);
    return data_offset_at;
}

static void fmp4_write_tfxd(mp_wr_t *w, const mp_seg_t *seg)
{
    size_t b = mp_box_begin(w, MP_FOURCC('u', 'u', 'i', 'd'));
    mp_wr_bytes(w, fmp4_tfxd_uuid, sizeof(fmp4_tfxd_uuid));
    mp_wr_u8(w, 1);
    mp_wr_u24(w, 0);
    mp_wr_u64(w, seg->start_10m);
    mp_wr_u64(w, seg->duration_10m);
    mp_box_end(w, b);
}

static void fmp4_patch_u32(mp_wr_t *w, size_t at, uint32_t v)
{
    if (w->p != NULL && !w->failed && at + 4 <= w->cap) {
        w->p[at] = (uint8_t) (v >> 24);
        w->p[at + 1] = (uint8_t) (v >> 16);
        w->p[at + 2] = (uint8_t) (v >> 8);
        w->p[at + 3] = (uint8_t) v;
    }
}

int fmp4_write_fragment_header(mp_wr_t *w, const mp_pres_track_t *pt, const mp_seg_t *seg,
                               const fmp4_frag_opts_t *o)
{
    fmp4_clock_t clock = { pt, o->flavor == FMP4_FLAVOR_SMOOTH };
    size_t moof = mp_box_begin(w, MP_FOURCC('m', 'o', 'o', 'f'));
    size_t mfhd = mp_fullbox_begin(w, MP_FOURCC('m', 'f', 'h', 'd'), 0, 0);
    mp_wr_u32(w, o->sequence_number);
    mp_box_end(w, mfhd);
    size_t traf = mp_box_begin(w, MP_FOURCC('t', 'r', 'a', 'f'));
    size_t tfhd = mp_fullbox_begin(w, MP_FOURCC('t', 'f', 'h', 'd'), 0,
                                   clock.smooth ? 0 : TFHD_DEFAULT_BASE_IS_MOOF);
    mp_wr_u32(w, FMP4_TRACK_ID);
    mp_box_end(w, tfhd);
    if (!clock.smooth) {
        size_t tfdt = mp_fullbox_begin(w, MP_FOURCC('t', 'f', 'd', 't'), 1, 0);
        mp_wr_u64(w, seg->start);
        mp_box_end(w, tfdt);
    }
    size_t data_offset_at = fmp4_write_trun(w, &clock, seg);
    if (clock.smooth) {
        fmp4_write_tfxd(w, seg);
    }
    if (o->cenc != NULL && clock.smooth) {
        fmp4_write_piff_senc(w, o->cenc);
    } else if (o->cenc != NULL) {
        fmp4_write_cenc_aux(w, o->cenc, moof);
    }
    mp_box_end(w, traf);
    mp_box_end(w, moof);
    size_t moof_size = w->pos - moof;
    uint64_t payload = fmp4_payload_size(pt, seg);
    mp_wr_u32(w, (uint32_t) (payload + 8));
    mp_wr_str(w, "mdat");
    fmp4_patch_u32(w, data_offset_at, (uint32_t) (moof_size + 8));
    return w->failed ? MP_ERR_NO_MEMORY : MP_OK;
}

uint64_t fmp4_payload_size(const mp_pres_track_t *pt, const mp_seg_t *seg)
{
    uint64_t total = 0;
    for (uint32_t i = seg->first; i < seg->end; i++) {
        total += mp_sample_size(pt->index, pt->track, i);
    }
    return total;
}

uint32_t fmp4_payload_ranges(const mp_pres_track_t *pt, const mp_seg_t *seg, mp_range_t *out)
{
    uint32_t n = 0;
    uint64_t start = 0, end = 0;
    for (uint32_t i = seg->first; i < seg->end; i++) {
        uint64_t off = mp_sample_offset(pt->index, pt->track, i);
        uint32_t size = mp_sample_size(pt->index, pt->track, i);
        if (n > 0 && off == end) {
            end += size;
        } else {
            if (n > 0 && out) {
                out[n - 1] = (mp_range_t) { start, end - start };
            }
            n++;
            start = off;
            end = off + size;
        }
    }
    if (n > 0 && out) {
        out[n - 1] = (mp_range_t) { start, end - start };
    }
    return n;
}
