/*
 * mp_presentation.c — assembles the tracks one URL addresses: names them as
 * AMS did ("video", "audio_<lang>"), makes QualityLevels bitrates unique,
 * orders them (video by descending bitrate, then audio) and computes the
 * per-track timeline shift that applies edit lists without negative times.
 */
#include "mp_presentation.h"

#include <stdio.h>
#include <stdlib.h>

int mp_presentation_add(mp_presentation_t *p, const mp_index_t *ix, uint32_t track_no,
                        uint32_t file_no, uint32_t bitrate, const char *lang)
{
    if (p->count == MP_MAX_TRACKS || track_no >= ix->track_count) {
        return MP_ERR_BAD_MEDIA;
    }
    mp_pres_track_t *t = &p->tracks[p->count++];
    memset(t, 0, sizeof(*t));
    t->index = ix;
    t->track = mp_index_track(ix, track_no);
    t->file_no = file_no;
    t->bitrate = bitrate ? bitrate : t->track->avg_bitrate;
    if (t->bitrate == 0) {
        t->bitrate = 1;
    }
    const char *l = (lang && lang[0]) ? lang : t->track->language;
    if (strcmp(l, "und") != 0) {
        size_t n = strnlen(l, sizeof(t->language) - 1);
        memcpy(t->language, l, n);
        t->language[n] = '\0';
    }
    return MP_OK;
}

static int mp_track_order(const void *a, const void *b)
{
    const mp_pres_track_t *x = a, *y = b;
    if (x->track->type != y->track->type) {
        return x->track->type == MP_TRACK_VIDEO ? -1 : 1;
    }
    if (x->track->type == MP_TRACK_VIDEO && x->bitrate != y->bitrate) {
        return x->bitrate > y->bitrate ? -1 : 1;
    }
    return x->file_no != y->file_no ? (x->file_no < y->file_no ? -1 : 1)
                                    : (x->track->track_id < y->track->track_id ? -1 : 1);
}

static void mp_name_tracks(mp_presentation_t *p)
{
    for (uint32_t i = 0; i < p->count; i++) {
        mp_pres_track_t *t = &p->tracks[i];
        if (t->track->type == MP_TRACK_VIDEO) {
            snprintf(t->name, sizeof(t->name), "video");
        } else if (t->language[0]) {
            memcpy(t->name, "audio_", 6);
            memcpy(t->name + 6, t->language, sizeof(t->language));
        } else {
            snprintf(t->name, sizeof(t->name), "audio");
        }
    }
}

/* QualityLevels(b) must identify one track per stream name. */
static void mp_unique_bitrates(mp_presentation_t *p)
{
    for (uint32_t i = 1; i < p->count; i++) {
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(p->tracks[i].name, p->tracks[j].name) == 0 &&
                p->tracks[i].bitrate == p->tracks[j].bitrate) {
                p->tracks[i].bitrate++;
                j = (uint32_t) -1;   /* restart the scan for the new value */
            }
        }
    }
}

/* End of t's last presented sample on the timeline (track timescale): the
 * latest pts + duration among the final samples (reordering never reaches
 * further back). */
static uint64_t mp_presentation_end(const mp_pres_track_t *pt)
{
    const mp_track_t *t = pt->track;
    uint32_t n = t->sample_count, first = n > 16 ? n - 16 : 0;
    uint64_t end = 0;
    for (uint32_t i = first; i < n; i++) {
        int64_t pts = (int64_t) mp_pt_time(pt, i + 1) + mp_sample_cto(pt->index, t, i);
        uint64_t e = pts > 0 ? (uint64_t) pts : 0;
        end = e > end ? e : end;
    }
    return end;
}

uint32_t mp_pt_hidden_frames(const mp_pres_track_t *t)
{
    const mp_track_t *tr = t->track;
    if (tr->type != MP_TRACK_AUDIO || t->start <= t->shift) {
        return 0;
    }
    uint64_t hidden_end = t->start - t->shift;          /* in decode time */
    uint32_t j = mp_sample_at_or_after(t->index, tr, hidden_end);
    if (j == tr->sample_count) {
        return mp_sample_dts(t->index, tr, j) <= hidden_end ? j : (j ? j - 1 : 0);
    }
    /* samples before j end at or before dts(j); j - 1 ends after hidden_end
     * unless dts(j) is hidden_end exactly */
    return mp_sample_dts(t->index, tr, j) == hidden_end ? j : (j ? j - 1 : 0);
}

/* A lead-in in 10 MHz units, rounded DOWN to a whole microsecond: the
 * presentation start (DASH presentationTimeOffset) must not land after the
 * first frame in a player's clock.  1024 ticks of 15360 Hz are 666666.67
 * units; Chromium's media clock keeps whole microseconds (the frame at
 * 66666 us) and drops a key frame before appendWindowStart with its whole
 * GOP, so an offset of 666667 (or 666666, which it rounds to 66667 us) lost
 * the first 2 s; 666660 keeps it. */
static uint64_t mp_lead_10m(uint64_t ticks, uint32_t timescale)
{
    uint64_t lead = mp_rescale(ticks, timescale, MP_TIMESCALE_10M);

    if (timescale != 0
        && (unsigned __int128) lead * timescale > (unsigned __int128) ticks * MP_TIMESCALE_10M) {
        lead--;
    }
    return lead - lead % 10;
}

/* Shift every track by the largest lead-in (B-frame delay, AAC priming) so
 * all timeline times are >= 0 and A/V keep the sync the edit lists describe;
 * every track's presentation then starts at that lead-in (pt->start). */
static void mp_compute_shifts(mp_presentation_t *p)
{
    uint64_t lead_10m = 0;
    for (uint32_t i = 0; i < p->count; i++) {
        const mp_track_t *t = p->tracks[i].track;
        if (t->pres_offset < 0) {
            uint64_t lead = mp_lead_10m((uint64_t) -t->pres_offset, t->timescale);
            lead_10m = lead > lead_10m ? lead : lead_10m;
        }
    }
    p->duration_10m = 0;
    p->end_10m = 0;
    p->start_10m = lead_10m;
    for (uint32_t i = 0; i < p->count; i++) {
        mp_pres_track_t *pt = &p->tracks[i];
        const mp_track_t *t = pt->track;
        int64_t shift = t->pres_offset + (int64_t) mp_rescale(lead_10m, MP_TIMESCALE_10M, t->timescale);
        pt->shift = shift > 0 ? (uint64_t) shift : 0;
        pt->start = mp_rescale(lead_10m, MP_TIMESCALE_10M, t->timescale);
        pt->end = mp_presentation_end(pt);
        uint64_t end = mp_pt_time_10m(pt, t->sample_count);
        p->duration_10m = end > p->duration_10m ? end : p->duration_10m;
        end = mp_to_10m(pt->end, t->timescale);
        p->end_10m = end > p->end_10m ? end : p->end_10m;
    }
}

void mp_presentation_finish(mp_presentation_t *p)
{
    qsort(p->tracks, p->count, sizeof(p->tracks[0]), mp_track_order);
    mp_name_tracks(p);
    mp_unique_bitrates(p);
    mp_compute_shifts(p);
}

const mp_pres_track_t *mp_presentation_ts_audio(const mp_presentation_t *p)
{
    const mp_pres_track_t *first = NULL;
    for (uint32_t i = 0; i < p->count; i++) {
        const mp_pres_track_t *t = &p->tracks[i];
        if (t->track->type == MP_TRACK_AUDIO) {
            if (t->track->codec == MP_CODEC_AAC) {
                return t;
            }
            first = first ? first : t;
        }
    }
    return first;
}

const mp_pres_track_t *mp_presentation_find(const mp_presentation_t *p, const char *name,
                                            size_t name_len, uint32_t bitrate)
{
    for (uint32_t i = 0; i < p->count; i++) {
        const mp_pres_track_t *t = &p->tracks[i];
        if (strlen(t->name) == name_len && memcmp(t->name, name, name_len) == 0 &&
            (bitrate == 0 || t->bitrate == bitrate)) {
            return t;
        }
    }
    return NULL;
}
