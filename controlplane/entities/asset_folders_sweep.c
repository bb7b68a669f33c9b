/*
 * asset_folders_sweep.c — the start-up sweep of asset storage folders.
 * An asset's folder <media_root>/asset-<guid> is made before the catalog
 * commit that creates the asset and removed after the one that deletes it,
 * so a daemon killed in between leaves a folder with no asset.  Before the
 * API serves, every such folder is removed (the catalog is the truth).
 */
#include "entities/asset_folders_sweep.h"
#include "daemon/daemon_log.h"
#include "storage/blob_store.h"
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#define FOLDER_PREFIX "asset-"
#define GUID_LEN 36

/* The asset id an asset folder's name stands for; false for other names. */
static bool folder_asset_id(const char *name, char *id, size_t cap)
{
    size_t plen = strlen(FOLDER_PREFIX);
    if (strncmp(name, FOLDER_PREFIX, plen) != 0 || strlen(name) != plen + GUID_LEN) {
        return false;
    }
    int n = snprintf(id, cap, "nb:cid:UUID:%s", name + plen);
    return n > 0 && (size_t) n < cap;
}

int asset_folders_sweep(app_t *app)
{
    DIR *dir = opendir(app->cfg.media_root);
    catalog_txn_t txn;
    struct dirent *e;
    int removed = 0;

    if (dir == NULL) {
        return -1;
    }
    if (catalog_begin(app->store, false, &txn) != 0) {
        closedir(dir);
        return -1;
    }
    while ((e = readdir(dir)) != NULL) {
        char id[64];
        if (!folder_asset_id(e->d_name, id, sizeof(id)) || catalog_exists(&txn, "Assets", id)) {
            continue;
        }
        blob_status_t st = blob_container_delete(app->cfg.media_root, e->d_name);
        log_warn("storage sweep: removed %s, the folder of no asset (%s)", e->d_name,
                 st == BLOB_OK ? "ok" : blob_status_code(st));
        removed += st == BLOB_OK;
    }
    catalog_abort(&txn);
    closedir(dir);
    return removed;
}
