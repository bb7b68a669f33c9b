/*
 * ts_mux.c — the MPEG-2 Transport Stream segment muxer (HLS v3).  Owns the
 * PSI tables (PAT, PMT, MPEG-2 CRC32), PES packetisation into 188-byte TS
 * packets (PCR, random_access_indicator, adaptation-field stuffing,
 * continuity counters), H.264 conversion from length-prefixed NAL units to
 * Annex B (AUD on every access unit, SPS/PPS from avcC on key frames), AAC
 * ADTS framing and the interleaving of video and audio PES by decode time.
 *
 * Sizing and production share one planner (ts_next_pes) and one packet-count
 * formula (ts_pes_packets): ts_mux_open runs the planner over the whole
 * segment to sum packet counts, ts_mux_read runs it lazily, one PES at a
 * time, and fills packets from a small "piece" source (PES header, parameter
 * sets, start codes, NAL/frame bodies).
 *
 * Sample data comes through one staging window per track (ts_win_*): a miss
 * reads the sample together with the following samples of the track that lie
 * (nearly) contiguously after it in the file, up to the window size, with one
 * read.  When both tracks come from the same file (same index) either window
 * serves either track and a fill takes in the other track's pending samples
 * and keeps (moves) bytes a window already holds, so a finely interleaved
 * file is read once, in order, about one read per window.  A video sample
 * larger than its window is streamed through it, after a check of its NAL
 * units that reads around their length prefixes.  Memory per muxer is one
 * block of TS_BLOCK_SIZE (the windows, 384 KB, the struct and parameter sets
 * up to 1 KB; larger ones apart), whatever the segment or sample sizes.
 * Payload bytes are copied once, from the window straight into the packets;
 * runs of whole packets inside one piece take a tight loop (ts_fast_packets).
 * When the caller offers mappers (ts_mux_set_mappers) a window is instead a
 * view of up to TS_MAP_LEN bytes of the mapped file (ts_win_map): no read
 * into staging, payload goes from the file's pages straight into the
 * packets, and every sample is whole.
 */
#include "ts_mux.h"

#include <stdatomic.h>
#include <stdlib.h>

#define TS_PACKET           188
#define TS_PAYLOAD          (TS_PACKET - 4)
#define TS_PID_PAT          0x0000
#define TS_PID_PMT          0x1000
#define TS_PID_VIDEO        0x0100
#define TS_PID_AUDIO        0x0101
#define TS_STREAM_H264      0x1B
#define TS_STREAM_AAC_ADTS  0x0F
#define TS_CLOCK            90000u
#define TS_TIME_MASK        0x1FFFFFFFFull   /* PTS, DTS and PCR base are 33 bits */
#define TS_PCR_LEAD         (TS_CLOCK / 10)  /* PCR runs 100 ms ahead of DTS */
#define TS_AF_PCR           8                /* length + flags + 6-byte PCR */
#define TS_VIDEO_PES_HDR    19               /* 9 + PTS + DTS */
#define TS_AUDIO_PES_HDR    14               /* 9 + PTS */
#define TS_AUD_LEN          6
#define TS_START_CODE_LEN   4
#define TS_ADTS_LEN         7
#define TS_ADTS_MAX_FRAME   0x1FFF           /* 13-bit frame_length */
#define TS_PES_MAX_LEN      0xFFFF           /* 16-bit PES_packet_length */
#define TS_AUDIO_PES_MS     100              /* audio frames grouped per PES */
#define TS_NAL_AUD          9

/* Staging windows.  Audio frames (<= 8 KB as ADTS requires) always fit
 * theirs; with a shared file the audio window also takes the video
 * interleaved with the audio it reads ahead. */
#define TS_WIN_VIDEO        (256 * 1024)
#define TS_WIN_AUDIO        (128 * 1024)
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
/* Unrelated bytes a window read may span between two samples of a track from
 * a file of its own (cheaper to copy than another read); samples of the other
 * track of the same file are never unrelated. */
#define TS_WIN_GAP          (8 * 1024)
/* How far ahead of the packet being filled the payload loop prefetches: the
 * source is the page cache, rarely in the core's caches. */
#define TS_PREFETCH         (16 * 64)
/* Most bytes a mapper is asked to map at a time (see ts_win_map): what a
 * mapping has touched counts in the worker's RSS until it is replaced, so
 * this bounds that per request and track (the pages are the page cache's). */
#define TS_MAP_LEN          (1024 * 1024)
/* Samples one window read may cover (bounds the planning walk). */
#define TS_WIN_MAX_SAMPLES  8192
/* Validating a sample larger than its window reads around its NAL length
 * prefixes only, TS_HDR_READ bytes at a time, unless they lie close together
 * (after a NAL unit shorter than TS_HDR_DENSE): then a whole window at once. */
#define TS_HDR_READ         4096
#define TS_HDR_DENSE        (16 * 1024)

enum { TS_V = 0, TS_A = 1 };

static const uint8_t ts_start_code[TS_START_CODE_LEN] = { 0, 0, 0, 1 };
static const uint8_t ts_aud[TS_AUD_LEN] = { 0, 0, 0, 1, 0x09, 0xF0 };

/* A run of output bytes: len bytes at p (p == NULL stands for zeros, i.e.
 * blanked NAL units), then rest more bytes at file offset rest_off that are
 * still to come through the video window (samples larger than it). */
typedef struct {
    const uint8_t *p;
    size_t len;
    size_t rest;
    uint64_t rest_off;
} ts_piece_t;

/* Bytes [off, off + len) of a track's file, at data: the staging buffer buf,
 * or where the reader mapped them. */
typedef struct {
    uint8_t *buf;
    const uint8_t *data;
    size_t cap;
    uint64_t off;
    size_t len;
} ts_win_t;

/* Where the planner is: next video sample and next audio frame. */
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

typedef struct {
    uint8_t profile;          /* ADTS profile = audio object type - 1 */
    uint8_t freq_index;
    uint8_t channels;
} ts_aac_t;

struct ts_muxer_s {
    const mp_pres_track_t *video, *audio;
    const mp_pres_track_t *trk[2];     /* [TS_V], [TS_A] */
    mp_reader_t *rd[2];
    mp_mapper_t *mp[2];       /* set: windows are views of mappings */
    uint64_t span_end[2];     /* end of the track's segment samples in the file */
    uint32_t seg_end[2];
    uint32_t v_first, v_end, a_first, a_end;
    uint32_t nal_length_size;
    uint8_t *params;          /* SPS/PPS of the avcC in Annex B */
    size_t params_len;
    int params_own;           /* params malloc()ed apart from the block */
    ts_aac_t aac;
    ts_win_t win[2];
    int shared;               /* both tracks in one file: either window serves */
    /* the current video sample: at vs_ptr, or streamed (vs_ptr == NULL) */
    const uint8_t *vs_ptr;
    uint64_t vs_off;
    size_t sample_len;
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
    uint32_t src_frame;
    size_t src_pos;
    ts_piece_t cur, next;
    int next_pending;
    uint8_t head[TS_VIDEO_PES_HDR + TS_AUD_LEN];
    uint8_t adts[TS_ADTS_LEN];
    uint8_t pkt[TS_PACKET];   /* staging for callers reading < 188 bytes */
    size_t pkt_off, pkt_len;
};

/* ---- PSI ---------------------------------------------------------------- */

/* MPEG-2 CRC32: polynomial 0x04C11DB7, MSB first, no final xor. */
static uint32_t ts_crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (n--) {
        crc ^= (uint32_t) *p++ << 24;
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
        }
    }
    return crc;
}

/* One PSI packet: header, pointer_field, section + CRC, 0xFF stuffing. */
static void ts_psi_packet(uint8_t *pkt, uint16_t pid, uint8_t cc, const uint8_t *sec, size_t len)
{
    pkt[0] = 0x47;
    pkt[1] = (uint8_t) (0x40 | (pid >> 8));
    pkt[2] = (uint8_t) pid;
    pkt[3] = (uint8_t) (0x10 | (cc & 0x0F));
    pkt[4] = 0;
    memcpy(pkt + 5, sec, len);
    uint32_t crc = ts_crc32(sec, len);
    uint8_t *c = pkt + 5 + len;
    c[0] = (uint8_t) (crc >> 24);
    c[1] = (uint8_t) (crc >> 16);
    c[2] = (uint8_t) (crc >> 8);
    c[3] = (uint8_t) crc;
    memset(c + 4, 0xFF, TS_PACKET - (5 + len + 4));
}

static void ts_write_pat(const ts_muxer_t *m, uint8_t *pkt)
{
    static const uint8_t sec[] = {
        0x00, 0xB0, 13,                 /* table_id, section_length = 13 */
        0x00, 0x01, 0xC1, 0x00, 0x00,   /* tsid 1, version 0, current */
        0x00, 0x01,                     /* program 1 */
        0xE0 | (TS_PID_PMT >> 8), TS_PID_PMT & 0xFF
    };
    ts_psi_packet(pkt, TS_PID_PAT, m->cc_pat, sec, sizeof(sec));
}

static size_t ts_pmt_stream(uint8_t *p, uint8_t type, uint16_t pid)
{
    p[0] = type;
    p[1] = (uint8_t) (0xE0 | (pid >> 8));
    p[2] = (uint8_t) pid;
    p[3] = 0xF0;                        /* ES_info_length = 0 */
    p[4] = 0x00;
    return 5;
}

static void ts_write_pmt(const ts_muxer_t *m, uint8_t *pkt)
{
    uint8_t sec[32];
    uint16_t pcr_pid = m->v_end > m->v_first ? TS_PID_VIDEO : TS_PID_AUDIO;
    size_t n = 12;
    if (m->video) {
        n += ts_pmt_stream(sec + n, TS_STREAM_H264, TS_PID_VIDEO);
    }
    if (m->audio) {
        n += ts_pmt_stream(sec + n, TS_STREAM_AAC_ADTS, TS_PID_AUDIO);
    }
    size_t section_length = n - 3 + 4;
    const uint8_t head[12] = {
        0x02, (uint8_t) (0xB0 | (section_length >> 8)), (uint8_t) section_length,
        0x00, 0x01, 0xC1, 0x00, 0x00,   /* program 1, version 0, current */
        (uint8_t) (0xE0 | (pcr_pid >> 8)), (uint8_t) pcr_pid,
        0xF0, 0x00                      /* program_info_length = 0 */
    };
    memcpy(sec, head, sizeof(head));
    ts_psi_packet(pkt, TS_PID_PMT, m->cc_pmt, sec, n);
}

/* ---- codec configuration ------------------------------------------------ */

/* Append count length-prefixed (u16) parameter sets at *pos as Annex B.
 * With out == NULL only measures. */
static int ts_avcc_list(const uint8_t *c, size_t len, size_t *pos, uint32_t count,
                        uint8_t *out, size_t *out_len)
{
    for (uint32_t i = 0; i < count; i++) {
        if (len - *pos < 2 || len - *pos - 2 < mp_rd16(c + *pos)) {
            return MP_ERR_BAD_MEDIA;
        }
        size_t n = mp_rd16(c + *pos);
        if (out != NULL) {
            memcpy(out + *out_len, ts_start_code, TS_START_CODE_LEN);
            memcpy(out + *out_len + TS_START_CODE_LEN, c + *pos + 2, n);
        }
        *out_len += TS_START_CODE_LEN + n;
        *pos += 2 + n;
    }
    return MP_OK;
}

/* SPS and PPS of an avcC body as Annex B (out == NULL: measure only). */
static int ts_avcc_params(const uint8_t *c, size_t len, uint8_t *out, size_t *out_len)
{
    size_t pos = 6;
    *out_len = 0;
    if (len < 7 || c[0] != 1) {
        return MP_ERR_BAD_MEDIA;
    }
    if (ts_avcc_list(c, len, &pos, c[5] & 0x1F, out, out_len) != MP_OK || pos >= len) {
        return MP_ERR_BAD_MEDIA;
    }
    uint32_t pps = c[pos++];
    return ts_avcc_list(c, len, &pos, pps, out, out_len);
}

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t bit;
} ts_bits_t;

/* Next n (<= 24) bits MSB first; bits past the end read as 1 so that
 * truncated configurations fail the range checks below. */
static uint32_t ts_bits(ts_bits_t *b, unsigned n)
{
    uint32_t v = 0;
    while (n--) {
        size_t byte = b->bit >> 3;
        uint32_t bit = byte < b->len ? (b->p[byte] >> (7 - (b->bit & 7))) & 1 : 1;
        v = (v << 1) | bit;
        b->bit++;
    }
    return v;
}

static uint32_t ts_aac_object_type(ts_bits_t *b)
{
    uint32_t aot = ts_bits(b, 5);
    return aot == 31 ? 32 + ts_bits(b, 6) : aot;
}

/* Sampling frequency index; 15 (explicit frequency) cannot go into ADTS. */
static uint32_t ts_aac_freq_index(ts_bits_t *b)
{
    uint32_t i = ts_bits(b, 4);
    if (i == 15) {
        ts_bits(b, 24);
    }
    return i;
}

/* AudioSpecificConfig -> ADTS fields.  Explicit SBR/PS signalling (object
 * types 5 and 29) maps to the underlying core object type and rate. */
static int ts_aac_config(const uint8_t *c, size_t len, ts_aac_t *out)
{
    ts_bits_t b = { c, len, 0 };
    if (len < 2) {
        return MP_ERR_BAD_MEDIA;
    }
    uint32_t aot = ts_aac_object_type(&b);
    uint32_t freq = ts_aac_freq_index(&b);
    uint32_t chan = ts_bits(&b, 4);
    if (aot == 5 || aot == 29) {
        ts_aac_freq_index(&b);
        aot = ts_aac_object_type(&b);
    }
    if (aot < 1 || aot > 4 || freq > 12 || chan < 1 || chan > 7) {
        return MP_ERR_BAD_MEDIA;
    }
    out->profile = (uint8_t) (aot - 1);
    out->freq_index = (uint8_t) freq;
    out->channels = (uint8_t) chan;
    return MP_OK;
}

static void ts_adts_header(const ts_aac_t *a, size_t payload, uint8_t *h)
{
    size_t len = TS_ADTS_LEN + payload;
    h[0] = 0xFF;
    h[1] = 0xF1;                        /* MPEG-4, layer 0, no CRC */
    h[2] = (uint8_t) ((a->profile << 6) | (a->freq_index << 2) | (a->channels >> 2));
    h[3] = (uint8_t) (((a->channels & 3) << 6) | (len >> 11));
    h[4] = (uint8_t) (len >> 3);
    h[5] = (uint8_t) (((len & 7) << 5) | 0x1F);   /* buffer fullness 0x7FF: VBR */
    h[6] = 0xFC;
}

/* ---- staging windows ---------------------------------------------------- */

static uint64_t ts_off(const ts_muxer_t *m, int t, uint32_t i)
{
    return mp_sample_offset(m->trk[t]->index, m->trk[t]->track, i);
}

static uint32_t ts_size(const ts_muxer_t *m, int t, uint32_t i)
{
    return mp_sample_size(m->trk[t]->index, m->trk[t]->track, i);
}

static int ts_win_has(const ts_win_t *w, uint64_t off, size_t len)
{
    return off >= w->off && off - w->off <= w->len && len <= w->len - (off - w->off);
}

/* With a mapper the window becomes a view of the file from start: at least
 * need bytes, and up to the end of the track's segment samples (at most
 * TS_MAP_LEN), so that one mapping usually serves the whole segment and the
 * mapper may populate exactly what will be read. */
static int ts_win_map(ts_muxer_t *m, int t, uint64_t start, size_t need)
{
    ts_win_t *w = &m->win[t];
    mp_mapper_t *r = m->mp[t];
    uint64_t span = m->span_end[t] > start ? m->span_end[t] - start : 0;
    size_t want = span < TS_MAP_LEN ? (size_t) span : TS_MAP_LEN;
    size_t got = 0;
    w->len = 0;
    if (r->map(r, start, need, want > need ? want : need, &w->data, &got) != MP_OK
        || got < need) {
        return MP_ERR_IO;
    }
    w->off = start;
    w->len = got;
    return MP_OK;
}

/* Load [start, end) (<= cap bytes) into track t's window.  A head of it that
 * a window already holds (t's own, or either with a shared file) is moved
 * to the front instead of being read again. */
static int ts_win_load(ts_muxer_t *m, int t, uint64_t start, uint64_t end)
{
    ts_win_t *w = &m->win[t];
    size_t want = (size_t) (end - start), keep = 0;
    if (end - start > w->cap) {
        return MP_ERR_BAD_MEDIA;        /* cannot happen: callers stay within cap */
    }
    if (m->mp[t] != NULL) {
        return ts_win_map(m, t, start, want);
    }
    for (int k = 0; k < 1 + m->shared; k++) {
        const ts_win_t *s = &m->win[k ? !t : t];
        if (start >= s->off && start - s->off < s->len) {
            size_t at = (size_t) (start - s->off);
            keep = s->len - at < want ? s->len - at : want;
            memmove(w->buf, s->data + at, keep);
            break;
        }
    }
    w->len = 0;
    w->data = w->buf;
    if (keep < want) {
        mp_reader_t *r = m->rd[t];
        if (r->read(r, w->buf + keep, want - keep, start + keep) != MP_OK) {
            return MP_ERR_IO;
        }
    }
    w->off = start;
    w->len = want;
    return MP_OK;
}

/* Read sample i of track t (at off, size bytes; size <= window) into t's
 * window along with the samples of t that follow it closely in the file.
 * With a shared file the other track's next sample is taken in too when it
 * lies just before (audio runs ahead of video by up to a PES), and the gaps
 * (the other track's samples) may be as large as the window. */
static int ts_win_fill(ts_muxer_t *m, int t, uint32_t i, uint64_t off, size_t size)
{
    const ts_win_t *w = &m->win[t];
    uint64_t start = off, end = off + size;
    if (m->mp[t] != NULL) {
        return ts_win_map(m, t, off, size);
    }
    uint64_t gap = m->shared ? w->cap : TS_WIN_GAP;
    if (m->shared) {
        int o = !t;
        uint32_t j = o == TS_V ? m->cursor.v_next : m->cursor.a_next;
        if (j < m->seg_end[o]) {
            uint64_t q = ts_off(m, o, j);
            if (q < off && off - q <= w->cap / 2 && end - q <= w->cap
                && !ts_win_has(&m->win[o], q, ts_size(m, o, j))) {
                start = q;
            }
        }
    }
    uint32_t last = m->seg_end[t];
    if (last - i > TS_WIN_MAX_SAMPLES) {
        last = i + TS_WIN_MAX_SAMPLES;
    }
    for (uint32_t k = i + 1; k < last; k++) {
        uint64_t ko = ts_off(m, t, k);
        uint64_t ks = ts_size(m, t, k);
        if (ko < end || ko - end > gap || ko + ks - start > w->cap) {
            break;
        }
        end = ko + ks;
    }
    return ts_win_load(m, t, start, end);
}

/* Sample i of track t as one block of memory (it must fit the window). */
static int ts_sample_data(ts_muxer_t *m, int t, uint32_t i, const uint8_t **data, size_t *len)
{
    ts_win_t *w = &m->win[t];
    uint64_t off = ts_off(m, t, i);
    size_t size = ts_size(m, t, i);
    *len = size;
    if (size > w->cap) {
        return MP_ERR_BAD_MEDIA;
    }
    if (size == 0) {
        *data = w->buf;
        return MP_OK;
    }
    if (!ts_win_has(w, off, size)) {
        const ts_win_t *o = &m->win[!t];
        if (m->shared && ts_win_has(o, off, size)) {
            *data = o->data + (off - o->off);
            return MP_OK;
        }
        int rc = ts_win_fill(m, t, i, off, size);
        if (rc != MP_OK) {
            return rc;
        }
    }
    *data = w->data + (off - w->off);
    return MP_OK;
}

/* Bytes at file offset off of a sample ending at limit, of which at least
 * need are wanted, from the video window; a miss reads up to read_max bytes
 * there.  *avail gets the bytes available at *p (>= need). */
static int ts_win_at(ts_muxer_t *m, uint64_t off, size_t need, uint64_t limit, size_t read_max,
                     const uint8_t **p, size_t *avail)
{
    ts_win_t *w = &m->win[TS_V];
    if (!ts_win_has(w, off, need)) {
        read_max = read_max < w->cap ? read_max : w->cap;
        if (need > read_max) {
            return MP_ERR_BAD_MEDIA;
        }
        uint64_t end = limit - off > read_max ? off + read_max : limit;
        int rc = ts_win_load(m, TS_V, off, end);
        if (rc != MP_OK) {
            return rc;
        }
    }
    *p = w->data + (off - w->off);
    *avail = w->len - (size_t) (off - w->off);
    if (*avail > limit - off) {
        *avail = (size_t) (limit - off);
    }
    return MP_OK;
}

/* need (<= the rest of the sample) bytes of the current video sample at pos. */
static int ts_video_bytes(ts_muxer_t *m, size_t pos, size_t need, size_t read_max,
                          const uint8_t **p, size_t *avail)
{
    if (m->vs_ptr != NULL) {
        *p = m->vs_ptr + pos;
        *avail = m->sample_len - pos;
        return MP_OK;
    }
    return ts_win_at(m, m->vs_off + pos, need, m->vs_off + m->sample_len, read_max, p, avail);
}

/* Length prefix of the NAL unit at pos of the current video sample, with the
 * NAL unit's first byte when it has one.  *nal_len is checked against the
 * sample; *p points at the prefix, *avail counts from there. */
static int ts_nal_at(ts_muxer_t *m, size_t pos, size_t read_max, const uint8_t **p,
                     size_t *avail, size_t *nal_len)
{
    uint32_t nls = m->nal_length_size;
    size_t left = m->sample_len - pos;
    if (left < nls) {
        return MP_ERR_BAD_MEDIA;
    }
    int rc = ts_video_bytes(m, pos, left > nls ? nls + 1 : nls, read_max, p, avail);
    if (rc != MP_OK) {
        return rc;
    }
    size_t n = 0;
    for (uint32_t k = 0; k < nls; k++) {
        n = (n << 8) | (*p)[k];
    }
    if (left - nls < n) {
        return MP_ERR_BAD_MEDIA;
    }
    *nal_len = n;
    return MP_OK;
}

/* Make video sample i current; fails unless its NAL units tile it exactly.
 * *es gets its Annex B size.  A sample that fits the window is read whole;
 * a larger one is checked by reading only around its length prefixes. */
static int ts_load_video(ts_muxer_t *m, uint32_t i, uint64_t *es)
{
    size_t size = ts_size(m, TS_V, i);
    int rc;
    m->vs_off = ts_off(m, TS_V, i);
    m->vs_ptr = NULL;
    m->sample_len = size;
    if (size <= m->win[TS_V].cap) {
        rc = ts_sample_data(m, TS_V, i, &m->vs_ptr, &m->sample_len);
        if (rc != MP_OK) {
            return rc;
        }
    }
    size_t pos = 0, nal = TS_HDR_DENSE;
    *es = 0;
    while (pos < m->sample_len) {
        const uint8_t *p;
        size_t avail;
        rc = ts_nal_at(m, pos, nal < TS_HDR_DENSE ? m->win[TS_V].cap : TS_HDR_READ, &p, &avail,
                       &nal);
        if (rc != MP_OK) {
            return rc;
        }
        *es += TS_START_CODE_LEN + nal;
        pos += m->nal_length_size + nal;
    }
    return MP_OK;
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

/* ---- planning: shared by ts_mux_open (sizing) and ts_mux_read ---------- */

/* TS packets needed by a PES of bytes bytes whose first packet carries an
 * adaptation field of af bytes (0 or TS_AF_PCR); the last is stuffed. */
static uint64_t ts_pes_packets(uint64_t bytes, uint32_t af)
{
    uint64_t first = TS_PAYLOAD - af;
    return bytes <= first ? 1 : 1 + (bytes - first + TS_PAYLOAD - 1) / TS_PAYLOAD;
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
        uint64_t frame = TS_ADTS_LEN + mp_sample_size(a->index, a->track, k);
        int fits = TS_AUDIO_PES_HDR - 6 + *payload + frame <= TS_PES_MAX_LEN;
        if (k > j && (mp_pt_time(a, k) - t0 >= span || !fits)) {
            break;
        }
        *payload += frame;
        k++;
    }
    return k;
}

static void ts_plan_audio(const ts_muxer_t *m, ts_cursor_t *c, ts_pes_t *pes)
{
    uint64_t payload;
    pes->video = 0;
    pes->first = c->a_next;
    pes->end = ts_audio_group_end(m, c->a_next, &payload);
    pes->pcr = m->v_end == m->v_first;
    pes->key = pes->pcr;
    pes->size = TS_AUDIO_PES_HDR + payload;
    c->a_next = pes->end;
}

/* With load (or when NAL length size != 4) the sample is read (made
 * current) and its NAL units validated; otherwise the index size suffices. */
static int ts_plan_video(ts_muxer_t *m, ts_cursor_t *c, ts_pes_t *pes, int load)
{
    const mp_pres_track_t *v = m->video;
    uint32_t i = c->v_next++;
    uint64_t es = mp_sample_size(v->index, v->track, i);
    pes->video = 1;
    pes->first = i;
    pes->end = i + 1;
    pes->pcr = 1;
    pes->key = mp_sample_is_key(v->index, v->track, i);
    if (load || m->nal_length_size != TS_START_CODE_LEN) {
        int rc = ts_load_video(m, i, &es);
        if (rc != MP_OK) {
            return rc;
        }
    }
    pes->size = TS_VIDEO_PES_HDR + TS_AUD_LEN + (pes->key ? m->params_len : 0) + es;
    return MP_OK;
}

/* Next PES in decode order; pes->size == 0 when the segment is complete. */
static int ts_next_pes(ts_muxer_t *m, ts_cursor_t *c, ts_pes_t *pes, int load)
{
    int video = c->v_next < m->v_end;
    int audio = c->a_next < m->a_end;
    memset(pes, 0, sizeof(*pes));
    if (video && audio) {
        video = !ts_audio_first(m, c);
    }
    if (video) {
        return ts_plan_video(m, c, pes, load);
    }
    if (audio) {
        ts_plan_audio(m, c, pes);
    }
    return MP_OK;
}

static int ts_plan_total(ts_muxer_t *m, uint64_t *total)
{
    ts_cursor_t c = m->cursor;
    ts_pes_t pes;
    uint64_t packets = 2;               /* PAT, PMT */
    for (;;) {
        int rc = ts_next_pes(m, &c, &pes, 0);
        if (rc != MP_OK) {
            return rc;
        }
        if (pes.size == 0) {
            break;
        }
        packets += ts_pes_packets(pes.size, pes.pcr ? TS_AF_PCR : 0);
    }
    *total = packets * TS_PACKET;
    return MP_OK;
}

/* ---- PES payload source ------------------------------------------------- */

static void ts_write_time(uint8_t *p, uint32_t prefix, uint64_t t)
{
    t &= TS_TIME_MASK;
    p[0] = (uint8_t) ((prefix << 4) | ((t >> 29) & 0x0E) | 1);
    p[1] = (uint8_t) (t >> 22);
    p[2] = (uint8_t) (((t >> 14) & 0xFE) | 1);
    p[3] = (uint8_t) (t >> 7);
    p[4] = (uint8_t) (((t << 1) & 0xFE) | 1);
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

static ts_piece_t ts_piece(const uint8_t *p, size_t len)
{
    return (ts_piece_t) { p, len, 0, 0 };
}

/* Start the source of the planned PES: header (+ AUD), then the rest. */
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
    }
    m->cur = ts_piece(m->head, n);
    m->next_pending = 0;
    m->src_step = !pes->video ? TS_SRC_FRAMES : pes->key ? TS_SRC_PARAMS : TS_SRC_NALS;
    m->src_pos = 0;
    m->src_frame = pes->first;
}

/* Start code + NAL unit of the current video sample; AUDs (ours replaces
 * them) and empty NAL units are blanked to zero bytes, which Annex B allows
 * as trailing_zero_8bits.  The body is what the window holds of it, the rest
 * follows through ts_src_refill. */
static int ts_src_nal(ts_muxer_t *m)
{
    const uint8_t *p;
    size_t avail, n;
    uint32_t nls = m->nal_length_size;
    int rc = ts_nal_at(m, m->src_pos, m->win[TS_V].cap, &p, &avail, &n);
    if (rc != MP_OK) {
        return rc;
    }
    uint64_t body = m->vs_off + m->src_pos + nls;
    m->src_pos += nls + n;
    if (n == 0 || (p[nls] & 0x1F) == TS_NAL_AUD) {
        m->cur = ts_piece(NULL, TS_START_CODE_LEN);
        m->next = ts_piece(NULL, n);
    } else {
        size_t k = avail - nls < n ? avail - nls : n;
        m->cur = ts_piece(ts_start_code, TS_START_CODE_LEN);
        m->next = (ts_piece_t) { p + nls, k, n - k, body + k };
    }
    m->next_pending = 1;
    return MP_OK;
}

/* More of a streamed NAL unit into the video window. */
static int ts_src_refill(ts_muxer_t *m)
{
    const uint8_t *p;
    size_t avail;
    int rc = ts_win_at(m, m->cur.rest_off, 1, m->vs_off + m->sample_len, m->win[TS_V].cap,
                       &p, &avail);
    if (rc != MP_OK) {
        return rc;
    }
    size_t k = avail < m->cur.rest ? avail : m->cur.rest;
    if (k == 0) {
        return MP_ERR_BAD_MEDIA;        /* cannot happen: rest lies inside the sample */
    }
    m->cur.p = p;
    m->cur.len = k;
    m->cur.rest -= k;
    m->cur.rest_off += k;
    return MP_OK;
}

/* ADTS header + raw AAC frame. */
static int ts_src_frame(ts_muxer_t *m)
{
    const uint8_t *p;
    size_t len;
    if (m->src_frame >= m->pes.end) {
        return MP_ERR_BAD_MEDIA;
    }
    int rc = ts_sample_data(m, TS_A, m->src_frame++, &p, &len);
    if (rc != MP_OK) {
        return rc;
    }
    ts_adts_header(&m->aac, len, m->adts);
    m->cur = ts_piece(m->adts, TS_ADTS_LEN);
    m->next = ts_piece(p, len);
    m->next_pending = 1;
    return MP_OK;
}

/* Current piece exhausted: load the next one.  Running out of pieces before
 * the planned size is reached means the data changed under us. */
static int ts_src_advance(ts_muxer_t *m)
{
    if (m->cur.rest > 0) {
        return ts_src_refill(m);
    }
    if (m->next_pending) {
        m->cur = m->next;
        m->next_pending = 0;
        return MP_OK;
    }
    switch (m->src_step) {
    case TS_SRC_PARAMS:
        m->cur = ts_piece(m->params, m->params_len);
        m->src_step = TS_SRC_NALS;
        return MP_OK;
    case TS_SRC_NALS:
        return ts_src_nal(m);
    default:
        return ts_src_frame(m);
    }
}

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
        if (m->cur.p != NULL) {
            memcpy(dst, m->cur.p, k);
            m->cur.p += k;
        } else {
            memset(dst, 0, k);
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
 * PES whose payloads all lie in the current piece: header + one 184-byte
 * copy each.  Returns the number written (0 when the general path must run:
 * first or last packet of a PES, or a piece boundary inside the packet). */
static size_t ts_fast_packets(ts_muxer_t *m, uint8_t *out, size_t max)
{
    if (m->phase != TS_PHASE_PES || !m->pes_started || m->cur.p == NULL) {
        return 0;
    }
    uint64_t k = m->cur.len / TS_PAYLOAD;
    uint64_t lim = m->pes_left / TS_PAYLOAD;
    k = k < lim ? k : lim;
    lim = (m->total - m->produced) / TS_PACKET;
    k = k < lim ? k : lim;
    k = k < max ? k : max;
    if (k == 0) {
        return 0;
    }
    uint8_t *cc = m->pes.video ? &m->cc_video : &m->cc_audio;
    uint8_t h1 = m->pes.video ? TS_PID_VIDEO >> 8 : TS_PID_AUDIO >> 8;
    uint8_t h2 = (uint8_t) (m->pes.video ? TS_PID_VIDEO & 0xFF : TS_PID_AUDIO & 0xFF);
    unsigned c = *cc;
    const uint8_t *src = m->cur.p;
    for (uint64_t j = 0; j < k; j++) {
        out[0] = 0x47;
        out[1] = h1;
        out[2] = h2;
        out[3] = (uint8_t) (0x10 | (c & 0x0F));
        c++;
        __builtin_prefetch(src + TS_PREFETCH);
        __builtin_prefetch(src + TS_PREFETCH + 64);
        __builtin_prefetch(src + TS_PREFETCH + 128);
        memcpy(out + 4, src, TS_PAYLOAD);
        out += TS_PACKET;
        src += TS_PAYLOAD;
    }
    *cc = (uint8_t) (c & 0x0F);
    m->cur.p = src;
    m->cur.len -= (size_t) k * TS_PAYLOAD;
    m->pes_left -= k * TS_PAYLOAD;
    m->produced += k * TS_PACKET;
    return (size_t) k;
}

static int ts_start_pes(ts_muxer_t *m)
{
    int rc = ts_next_pes(m, &m->cursor, &m->pes, 1);
    if (rc == MP_OK && m->pes.size == 0) {
        rc = MP_ERR_BAD_MEDIA;          /* planner disagrees with ts_segment_complete */
    }
    if (rc == MP_OK) {
        m->pes_left = m->pes.size;
        m->pes_started = 0;
        ts_src_begin(m);
    }
    return rc;
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
    int rc = MP_OK;
    if (m->produced + TS_PACKET > m->total) {
        return MP_ERR_BAD_MEDIA;
    }
    if (m->phase == TS_PHASE_PAT) {
        ts_write_pat(m, pkt);
        m->phase = TS_PHASE_PMT;
    } else if (m->phase == TS_PHASE_PMT) {
        ts_write_pmt(m, pkt);
        m->phase = TS_PHASE_PES;
    } else {
        if (m->pes_left == 0) {
            rc = ts_start_pes(m);
        }
        if (rc == MP_OK) {
            rc = ts_pes_packet(m, pkt);
        }
    }
    m->produced += TS_PACKET;
    return rc == MP_OK ? ts_check_done(m) : rc;
}

/* ---- open / read / close ------------------------------------------------ */

static int ts_seg_range(const mp_pres_track_t *t, const mp_seg_t *s, const mp_reader_t *r,
                        uint32_t *first, uint32_t *end)
{
    if (s == NULL || r == NULL || t->track->timescale == 0 || s->first > s->end
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
    m->nal_length_size = nls;
    const uint8_t *c = mp_track_config(p->video->index, t);
    if (ts_avcc_params(c, t->config_len, NULL, &m->params_len) != MP_OK) {
        return MP_ERR_BAD_MEDIA;
    }
    return ts_seg_range(p->video, p->video_seg, p->video_reader, &m->v_first, &m->v_end);
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
    return ts_seg_range(p->audio, p->audio_seg, p->audio_reader, &m->a_first, &m->a_end);
}

/* Audio frames must fit ADTS frame_length. */
static int ts_check_audio_sizes(const ts_muxer_t *m)
{
    for (uint32_t i = m->a_first; i < m->a_end; i++) {
        if (ts_size(m, TS_A, i) > TS_ADTS_MAX_FRAME - TS_ADTS_LEN) {
            return MP_ERR_BAD_MEDIA;
        }
    }
    return MP_OK;
}

/* Checks and sizes; allocates nothing. */
static int ts_setup(ts_muxer_t *m, const ts_segment_params_t *p)
{
    int rc = MP_OK;
    if (p->video == NULL && p->audio == NULL) {
        return MP_ERR_BAD_MEDIA;
    }
    m->video = m->trk[TS_V] = p->video;
    m->audio = m->trk[TS_A] = p->audio;
    m->rd[TS_V] = p->video_reader;
    m->rd[TS_A] = p->audio_reader;
    if (p->video) {
        rc = ts_setup_video(m, p);
    }
    if (rc == MP_OK && p->audio) {
        rc = ts_setup_audio(m, p);
    }
    if (rc == MP_OK && p->audio) {
        rc = ts_check_audio_sizes(m);
    }
    m->seg_end[TS_V] = m->v_end;
    m->seg_end[TS_A] = m->a_end;
    m->shared = p->video && p->audio && p->video->index == p->audio->index;
    m->win[TS_V].cap = TS_WIN_VIDEO;
    m->win[TS_A].cap = TS_WIN_AUDIO;
    uint8_t cc = (uint8_t) (p->segment_number & 0x0F);
    m->cc_pat = m->cc_pmt = m->cc_video = m->cc_audio = cc;
    m->cursor.v_next = m->v_first;
    m->cursor.a_next = m->a_first;
    return rc;
}

#define TS_ALIGN(n)         (((n) + 63) & ~(size_t) 63)
#define TS_BLOCK_HEAD       TS_ALIGN(sizeof(ts_muxer_t))
#define TS_BLOCK_SIZE       (TS_BLOCK_HEAD + TS_PARAMS_MAX + TS_WIN_VIDEO + TS_WIN_AUDIO)

/* A muxer is one block of TS_BLOCK_SIZE (~385 KB): the struct, the parameter
 * sets and both windows.  Blocks of closed muxers are kept in a few spare
 * slots (atomically, as muxers may be opened and closed on different
 * threads) and reused: freeing them let glibc trim its heaps between
 * requests, and the next muxer's reads page-faulted their windows in again,
 * which cost about a tenth of a segment's muxing. */
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

static ts_muxer_t *ts_alloc(const ts_muxer_t *setup, const ts_segment_params_t *p)
{
    uint8_t *block = ts_block_get();
    if (block == NULL) {
        return NULL;
    }
    ts_muxer_t *m = (ts_muxer_t *) block;
    *m = *setup;
    m->params = block + TS_BLOCK_HEAD;
    m->win[TS_V].buf = block + TS_BLOCK_HEAD + TS_PARAMS_MAX;
    m->win[TS_A].buf = m->win[TS_V].buf + TS_WIN_VIDEO;
    if (m->params_len > TS_PARAMS_MAX) {
        m->params = malloc(m->params_len);
        m->params_own = 1;
        if (m->params == NULL) {
            ts_mux_close(m);
            return NULL;
        }
    }
    if (p->video) {
        const mp_track_t *t = p->video->track;
        ts_avcc_params(mp_track_config(p->video->index, t), t->config_len, m->params,
                       &m->params_len);
    }
    return m;
}

int ts_mux_open(ts_muxer_t **out, const ts_segment_params_t *p, uint64_t *total_size)
{
    ts_muxer_t setup;
    *out = NULL;
    memset(&setup, 0, sizeof(setup));
    int rc = ts_setup(&setup, p);
    if (rc != MP_OK) {
        return rc;
    }
    ts_muxer_t *m = ts_alloc(&setup, p);
    if (m == NULL) {
        return MP_ERR_NO_MEMORY;
    }
    *out = m;                           /* early: a caller that can jump out of the
                                           planner's reads (SIGBUS) still closes it */
    rc = ts_plan_total(m, &m->total);
    if (rc != MP_OK) {
        *out = NULL;
        ts_mux_close(m);
        return rc;
    }
    *total_size = m->total;
    return MP_OK;
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
        } else if (m->phase == TS_PHASE_DONE) {
            break;
        } else if (cap - n >= TS_PACKET) {
            size_t k = ts_fast_packets(m, out + n, (cap - n) / TS_PACKET);
            if (k > 0) {
                n += k * TS_PACKET;
                rc = ts_check_done(m);
            } else {
                rc = ts_next_packet(m, out + n);
                n += TS_PACKET;
            }
        } else {
            rc = ts_next_packet(m, m->pkt);
            m->pkt_off = 0;
            m->pkt_len = TS_PACKET;
        }
    }
    m->error = rc;
    *written = rc == MP_OK ? n : 0;
    *done = rc == MP_OK && m->phase == TS_PHASE_DONE && m->pkt_off == m->pkt_len;
    return rc;
}

void ts_mux_set_mappers(ts_muxer_t *m, mp_mapper_t *video, mp_mapper_t *audio)
{
    mp_mapper_t *mp[2] = { video, audio };
    uint32_t first[2] = { m->v_first, m->a_first };
    for (int t = TS_V; t <= TS_A; t++) {
        m->mp[t] = mp[t];
        if (mp[t] == NULL) {
            continue;
        }
        m->win[t].cap = SIZE_MAX / 2;   /* views: every sample is whole */
        m->win[t].len = 0;
        m->span_end[t] = 0;
        for (uint32_t i = first[t]; i < m->seg_end[t]; i++) {
            uint64_t end = ts_off(m, t, i) + ts_size(m, t, i);
            m->span_end[t] = end > m->span_end[t] ? end : m->span_end[t];
        }
    }
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
