/*
 * enc_vtt.c — WebVTT sprite index.
 */
#include "enc_vtt.h"

#include "mp_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void write_time(mp_wr_t *w, double s)
{
    long long ms = llround(s * 1000);
    mp_wr_printf(w, "%02lld:%02lld:%02lld.%03lld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
                 ms % 1000);
}

char *enc_vtt_text(const enc_out_thumb_t *t, double duration)
{
    mp_wr_t w;
    mp_wr_init_dynamic(&w);
    mp_wr_str(&w, "WEBVTT\n");
    for (int i = 0; i < t->count; i++) {
        double from = t->start + t->step * i;
        double to = i + 1 < t->count ? from + t->step : duration;
        mp_wr_str(&w, "\n");
        write_time(&w, from);
        mp_wr_str(&w, " --> ");
        write_time(&w, to > from ? to : from + 0.001);
        mp_wr_printf(&w, "\n%s#xywh=%d,%d,%d,%d\n", t->first_file, (i % t->columns) * t->width,
                     (i / t->columns) * t->height, t->width, t->height);
    }
    mp_wr_u8(&w, 0);
    if (w.failed) {
        mp_wr_free(&w);
        return NULL;
    }
    return (char *) w.p;
}

int enc_write_vtt(const enc_out_thumb_t *t, double duration, const char *dir)
{
    char *text = enc_vtt_text(t, duration), path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, t->vtt_file);
    FILE *f = text ? fopen(path, "wb") : NULL;
    int ok = f != NULL && fputs(text, f) >= 0;
    ok = (f != NULL && fclose(f) == 0) && ok;
    free(text);
    return ok ? 0 : -1;
}
