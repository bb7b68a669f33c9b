/*
 * fmp4_protect.c — common-encryption boxes of fMP4 (fmp4_protect.h), per
 * ISO/IEC 23001-7: tenc version 0 for 'cenc' (8-byte per-sample IVs),
 * version 1 with the pattern and a 16-byte constant IV for 'cbcs'.
 */
#include "fmp4_protect.h"

#include "../mp4/mp_index.h"

void fmp4_cbcs_pattern(const mp_track_t *t, unsigned *crypt, unsigned *skip)
{
    *crypt = 1;
    *skip = t->type == MP_TRACK_VIDEO ? 9 : 0;
}

static void fmp4_write_tenc(mp_wr_t *w, const mp_track_t *t, const mp_protection_t *pr)
{
    int cbcs = pr->method == MP_PROTECT_CBCS;
    size_t b = mp_fullbox_begin(w, MP_FOURCC('t', 'e', 'n', 'c'), cbcs ? 1 : 0, 0);
    mp_wr_u8(w, 0);
    if (cbcs) {
        unsigned crypt, skip;
        fmp4_cbcs_pattern(t, &crypt, &skip);
        mp_wr_u8(w, crypt << 4 | skip);
    } else {
        mp_wr_u8(w, 0);
    }
    mp_wr_u8(w, 1);                   /* default_isProtected */
    mp_wr_u8(w, cbcs ? 0 : 8);        /* default_Per_Sample_IV_Size */
    mp_wr_bytes(w, pr->kid, 16);
    if (cbcs) {
        mp_wr_u8(w, 16);
        mp_wr_bytes(w, pr->iv, 16);
    }
    mp_box_end(w, b);
}

static void fmp4_write_sinf(mp_wr_t *w, const mp_track_t *t, const mp_protection_t *pr)
{
    size_t sinf = mp_box_begin(w, MP_FOURCC('s', 'i', 'n', 'f'));
    size_t frma = mp_box_begin(w, MP_FOURCC('f', 'r', 'm', 'a'));
    mp_wr_u32(w, t->fourcc);
    mp_box_end(w, frma);
    size_t schm = mp_fullbox_begin(w, MP_FOURCC('s', 'c', 'h', 'm'), 0, 0);
    mp_wr_u32(w, pr->method == MP_PROTECT_CBCS ? MP_FOURCC('c', 'b', 'c', 's')
                                               : MP_FOURCC('c', 'e', 'n', 'c'));
    mp_wr_u32(w, 0x00010000);
    mp_box_end(w, schm);
    size_t schi = mp_box_begin(w, MP_FOURCC('s', 'c', 'h', 'i'));
    fmp4_write_tenc(w, t, pr);
    mp_box_end(w, schi);
    mp_box_end(w, sinf);
}

void fmp4_write_protected_entry(mp_wr_t *w, const mp_pres_track_t *pt, const mp_protection_t *pr)
{
    const mp_track_t *t = pt->track;
    const uint8_t *entry = mp_track_entry(pt->index, t);
    size_t start = mp_box_begin(w, t->type == MP_TRACK_VIDEO ? MP_FOURCC('e', 'n', 'c', 'v')
                                                             : MP_FOURCC('e', 'n', 'c', 'a'));
    if (t->entry_len > 8) {
        mp_wr_bytes(w, entry + 8, t->entry_len - 8);
    }
    fmp4_write_sinf(w, t, pr);
    mp_box_end(w, start);
}

static uint32_t fmp4_aux_size(const fmp4_cenc_aux_t *aux, uint32_t i)
{
    if (aux->sub_start == NULL) {
        return aux->iv_size;
    }
    return aux->iv_size + 2 + 6 * (aux->sub_start[i + 1] - aux->sub_start[i]);
}

static void fmp4_write_saiz(mp_wr_t *w, const fmp4_cenc_aux_t *aux)
{
    int same = 1;
    for (uint32_t i = 1; i < aux->sample_count && same; i++) {
        same = fmp4_aux_size(aux, i) == fmp4_aux_size(aux, 0);
    }
    size_t b = mp_fullbox_begin(w, MP_FOURCC('s', 'a', 'i', 'z'), 0, 0);
    uint32_t first = aux->sample_count ? fmp4_aux_size(aux, 0) : 0;
    /* a default of 256 or more does not fit: list the sizes then (they are
     * u8 too: at most 42 subsamples per sample there) */
    int use_default = same && first < 256;
    mp_wr_u8(w, use_default ? first : 0);
    mp_wr_u32(w, aux->sample_count);
    for (uint32_t i = 0; !use_default && i < aux->sample_count; i++) {
        mp_wr_u8(w, fmp4_aux_size(aux, i));
    }
    mp_box_end(w, b);
}

/* The entries of senc (and of PIFF's SampleEncryptionBox): count, then per
 * sample its IV and subsamples.  Returns the offset of the first entry. */
static size_t fmp4_write_sample_entries(mp_wr_t *w, const fmp4_cenc_aux_t *aux)
{
    mp_wr_u32(w, aux->sample_count);
    size_t first = w->pos;
    for (uint32_t i = 0; i < aux->sample_count; i++) {
        mp_wr_bytes(w, aux->ivs + (size_t) i * aux->iv_size, aux->iv_size);
        if (aux->sub_start != NULL) {
            uint32_t a = aux->sub_start[i], e = aux->sub_start[i + 1];
            mp_wr_u16(w, e - a);
            for (uint32_t k = a; k < e; k++) {
                mp_wr_u16(w, aux->subs[k].clear);
                mp_wr_u32(w, aux->subs[k].protected_bytes);
            }
        }
    }
    return first;
}

static const uint8_t fmp4_piff_senc_uuid[16] = {
    0xa2, 0x39, 0x4f, 0x52, 0x5a, 0x9b, 0x4f, 0x14, 0xa2, 0x44, 0x6c, 0x42, 0x7c, 0x64, 0x8d, 0xf4
};

void fmp4_write_piff_senc(mp_wr_t *w, const fmp4_cenc_aux_t *aux)
{
    size_t b = mp_box_begin(w, MP_FOURCC('u', 'u', 'i', 'd'));
    mp_wr_bytes(w, fmp4_piff_senc_uuid, 16);
    mp_wr_u8(w, 0);
    mp_wr_u24(w, aux->sub_start ? 2 : 0);
    fmp4_write_sample_entries(w, aux);
    mp_box_end(w, b);
}

void fmp4_write_cenc_aux(mp_wr_t *w, const fmp4_cenc_aux_t *aux, size_t moof_start)
{
    fmp4_write_saiz(w, aux);
    size_t saio = mp_fullbox_begin(w, MP_FOURCC('s', 'a', 'i', 'o'), 0, 0);
    mp_wr_u32(w, 1);
    size_t offset_at = w->pos;
    mp_wr_u32(w, 0);
    mp_box_end(w, saio);
    size_t senc = mp_fullbox_begin(w, MP_FOURCC('s', 'e', 'n', 'c'), 0, aux->sub_start ? 2 : 0);
    uint32_t offset = (uint32_t) (fmp4_write_sample_entries(w, aux) - moof_start);
    mp_box_end(w, senc);
    if (w->p != NULL && !w->failed) {
        w->p[offset_at] = (uint8_t) (offset >> 24);
        w->p[offset_at + 1] = (uint8_t) (offset >> 16);
        w->p[offset_at + 2] = (uint8_t) (offset >> 8);
        w->p[offset_at + 3] = (uint8_t) offset;
    }
}
