/*
 * blob_quota.c — admission of upload bodies against the per-blob,
 * per-container and staged budgets and the free-space floor: one registry of
 * containers with bodies in flight (a short list under one mutex), each with
 * its reserved bytes and its last count of staged blocks.
 */
#define _GNU_SOURCE
#include "blob_quota.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "blob_fs.h"
#include "blob_staging.h"

#define REGISTRY_KEEP 1024      /* idle entries kept for their staged counts */

typedef struct entry {
    struct entry *next;
    dev_t         dev;                /* the container directory's identity */
    ino_t         ino;
    struct timespec ctime;            /* its change time at the last scan */
    uint64_t      reserved[2];        /* by blob_budget_t */
    uint64_t      staged_bytes;       /* last scan + blocks committed since */
    uint64_t      staged_blocks;
    uint64_t      staged_in_flight;   /* block bodies reserved, not yet settled */
    bool          scanned;
    unsigned      refs;
} entry_t;

struct blob_reservation {
    entry_t      *entry;
    blob_budget_t budget;
    uint64_t      bytes;
    uint64_t      replaced_bytes;     /* staged: the block it replaces */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry_t *registry;
static size_t registry_len;
static uint64_t total_reserved;       /* every container: for the free-space floor */

static blob_status_t statvfs_free(int dir_fd, uint64_t *free_bytes)
{
    struct statvfs sv;
    if (fstatvfs(dir_fd, &sv) != 0)
        return BLOB_IO;
    *free_bytes = (uint64_t) sv.f_bavail * sv.f_frsize;
    return BLOB_OK;
}

static blob_free_space_fn free_space = statvfs_free;

void blob_quota_set_free_space_fn(blob_free_space_fn fn)
{
    free_space = fn != NULL ? fn : statvfs_free;
}

/* ---- the registry (lock held) -------------------------------------------- */

static void drop_idle_entries(void)
{
    for (entry_t **p = &registry; *p != NULL && registry_len > REGISTRY_KEEP;) {
        entry_t *e = *p;
        if (e->refs == 0) {
            *p = e->next;
            free(e);
            registry_len--;
        } else {
            p = &e->next;
        }
    }
}

static entry_t *find_entry(const struct stat *sb)
{
    for (entry_t *e = registry; e != NULL; e = e->next)
        if (e->dev == sb->st_dev && e->ino == sb->st_ino)
            return e;
    return NULL;
}

/* The container's entry.  A scan is redone when the container directory
 * changed since (blobs committed or deleted, or a new directory that reuses
 * a deleted one's inode). */
static entry_t *find_or_add_entry(int container_fd)
{
    struct stat sb;
    if (fstat(container_fd, &sb) != 0)
        return NULL;
    entry_t *e = find_entry(&sb);
    if (e != NULL) {
        if (e->ctime.tv_sec != sb.st_ctim.tv_sec || e->ctime.tv_nsec != sb.st_ctim.tv_nsec)
            e->scanned = false;
        return e;
    }
    drop_idle_entries();
    e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->dev = sb.st_dev;
    e->ino = sb.st_ino;
    e->next = registry;
    registry = e;
    registry_len++;
    return e;
}

/* ---- counting what is on disk -------------------------------------------- */

typedef struct {
    const char *skip;            /* committed: the blob being replaced */
    time_t      expired_before;  /* staged: staging dirs older than this go */
    uint64_t    bytes, files;
} tally_t;

static blob_status_t add_regular_file(int dir_fd, const char *name, void *arg)
{
    tally_t *t = arg;
    struct stat sb;
    if (name[0] == '.' || (t->skip != NULL && strcmp(name, t->skip) == 0))
        return BLOB_OK;
    if (fstatat(dir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode)) {
        t->bytes += (uint64_t) sb.st_size;
        t->files++;
    }
    return BLOB_OK;
}

/* One blob's staging directory: dropped when expired, else counted. */
static blob_status_t add_staging_dir(int blocks_fd, const char *name, void *arg)
{
    tally_t *t = arg;
    struct stat sb;
    int fd = -1;
    if (fstatat(blocks_fd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(sb.st_mode))
        return BLOB_OK;
    if (t->expired_before != 0 && sb.st_mtime < t->expired_before)
        return blob_fs_remove_tree(blocks_fd, name) == BLOB_IO ? BLOB_IO : BLOB_OK;
    if (blob_fs_open_subdir(blocks_fd, name, false, &fd) != BLOB_OK)
        return BLOB_OK;                               /* removed meanwhile */
    blob_status_t st = blob_fs_each_entry(fd, add_regular_file, t);
    close(fd);
    return st;
}

static blob_status_t scan_staged(int container_fd, time_t expiry, entry_t *e)
{
    tally_t t = { NULL, expiry != 0 ? time(NULL) - expiry : 0, 0, 0 };
    int blocks_fd = -1;
    struct stat sb;
    if (fstat(container_fd, &sb) != 0)
        return BLOB_IO;
    e->ctime = sb.st_ctim;
    blob_status_t st = blob_fs_open_subdir(container_fd, BLOB_BLOCKS_DIR, false, &blocks_fd);
    if (st == BLOB_NOT_FOUND)
        st = BLOB_OK;
    else if (st == BLOB_OK) {
        st = blob_fs_each_entry(blocks_fd, add_staging_dir, &t);
        close(blocks_fd);
    }
    if (st == BLOB_OK) {
        e->staged_bytes = t.bytes;
        e->staged_blocks = t.files;
        e->scanned = true;
    }
    return st;
}

static blob_status_t committed_bytes(int container_fd, const char *replaced, uint64_t *bytes)
{
    tally_t t = { replaced, 0, 0, 0 };
    blob_status_t st = blob_fs_each_entry(container_fd, add_regular_file, &t);
    *bytes = t.bytes;
    return st;
}

/* ---- admission (lock held) ------------------------------------------------- */

/* What the container's budget still allows, or the error naming it. */
static blob_status_t budget_room(const blob_limits_t *lim, int container_fd, entry_t *e,
                                 const blob_claim_t *claim, uint64_t *room)
{
    uint64_t used = 0, limit;
    blob_status_t st;
    if (claim->budget == BLOB_BUDGET_COMMITTED) {
        limit = lim->max_container;
        st = committed_bytes(container_fd, claim->replaced_blob, &used);
    } else {
        limit = lim->max_staged;
        st = e->scanned ? BLOB_OK : scan_staged(container_fd, lim->staged_expiry, e);
        used = e->staged_bytes - (claim->replaced_bytes < e->staged_bytes ? claim->replaced_bytes
                                                                          : e->staged_bytes);
        if (st == BLOB_OK && e->staged_blocks + e->staged_in_flight >= BLOB_MAX_STAGED_BLOCKS)
            return BLOB_STAGED_LIMIT;
    }
    used += e->reserved[claim->budget];
    *room = limit == 0 ? UINT64_MAX : used >= limit ? 0 : limit - used;
    return st;
}

/* What the free-space floor still allows. */
static blob_status_t space_room(const blob_limits_t *lim, int container_fd, uint64_t *room)
{
    uint64_t free_bytes = 0, keep = lim->min_free + total_reserved;
    *room = UINT64_MAX;
    if (lim->min_free == 0)
        return BLOB_OK;
    blob_status_t st = free_space(container_fd, &free_bytes);
    if (st == BLOB_OK && free_bytes < keep)
        return BLOB_NO_SPACE;
    *room = free_bytes - keep;
    return st;
}

static blob_status_t admit(const blob_limits_t *lim, int container_fd, entry_t *e,
                           const blob_claim_t *claim, uint64_t *bytes)
{
    uint64_t budget_left = 0, space_left = 0;
    blob_status_t st = budget_room(lim, container_fd, e, claim, &budget_left);
    if (st == BLOB_OK)
        st = space_room(lim, container_fd, &space_left);
    if (st != BLOB_OK)
        return st;
    blob_status_t over = claim->budget == BLOB_BUDGET_COMMITTED ? BLOB_CONTAINER_LIMIT : BLOB_STAGED_LIMIT;
    if (!claim->exact) {
        if (*bytes > budget_left)
            *bytes = budget_left;
        if (*bytes > space_left)
            *bytes = space_left;
        return *bytes == 0 ? (budget_left == 0 ? over : BLOB_NO_SPACE) : BLOB_OK;
    }
    if (*bytes > budget_left)
        return over;
    return *bytes > space_left ? BLOB_NO_SPACE : BLOB_OK;
}

blob_status_t blob_quota_reserve(const blob_limits_t *lim, int container_fd, const blob_claim_t *claim,
                                 blob_reservation_t **out)
{
    *out = NULL;
    if (lim == NULL)
        return BLOB_OK;
    blob_budget_t budget = claim->budget;
    uint64_t bytes = claim->bytes;
    if (budget == BLOB_BUDGET_COMMITTED && lim->max_blob != 0 && bytes > lim->max_blob) {
        if (claim->exact)
            return BLOB_BLOB_LIMIT;
        bytes = lim->max_blob;
    }
    blob_reservation_t *r = calloc(1, sizeof *r);
    if (r == NULL)
        return BLOB_IO;
    pthread_mutex_lock(&lock);
    entry_t *e = find_or_add_entry(container_fd);
    blob_status_t st = e != NULL ? admit(lim, container_fd, e, claim, &bytes) : BLOB_IO;
    if (st == BLOB_OK) {
        e->refs++;
        e->reserved[budget] += bytes;
        if (budget == BLOB_BUDGET_STAGED)
            e->staged_in_flight++;
        total_reserved += bytes;
        *r = (blob_reservation_t) { e, budget, bytes, claim->replaced_bytes };
        *out = r;
    }
    pthread_mutex_unlock(&lock);
    if (st != BLOB_OK)
        free(r);
    return st;
}

uint64_t blob_reservation_bytes(const blob_reservation_t *r)
{
    return r->bytes;
}

static void finish(blob_reservation_t *r, bool committed, uint64_t written)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&lock);
    entry_t *e = r->entry;
    e->reserved[r->budget] -= r->bytes;
    total_reserved -= r->bytes;
    if (r->budget == BLOB_BUDGET_STAGED) {
        e->staged_in_flight--;
        if (committed) {
            uint64_t gone = r->replaced_bytes < e->staged_bytes ? r->replaced_bytes : e->staged_bytes;
            e->staged_bytes += written - gone;
            e->staged_blocks += r->replaced_bytes == 0;
        }
    } else if (committed) {
        e->scanned = false;          /* a committed blob's staged blocks are discarded */
    }
    e->refs--;
    pthread_mutex_unlock(&lock);
    free(r);
}

void blob_quota_settle(blob_reservation_t *r, uint64_t written)
{
    finish(r, true, written);
}

void blob_quota_release(blob_reservation_t *r)
{
    finish(r, false, 0);
}

void blob_quota_staged_changed(int container_fd)
{
    struct stat sb;
    if (fstat(container_fd, &sb) != 0)
        return;
    pthread_mutex_lock(&lock);
    entry_t *e = find_entry(&sb);
    if (e != NULL)
        e->scanned = false;
    pthread_mutex_unlock(&lock);
}
