/*
 * blob_quota.h — the upload budgets of the blob store: how many bytes one
 * committed blob, the committed blobs of one container and the staged
 * (uncommitted) blocks of one container may hold, and how much free space
 * the file system must keep.  A body is admitted by reserving its bytes
 * before the first byte is written; the reservation is settled when the
 * body commits and released when it is dropped.
 *
 * Committed bytes are counted by listing the container (a few files per
 * asset) at every reservation.  Containers are known by their directory's
 * device and inode.  Staged bytes are counted by a scan of
 * <container>/.blocks/ kept in memory and redone when staged blocks may
 * have gone (a blob committed or deleted, or the container directory
 * changed in any way since); blocks admitted since the scan are added as
 * they commit.  The scan drops staging directories
 * untouched for longer than staged_expiry.  A block replacing one of the
 * same id is charged the difference.
 */
#ifndef BLOB_QUOTA_H
#define BLOB_QUOTA_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "blob_status.h"

/* 0 in any field: no limit of that kind. */
typedef struct {
    uint64_t max_blob;           /* one committed blob */
    uint64_t max_container;      /* committed blobs of one container, together */
    uint64_t max_staged;         /* staged blocks (and block bodies in flight) of one container */
    uint64_t min_free;           /* free bytes the file system keeps after every admitted body */
    time_t   staged_expiry;      /* staged blocks untouched this long are dropped (seconds) */
} blob_limits_t;

/* Most staged blocks one container may hold, whatever their size (Azure
 * allows 100,000 uncommitted blocks per blob). */
#define BLOB_MAX_STAGED_BLOCKS 100000

typedef enum { BLOB_BUDGET_COMMITTED, BLOB_BUDGET_STAGED } blob_budget_t;

/* Size of a body not declared up front (no Content-Length). */
#define BLOB_SIZE_UNKNOWN UINT64_MAX

typedef struct blob_reservation blob_reservation_t;

/* What a body claims of its container's budgets. */
typedef struct {
    blob_budget_t budget;
    uint64_t      bytes;           /* its size; with exact false only the most it may have,
                                      and the reservation takes what the budgets leave */
    bool          exact;
    const char   *replaced_blob;   /* committed: the blob it replaces (not counted), or NULL */
    uint64_t      replaced_bytes;  /* staged: size of the block of the same id it replaces */
} blob_claim_t;

/* Reserves a claim on the container open as container_fd before its body is
 * written.  Errors: BLOB_BLOB_LIMIT (an exact committed size over max_blob),
 * BLOB_CONTAINER_LIMIT, BLOB_STAGED_LIMIT, BLOB_NO_SPACE (the free-space
 * floor), BLOB_IO.  lim NULL: nothing reserved, *out NULL. */
blob_status_t blob_quota_reserve(const blob_limits_t *lim, int container_fd, const blob_claim_t *claim,
                                 blob_reservation_t **out);

/* Bytes a reservation holds: the most its body may write. */
uint64_t blob_reservation_bytes(const blob_reservation_t *r);

/* The body committed with `written` bytes: a staged block stays counted
 * until the next scan; the reservation is freed.  NULL is a no-op. */
void blob_quota_settle(blob_reservation_t *r, uint64_t written);

/* The body was dropped: the reservation is freed.  NULL is a no-op. */
void blob_quota_release(blob_reservation_t *r);

/* Staged blocks of the container were removed: its next reservation rescans. */
void blob_quota_staged_changed(int container_fd);

/* Free bytes for unprivileged writers on dir_fd's file system (tests may
 * replace it with blob_quota_set_free_space_fn). */
typedef blob_status_t (*blob_free_space_fn)(int dir_fd, uint64_t *free_bytes);
void blob_quota_set_free_space_fn(blob_free_space_fn fn);

#endif
