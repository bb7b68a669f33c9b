/*
 * live_archive_files.h — the files of a program's archive: where they are
 * (the asset's folder, the program's sessions folder, pid and log files),
 * the .ism, durability (fsync), and joining publish sessions at Stop.
 */
#ifndef LIVE_ARCHIVE_FILES_H
#define LIVE_ARCHIVE_FILES_H

#include "api/api_context.h"

#include <stdbool.h>
#include <sys/types.h>

#define LIVE_PATH_MAX        (CONFIG_PATH_MAX + 256)

typedef struct {
    char dir[LIVE_PATH_MAX];     /* the asset's folder */
    char ism[LIVE_PATH_MAX];
    char video[LIVE_PATH_MAX];
    char audio[LIVE_PATH_MAX];
    char sessions[LIVE_PATH_MAX]; /* <work_dir>/live/<program guid>: sessions 2, 3, … */
    char pid_file[LIVE_PATH_MAX];
    char log_file[LIVE_PATH_MAX];
    char source[LIVE_PATH_MAX];
} archive_paths_t;

/* The paths of a program's archive; 0, or -1 when one would not fit. */
int   live_archive_paths(const app_t *app, const char *program_id, const char *asset_id,
                         const char *manifest, const char *token, archive_paths_t *p);
off_t live_file_size(const char *path);                  /* -1: none */
int   live_fsync(const char *path);
/* The track files of publish session k (1: the archive's own files). */
void  live_session_files(const archive_paths_t *p, int k, char *video, char *audio, size_t cap);
/* The first session without video written yet. */
int   live_next_session(const archive_paths_t *p);
/* fsync of session k's files (those that exist). */
void  live_sync_session(const archive_paths_t *p, int k);
/* The .ism naming both tracks, bit rates from the sizes over `seconds`
 * (nominal when 0); fsync'ed and renamed into place.  0 or -1. */
int   live_write_ism(const archive_paths_t *p, double seconds);
/* Sessions 2.. joined to the first, end to end, then removed.  0 or -1. */
int   live_join_sessions(const app_t *app, const archive_paths_t *p);

#endif
