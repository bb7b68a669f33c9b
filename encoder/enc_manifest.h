/*
 * enc_manifest.h — the manifests next to the encoded MP4s: the .ism (SMIL 2.0
 * server manifest, the asset's primary file, read by the origin's ism_parse)
 * and the .ismc (Smooth client manifest), which is produced by the origin's
 * own packager (libmpcore: ism_parse, mp4_index_file, mss manifest) from the
 * files just written, so it is exactly what the origin would serve.
 */
#ifndef ENC_MANIFEST_H
#define ENC_MANIFEST_H

#include "enc_plan.h"

/* Write DIR/<ism_file>.  Returns 0 or -1 with err set. */
int enc_write_ism(const enc_plan_t *p, const char *dir, char *err, size_t err_len);

/* Write DIR/<ismc_file> from the .ism and the MP4s.  Returns 0 or -1. */
int enc_write_ismc(const enc_plan_t *p, const char *dir, char *err, size_t err_len);

#endif
