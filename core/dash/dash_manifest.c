/*
 * dash_manifest.c — the static MPD for mpd-time-csf / mpd-time-cmaf.
 *
 * One Period; one AdaptationSet per track type and codec, audio further split
 * by language (same-language bit rates share a set).  A set's SegmentTemplate
 * and SegmentTimeline sit on the AdaptationSet when every Representation has
 * the same stream name and segment times (aligned GOPs, the normal case);
 * otherwise each Representation carries its own, so $Time$ always names a
 * time the segment lookup finds.  $Bandwidth$ expands to the track's bitrate,
 * which is the QualityLevels value the segment URLs are resolved by.
 */
#include "dash_manifest.h"
#include "dash_protection.h"

#include "../segment/mp_track_info.h"

#include <stdlib.h>
#include <time.h>

typedef struct {
    const mp_presentation_t *p;
    const mp_timeline_t *tl;
    const char *fmt;                    /* format option for URLs */
    const mp_pres_track_t *reps[MP_MAX_TRACKS];
    uint32_t count;
} dash_set_t;

/* ---- grouping ----------------------------------------------------------- */

static int dash_same_set(const mp_pres_track_t *a, const mp_pres_track_t *b)
{
    if (a->track->type != b->track->type || a->track->codec != b->track->codec) {
        return 0;
    }
    return a->track->type != MP_TRACK_AUDIO || strcmp(a->language, b->language) == 0;
}

/* Is track i the first of its AdaptationSet? */
static int dash_opens_set(const mp_presentation_t *p, uint32_t i)
{
    for (uint32_t j = 0; j < i; j++) {
        if (dash_same_set(&p->tracks[j], &p->tracks[i])) {
            return 0;
        }
    }
    return 1;
}

static void dash_collect(dash_set_t *s, uint32_t first)
{
    s->count = 0;
    for (uint32_t i = first; i < s->p->count; i++) {
        if (dash_same_set(&s->p->tracks[first], &s->p->tracks[i])) {
            s->reps[s->count++] = &s->p->tracks[i];
        }
    }
}

/* ---- segment timeline --------------------------------------------------- */

static void dash_wr_timeline(mp_wr_t *w, const mp_seg_t *segs, uint32_t count)
{
    mp_wr_str(w, "<SegmentTimeline>\n");
    for (uint32_t i = 0; i < count;) {
        uint32_t run = mp_seg_run(segs, count, i);
        mp_wr_str(w, "<S");
        if (mp_seg_needs_time(segs, i)) {
            mp_wr_printf(w, " t=\"%llu\"", (unsigned long long) segs[i].start_10m);
        }
        mp_wr_printf(w, " d=\"%llu\"", (unsigned long long) segs[i].duration_10m);
        if (run > 1) {
            mp_wr_printf(w, " r=\"%u\"", run - 1);
        }
        mp_wr_str(w, "/>\n");
        i += run;
    }
    mp_wr_str(w, "</SegmentTimeline>\n");
}

/* SegmentTemplate for stream name t->name with t's own timeline. */
static int dash_wr_template(mp_wr_t *w, const dash_set_t *s, const mp_pres_track_t *t)
{
    mp_seg_t *segs;
    uint32_t count;
    int rc = mp_track_seg_list(t, s->tl, &segs, &count);
    if (rc != MP_OK) {
        return rc;
    }
    mp_wr_str(w, "<SegmentTemplate timescale=\"10000000\" media=\"QualityLevels($Bandwidth$)/Fragments(");
    mp_wr_xml_escaped(w, t->name);
    mp_wr_printf(w, "=$Time$,format=%s)\" initialization=\"QualityLevels($Bandwidth$)/Fragments(",
                 s->fmt);
    mp_wr_xml_escaped(w, t->name);
    mp_wr_printf(w, "=i,format=%s)\"", s->fmt);
    if (s->p->start_10m) {
        /* period time 0 = presentation start after edit lists (B-frame
         * delay, AAC priming), so players see no gap at the start */
        mp_wr_printf(w, " presentationTimeOffset=\"%llu\"", (unsigned long long) s->p->start_10m);
    }
    mp_wr_str(w, ">\n");
    dash_wr_timeline(w, segs, count);
    mp_wr_str(w, "</SegmentTemplate>\n");
    free(segs);
    return MP_OK;
}

static int dash_same_segs(const mp_seg_t *a, const mp_seg_t *b, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if (a[i].start_10m != b[i].start_10m || a[i].duration_10m != b[i].duration_10m) {
            return 0;
        }
    }
    return 1;
}

/* Can all representations of s share one SegmentTemplate?  1 yes, 0 no,
 * or MP_ERR_NO_MEMORY. */
static int dash_template_shared(const dash_set_t *s)
{
    mp_seg_t *first, *other;
    uint32_t n_first, n_other;
    int shared = 1;
    if (s->count == 1) {
        return 1;             /* one representation: nothing to compare */
    }
    if (mp_track_seg_list(s->reps[0], s->tl, &first, &n_first) != MP_OK) {
        return MP_ERR_NO_MEMORY;
    }
    for (uint32_t r = 1; r < s->count && shared == 1; r++) {
        if (strcmp(s->reps[r]->name, s->reps[0]->name) != 0) {
            shared = 0;
        } else if (mp_track_seg_list(s->reps[r], s->tl, &other, &n_other) != MP_OK) {
            shared = MP_ERR_NO_MEMORY;
        } else {
            shared = n_other == n_first && dash_same_segs(first, other, n_first);
            free(other);
        }
    }
    free(first);
    return shared;
}

/* ---- representations ---------------------------------------------------- */

/* frameRate: "30", "30000/1001" for NTSC rates, else "<milli>/1000". */
static void dash_wr_frame_rate(mp_wr_t *w, uint32_t milli)
{
    uint64_t ntsc = ((uint64_t) milli * 1001 + 500000) / 1000000;
    if (milli % 1000 == 0) {
        mp_wr_printf(w, " frameRate=\"%u\"", milli / 1000);
    } else if ((ntsc * 1000000 + 500) / 1001 == milli) {
        mp_wr_printf(w, " frameRate=\"%llu/1001\"", (unsigned long long) ntsc * 1000);
    } else {
        mp_wr_printf(w, " frameRate=\"%u/1000\"", milli);
    }
}

static void dash_wr_rep_open(mp_wr_t *w, const mp_pres_track_t *t)
{
    const mp_track_t *tr = t->track;
    mp_wr_str(w, "<Representation id=\"");
    mp_wr_xml_escaped(w, t->name);
    mp_wr_printf(w, "_%u\" bandwidth=\"%u\" codecs=\"", t->bitrate, t->bitrate);
    mp_wr_xml_escaped(w, tr->codecs);
    mp_wr_str(w, "\"");
    if (tr->type == MP_TRACK_VIDEO) {
        mp_wr_printf(w, " width=\"%u\" height=\"%u\"", tr->width, tr->height);
        if (tr->frame_rate_milli) {
            dash_wr_frame_rate(w, tr->frame_rate_milli);
        }
        mp_wr_str(w, " sar=\"1:1\"");
    } else {
        mp_wr_printf(w, " audioSamplingRate=\"%u\"", tr->sample_rate);
    }
    mp_wr_str(w, ">\n");
}

static int dash_wr_representation(mp_wr_t *w, const dash_set_t *s, const mp_pres_track_t *t,
                                  int own_template)
{
    int rc = MP_OK;
    dash_wr_rep_open(w, t);
    if (t->track->type == MP_TRACK_AUDIO) {
        mp_wr_printf(w, "<AudioChannelConfiguration schemeIdUri=\"urn:mpeg:dash:23003:3:"
                     "audio_channel_configuration:2011\" value=\"%u\"/>\n", t->track->channels);
    }
    if (own_template) {
        rc = dash_wr_template(w, s, t);
    }
    mp_wr_str(w, "</Representation>\n");
    return rc;
}

/* ---- adaptation sets ---------------------------------------------------- */

static void dash_wr_set_open(mp_wr_t *w, const dash_set_t *s, uint32_t id)
{
    const mp_pres_track_t *t = s->reps[0];
    int video = t->track->type == MP_TRACK_VIDEO;
    mp_wr_printf(w, "<AdaptationSet id=\"%u\" contentType=\"%s\" mimeType=\"%s\""
                 " segmentAlignment=\"true\" startWithSAP=\"1\"",
                 id, video ? "video" : "audio", video ? "video/mp4" : "audio/mp4");
    if (video) {
        uint32_t mw = 0, mh = 0;
        for (uint32_t r = 0; r < s->count; r++) {
            mw = s->reps[r]->track->width > mw ? s->reps[r]->track->width : mw;
            mh = s->reps[r]->track->height > mh ? s->reps[r]->track->height : mh;
        }
        mp_wr_printf(w, " maxWidth=\"%u\" maxHeight=\"%u\"", mw, mh);
    } else if (t->language[0] != '\0') {
        mp_wr_str(w, " lang=\"");
        mp_wr_xml_escaped(w, mp_lang_tag(t->language));
        mp_wr_str(w, "\"");
    }
    mp_wr_str(w, ">\n");
}

/* The first audio set (it holds the presentation's first audio track) is
 * the main one. */
static int dash_is_main_audio(const dash_set_t *s)
{
    for (uint32_t i = 0; i < s->p->count; i++) {
        if (s->p->tracks[i].track->type == MP_TRACK_AUDIO) {
            return &s->p->tracks[i] == s->reps[0];
        }
    }
    return 0;
}

static int dash_wr_set(mp_wr_t *w, const dash_set_t *s, uint32_t id,
                       const mp_protection_t *pr)
{
    int shared = dash_template_shared(s);
    int rc = MP_OK;
    if (shared < 0) {
        return shared;
    }
    dash_wr_set_open(w, s, id);
    if (pr != NULL) {
        dash_wr_content_protection(w, pr);
    }
    if (dash_is_main_audio(s)) {
        mp_wr_str(w, "<Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"main\"/>\n");
    }
    if (shared == 1) {
        rc = dash_wr_template(w, s, s->reps[0]);
    }
    for (uint32_t r = 0; r < s->count && rc == MP_OK; r++) {
        rc = dash_wr_representation(w, s, s->reps[r], shared == 0);
    }
    mp_wr_str(w, "</AdaptationSet>\n");
    return rc;
}

/* ---- MPD ---------------------------------------------------------------- */

/* xs:dateTime of a unix time in ms, UTC. */
static void dash_wr_utc(mp_wr_t *w, int64_t ms)
{
    time_t secs = (time_t) (ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    mp_wr_printf(w, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (ms % 1000));
}

/* The longest segment of the timeline (10 MHz). */
static uint64_t dash_longest_segment(const mp_timeline_t *tl)
{
    uint64_t longest = 0;
    for (uint32_t i = 0; i + 1 < tl->count; i++) {
        uint64_t d = tl->bounds_10m[i + 1] - tl->bounds_10m[i];
        longest = d > longest ? d : longest;
    }
    return longest;
}

/* A live MPD: dynamic, its availability start the wall-clock time of
 * presentation time 0 (live->start_ms: of timeline time 0, as the origin
 * derives it from when the archive was written, constant across updates;
 * when unknown, 0, put where the end of the listed timeline is now), the DVR
 * window as the time-shift buffer, refreshed every 2 s.  Players are told
 * to stay 4 segments behind the live edge (suggestedPresentationDelay, as
 * dash.js does by default; shaka would otherwise take 1.5 x minBufferTime,
 * 3 s): a segment is listed only once the key frame after it is archived
 * with a GOP behind it, a manifest refresh and a file-cache interval later
 * at worst, and a player closer to the edge than that stalls. */
static void dash_wr_live_attrs(mp_wr_t *w, const mp_presentation_t *p, const mp_timeline_t *tl)
{
    const mp_live_t *live = tl->live;
    uint64_t window_ms = live->window_10m / 10000;
    uint64_t delay_ms = 4 * dash_longest_segment(tl) / 10000;
    mp_wr_str(w, " type=\"dynamic\" availabilityStartTime=\"");
    dash_wr_utc(w, live->start_ms != 0 ? live->start_ms + (int64_t) (p->start_10m / 10000)
                                       : live->now_ms - (int64_t) (tl->end_10m / 10000));
    mp_wr_str(w, "\" publishTime=\"");
    dash_wr_utc(w, live->now_ms);
    mp_wr_str(w, "\" minimumUpdatePeriod=\"PT2S\"");
    if (window_ms != 0) {
        mp_wr_printf(w, " timeShiftBufferDepth=\"PT%llu.%03lluS\"",
                     (unsigned long long) (window_ms / 1000), (unsigned long long) (window_ms % 1000));
    }
    delay_ms = delay_ms < 6000 ? 6000 : delay_ms;
    mp_wr_printf(w, " suggestedPresentationDelay=\"PT%llu.%03lluS\"",
                 (unsigned long long) (delay_ms / 1000), (unsigned long long) (delay_ms % 1000));
}

static void dash_wr_mpd_open(mp_wr_t *w, const mp_presentation_t *p, const mp_timeline_t *tl,
                             mp_format_t format, const mp_protection_t *pr)
{
    uint64_t end = p->end_10m > p->start_10m ? p->end_10m : p->duration_10m;
    uint64_t ms = (end - p->start_10m + 5000) / 10000;
    mp_wr_str(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"");
    if (pr != NULL) {
        mp_wr_str(w, DASH_PROTECTION_NAMESPACES);
    }
    if (tl->live != NULL) {
        dash_wr_live_attrs(w, p, tl);
    } else {
        mp_wr_printf(w, " type=\"static\" mediaPresentationDuration=\"PT%llu.%03lluS\"",
                     (unsigned long long) (ms / 1000), (unsigned long long) (ms % 1000));
    }
    mp_wr_str(w, " profiles=\"urn:mpeg:dash:profile:isoff-live:2011");
    if (format == MP_FMT_DASH_CMAF) {
        mp_wr_str(w, ",urn:mpeg:dash:profile:cmaf:2019");
    }
    mp_wr_str(w, "\" minBufferTime=\"PT2S\">\n<Period id=\"0\" start=\"PT0S\">\n");
}

int dash_write_mpd(mp_wr_t *w, const mp_presentation_t *p, const mp_timeline_t *tl,
                   mp_format_t format, const mp_protection_t *pr)
{
    dash_set_t s = { p, tl, mp_format_name(format), { NULL }, 0 };
    uint32_t id = 0;
    int rc = MP_OK;
    if (!mp_format_is_dash(format)) {
        return MP_ERR_BAD_REQUEST;
    }
    if (p->count == 0) {
        return MP_ERR_BAD_MEDIA;
    }
    dash_wr_mpd_open(w, p, tl, format, pr);
    for (uint32_t i = 0; i < p->count && rc == MP_OK; i++) {
        if (dash_opens_set(p, i)) {
            dash_collect(&s, i);
            rc = dash_wr_set(w, &s, id++, pr);
        }
    }
    mp_wr_str(w, "</Period>\n");
    if (tl->live != NULL) {
        mp_wr_str(w, "<UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:direct:2014\" value=\"");
        dash_wr_utc(w, tl->live->now_ms);
        mp_wr_str(w, "\"/>\n");
    }
    mp_wr_str(w, "</MPD>\n");
    if (rc == MP_OK && w->failed) {
        rc = MP_ERR_NO_MEMORY;
    }
    return rc;
}
