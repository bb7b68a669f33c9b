/*
 * mp_track_info.c — descriptive track data shared by the manifest writers:
 * a language table (ISO 639-2 T/B, ISO 639-1, English name), codec family
 * names, hex CodecPrivateData from avcC/hvcC/audio configs, and segment-list
 * helpers for run-length coded timelines.
 */
#include "mp_track_info.h"

#include <stdlib.h>
#include <strings.h>

typedef struct {
    const char *t;      /* ISO 639-2/T (what mdhd carries) */
    const char *b;      /* ISO 639-2/B when it differs, else NULL */
    const char *two;    /* ISO 639-1 */
    const char *name;
} mp_lang_t;

static const mp_lang_t mp_langs[] = {
    { "ara", NULL, "ar", "Arabic" },     { "ces", "cze", "cs", "Czech" },
    { "cym", "wel", "cy", "Welsh" },     { "dan", NULL, "da", "Danish" },
    { "deu", "ger", "de", "German" },    { "ell", "gre", "el", "Greek" },
    { "eng", NULL, "en", "English" },    { "spa", NULL, "es", "Spanish" },
    { "fas", "per", "fa", "Persian" },   { "fin", NULL, "fi", "Finnish" },
    { "fra", "fre", "fr", "French" },    { "heb", NULL, "he", "Hebrew" },
    { "hin", NULL, "hi", "Hindi" },      { "hun", NULL, "hu", "Hungarian" },
    { "ind", NULL, "id", "Indonesian" }, { "isl", "ice", "is", "Icelandic" },
    { "ita", NULL, "it", "Italian" },    { "jpn", NULL, "ja", "Japanese" },
    { "kor", NULL, "ko", "Korean" },     { "msa", "may", "ms", "Malay" },
    { "nld", "dut", "nl", "Dutch" },     { "nor", NULL, "no", "Norwegian" },
    { "pol", NULL, "pl", "Polish" },     { "por", NULL, "pt", "Portuguese" },
    { "ron", "rum", "ro", "Romanian" },  { "rus", NULL, "ru", "Russian" },
    { "slk", "slo", "sk", "Slovak" },    { "swe", NULL, "sv", "Swedish" },
    { "tha", NULL, "th", "Thai" },       { "tur", NULL, "tr", "Turkish" },
    { "ukr", NULL, "uk", "Ukrainian" },  { "vie", NULL, "vi", "Vietnamese" },
    { "zho", "chi", "zh", "Chinese" },
};

static int mp_lang_code_is(const char *code, const char *lang, size_t len)
{
    return code != NULL && strlen(code) == len && strncasecmp(code, lang, len) == 0;
}

/* Table entry for the primary subtag of lang ("en-US" -> en), or NULL. */
static const mp_lang_t *mp_lang_find(const char *lang)
{
    size_t len = strcspn(lang, "-_");
    for (size_t i = 0; i < sizeof(mp_langs) / sizeof(mp_langs[0]); i++) {
        const mp_lang_t *l = &mp_langs[i];
        if (mp_lang_code_is(l->t, lang, len) || mp_lang_code_is(l->b, lang, len)
            || mp_lang_code_is(l->two, lang, len)) {
            return l;
        }
    }
    return NULL;
}

const char *mp_lang_tag(const char *lang)
{
    if (lang == NULL || lang[0] == '\0') {
        return "und";
    }
    const mp_lang_t *l = mp_lang_find(lang);
    if (l != NULL && strlen(lang) == 3) {
        return l->two;
    }
    return lang;
}

const char *mp_lang_name(const char *lang)
{
    if (lang == NULL || lang[0] == '\0') {
        return NULL;
    }
    const mp_lang_t *l = mp_lang_find(lang);
    return l != NULL ? l->name : NULL;
}

const char *mp_codec_name(uint32_t codec)
{
    switch (codec) {
    case MP_CODEC_AVC: return "avc";
    case MP_CODEC_HEVC: return "hevc";
    case MP_CODEC_AAC: return "aac";
    case MP_CODEC_AC3: return "ac3";
    case MP_CODEC_EAC3: return "ec3";
    default: return "";
    }
}

void mp_wr_hex(mp_wr_t *w, const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        char pair[2] = { digits[p[i] >> 4], digits[p[i] & 15] };
        mp_wr_bytes(w, pair, 2);
    }
}

/* Write count NAL units stored as (u16 length, bytes) from p[*pos]; each goes
 * out behind a start code.  Returns MP_OK or MP_ERR_BAD_MEDIA on overrun. */
static int mp_wr_nal_list(mp_wr_t *w, const uint8_t *p, size_t len, size_t *pos, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if (*pos + 2 > len) {
            return MP_ERR_BAD_MEDIA;
        }
        size_t nal_len = mp_rd16(p + *pos);
        *pos += 2;
        if (*pos + nal_len > len) {
            return MP_ERR_BAD_MEDIA;
        }
        mp_wr_str(w, "00000001");
        mp_wr_hex(w, p + *pos, nal_len);
        *pos += nal_len;
    }
    return MP_OK;
}

/* avcC: 5 header bytes, SPS count (low 5 bits) + SPSs, PPS count + PPSs. */
static int mp_wr_avcc_hex(mp_wr_t *w, const uint8_t *p, size_t len)
{
    size_t pos = 6;
    if (len < pos) {
        return MP_ERR_BAD_MEDIA;
    }
    int rc = mp_wr_nal_list(w, p, len, &pos, p[5] & 0x1f);
    if (rc != MP_OK || pos >= len) {
        return MP_ERR_BAD_MEDIA;
    }
    uint32_t pps_count = p[pos++];
    return mp_wr_nal_list(w, p, len, &pos, pps_count);
}

/* hvcC: 22 header bytes, array count, then per array: NAL type byte,
 * u16 NAL count and the NALs (VPS, SPS, PPS, SEI). */
static int mp_wr_hvcc_hex(mp_wr_t *w, const uint8_t *p, size_t len)
{
    size_t pos = 23;
    if (len < pos) {
        return MP_ERR_BAD_MEDIA;
    }
    for (uint32_t a = 0, arrays = p[22]; a < arrays; a++) {
        if (pos + 3 > len) {
            return MP_ERR_BAD_MEDIA;
        }
        uint32_t nal_count = mp_rd16(p + pos + 1);
        pos += 3;
        int rc = mp_wr_nal_list(w, p, len, &pos, nal_count);
        if (rc != MP_OK) {
            return rc;
        }
    }
    return MP_OK;
}

int mp_wr_codec_private_hex(mp_wr_t *w, const mp_index_t *ix, const mp_track_t *t)
{
    const uint8_t *cfg = mp_track_config(ix, t);
    switch (t->codec) {
    case MP_CODEC_AVC:
        return mp_wr_avcc_hex(w, cfg, t->config_len);
    case MP_CODEC_HEVC:
        return mp_wr_hvcc_hex(w, cfg, t->config_len);
    default:
        mp_wr_hex(w, cfg, t->config_len);
        return MP_OK;
    }
}

int mp_track_seg_list(const mp_pres_track_t *t, const mp_timeline_t *tl, mp_seg_t **segs,
                      uint32_t *count)
{
    *segs = malloc((tl->count ? tl->count : 1) * sizeof(mp_seg_t));
    if (*segs == NULL) {
        *count = 0;
        return MP_ERR_NO_MEMORY;
    }
    *count = mp_track_segments(t, tl, *segs);
    return MP_OK;
}

uint32_t mp_seg_run(const mp_seg_t *segs, uint32_t count, uint32_t i)
{
    uint32_t n = 1;
    while (i + n < count && segs[i + n].duration_10m == segs[i].duration_10m
           && !mp_seg_needs_time(segs, i + n)) {
        n++;
    }
    return n;
}

int mp_seg_needs_time(const mp_seg_t *segs, uint32_t i)
{
    return i == 0 || segs[i].start_10m != segs[i - 1].start_10m + segs[i - 1].duration_10m;
}
