/*
 * ts_mux.c — the MPEG-2 Transport Stream segment muxer (HLS v3): planning
 * (which PES come in which order, their exact sizes), PES packetisation into
 * 188-byte packets (PCR, random_access_indicator, adaptation-field stuffing,
 * continuity counters), H.264 from length-prefixed NAL units to Annex B (AUD
 * on every access unit, SPS/PPS from avcC on key frames; AUDs of the sample
 * and empty NAL units blanked to zero bytes, which Annex B allows as
 * trailing_zero_8bits) and AAC in ADTS frames.  PSI tables are in ts_psi.c,
 * codec configuration in ts_codec.c.
 *
 * Sizing and production share one planner (ts_plan_next) and one packet
 * count (ts_pes_packets): ts_mux_open sums the segment's packets; ts_mux_read
 * walks the same plan one PES at a time.  Sample bytes come through one
 * input (ts_input.c) that a span enumerator running ahead of the packetiser
 * keeps queued in mux order; they are read once into its reused buffer and
 * copied once into the packets.  The input is refilled only at packet
 * boundaries, with room for a whole packet's payload plus the look-ahead a
 * NAL length prefix needs, so a nowait source that would block stops the
 * muxer between two packets: ts_mux_read returns what it has and
 * MP_ERR_AGAIN, and the next call (in a thread) continues exactly there.
 * Memory per muxer is one block (struct, parameter sets, input buffer),
 * whatever the segment or sample sizes.
 */
#include "ts_mux.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include "ts_codec.h"
#include "ts_input.h"
#include "ts_psi.h"

#define TS_PCR_LEAD         (TS_CLOCK / 10)  /* PCR runs 100 ms ahead of DTS */
#define TS_AF_PCR           8                /* length + flags + 6-byte PCR */
#define TS_VIDEO_PES_HDR    19               /* 9 + PTS + DTS */
#define TS_AUDIO_PES_HDR    14               /* 9 + PTS */
#define TS_AUD_LEN          6
#define TS_PES_MAX_LEN      0xFFFF           /* 16-bit PES_packet_length */
#define TS_AUDIO_PES_MS     100              /* audio frames grouped per PES */
#define TS_NAL_AUD          9
/* Input bytes a packet may need beyond its payload: a NAL length prefix
 * and the NAL unit's first byte that begin inside the packet. */
#define TS_LOOKAHEAD        8
/* avcC parameter sets up to this size live in the muxer's block. */
#define TS_PARAMS_MAX       1024
/* Closed muxers' blocks kept for reuse, per process (see ts_block_get);
 * none under AddressSanitizer, which should see every malloc and free. */
#ifndef TS_SPARE_BLOCKS
#if defined(__SANITIZE_ADDRESS__)
#define TS_SPARE_BLOCKS     0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TS_SPARE_BLOCKS     0
#endif
#endif
#endif
#ifndef TS_SPARE_BLOCKS
#define TS_SPARE_BLOCKS     8
#endif

static const uint8_t ts_start_code[TS_START_CODE_LEN] = { 0, 0, 0, 1 };
static const uint8_t ts_zeros[TS_START_CODE_LEN];
static const uint8_t ts_aud[TS_AUD_LEN] = { 0, 0, 0, 1, 0x09, 0xF0 };

/* A run of output bytes: from lit, or from the input (consumed as written;
 * blank: written as zeros). */
typedef struct {
    const uint8_t *lit;
    size_t len;
    int input;
    int blank;
} ts_piece_t;

/* Where a plan is: next video sample and next audio frame. */
typedef struct {
    uint32_t v_next;
    uint32_t a_next;
} ts_cursor_t;

/* One planned PES: samples [first, end) of one track. */
typedef struct {
    int video;
    int key;                  /* random_access_indicator */
    int pcr;                  /* PCR in the first packet's adaptation field */
    uint32_t first, end;
    uint64_t size;            /* PES bytes, header included; 0 = no more PES */
} ts_pes_t;

enum { TS_SRC_PARAMS, TS_SRC_NALS, TS_SRC_FRAMES };
enum { TS_PHASE_PAT, TS_PHASE_PMT, TS_PHASE_PES, TS_PHASE_DONE };

struct ts_muxer_s {
    mp_producer_t producer;   /* first: the muxer is its own producer */
    const mp_pres_track_t *video, *audio;
    mp_source_t *src_v, *src_a;
    uint32_t v_first, v_end, a_first, a_end;
    uint32_t nls;             /* NAL length size */
    int sample_aes;           /* PMT stream types of SAMPLE-AES */
    uint8_t *params;          /* SPS/PPS of the avcC in Annex B */
    size_t params_len;
    int params_own;           /* params malloc()ed apart from the block */
    ts_aac_t aac;
    /* the span enumerator: the plan again, ahead of the packetiser */
    ts_cursor_t e_cursor;
    ts_pes_t e_pes;
    uint32_t e_next;
    /* the packetiser */
    uint64_t total, produced;
    int phase;
    int error;                /* sticky */
    uint8_t cc_pat, cc_pmt, cc_video, cc_audio;
    ts_cursor_t cursor;
    ts_pes_t pes;
    uint64_t pes_left;        /* PES bytes not yet packetised */
    int pes_started;
    /* payload source of the current PES */
    int src_step;
    uint32_t src_frame;       /* next audio frame */
    size_t sample_left;       /* input bytes of the video sample not yet taken */
    ts_piece_t cur;
    size_t body_len;          /* NAL or frame body following cur */
    int body_blank;
    uint8_t head[TS_VIDEO_PES_HDR + TS_AUD_LEN];
    uint8_t adts[TS_ADTS_LEN];
    uint8_t pkt[TS_PACKET];   /* staging for callers reading < 188 bytes */
    size_t pkt_off, pkt_len;
    ts_input_t in;            /* last: large, initialised by ts_in_init only */
};

/* ---- planning: shared by ts_mux_open (sizing), the enumerator and the
 * packetiser ---------------------------------------------------------- */

/* TS packets needed by a PES of bytes bytes whose first packet carries an
 * adaptation field of af bytes (0 or TS_AF_PCR); the last is stuffed. */
static uint64_t ts_pes_packets(uint64_t bytes, uint32_t af)
{
    uint64_t first = TS_PAYLOAD - af;
    return bytes <= first ? 1 : 1 + (bytes - first + TS_PAYLOAD - 1) / TS_PAYLOAD;
}

static uint32_t ts_size(const mp_pres_track_t *t, uint32_t i)
{
    return mp_sample_size(t->index, t->track, i);
}

/* Does the next audio frame decode strictly before the next video sample? */
static int ts_audio_first(const ts_muxer_t *m, const ts_cursor_t *c)
{
    unsigned __int128 v = (unsigned __int128) mp_pt_time(m->video, c->v_next)
                          * m->audio->track->timescale;
    unsigned __int128 a = (unsigned __int128) mp_pt_time(m->audio, c->a_next)
                          * m->video->track->timescale;
    return a < v;
}

/* End of the audio PES starting at frame j: frames within TS_AUDIO_PES_MS of
 * the first, while PES_packet_length fits. */
static uint32_t ts_audio_group_end(const ts_muxer_t *m, uint32_t j, uint64_t *payload)
{
    const mp_pres_track_t *a = m->audio;
    uint64_t t0 = mp_pt_time(a, j);
    uint64_t span = (uint64_t) a->track->timescale * TS_AUDIO_PES_MS / 1000;
    uint32_t k = j;
    *payload = 0;
    while (k < m->a_end) {
        uint64_t frame = TS_ADTS_LEN + ts_size(a, k);
        int fits = TS_AUDIO_PES_HDR - 6 + *payload + frame <= TS_PES_MAX_LEN;
        if (k > j && (mp_pt_time(a, k) - t0 >= span || !fits)) {
            break;
        }
        *payload += frame;
        k++;
    }
    return k;
}

/* Bytes of a video PES whose sample is es bytes in Annex B. */
static uint64_t ts_video_pes_size(const ts_muxer_t *m, const ts_pes_t *pes, uint64_t es)
{
    return TS_VIDEO_PES_HDR + TS_AUD_LEN + (pes->key ? m->params_len : 0) + es;
}

/* Next PES in decode order; pes->size == 0 when the segment is complete.
 * A video PES's size assumes 4-byte NAL lengths (Annex B as large as the
 * sample); with shorter ones the caller measures the sample. */
static void ts_plan_next(const ts_muxer_t *m, ts_cursor_t *c, ts_pes_t *pes)
{
    int video = c->v_next < m->v_end;
    int audio = c->a_next < m->a_end;
    memset(pes, 0, sizeof(*pes));
    if (video && audio) {
        video = !ts_audio_first(m, c);
    }
    if (video) {
        uint32_t i = c->v_next++;
        pes->video = 1;
        pes->first = i;
        pes->end = i + 1;
        pes->pcr = 1;
        pes->key = mp_sample_is_key(m->video->index, m->video->track, i);
        pes->size = ts_video_pes_size(m, pes, ts_size(m->video, i));
    } else if (audio) {
        uint64_t payload;
        pes->first = c->a_next;
        pes->end = ts_audio_group_end(m, c->a_next, &payload);
        pes->pcr = m->v_end == m->v_first;
        pes->key = pes->pcr;
        pes->size = TS_AUDIO_PES_HDR + payload;
        c->a_next = pes->end;
    }
}

/* Annex B size of a sample of len bytes at p whose NAL units must tile it. */
static int ts_annexb_size(const uint8_t *p, size_t len, uint32_t nls, uint64_t *es)
{
    size_t pos = 0;
    *es = 0;
    while (pos < len) {
        if (len - pos < nls) {
            return MP_ERR_BAD_MEDIA;
        }
        size_t n = 0;
        for (uint32_t k = 0; k < nls; k++) {
            n = (n << 8) | p[pos + k];
        }
        if (len - pos - nls < n) {
            return MP_ERR_BAD_MEDIA;
        }
        *es += TS_START_CODE_LEN + n;
        pos += nls + n;
    }
    return MP_OK;
}

/* Annex B size of video sample i when it does not fit the input buffer:
 * its NAL length prefixes read one by one (NAL lengths of 1 or 2 bytes
 * only; 4-byte ones need no measuring). */
static int ts_walk_prefixes(ts_muxer_t *m, uint32_t i, uint64_t *es)
{
    uint64_t off = mp_sample_offset(m->video->index, m->video->track, i);
    size_t len = ts_size(m->video, i), pos = 0;
    uint32_t nls = m->nls;
    *es = 0;
    while (pos < len) {
        uint8_t b[4];
        if (len - pos < nls) {
            return MP_ERR_BAD_MEDIA;
        }
        int rc = m->src_v->read(m->src_v, b, nls, off + pos);
        if (rc != MP_OK) {
            return rc;
        }
        size_t n = 0;
        for (uint32_t k = 0; k < nls; k++) {
            n = (n << 8) | b[k];
        }
        if (len - pos - nls < n) {
            return MP_ERR_BAD_MEDIA;
        }
        *es += TS_START_CODE_LEN + n;
        pos += nls + n;
    }
    return MP_OK;
}

/* ---- the span enumerator ------------------------------------------------ */

static int ts_enum_more(void *ctx, ts_input_t *in)
{
    ts_muxer_t *m = ctx;
    while (m->e_next >= m->e_pes.end) {
        ts_plan_next(m, &m->e_cursor, &m->e_pes);
        if (m->e_pes.size == 0) {
            return 0;
        }
        m->e_next = m->e_pes.first;
    }
    const mp_pres_track_t *t = m->e_pes.video ? m->video : m->audio;
    uint32_t i = m->e_next;
    if (!ts_in_push(in, m->e_pes.video ? m->src_v : m->src_a,
                    mp_sample_offset(t->index, t->track, i), ts_size(t, i))) {
        return 1;                           /* queue full: the same span next time */
    }
    m->e_next++;
    return 1;
}

/* ---- PES payload -------------------------------------------------------- */

static void ts_write_time(uint8_t *p, uint32_t prefix, uint64_t t)
{
    t &= TS_TIME_MASK;
    p[0] = (uint8_t) ((prefix << 4) | ((t >> 29) & 0x0E) | 1);
    p[1] = (uint8_t) (t >> 22);
    p[2] = (uint8_t) (((t >> 14) & 0xFE) | 1);
    p[3] = (uint8_t) (t >> 7);
    p[4] = (uint8_t) (((t << 1) & 0xFE) | 1);
}

/* Timeline time of sample i (with its composition offset when pts) in 90 kHz. */
static uint64_t ts_time_90k(const mp_pres_track_t *t, uint32_t i, int pts)
{
    int64_t v = (int64_t) mp_pt_time(t, i);
    if (pts) {
        v += mp_sample_cto(t->index, t->track, i);
    }
    return mp_rescale(v < 0 ? 0 : (uint64_t) v, t->track->timescale, TS_CLOCK);
}

/* PES header; PES_packet_length is 0 (unbounded) for video PES too large. */
static size_t ts_pes_header(uint8_t *p, const ts_pes_t *pes, uint64_t pts, uint64_t dts)
{
    size_t hdr = pes->video ? TS_VIDEO_PES_HDR : TS_AUDIO_PES_HDR;
    uint64_t len = pes->size - 6 <= TS_PES_MAX_LEN ? pes->size - 6 : 0;
    p[0] = 0;
    p[1] = 0;
    p[2] = 1;
    p[3] = pes->video ? 0xE0 : 0xC0;
    p[4] = (uint8_t) (len >> 8);
    p[5] = (uint8_t) len;
    p[6] = 0x84;                        /* data_alignment_indicator */
    p[7] = pes->video ? 0xC0 : 0x80;    /* PTS and DTS / PTS only */
    p[8] = (uint8_t) (hdr - 9);
    ts_write_time(p + 9, pes->video ? 3 : 2, pts);
    if (pes->video) {
        ts_write_time(p + 14, 1, dts);
    }
    return hdr;
}

static ts_piece_t ts_lit(const uint8_t *p, size_t len)
{
    return (ts_piece_t) { p, len, 0, 0 };
}

/* Start the payload of the planned PES: header (+ AUD), then the rest. */
static void ts_src_begin(ts_muxer_t *m)
{
    const ts_pes_t *pes = &m->pes;
    const mp_pres_track_t *t = pes->video ? m->video : m->audio;
    uint64_t pts = ts_time_90k(t, pes->first, 1);
    uint64_t dts = ts_time_90k(t, pes->first, 0);
    size_t n = ts_pes_header(m->head, pes, pts, dts);
    if (pes->video) {
        memcpy(m->head + n, ts_aud, TS_AUD_LEN);
        n += TS_AUD_LEN;
        m->sample_left = ts_size(m->video, pes->first);
    }
    m->cur = ts_lit(m->head, n);
    m->body_len = 0;
    m->src_step = !pes->video ? TS_SRC_FRAMES : pes->key ? TS_SRC_PARAMS : TS_SRC_NALS;
    m->src_frame = pes->first;
}

/* The next NAL unit of the video sample: its length prefix is taken from
 * the input now and becomes a start code (zeros when the unit is blanked);
 * its body follows. */
static int ts_src_nal(ts_muxer_t *m)
{
    uint32_t nls = m->nls;
    size_t left = m->sample_left;
    if (left < nls || ts_in_avail(&m->in) < (left > nls ? nls + 1 : nls)) {
        return MP_ERR_BAD_MEDIA;        /* NAL units do not tile the sample */
    }
    const uint8_t *p = m->in.buf + m->in.pos;
    size_t n = 0;
    for (uint32_t k = 0; k < nls; k++) {
        n = (n << 8) | p[k];
    }
    if (left - nls < n) {
        return MP_ERR_BAD_MEDIA;
    }
    int blank = n == 0 || (p[nls] & 0x1F) == TS_NAL_AUD;
    m->in.pos += nls;
    m->sample_left = left - nls - n;
    m->cur = ts_lit(blank ? ts_zeros : ts_start_code, TS_START_CODE_LEN);
    m->body_len = n;
    m->body_blank = blank;
    return MP_OK;
}

/* ADTS header of the next frame of the audio PES; the frame follows. */
static int ts_src_frame(ts_muxer_t *m)
{
    if (m->src_frame >= m->pes.end) {
        return MP_ERR_BAD_MEDIA;
    }
    size_t len = ts_size(m->audio, m->src_frame++);
    ts_adts_header(&m->aac, len, m->adts);
    m->cur = ts_lit(m->adts, TS_ADTS_LEN);
    m->body_len = len;
    m->body_blank = 0;
    return MP_OK;
}

/* Current piece exhausted: the next one.  Running out of pieces before the
 * planned size is reached means the media lies about itself. */
static int ts_src_advance(ts_muxer_t *m)
{
    if (m->body_len > 0) {
        m->cur = (ts_piece_t) { NULL, m->body_len, 1, m->body_blank };
        m->body_len = 0;
        return MP_OK;
    }
    switch (m->src_step) {
    case TS_SRC_PARAMS:
        m->cur = ts_lit(m->params, m->params_len);
        m->src_step = TS_SRC_NALS;
        return MP_OK;
    case TS_SRC_NALS:
        return ts_src_nal(m);
    default:
        return ts_src_frame(m);
    }
}

/* n payload bytes into dst.  The input holds them: ts_mux_read ensured a
 * packet's worth (plus look-ahead) before the packet. */
static int ts_src_fill(ts_muxer_t *m, uint8_t *dst, size_t n)
{
    while (n > 0) {
        if (m->cur.len == 0) {
            int rc = ts_src_advance(m);
            if (rc != MP_OK) {
                return rc;
            }
            continue;
        }
        size_t k = n < m->cur.len ? n : m->cur.len;
        if (m->cur.input) {
            if (ts_in_avail(&m->in) < k) {
                return MP_ERR_BAD_MEDIA;
            }
            if (m->cur.blank) {
                memset(dst, 0, k);
            } else {
                memcpy(dst, m->in.buf + m->in.pos, k);
            }
            m->in.pos += k;
        } else {
            memcpy(dst, m->cur.lit, k);
            m->cur.lit += k;
        }
        m->cur.len -= k;
        dst += k;
        n -= k;
    }
    return MP_OK;
}

/* ---- packets ------------------------------------------------------------ */

/* Adaptation field of len bytes (length byte included): flags, PCR, 0xFF. */
static void ts_write_af(uint8_t *p, size_t len, int rai, int pcr, uint64_t pcr_base)
{
    if (len == 0) {
        return;
    }
    p[0] = (uint8_t) (len - 1);
    if (len == 1) {
        return;
    }
    p[1] = (uint8_t) ((rai ? 0x40 : 0) | (pcr ? 0x10 : 0));
    size_t o = 2;
    if (pcr) {
        pcr_base &= TS_TIME_MASK;
        p[2] = (uint8_t) (pcr_base >> 25);
        p[3] = (uint8_t) (pcr_base >> 17);
        p[4] = (uint8_t) (pcr_base >> 9);
        p[5] = (uint8_t) (pcr_base >> 1);
        p[6] = (uint8_t) (((pcr_base & 1) << 7) | 0x7E);   /* extension 0 */
        p[7] = 0;
        o = TS_AF_PCR;
    }
    memset(p + o, 0xFF, len - o);
}

static uint64_t ts_pcr_base(const ts_muxer_t *m)
{
    const mp_pres_track_t *t = m->pes.video ? m->video : m->audio;
    uint64_t dts = ts_time_90k(t, m->pes.first, 0);
    return dts > TS_PCR_LEAD ? dts - TS_PCR_LEAD : 0;
}

/* Next packet of the current PES. */
static int ts_pes_packet(ts_muxer_t *m, uint8_t *pkt)
{
    int first = !m->pes_started;
    int pcr = first && m->pes.pcr;
    size_t room = TS_PAYLOAD - (pcr ? TS_AF_PCR : 0);
    size_t n = m->pes_left < room ? (size_t) m->pes_left : room;
    size_t af = (pcr ? TS_AF_PCR : 0) + (room - n);
    uint16_t pid = m->pes.video ? TS_PID_VIDEO : TS_PID_AUDIO;
    uint8_t *cc = m->pes.video ? &m->cc_video : &m->cc_audio;
    pkt[0] = 0x47;
    pkt[1] = (uint8_t) ((first ? 0x40 : 0) | (pid >> 8));
    pkt[2] = (uint8_t) pid;
    pkt[3] = (uint8_t) ((af ? 0x30 : 0x10) | (*cc & 0x0F));
    *cc = (uint8_t) ((*cc + 1) & 0x0F);
    ts_write_af(pkt + 4, af, first && m->pes.key, pcr, pcr ? ts_pcr_base(m) : 0);
    m->pes_started = 1;
    m->pes_left -= n;
    return ts_src_fill(m, pkt + 4 + af, n);
}

/* Up to max whole continuation packets (no adaptation field) of the current
 * PES whose payloads all lie in the current input piece and in the input
 * buffer: a 4-byte header and one 184-byte copy each.  Returns the number
 * written (0 when the general path must run). */
static size_t ts_fast_packets(ts_muxer_t *m, uint8_t *out, size_t max)
{
    if (m->phase != TS_PHASE_PES || !m->pes_started || !m->cur.input || m->cur.blank) {
        return 0;
    }
    uint64_t k = m->cur.len / TS_PAYLOAD;
    uint64_t lim = m->pes_left / TS_PAYLOAD;
    k = k < lim ? k : lim;
    lim = ts_in_avail(&m->in) / TS_PAYLOAD;
    k = k < lim ? k : lim;
    lim = (m->total - m->produced) / TS_PACKET;
    k = k < lim ? k : lim;
    k = k < max ? k : max;
    if (k == 0) {
        return 0;
    }
    uint8_t *cc = m->pes.video ? &m->cc_video : &m->cc_audio;
    uint16_t pid = m->pes.video ? TS_PID_VIDEO : TS_PID_AUDIO;
    const uint8_t hdr[3] = { 0x47, (uint8_t) (pid >> 8), (uint8_t) pid };
    unsigned c = *cc;
    const uint8_t *src = m->in.buf + m->in.pos;
    for (uint64_t j = 0; j < k; j++) {
        memcpy(out, hdr, 3);
        out[3] = (uint8_t) (0x10 | (c & 0x0F));
        c++;
        memcpy(out + 4, src, TS_PAYLOAD);
        out += TS_PACKET;
        src += TS_PAYLOAD;
    }
    size_t bytes = (size_t) k * TS_PAYLOAD;
    *cc = (uint8_t) (c & 0x0F);
    m->in.pos += bytes;
    m->cur.len -= bytes;
    m->pes_left -= bytes;
    m->produced += k * TS_PACKET;
    return (size_t) k;
}

/* Plan the next PES and make it current.  With NAL lengths other than 4
 * the whole sample must be in the input to be measured: that may need a
 * read (and answer MP_ERR_AGAIN with nothing changed). */
static int ts_start_pes(ts_muxer_t *m)
{
    ts_cursor_t c = m->cursor;
    ts_pes_t pes;
    ts_plan_next(m, &c, &pes);
    if (pes.size == 0) {
        return MP_ERR_BAD_MEDIA;        /* planner disagrees with ts_segment_complete */
    }
    if (pes.video && m->nls != TS_START_CODE_LEN) {
        size_t len = ts_size(m->video, pes.first);
        uint64_t es = 0;
        int rc = len > m->in.cap ? ts_walk_prefixes(m, pes.first, &es)
                                 : ts_in_ensure(&m->in, len);
        if (rc != MP_OK) {
            return rc;
        }
        if (len <= m->in.cap
            && (ts_in_avail(&m->in) < len
                || ts_annexb_size(m->in.buf + m->in.pos, len, m->nls, &es) != MP_OK)) {
            return MP_ERR_BAD_MEDIA;
        }
        pes.size = ts_video_pes_size(m, &pes, es);
    }
    m->cursor = c;
    m->pes = pes;
    m->pes_left = pes.size;
    m->pes_started = 0;
    ts_src_begin(m);
    return MP_OK;
}

static int ts_segment_complete(const ts_muxer_t *m)
{
    return m->pes_left == 0 && m->cursor.v_next >= m->v_end && m->cursor.a_next >= m->a_end;
}

/* After a packet: the segment ends when the planner has nothing left, and
 * must end exactly at the size announced by ts_mux_open. */
static int ts_check_done(ts_muxer_t *m)
{
    if (m->phase == TS_PHASE_PES && ts_segment_complete(m)) {
        m->phase = TS_PHASE_DONE;
        return m->produced == m->total ? MP_OK : MP_ERR_BAD_MEDIA;
    }
    return MP_OK;
}

/* Produce the next 188-byte packet of the segment. */
static int ts_next_packet(ts_muxer_t *m, uint8_t *pkt)
{
    if (m->produced + TS_PACKET > m->total) {
        return MP_ERR_BAD_MEDIA;
    }
    if (m->phase == TS_PHASE_PAT) {
        ts_write_pat(pkt, m->cc_pat);
        m->phase = TS_PHASE_PMT;
    } else if (m->phase == TS_PHASE_PMT) {
        ts_write_pmt(pkt, m->cc_pmt, m->video != NULL, m->audio != NULL,
                     m->v_end > m->v_first ? TS_PID_VIDEO : TS_PID_AUDIO, m->sample_aes);
        m->phase = TS_PHASE_PES;
    } else {
        int rc = m->pes_left == 0 ? ts_start_pes(m) : MP_OK;
        if (rc == MP_OK) {
            rc = ts_pes_packet(m, pkt);
        }
        if (rc != MP_OK) {
            return rc;
        }
    }
    m->produced += TS_PACKET;
    return ts_check_done(m);
}

/* ---- open / read / close ------------------------------------------------ */

static int ts_seg_range(const mp_pres_track_t *t, const mp_seg_t *s, const mp_source_t *src,
                        uint32_t *first, uint32_t *end)
{
    if (s == NULL || src == NULL || t->track->timescale == 0 || s->first > s->end
        || s->end > t->track->sample_count) {
        return MP_ERR_BAD_MEDIA;
    }
    *first = s->first;
    *end = s->end;
    return MP_OK;
}

static int ts_setup_video(ts_muxer_t *m, const ts_segment_params_t *p)
{
    const mp_track_t *t = p->video->track;
    uint32_t nls = t->nal_length_size;
    if (t->type != MP_TRACK_VIDEO || t->codec != MP_CODEC_AVC
        || (nls != 1 && nls != 2 && nls != 4)) {
        return MP_ERR_BAD_MEDIA;
    }
    m->nls = nls;
    const uint8_t *c = mp_track_config(p->video->index, t);
    if (ts_avcc_params(c, t->config_len, NULL, &m->params_len) != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    return ts_seg_range(p->video, p->video_seg, p->video_source, &m->v_first, &m->v_end);
}

static int ts_setup_audio(ts_muxer_t *m, const ts_segment_params_t *p)
{
    const mp_track_t *t = p->audio->track;
    if (t->type != MP_TRACK_AUDIO || t->codec != MP_CODEC_AAC) {
        return MP_ERR_BAD_MEDIA;
    }
    if (ts_aac_config(mp_track_config(p->audio->index, t), t->config_len, &m->aac) != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    int rc = ts_seg_range(p->audio, p->audio_seg, p->audio_source, &m->a_first, &m->a_end);
    for (uint32_t i = m->a_first; rc == MP_OK && i < m->a_end; i++) {
        if (ts_size(p->audio, i) > TS_ADTS_MAX_FRAME - TS_ADTS_LEN) {
            rc = MP_ERR_BAD_MEDIA;          /* frames must fit ADTS frame_length */
        }
    }
    return rc;
}

/* Checks and sizes; allocates nothing. */
static int ts_setup(ts_muxer_t *m, const ts_segment_params_t *p)
{
    int rc = MP_OK;
    if (p->video == NULL && p->audio == NULL) {
        return MP_ERR_BAD_MEDIA;
    }
    m->video = p->video;
    m->audio = p->audio;
    m->src_v = p->video_source;
    m->src_a = p->audio_source;
    m->sample_aes = p->sample_aes;
    if (p->video) {
        rc = ts_setup_video(m, p);
    }
    if (rc == MP_OK && p->audio) {
        rc = ts_setup_audio(m, p);
    }
    uint8_t cc = (uint8_t) (p->segment_number & 0x0F);
    m->cc_pat = m->cc_pmt = m->cc_video = m->cc_audio = cc;
    m->cursor.v_next = m->e_cursor.v_next = m->v_first;
    m->cursor.a_next = m->e_cursor.a_next = m->a_first;
    return rc;
}

#define TS_ALIGN(n)         (((n) + 63) & ~(size_t) 63)
#define TS_BLOCK_HEAD       TS_ALIGN(sizeof(ts_muxer_t))
#define TS_BLOCK_SIZE       (TS_BLOCK_HEAD + TS_PARAMS_MAX + TS_INPUT_SIZE + TS_IN_GAP)

/* A muxer is one block of TS_BLOCK_SIZE: the struct, the parameter sets,
 * the input buffer and its scratch for skipped bytes.  Blocks of closed muxers are kept in a few spare slots
 * (atomically, as muxers may be opened and closed on different threads) and
 * reused: freeing them let glibc trim its heaps between requests, and the
 * next muxer's reads page-faulted the buffer in again. */
#if TS_SPARE_BLOCKS > 0
static _Atomic(void *) ts_spare[TS_SPARE_BLOCKS];
#endif

static void *ts_block_get(void)
{
#if TS_SPARE_BLOCKS > 0
    for (int i = 0; i < TS_SPARE_BLOCKS; i++) {
        void *b = atomic_exchange(&ts_spare[i], NULL);
        if (b != NULL) {
            return b;
        }
    }
#endif
    return malloc(TS_BLOCK_SIZE);
}

static void ts_block_put(void *b)
{
#if TS_SPARE_BLOCKS > 0
    for (int i = 0; i < TS_SPARE_BLOCKS; i++) {
        void *none = NULL;
        if (atomic_compare_exchange_strong(&ts_spare[i], &none, b)) {
            return;
        }
    }
#endif
    free(b);
}

/* Annex B size of video sample i, read whole into the (still unused) input
 * buffer, or prefix by prefix when larger. */
static int ts_measure_sample(ts_muxer_t *m, uint32_t i, uint64_t *es)
{
    size_t len = ts_size(m->video, i);
    if (len > m->in.cap) {
        return ts_walk_prefixes(m, i, es);
    }
    int rc = m->src_v->read(m->src_v, m->in.buf,
                            len, mp_sample_offset(m->video->index, m->video->track, i));
    m->in.reads++;
    return rc != MP_OK ? rc : ts_annexb_size(m->in.buf, len, m->nls, es);
}

/* The segment's exact size: packets of every planned PES + PAT + PMT.
 * With NAL lengths other than 4 each video sample is read to count its NAL
 * units. */
static int ts_plan_total(ts_muxer_t *m, uint64_t *total)
{
    ts_cursor_t c = m->cursor;
    ts_pes_t pes;
    uint64_t packets = 2;               /* PAT, PMT */
    for (;;) {
        ts_plan_next(m, &c, &pes);
        if (pes.size == 0) {
            break;
        }
        if (pes.video && m->nls != TS_START_CODE_LEN) {
            uint64_t es = 0;
            int rc = ts_measure_sample(m, pes.first, &es);
            if (rc != MP_OK) {
                return rc;
            }
            pes.size = ts_video_pes_size(m, &pes, es);
        }
        packets += ts_pes_packets(pes.size, pes.pcr ? TS_AF_PCR : 0);
    }
    *total = packets * TS_PACKET;
    return MP_OK;
}

static void ts_input_start(ts_muxer_t *m)
{
    uint8_t *buf = (uint8_t *) m + TS_BLOCK_HEAD + TS_PARAMS_MAX;
    ts_in_init(&m->in, buf, TS_INPUT_SIZE, buf + TS_INPUT_SIZE, ts_enum_more, m);
}

/* The block, set up for p: parameter sets written, input ready. */
static int ts_alloc(ts_muxer_t **out, const ts_segment_params_t *p)
{
    uint8_t *block = ts_block_get();
    if (block == NULL) {
        return MP_ERR_NO_MEMORY;
    }
    ts_muxer_t *m = (ts_muxer_t *) block;
    memset(m, 0, offsetof(ts_muxer_t, in));
    ts_input_start(m);
    int rc = ts_setup(m, p);
    if (rc == MP_OK && m->params_len > TS_PARAMS_MAX) {
        m->params = malloc(m->params_len);
        m->params_own = 1;
        rc = m->params == NULL ? MP_ERR_NO_MEMORY : MP_OK;
    } else {
        m->params = block + TS_BLOCK_HEAD;
    }
    if (rc == MP_OK && p->video) {
        const mp_track_t *t = p->video->track;
        ts_avcc_params(mp_track_config(p->video->index, t), t->config_len, m->params,
                       &m->params_len);
    }
    if (rc != MP_OK) {
        ts_mux_close(m);
        return rc;
    }
    *out = m;
    return MP_OK;
}

int ts_mux_open(ts_muxer_t **out, const ts_segment_params_t *p, uint64_t *total_size)
{
    ts_muxer_t *m;
    *out = NULL;
    int rc = ts_alloc(&m, p);
    if (rc != MP_OK) {
        return rc;
    }
    rc = ts_plan_total(m, &m->total);
    if (rc != MP_OK) {
        ts_mux_close(m);
        return rc;
    }
    *total_size = m->total;
    *out = m;
    return MP_OK;
}

/* Before a PES packet: its payload and look-ahead in the input. */
static int ts_ready(ts_muxer_t *m)
{
    return m->phase == TS_PHASE_PES ? ts_in_ensure(&m->in, TS_PAYLOAD + TS_LOOKAHEAD) : MP_OK;
}

int ts_mux_read(ts_muxer_t *m, uint8_t *out, size_t cap, size_t *written, int *done)
{
    size_t n = 0;
    int rc = m->error;
    while (rc == MP_OK && n < cap) {
        if (m->pkt_off < m->pkt_len) {
            size_t k = m->pkt_len - m->pkt_off;
            k = k < cap - n ? k : cap - n;
            memcpy(out + n, m->pkt + m->pkt_off, k);
            m->pkt_off += k;
            n += k;
            continue;
        }
        if (m->phase == TS_PHASE_DONE) {
            break;
        }
        rc = ts_ready(m);
        if (rc != MP_OK) {
            break;
        }
        if (cap - n >= TS_PACKET) {
            size_t k = ts_fast_packets(m, out + n, (cap - n) / TS_PACKET);
            if (k > 0) {
                n += k * TS_PACKET;
                rc = ts_check_done(m);
            } else {
                rc = ts_next_packet(m, out + n);
                n += rc == MP_OK ? TS_PACKET : 0;
            }
        } else {
            rc = ts_next_packet(m, m->pkt);
            m->pkt_off = 0;
            m->pkt_len = rc == MP_OK ? TS_PACKET : 0;
        }
    }
    if (rc == MP_ERR_AGAIN) {
        *written = n;                       /* valid output; call again */
        *done = 0;
        return rc;
    }
    m->error = rc;
    *written = rc == MP_OK ? n : 0;
    *done = rc == MP_OK && m->phase == TS_PHASE_DONE && m->pkt_off == m->pkt_len;
    return rc;
}

/* ---- as a producer ---------------------------------------------------- */

static int ts_producer_read(mp_producer_t *p, uint8_t *out, size_t cap, size_t *written,
                            int *done)
{
    return ts_mux_read((ts_muxer_t *) p, out, cap, written, done);
}

static void ts_producer_close(mp_producer_t *p)
{
    ts_mux_close((ts_muxer_t *) p);
}

int ts_producer_open(const void *recipe, mp_source_t *const *sources, mp_producer_t **out,
                     uint64_t *size)
{
    const ts_recipe_t *r = recipe;
    ts_segment_params_t tp = {
        r->video, &r->video_seg, r->video ? sources[r->video->file_no] : NULL,
        r->audio, &r->audio_seg, r->audio ? sources[r->audio->file_no] : NULL,
        r->segment_number, 0
    };
    ts_muxer_t *m;
    int rc = ts_mux_open(&m, &tp, size);
    if (rc != MP_OK) {
        return rc;
    }
    m->producer.read = ts_producer_read;
    m->producer.close = ts_producer_close;
    *out = &m->producer;
    return MP_OK;
}

void ts_mux_close(ts_muxer_t *m)
{
    if (m == NULL) {
        return;
    }
    if (m->params_own) {
        free(m->params);
    }
    ts_block_put(m);
}
