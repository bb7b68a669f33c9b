/*
 * enc_probe.c — input probing with libavformat and the choice of inputs.
 */
#include "enc_probe.h"
#include "enc_command.h"

#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const ignored_extensions[] = {
    ".ism", ".ismc", ".xml", ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".vtt", ".ttml",
    ".smi", ".sami", ".srt", ".json", ".txt", ".m3u8", ".mpd", NULL
};

int enc_input_ignored(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot == NULL || (slash != NULL && dot < slash)) {
        return 0;
    }
    for (int i = 0; ignored_extensions[i] != NULL; i++) {
        if (strcasecmp(dot, ignored_extensions[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static const char *file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int probe_fail(const char *path, int averr, char *err, size_t err_len)
{
    char reason[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(averr, reason, sizeof(reason));
    if (averr == AVERROR(EINVAL)) {      /* what the format whitelist answers */
        snprintf(err, err_len, "input is not a media file: %s: its format is not one an input "
                 "may have (media containers and raw streams; playlists, concat lists and "
                 "image sequences are refused)", file_name(path));
        return -1;
    }
    snprintf(err, err_len, "input is not a media file: %s: %s", file_name(path), reason);
    return -1;
}

static void read_video(const AVFormatContext *fc, const AVStream *st, enc_input_t *out)
{
    const AVCodecParameters *cp = st->codecpar;
    out->width = cp->width;
    out->height = cp->height;
    double sar = 1.0;
    if (cp->sample_aspect_ratio.num > 0 && cp->sample_aspect_ratio.den > 0) {
        sar = av_q2d(cp->sample_aspect_ratio);
    }
    out->display_aspect = cp->height > 0 ? (double) cp->width * sar / cp->height : 0;
    out->fps = st->avg_frame_rate.den > 0 ? av_q2d(st->avg_frame_rate) : 0;
    if (out->fps <= 0 && st->r_frame_rate.den > 0) {
        out->fps = av_q2d(st->r_frame_rate);
    }
    int64_t bps = cp->bit_rate > 0 ? cp->bit_rate : fc->bit_rate;
    out->video_kbps = bps > 0 ? (int) (bps / 1000) : 0;
    if (st->duration > 0 && st->duration != AV_NOPTS_VALUE) {
        out->duration = (double) st->duration * av_q2d(st->time_base);
    }
}

/* the longest distance between key frames, the last one to the end included */
static double key_gap(AVStream *st, double duration)
{
    int n = avformat_index_get_entries_count(st);
    double tb = av_q2d(st->time_base), last = 0, gap = 0;
    int keys = 0;
    for (int i = 0; i < n; i++) {
        const AVIndexEntry *e = avformat_index_get_entry(st, i);
        if (e != NULL && (e->flags & AVINDEX_KEYFRAME) && e->timestamp != AV_NOPTS_VALUE) {
            double t = (double) e->timestamp * tb;
            gap = keys > 0 && t - last > gap ? t - last : gap;
            last = t;
            keys++;
        }
    }
    if (keys == 0) {
        return 0;
    }
    return duration - last > gap ? duration - last : gap;
}

static void read_streams(const AVFormatContext *fc, enc_input_t *out)
{
    out->video_index = out->audio_index = -1;
    for (unsigned i = 0; i < fc->nb_streams; i++) {
        const AVStream *st = fc->streams[i];
        enum AVMediaType type = st->codecpar->codec_type;
        if (type == AVMEDIA_TYPE_VIDEO && out->video_index < 0
            && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC) && st->codecpar->width > 0) {
            out->video_index = (int) i;
            read_video(fc, st, out);
        } else if (type == AVMEDIA_TYPE_AUDIO && out->audio_index < 0) {
            out->audio_index = (int) i;
        }
    }
    out->has_video = out->video_index >= 0;
    out->has_audio = out->audio_index >= 0;
    if (fc->duration > 0 && fc->duration != AV_NOPTS_VALUE
        && (out->duration <= 0 || !out->has_video)) {
        out->duration = (double) fc->duration / AV_TIME_BASE;
    }
    if (out->has_video) {
        out->key_gap = key_gap(fc->streams[out->video_index], out->duration);
    }
}

int enc_probe_file(const char *path, enc_input_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->path, sizeof(out->path), "%s", path);
    AVFormatContext *fc = NULL;
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "protocol_whitelist", ENC_INPUT_PROTOCOLS, 0);
    av_dict_set(&opts, "format_whitelist", ENC_INPUT_FORMATS, 0);
    int rc = avformat_open_input(&fc, path, NULL, &opts);
    av_dict_free(&opts);
    if (rc < 0) {
        return probe_fail(path, rc, err, err_len);
    }
    rc = avformat_find_stream_info(fc, NULL);
    if (rc < 0) {
        avformat_close_input(&fc);
        return probe_fail(path, rc, err, err_len);
    }
    read_streams(fc, out);
    avformat_close_input(&fc);
    if (!out->has_video && !out->has_audio) {
        snprintf(err, err_len, "input is not a media file: %s: no audio or video stream",
                 file_name(path));
        return -1;
    }
    return 0;
}

int enc_pick_sources(char *const *paths, int count, enc_sources_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    int used = 0;
    av_log_set_level(AV_LOG_ERROR);
    for (int i = 0; i < count; i++) {
        if (enc_input_ignored(paths[i])) {
            continue;
        }
        enc_input_t in;
        if (enc_probe_file(paths[i], &in, err, err_len) != 0) {
            return -1;
        }
        used++;
        if (in.has_video && !out->video_found) {
            out->video = in;
            out->video_found = 1;
            if (in.has_audio) {          /* audio from the video's file first */
                out->audio = in;
                out->audio_found = 1;
            }
            continue;
        }
        if (in.has_audio && !out->audio_found) {
            out->audio = in;
            out->audio_found = 1;
        }
    }
    if (used == 0) {
        snprintf(err, err_len, "the input asset has no media file (only manifests, images or text)");
        return -1;
    }
    return 0;
}
