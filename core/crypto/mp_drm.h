/*
 * mp_drm.h — DRM signalling for common encryption: the PSSH boxes of the
 * systems mediaplane announces (W3C common/ClearKey, Widevine, PlayReady)
 * and the text forms manifests carry (the KID as a GUID, base64 of a PSSH
 * box or of a PlayReady Object).  Licenses for Widevine and PlayReady come
 * from the servers the delivery policy names; mediaplane only points at
 * them.
 */
#ifndef MP_DRM_H
#define MP_DRM_H

#include "../mp_common.h"
#include "mp_protection.h"

extern const uint8_t mp_drm_system_common[16];    /* 1077efec-c0b2-4d02-ace3-3c1e52e2fb4b */
extern const uint8_t mp_drm_system_widevine[16];  /* edef8ba9-79d6-4ace-a3c8-27dcd51d21ed */
extern const uint8_t mp_drm_system_playready[16]; /* 9a04f079-9840-4286-ab92-e65be0885f95 */

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower case) into out[37]. */
void mp_drm_guid_text(const uint8_t id[16], char out[37]);

/* The PSSH boxes of pr, in this order: common (v1, the KID, no data),
 * Widevine if pr->widevine_url is set, PlayReady if pr->playready_url is. */
void mp_drm_write_pssh_all(mp_wr_t *w, const mp_protection_t *pr);

/* One PSSH box: the common one (v1 with the KID) for the common system ID,
 * else v0 with that system's data. */
void mp_drm_write_pssh(mp_wr_t *w, const uint8_t system_id[16], const mp_protection_t *pr);

/* The PlayReady Object (PRO) of pr: a PlayReady header 4.0 (cenc) or 4.3
 * (cbcs) with the KID and LA_URL, UTF-16LE. */
void mp_drm_write_playready_pro(mp_wr_t *w, const mp_protection_t *pr);

/* The same two as base64 text (manifests, data: URIs). */
void mp_drm_write_pssh_base64(mp_wr_t *w, const uint8_t system_id[16], const mp_protection_t *pr);
void mp_drm_write_playready_pro_base64(mp_wr_t *w, const mp_protection_t *pr);

/* Standard base64 of len bytes at data. */
void mp_wr_base64(mp_wr_t *w, const uint8_t *data, size_t len);

#endif
