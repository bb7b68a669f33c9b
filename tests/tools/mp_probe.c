/*
 * mp_probe.c — prints what mediaplane's MP4 parser sees in a file: tracks,
 * codecs, timing, edit-list offsets and sync samples.  A debugging aid for
 * operators ("why is this file 415?") and a driver for tests.
 */
#include "mp4/mp4_parse.h"
#include "mp_file_reader.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s file.mp4\n", argv[0]);
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(argv[1]);
        return 1;
    }
    mp_source_t r = mp_file_reader(fd);
    char err[MP_ERR_LEN];
    mp_index_t *ix = mp4_index_file(&r, (uint64_t) st.st_size, 0, err, sizeof(err));
    if (ix == NULL) {
        printf("error: %s\n", err);
        return 1;
    }
    printf("index: %llu bytes, %u tracks\n", (unsigned long long) ix->total_size, ix->track_count);
    for (uint32_t i = 0; i < ix->track_count; i++) {
        const mp_track_t *t = mp_index_track(ix, i);
        printf("track %u id=%u %s codecs=%s ts=%u samples=%u keys=%u dur=%llu pres_offset=%lld "
               "bitrate=%u lang=%s %ux%u fps_milli=%u rate=%u ch=%u cto=%s first_dts=%llu\n",
               i, t->track_id, t->type == MP_TRACK_VIDEO ? "video" : "audio", t->codecs,
               t->timescale, t->sample_count, mp_key_count(t), (unsigned long long) t->duration,
               (long long) t->pres_offset, t->avg_bitrate, t->language, t->width, t->height,
               t->frame_rate_milli, t->sample_rate, t->channels, t->cto_off ? "yes" : "no",
               (unsigned long long) mp_sample_dts(ix, t, 0));
    }
    free(ix);
    close(fd);
    return 0;
}
