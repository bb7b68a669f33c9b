/*
 * live_smooth_archive.c — Smooth-ingest fragments into program archives
 * (live_smooth_archive.h).
 *
 * One lock serialises the writes (a fragment every ~2 s per track and
 * channel; a write is an append and an fdatasync).  The Running programs
 * of the channel are looked up under it in a fresh read transaction, so a
 * Program Stop that committed Stopping and then waited in
 * live_smooth_quiesce() sees no write after it.
 *
 * Per archive track file the lock also guards what was written last: its
 * size and the time of its last fragment.  A fragment at or behind that
 * time is a duplicate (two redundant encoders push the same timeline; an
 * encoder re-sends fragments on reconnect) and is dropped.  The state is
 * rebuilt from the file when it is not known (a daemon restart) or the
 * file is not the size last written: a scan of its top-level boxes, which
 * also cuts a fragment a crash left half-written (so a crash loses at most
 * the fragment in flight, and the next append lands after a whole box).
 */
#include "live/live_smooth_archive.h"
#include "live/live_archive_files.h"
#include "daemon/daemon_log.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include "mp_common.h"
#include "mp4/mp4_ingest.h"
#include "mp4/mp4_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define SMOOTH_TRACK_STATES  128                    /* archive files remembered */
#define SMOOTH_SCAN_MAX_MOOF (16u * 1024 * 1024)     /* as the ingest's box bound */

typedef struct {
    char    path[LIVE_PATH_MAX + 32];
    off_t   size;            /* bytes written (whole boxes only) */
    int64_t last_time;
    bool    has_time;
    int64_t used;            /* for replacing the least recently used */
} track_state_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static track_state_t states[SMOOTH_TRACK_STATES];
static int64_t use_clock;

/* ------------------------------------------------------------ the scan */

static bool read_at(int fd, void *buf, size_t len, off_t off)
{
    return pread(fd, buf, len, off) == (ssize_t) len;
}

/* The box at off of a file of size bytes: true with its size and type when
 * its header is there and it ends inside the file. */
static bool whole_box(int fd, off_t off, off_t size, uint64_t *bsize, uint32_t *type)
{
    uint8_t h[16];
    size_t n = size - off < 16 ? (size_t) (size - off) : 16;

    if (n < 8 || !read_at(fd, h, n, off) || mp_rd32(h) == 0) {
        return false;
    }
    return mp4_box_header(h, n, bsize, type) != 0 && *bsize <= (uint64_t) (size - off);
}

/* The moof at off (bsize bytes): its time, when it reads. */
static bool moof_time(int fd, off_t off, uint64_t bsize, track_state_t *st)
{
    mp4_ingest_moof_t info;
    char err[128];
    uint8_t *b;
    bool ok;

    if (bsize > SMOOTH_SCAN_MAX_MOOF || (b = malloc((size_t) bsize)) == NULL) {
        return false;
    }
    ok = read_at(fd, b, (size_t) bsize, off)
         && mp4_ingest_read_moof(b, (size_t) bsize, &info, err, sizeof(err)) == 0;
    if (ok && info.has_time) {
        st->last_time = info.time;
        st->has_time = true;
    }
    free(b);
    return ok;
}

/* st rebuilt from its file; a half-written tail cut off.  0 or -1. */
static int scan_track(track_state_t *st)
{
    int fd = open(st->path, O_RDWR | O_CLOEXEC);
    struct stat sb;
    off_t off = 0;
    uint64_t bsize, msize;
    uint32_t type, mtype;

    st->size = 0;
    st->has_time = false;
    if (fd < 0) {
        return errno == ENOENT ? 0 : -1;
    }
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return -1;
    }
    while (off < sb.st_size && whole_box(fd, off, sb.st_size, &bsize, &type)) {
        if (type == MP_FOURCC('m', 'o', 'o', 'f')) {
            off_t m = off + (off_t) bsize;
            if (!whole_box(fd, m, sb.st_size, &msize, &mtype)
                || mtype != MP_FOURCC('m', 'd', 'a', 't') || !moof_time(fd, off, bsize, st)) {
                break;
            }
            bsize += msize;
        }
        off += (off_t) bsize;
    }
    if (off < sb.st_size) {
        log_warn("live: %s ended in %lld bytes of a fragment cut short: cut off", st->path,
                 (long long) (sb.st_size - off));
        if (ftruncate(fd, off) != 0 || fdatasync(fd) != 0) {
            close(fd);
            return -1;
        }
    }
    st->size = off;
    close(fd);
    return 0;
}

/* The state of the file at path: remembered, or scanned now. */
static track_state_t *state_of(const char *path)
{
    track_state_t *st = NULL, *oldest = &states[0];
    struct stat sb;

    for (size_t i = 0; i < SMOOTH_TRACK_STATES && st == NULL; i++) {
        if (strcmp(states[i].path, path) == 0) {
            st = &states[i];
        } else if (states[i].used < oldest->used) {
            oldest = &states[i];
        }
    }
    if (st != NULL && (stat(path, &sb) == 0 ? sb.st_size : 0) == st->size) {
        st->used = ++use_clock;
        return st;
    }
    if (st == NULL) {
        st = oldest;
        snprintf(st->path, sizeof(st->path), "%s", path);
    }
    st->used = ++use_clock;
    if (scan_track(st) != 0) {
        log_error("live: cannot read %s: %s", path, strerror(errno));
        st->path[0] = '\0';
        return NULL;
    }
    return st;
}

/* ------------------------------------------------------------ appends */

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

/* The fragment (after the header, into an empty file) appended and synced;
 * on a failure the file is cut back to its last whole box. */
static int append(track_state_t *st, const char *dir, const smooth_fragment_t *f)
{
    int fd = open(st->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0660), rc;
    bool fresh = st->size == 0;
    size_t len = f->fragment_len + (fresh ? f->header_len : 0);

    if (fd < 0) {
        return -1;
    }
    rc = (fresh ? write_all(fd, f->header, f->header_len) : 0) == 0
         && write_all(fd, f->fragment, f->fragment_len) == 0 && fdatasync(fd) == 0 ? 0 : -1;
    if (rc != 0) {
        int saved = errno;
        if (ftruncate(fd, st->size) != 0) {
            st->path[0] = '\0';          /* rescanned next time */
        }
        errno = saved;
    } else {
        st->size += (off_t) len;
        st->last_time = f->time;
        st->has_time = true;
    }
    close(fd);
    if (rc == 0 && fresh) {
        live_fsync(dir);                 /* the new file's name, durably */
    }
    return rc;
}

/* ------------------------------------------------------------ programs */

typedef struct {
    app_t                   *app;
    const char              *channel_id;
    const smooth_fragment_t *f;
    smooth_write_result_t   *out;
    int                      rc;
} write_walk_t;

static int write_to_program(const char *id, json_t *rec, void *arg)
{
    write_walk_t *w = arg;
    const char *channel = entity_str(rec, "ChannelId");
    archive_paths_t p;
    track_state_t *st;

    if (channel == NULL || strcmp(channel, w->channel_id) != 0 || !entity_in_state(rec, "Running")) {
        return 0;
    }
    if (live_archive_paths(w->app, id, entity_str(rec, "AssetId"), entity_str(rec, "ManifestName"),
                           NULL, &p) != 0
        || (st = state_of(w->f->video ? p.video : p.audio)) == NULL) {
        w->rc = -1;
        return 0;
    }
    if (st->has_time && w->f->time <= st->last_time) {
        w->out->duplicates++;
    } else if (append(st, p.dir, w->f) == 0) {
        w->out->written++;
    } else {
        log_error("live: cannot append to %s: %s", st->path, strerror(errno));
        w->rc = -1;
    }
    return 0;
}

int live_smooth_write(app_t *app, const char *channel_id, const smooth_fragment_t *f,
                      smooth_write_result_t *out)
{
    catalog_txn_t txn;
    write_walk_t w = { app, channel_id, f, out, 0 };

    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&lock);
    if (catalog_begin(app->store, false, &txn) != 0) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    catalog_each(&txn, entity_programs.name, write_to_program, &w);
    catalog_abort(&txn);
    pthread_mutex_unlock(&lock);
    return w.rc;
}

void live_smooth_quiesce(void)
{
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
}
