/*
 * odata_resource.c — splitting an API path into set, key, member and options
 * (see odata_resource.h).  Strict: anything unexpected is a 400 for the caller.
 */
#include "odata/odata_resource.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool is_name_char(char c)
{
    return isalnum((unsigned char) c) || c == '_' || c == '$' || c == '.';
}

/* name[(key)] at *p; advances *p past it. */
static int take_segment(const char **p, char *name, char *key, bool *has_key,
                        char *err, size_t errlen)
{
    const char *s = *p;
    size_t n = 0;

    while (is_name_char(s[n])) {
        n++;
    }
    if (n == 0 || n >= ODATA_NAME_MAX) {
        snprintf(err, errlen, "bad resource segment at '%.40s'", s);
        return -1;
    }
    memcpy(name, s, n);
    name[n] = '\0';
    s += n;
    *has_key = false;
    if (*s == '(') {
        const char *close;
        char raw[ODATA_KEY_MAX * 2];
        size_t klen;

        /* the key ends at the last ')' of the segment (ids contain no '/') */
        const char *seg_end = strchr(s, '/');
        if (seg_end == NULL) {
            seg_end = s + strlen(s);
        }
        close = seg_end - 1;
        if (close <= s || *close != ')') {
            snprintf(err, errlen, "unbalanced parentheses in '%s'", name);
            return -1;
        }
        klen = (size_t) (close - s - 1);
        if (klen >= sizeof(raw)) {
            snprintf(err, errlen, "key too long");
            return -1;
        }
        memcpy(raw, s + 1, klen);
        raw[klen] = '\0';
        /* Id='…' form */
        if (strncmp(raw, "Id=", 3) == 0) {
            memmove(raw, raw + 3, strlen(raw) - 2);
        }
        /* Edm.Guid keys: guid'…' (EncodingReservedUnitTypes) */
        if (strncasecmp(raw, "guid'", 5) == 0) {
            memmove(raw, raw + 4, strlen(raw) - 3);
        }
        if (odata_unquote(raw, key, ODATA_KEY_MAX) != 0 || key[0] == '\0') {
            snprintf(err, errlen, "bad key in '%s(%s)'", name, raw);
            return -1;
        }
        *has_key = true;
        s = close + 1;
    }
    *p = s;
    return 0;
}

int odata_unquote(const char *in, char *out, size_t cap)
{
    size_t n = 0, len = strlen(in);

    if (len >= 2 && in[0] == '\'' && in[len - 1] == '\'') {
        for (size_t i = 1; i + 1 < len; i++) {
            if (in[i] == '\'') {
                if (in[i + 1] != '\'' || i + 2 >= len) {
                    return -1;
                }
                i++;
            }
            if (n + 1 >= cap) {
                return -1;
            }
            out[n++] = in[i];
        }
    } else {
        if (len >= cap || strchr(in, '\'') != NULL) {
            return -1;
        }
        memcpy(out, in, len);
        n = len;
    }
    out[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char) out[i] < 0x20) {
            return -1;
        }
    }
    return 0;
}

int odata_resource_parse(const char *path, odata_resource_t *out, char *err, size_t errlen)
{
    const char *p = path;

    memset(out, 0, sizeof(*out));
    if (*p == '\0') {
        return 0;
    }
    if (take_segment(&p, out->set, out->key, &out->has_key, err, errlen) != 0) {
        return -1;
    }
    if (*p == '/' && p[1] == '\0') {
        return 0;                                   /* trailing slash */
    }
    if (*p == '\0') {
        return 0;
    }
    p++;
    if (strcmp(p, "$count") == 0 && !out->has_key) {
        out->count = true;
        return 0;
    }
    if (!out->has_key) {
        snprintf(err, errlen, "'%s' must be followed by a key to address a member", out->set);
        return -1;
    }
    if (strncmp(p, "$links/", 7) == 0) {
        out->links = true;
        p += 7;
    }
    if (take_segment(&p, out->member, out->member_key, &out->has_member_key, err, errlen) != 0) {
        return -1;
    }
    if (*p == '/' && !out->links) {
        if (strcmp(p, "/$value") == 0) {
            out->value = true;
            return 0;
        }
        if (strcmp(p, "/$count") == 0) {
            out->count = true;
            return 0;
        }
    }
    if (*p != '\0' && strcmp(p, "/") != 0) {
        snprintf(err, errlen, "unsupported path after '%s': '%.40s'", out->member, p);
        return -1;
    }
    return 0;
}
