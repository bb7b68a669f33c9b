/*
 * ism_parse.h — reads an AMS server manifest (.ism, SMIL 2.0): the list of
 * MP4 files of an adaptive set, with per-entry kind, bitrate, language and
 * track id.  A tolerant tag scanner, not a general XML parser.
 */
#ifndef ISM_PARSE_H
#define ISM_PARSE_H

#include "../mp_common.h"

#define ISM_MAX_ENTRIES 64
#define ISM_MAX_SRC 256

typedef struct {
    int is_video;                 /* <video> (1) or <audio> (0) */
    char src[ISM_MAX_SRC];        /* relative file name, validated: no '/', no ".." */
    uint32_t bitrate;             /* systemBitrate, 0 if absent */
    uint32_t track_id;            /* <param name="trackID" value=..>, 0 = first of its kind */
    char language[4];             /* systemLanguage (ISO 639-2), "" if absent */
    char track_name[32];          /* <param name="trackName">, "" if absent */
} ism_entry_t;

typedef struct {
    uint32_t count;
    ism_entry_t entries[ISM_MAX_ENTRIES];
} ism_t;

/* Parse; returns MP_OK or MP_ERR_BAD_MEDIA with a reason in err. */
int ism_parse(const char *xml, size_t len, ism_t *out, char *err, size_t err_len);

#endif
