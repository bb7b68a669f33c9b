/*
 * dash_protection.h — ContentProtection of an MPD's AdaptationSets under
 * common encryption (DASH-IF IOP 7): the mp4protection descriptor with the
 * scheme and cenc:default_KID, W3C ClearKey (with a dashif:Laurl to our
 * license service), and Widevine / PlayReady (cenc:pssh, mspr:pro and the
 * license URL) when the delivery policy names their servers.
 */
#ifndef DASH_PROTECTION_H
#define DASH_PROTECTION_H

#include "../crypto/mp_protection.h"
#include "../mp_common.h"

/* The namespace declarations the descriptors need (inside <MPD ...>). */
#define DASH_PROTECTION_NAMESPACES \
    " xmlns:cenc=\"urn:mpeg:cenc:2013\" xmlns:dashif=\"https://dashif.org/CPS\"" \
    " xmlns:mspr=\"urn:microsoft:playready\""

void dash_wr_content_protection(mp_wr_t *w, const mp_protection_t *pr);

#endif
