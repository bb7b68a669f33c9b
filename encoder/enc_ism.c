/*
 * enc_ism.c — the .ism server manifest of an encoder output: one <video> per
 * layer file (trackID 1) and one <audio> for the AAC file.
 */
#include "enc_manifest.h"

#include "mp_common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void write_entry(mp_wr_t *w, const char *kind, const char *src, int kbps,
                        const char *lang)
{
    mp_wr_printf(w, "      <%s src=\"", kind);
    mp_wr_xml_escaped(w, src);
    mp_wr_printf(w, "\" systemBitrate=\"%d\"", kbps * 1000);
    if (lang != NULL) {
        mp_wr_printf(w, " systemLanguage=\"%s\"", lang);
    }
    mp_wr_printf(w, ">\n        <param name=\"trackID\" value=\"1\" valuetype=\"data\" />\n"
                    "      </%s>\n", kind);
}

int enc_write_ism(const enc_plan_t *p, const char *dir, char *err, size_t err_len)
{
    mp_wr_t w;
    mp_wr_init_dynamic(&w);
    mp_wr_str(&w, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                  "<smil xmlns=\"http://www.w3.org/2001/SMIL20/Language\">\n"
                  "  <head>\n    <meta name=\"formats\" content=\"mp4\" />\n  </head>\n"
                  "  <body>\n    <switch>\n");
    for (int i = 0; i < p->layer_count; i++) {
        write_entry(&w, "video", p->layers[i].file, p->layers[i].kbps, NULL);
    }
    if (p->audio != NULL) {
        write_entry(&w, "audio", p->audio_file, p->audio_kbps, "und");
    }
    mp_wr_str(&w, "    </switch>\n  </body>\n</smil>\n");
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, p->ism_file);
    FILE *f = w.failed ? NULL : fopen(path, "wb");
    int ok = f != NULL && fwrite(w.p, 1, w.pos, f) == w.pos;
    ok = (f != NULL && fclose(f) == 0) && ok;
    mp_wr_free(&w);
    if (!ok) {
        snprintf(err, err_len, "cannot write %s: %s", p->ism_file, strerror(errno));
        return -1;
    }
    return 0;
}
