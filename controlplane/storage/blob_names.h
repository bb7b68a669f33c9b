/*
 * blob_names.h — which container and blob names the store accepts.  Names
 * become path components on disk, so these checks are what makes path
 * traversal impossible; every public blob_* function runs them first.
 */
#ifndef BLOB_NAMES_H
#define BLOB_NAMES_H

#include <stdbool.h>

#define BLOB_CONTAINER_NAME_MIN 3
#define BLOB_CONTAINER_NAME_MAX 63
#define BLOB_NAME_MAX 255            /* bytes of UTF-8, one filesystem name */

/* Container names: [a-z0-9-]{3,63} (e.g. "asset-<guid>"). */
bool blob_container_name_ok(const char *name);

/* Blob names: one path component of 1..255 bytes of well-formed UTF-8 — no
 * '/', no '\\', no leading '.' (so never "." or ".."; dot names are the
 * store's own), no control characters (C0, DEL, C1).  Azure allows '/' for
 * virtual directories; AMS asset files are flat, so we do not. */
bool blob_name_ok(const char *name);

#endif
