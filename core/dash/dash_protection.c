/*
 * dash_protection.c — the ContentProtection descriptors (dash_protection.h).
 */
#include "dash_protection.h"

#include "../crypto/mp_drm.h"

static void dash_wr_laurl(mp_wr_t *w, const char *url)
{
    if (url[0] != '\0') {
        mp_wr_str(w, "<dashif:Laurl>");
        mp_wr_xml_escaped(w, url);
        mp_wr_str(w, "</dashif:Laurl>");
    }
}

/* <cenc:pssh> with the base64 of the system's PSSH box. */
static void dash_wr_pssh(mp_wr_t *w, const uint8_t system[16], const mp_protection_t *pr)
{
    mp_wr_str(w, "<cenc:pssh>");
    mp_drm_write_pssh_base64(w, system, pr);
    mp_wr_str(w, "</cenc:pssh>");
}

static void dash_wr_playready(mp_wr_t *w, const mp_protection_t *pr)
{
    mp_wr_str(w, "<ContentProtection schemeIdUri=\"urn:uuid:9a04f079-9840-4286-ab92-e65be0885f95\""
                 " value=\"MSPR 2.0\"><mspr:pro>");
    mp_drm_write_playready_pro_base64(w, pr);
    mp_wr_str(w, "</mspr:pro>");
    dash_wr_pssh(w, mp_drm_system_playready, pr);
    dash_wr_laurl(w, pr->playready_url);
    mp_wr_str(w, "</ContentProtection>\n");
}

void dash_wr_content_protection(mp_wr_t *w, const mp_protection_t *pr)
{
    char kid[37];
    mp_drm_guid_text(pr->kid, kid);
    mp_wr_printf(w, "<ContentProtection schemeIdUri=\"urn:mpeg:dash:mp4protection:2011\""
                    " value=\"%s\" cenc:default_KID=\"%s\"/>\n",
                 pr->method == MP_PROTECT_CBCS ? "cbcs" : "cenc", kid);
    /* no cenc:pssh here: dash.js would pass a PSSH box where ClearKey wants
     * "keyids" init data; it builds that from default_KID */
    mp_wr_str(w, "<ContentProtection schemeIdUri=\"urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e\""
                 " value=\"ClearKey1.0\">");
    dash_wr_laurl(w, pr->clearkey_url);
    mp_wr_str(w, "</ContentProtection>\n");
    if (pr->widevine_url[0] != '\0') {
        mp_wr_str(w, "<ContentProtection schemeIdUri=\"urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed\""
                     " value=\"Widevine\">");
        dash_wr_pssh(w, mp_drm_system_widevine, pr);
        dash_wr_laurl(w, pr->widevine_url);
        mp_wr_str(w, "</ContentProtection>\n");
    }
    if (pr->playready_url[0] != '\0') {
        dash_wr_playready(w, pr);
    }
}
