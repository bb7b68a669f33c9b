/*
 * ism_parse.c — a tolerant scanner for AMS server manifests (SMIL 2.0):
 * finds <video>/<audio> elements inside the document, their src,
 * systemBitrate and systemLanguage attributes and nested
 * <param name="trackID"|"trackName" value="..."/>.  Not a general XML
 * parser: it reads what AMS and its encoders wrote, and rejects file names
 * that could leave the asset folder.
 */
#include "ism_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

typedef struct {
    const char *p;
    const char *end;
} ism_cursor_t;

static int ism_fail(char *err, size_t el, const char *msg)
{
    snprintf(err, el, "server manifest: %s", msg);
    return MP_ERR_BAD_MEDIA;
}

/* Find the next "<name" tag start (name followed by space, '/' or '>'). */
static const char *ism_find_tag(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    for (; p + n + 1 < end; p++) {
        if (*p == '<' && strncasecmp(p + 1, name, n) == 0) {
            char c = p[1 + n];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>') {
                return p;
            }
        }
    }
    return NULL;
}

/* The end of the tag starting at p ('>' position), honouring quotes. */
static const char *ism_tag_end(const char *p, const char *end)
{
    char quote = 0;
    for (; p < end; p++) {
        if (quote) {
            quote = *p == quote ? 0 : quote;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '>') {
            return p;
        }
    }
    return NULL;
}

/* Value of attribute name within [tag, tag_end); copies into out (NUL
 * terminated).  Returns 1 if found, 0 if absent, -1 if too long. */
static int ism_attr(const char *tag, const char *tag_end, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *p = tag + 1; p + n + 2 < tag_end; p++) {
        char before = p[-1];
        if ((before == ' ' || before == '\t' || before == '\n' || before == '\r') &&
            strncasecmp(p, name, n) == 0 && p[n] == '=' && (p[n + 1] == '"' || p[n + 1] == '\'')) {
            char quote = p[n + 1];
            const char *v = p + n + 2, *ve = memchr(v, quote, (size_t) (tag_end - v));
            if (ve == NULL) {
                return -1;
            }
            if ((size_t) (ve - v) >= cap) {
                return -1;
            }
            memcpy(out, v, (size_t) (ve - v));
            out[ve - v] = '\0';
            return 1;
        }
    }
    return 0;
}

static int ism_valid_src(const char *s)
{
    if (s[0] == '\0' || strcmp(s, ".") == 0 || strstr(s, "..") != NULL) {
        return 0;
    }
    for (; *s; s++) {
        if (*s == '/' || *s == '\\' || (unsigned char) *s < 0x20) {
            return 0;
        }
    }
    return 1;
}

/* <param name="trackID" value="2"/> and trackName inside an element body. */
static void ism_read_params(const char *p, const char *end, ism_entry_t *e)
{
    while ((p = ism_find_tag(p, end, "param")) != NULL) {
        const char *te = ism_tag_end(p, end);
        if (te == NULL) {
            return;
        }
        char name[32], value[32];
        if (ism_attr(p, te, "name", name, sizeof(name)) == 1 &&
            ism_attr(p, te, "value", value, sizeof(value)) == 1) {
            if (strcasecmp(name, "trackID") == 0) {
                unsigned long v = strtoul(value, NULL, 10);
                e->track_id = v > UINT32_MAX ? 0 : (uint32_t) v;
            } else if (strcasecmp(name, "trackName") == 0) {
                snprintf(e->track_name, sizeof(e->track_name), "%s", value);
            }
        }
        p = te;
    }
}

static int ism_read_entry(const char *tag, const char *end, int video, ism_entry_t *e,
                          const char **next, char *err, size_t el)
{
    const char *te = ism_tag_end(tag, end);
    if (te == NULL) {
        return ism_fail(err, el, "unterminated tag");
    }
    memset(e, 0, sizeof(*e));
    e->is_video = video;
    if (ism_attr(tag, te, "src", e->src, sizeof(e->src)) != 1 || !ism_valid_src(e->src)) {
        return ism_fail(err, el, "missing or invalid src (plain file names only)");
    }
    char num[24];
    if (ism_attr(tag, te, "systemBitrate", num, sizeof(num)) == 1) {
        unsigned long long v = strtoull(num, NULL, 10);
        e->bitrate = v > UINT32_MAX ? 0 : (uint32_t) v;
    }
    char lang[16];
    if (ism_attr(tag, te, "systemLanguage", lang, sizeof(lang)) == 1 && strlen(lang) <= 3) {
        memcpy(e->language, lang, strlen(lang) + 1);
    }
    *next = te + 1;
    if (te[-1] != '/') {
        const char *close = ism_find_tag(te, end, video ? "/video" : "/audio");
        const char *body_end = close ? close : end;
        ism_read_params(te, body_end, e);
        *next = body_end;
    }
    return MP_OK;
}

int ism_parse(const char *xml, size_t len, ism_t *out, char *err, size_t el)
{
    const char *p = xml, *end = xml + len;
    memset(out, 0, sizeof(*out));
    if (ism_find_tag(xml, end, "smil") == NULL) {
        return ism_fail(err, el, "no <smil> root element");
    }
    for (;;) {
        const char *v = ism_find_tag(p, end, "video");
        const char *a = ism_find_tag(p, end, "audio");
        const char *tag = (v && (!a || v < a)) ? v : a;
        if (tag == NULL) {
            break;
        }
        if (out->count == ISM_MAX_ENTRIES) {
            return ism_fail(err, el, "too many entries");
        }
        int rc = ism_read_entry(tag, end, tag == v, &out->entries[out->count], &p, err, el);
        if (rc != MP_OK) {
            return rc;
        }
        out->count++;
    }
    if (out->count == 0) {
        return ism_fail(err, el, "no <video> or <audio> entries");
    }
    return MP_OK;
}
