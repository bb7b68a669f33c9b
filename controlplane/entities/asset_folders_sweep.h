/*
 * asset_folders_sweep.h — removes asset folders whose asset is not in the
 * catalog (leftovers of a create or delete cut by a crash); run at start-up,
 * before the API serves.
 */
#ifndef MP_ASSET_FOLDERS_SWEEP_H
#define MP_ASSET_FOLDERS_SWEEP_H

#include "api/api_context.h"

/* The number of folders removed, or -1 when the media root or the catalog
 * cannot be read. */
int asset_folders_sweep(app_t *app);

#endif
