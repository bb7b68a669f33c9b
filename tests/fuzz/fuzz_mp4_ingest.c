/*
 * fuzz_mp4_ingest.c — the Smooth-ingest box surgery (core/mp4/mp4_ingest.c)
 * on hostile pushes.  The input is a pushed stream: its top-level boxes are
 * walked as the daemon's receiver does; a moov gives the tracks and each
 * track's own moov (no longer than the input's, and again a moov the
 * walk takes or refuses); each moof is read (one traf,
 * its tfhd's track ID where it says) and, with the mdat after it, checked
 * against the first track's archive header.  Any sanitizer report or
 * abort() is a bug.
 */
#include <stdlib.h>
#include <string.h>

#include "mp_common.h"
#include "mp4/mp4_ingest.h"
#include "mp4/mp4_parse.h"
#include "fuzz_check.h"

typedef struct {
    uint8_t *header;
    size_t   len;
} fuzz_header_t;

static void on_moov(const uint8_t *ftyp, size_t ftyp_len, const uint8_t *moov, size_t len,
                    fuzz_header_t *h)
{
    mp4_ingest_track_t t[MP4_INGEST_MAX_TRACKS], again[MP4_INGEST_MAX_TRACKS];
    char err[256];
    int n = mp4_ingest_tracks(moov, len, t, MP4_INGEST_MAX_TRACKS, err, sizeof(err));

    FUZZ_CHECK(n == -1 || (n >= 1 && n <= MP4_INGEST_MAX_TRACKS));
    for (int i = 0; i < n; i++) {
        uint8_t *out = malloc(ftyp_len + len);
        FUZZ_CHECK(out != NULL);
        memcpy(out, ftyp, ftyp_len);
        size_t m = mp4_ingest_track_moov(moov, len, t[i].track_id, out + ftyp_len, len, err,
                                         sizeof(err));
        FUZZ_CHECK(m <= len);
        if (m > 0) {
            int k = mp4_ingest_tracks(out + ftyp_len, m, again, MP4_INGEST_MAX_TRACKS, err,
                                      sizeof(err));
            FUZZ_CHECK(k == -1 || (k >= 1 && k <= MP4_INGEST_MAX_TRACKS));
        }
        if (i == 0 && m > 0 && h->header == NULL) {
            h->header = out;
            h->len = ftyp_len + m;
        } else {
            free(out);
        }
    }
}

static void on_fragment(const fuzz_header_t *h, const uint8_t *moof, size_t moof_len,
                        size_t frag_len)
{
    mp4_ingest_moof_t info;
    char err[256];

    if (mp4_ingest_read_moof(moof, moof_len, &info, err, sizeof(err)) == 0) {
        FUZZ_CHECK(info.track_id_at + 4 <= moof_len);
        FUZZ_CHECK(mp_rd32(moof + info.track_id_at) == info.track_id);
    }
    if (h->header != NULL) {
        uint8_t *file = malloc(h->len + frag_len);
        FUZZ_CHECK(file != NULL);
        memcpy(file, h->header, h->len);
        memcpy(file + h->len, moof, frag_len);
        (void) mp4_ingest_check(file, h->len + frag_len, err, sizeof(err));
        free(file);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_header_t h = { NULL, 0 };
    const uint8_t *ftyp = NULL;
    size_t ftyp_len = 0, off = 0;

    while (size - off >= 8) {
        uint64_t box;
        uint32_t type;
        size_t hdr = mp4_box_header(data + off, size - off, &box, &type);
        if (hdr == 0 || box > size - off) {
            break;
        }
        if (type == MP_FOURCC('f', 't', 'y', 'p')) {
            ftyp = data + off;
            ftyp_len = (size_t) box;
        } else if (type == MP_FOURCC('m', 'o', 'o', 'v') && ftyp != NULL) {
            on_moov(ftyp, ftyp_len, data + off, (size_t) box, &h);
        } else if (type == MP_FOURCC('m', 'o', 'o', 'f')) {
            size_t frag = (size_t) box;
            uint64_t mdat;
            uint32_t mtype;
            if (size - off - frag >= 8
                && mp4_box_header(data + off + frag, size - off - frag, &mdat, &mtype) != 0
                && mtype == MP_FOURCC('m', 'd', 'a', 't') && mdat <= size - off - frag) {
                frag += (size_t) mdat;
            }
            on_fragment(&h, data + off, (size_t) box, frag);
            off += frag - (size_t) box;
        }
        off += (size_t) box;
    }
    free(h.header);
    return 0;
}
